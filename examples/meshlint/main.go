// Command meshlint reads the Kubernetes and Kuma manifests an operator is
// about to apply and reports, before anything breaks, what the meshcore
// packages know will break: a Mesh name that breaks its proxies' IDs
// (proxyid), names that the naming mode deprecates or rejects, with a
// compliant suggestion (naming), services callers cannot name under
// MeshService mode Exclusive and why, hostname collisions and cross-kind
// conflicts, generator templates that fail (hostname), Services whose
// MeshService lands in another mesh than their pods or is not made at all,
// MeshExternalServices the egress cannot build (topology), fields the
// control plane's schemas refuse or ignore, resources the admission webhook
// refuses outside the system namespace, LoadBalancer Services with
// externalTrafficPolicy: Local, headless Services whose generator needs
// labels their pods lack, and objects defined twice.
//
// Usage:
//
//	meshlint [flags] FILE_OR_DIR...
//
// Files hold one or more YAML (or JSON) documents separated by "---" lines, in
// the Kubernetes form (apiVersion, kind, metadata, spec) or the Universal form
// (type, name, mesh, ...). Directories are searched for *.yaml, *.yml and
// *.json; "-" reads standard input; files that are not regular files (named
// pipes, devices) are skipped with a warning, never read. All inputs are
// linted together, as one zone control plane (or, with -role global, the
// global one) would see them, so a Service and its Namespace may sit in
// different files; with -each every file is linted on its own, for a
// repository of alternative variants.
//
// Findings are printed sorted, one per line (text) or as a JSON array (-o
// json). -disable turns rules off for the run, and the annotation
// meshlint.meshcore.io/disable: RULE[,RULE] (a label in the Universal form)
// for one object. -rules lists the rules.
//
// Exit status (of the built binary; `go run` reports any non-zero status as
// 1): 0 when there is no error (warnings allowed), 1 when there are errors, 2
// when some input could not be read (a document that is not YAML is reported
// with its file and line, and the rest is still linted) or the command line
// is wrong.
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

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/naming"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usage is the first line of -h.
const usage = "usage: meshlint [-mode off|warn|enforce-on-create|enforce] [-zone NAME] [-role zone|global] [-system-namespace NS] [-complete] [-disable RULE[,RULE]] [-each] [-o text|json] FILE_OR_DIR...\n       meshlint -rules"

// run is the whole command; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("meshlint", flag.ContinueOnError)
	flags.SetOutput(stderr)
	opts := options{Mode: naming.Warn}
	flags.Var(&opts.Mode, "mode", "naming mode the names are checked under: off, warn, enforce-on-create or enforce")
	flags.StringVar(&opts.Zone, "zone", defaultZone, "name of the zone the manifests are applied to")
	role := flags.String("role", string(hostname.RoleZone), "control plane the manifests are applied to: zone or global")
	flags.StringVar(&opts.SystemNamespace, "system-namespace", defaultSystemNamespace, "namespace of the control plane on Kubernetes")
	flags.BoolVar(&opts.Complete, "complete", false, "the inputs are the whole cluster: a Secret, Namespace or Mesh they do not hold does not exist")
	disable := flags.String("disable", "", "comma-separated rule ids whose findings are dropped")
	each := flags.Bool("each", false, "lint every file on its own")
	format := flags.String("o", "text", "output format: text or json")
	list := flags.Bool("rules", false, "list the rules and exit")
	flags.Usage = func() {
		fmt.Fprintln(stderr, usage)
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
	bad := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "meshlint: "+format+"\n", args...)
		return 2
	}
	switch hostname.Role(*role) {
	case hostname.RoleZone, hostname.RoleGlobal:
		opts.Role = hostname.Role(*role)
	default:
		return bad("-role %q: want zone or global", *role)
	}
	opts.Disabled = splitList(*disable)
	for _, id := range opts.Disabled {
		if !isRule(id) {
			return bad("-disable %q: no such rule (meshlint -rules lists them)", id)
		}
	}
	if *format != "text" && *format != "json" {
		return bad("-o %q: want text or json", *format)
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return 2
	}

	inputs, skipped := collect(flags.Args(), stdin)
	var res result
	if *each {
		for _, in := range inputs {
			res.merge(lint([]input{in}, opts))
		}
	} else {
		res = lint(inputs, opts)
	}
	for _, f := range skipped {
		if !slices.Contains(opts.Disabled, f.Rule) {
			res.Findings = append(res.Findings, f)
		}
	}
	slices.SortFunc(res.Findings, compareFindings)

	write := writeText
	if *format == "json" {
		write = writeJSON
	}
	if err := write(stdout, res.Findings); err != nil {
		fmt.Fprintln(stderr, "meshlint:", err)
		return 2
	}
	fmt.Fprintf(stderr, "meshlint: %s, %s, %s\n", plural(res.Objects, "object"), plural(res.count(severityError), "error"), plural(res.count(severityWarning), "warning"))
	return res.exitCode()
}

// plural writes "1 error", "2 errors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// collect reads the named files, the manifest files under the named
// directories, and standard input for "-". A path that cannot be read is an
// error of rule "parse"; one that is not a regular file (a named pipe, a
// device, a socket) is skipped unread, with a warning of that rule.
func collect(paths []string, stdin io.Reader) ([]input, []finding) {
	var inputs []input
	var out []finding
	report := func(sev severity, path, msg string) {
		out = append(out, finding{Severity: sev, Rule: ruleParse, Message: msg, File: path})
	}
	read := func(path string) {
		// Stat follows symbolic links, so a link to a pipe is skipped too.
		info, err := os.Stat(path)
		if err != nil {
			report(severityError, path, err.Error())
			return
		}
		if !info.Mode().IsRegular() {
			report(severityWarning, path, fmt.Sprintf("not a regular file (%s): skipped", fileType(info.Mode())))
			return
		}
		data, err := os.ReadFile(path)
		if err != nil {
			report(severityError, path, err.Error())
			return
		}
		inputs = append(inputs, input{Name: path, Data: data})
	}
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				report(severityError, "<stdin>", err.Error())
				continue
			}
			inputs = append(inputs, input{Name: "<stdin>", Data: data})
			continue
		}
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			read(p) // a named file is read whatever its extension
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				report(severityError, path, err.Error())
			case d.IsDir() || !isManifest(path):
			default:
				read(path)
			}
			return nil
		})
		if err != nil {
			report(severityError, p, err.Error())
		}
	}
	return inputs, out
}

// fileType names the type of a file that is not regular.
func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.Type().String()
}

// isManifest reports whether a file found in a directory is read.
func isManifest(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
