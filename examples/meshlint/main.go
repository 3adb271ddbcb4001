// Command meshlint reads the Kubernetes and Kuma manifests an operator is
// about to apply and reports, before anything breaks, what the meshcore
// packages know will break: a Mesh name that breaks its proxies' IDs
// (proxyid), names that the naming mode deprecates or rejects, with a
// compliant suggestion (naming), services left without a hostname under
// MeshService mode Exclusive and why, hostname collisions and cross-kind
// conflicts, generator templates that fail (hostname), Services whose
// MeshService lands in another mesh than their pods, MeshExternalServices the
// egress cannot build (topology), LoadBalancer Services with
// externalTrafficPolicy: Local, headless Services whose generator needs
// labels their pods lack, and objects defined twice.
//
// Usage:
//
//	go run ./examples/meshlint [-mode warn|enforce] [-zone NAME] [-o text|json] FILE_OR_DIR...
//
// Files hold one or more YAML (or JSON) documents separated by "---" lines, in
// the Kubernetes form (apiVersion, kind, metadata, spec) or the Universal form
// (type, name, mesh, ...). Directories are searched for *.yaml, *.yml and
// *.json; "-" reads standard input. All inputs are linted together, so a
// Service and its Namespace may sit in different files.
//
// Findings are printed sorted, one per line (text) or as a JSON array (-o
// json). The exit status is 0 when there is no error (warnings allowed), 1
// when there are errors, and 2 when some input could not be read (a broken
// document is reported with its file and line; the rest is still linted).
// -rules lists the rules.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshcore/meshcore/naming"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("meshlint", flag.ContinueOnError)
	flags.SetOutput(stderr)
	opts := options{Mode: naming.Warn}
	flags.Var(&opts.Mode, "mode", "naming mode the names are checked under: off, warn, enforce-on-create or enforce")
	flags.StringVar(&opts.Zone, "zone", defaultZone, "name of the zone the manifests are applied to")
	format := flags.String("o", "text", "output format: text or json")
	list := flags.Bool("rules", false, "list the rules and exit")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: meshlint [-mode warn|enforce] [-zone NAME] [-o text|json] FILE_OR_DIR...")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *list {
		for _, rl := range ruleList() {
			fmt.Fprintf(stdout, "%-20s %s\n", rl.ID, rl.Summary)
		}
		return 0
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "meshlint: -o %q: want text or json\n", *format)
		return 2
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return 2
	}

	inputs, unreadable := collect(flags.Args(), stdin)
	res := lint(inputs, opts)
	if len(unreadable) > 0 {
		res.Unreadable = true
		res.Findings = append(res.Findings, unreadable...)
		slices.SortFunc(res.Findings, compareFindings)
	}

	write := writeText
	if *format == "json" {
		write = writeJSON
	}
	if err := write(stdout, res.Findings); err != nil {
		fmt.Fprintln(stderr, "meshlint:", err)
		return 2
	}
	fmt.Fprintf(stderr, "meshlint: %d objects, %d errors, %d warnings\n", res.Objects, res.count(severityError), res.count(severityWarning))
	return res.exitCode()
}

// collect reads the named files, the manifest files under the named
// directories, and standard input for "-". A path that cannot be read is a
// finding of rule "parse".
func collect(paths []string, stdin io.Reader) ([]input, []finding) {
	var inputs []input
	var bad []finding
	fail := func(path string, err error) {
		bad = append(bad, finding{Severity: severityError, Rule: ruleParse, Message: err.Error(), File: path})
	}
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				fail("<stdin>", err)
				continue
			}
			inputs = append(inputs, input{Name: "<stdin>", Data: data})
			continue
		}
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fail(path, err)
				return nil
			}
			if d.IsDir() || (path != p && !isManifest(path)) {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				fail(path, err)
				return nil
			}
			inputs = append(inputs, input{Name: path, Data: data})
			return nil
		})
		if err != nil {
			fail(p, err)
		}
	}
	return inputs, bad
}

// isManifest reports whether a file found in a directory is read.
func isManifest(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
