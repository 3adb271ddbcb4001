package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshcore/meshcore/naming"
)

// minimizeTime is how long the fuzzer minimizes each new input of FuzzLint
// when -fuzzminimizetime is not given.
const minimizeTime = "2s"

// TestMain caps the time the fuzzer spends minimizing each input FuzzLint
// finds interesting, unless -fuzzminimizetime says otherwise. The default, 60
// seconds, is spent in full on the kilobyte-sized manifests this target finds
// interesting (the minimizer tries thousands of smaller versions, each linted
// twice), and the fuzzer reports no progress meanwhile: it stalled for tens
// of seconds after every discovery. A crasher is still minimized, for this
// long.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.fuzzminimizetime" })
	if !given {
		if err := flag.Set("test.fuzzminimizetime", minimizeTime); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// FuzzLint lints arbitrary bytes as one manifest file. Whatever the input,
// lint must not panic, and its result must keep the output contract: the same
// findings on a second run, sorted and free of repeats, every rule id known,
// Unreadable exactly when a document could not be read, and JSON output that
// decodes back to the findings.
//
// Seeds: the manifests under testdata up to maxSeed bytes, plus
// testdata/fuzz/FuzzLint. Larger ones (the TLS material of the mes-build
// cases) make every minimization of an interesting input take the whole
// minimization budget, for no coverage the small ones lack.
func FuzzLint(f *testing.F) {
	const maxSeed = 2048
	for _, pattern := range []string{"testdata/rules/*/*.yaml", "testdata/incidents/*.yaml", "testdata/incidents-fixed/*.yaml", "testdata/counter-demo/*.yaml"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) <= maxSeed {
				f.Add(data)
			}
		}
	}
	known := map[string]bool{}
	for _, rl := range ruleList() {
		known[rl.ID] = true
	}
	opts := options{Mode: naming.Warn, Zone: "zone-1"}
	f.Fuzz(func(t *testing.T, doc []byte) {
		in := []input{{Name: "fuzz.yaml", Data: doc}}
		res := lint(in, opts)
		again := lint(in, opts)
		if res.Objects != again.Objects || !slices.Equal(res.Findings, again.Findings) {
			t.Fatalf("lint is not deterministic (-first +second):\n%s", cmp.Diff(res, again))
		}
		if !slices.IsSortedFunc(res.Findings, compareFindings) {
			t.Fatal("findings are not sorted")
		}
		parse := false
		for i, fd := range res.Findings {
			if i > 0 && fd == res.Findings[i-1] {
				t.Fatalf("repeated finding %+v", fd)
			}
			if !known[fd.Rule] {
				t.Fatalf("unknown rule id %q", fd.Rule)
			}
			if fd.Severity != severityError && fd.Severity != severityWarning {
				t.Fatalf("bad severity %q", fd.Severity)
			}
			parse = parse || (fd.Rule == ruleParse && fd.Severity == severityError)
		}
		if parse != (res.exitCode() == 2) {
			t.Fatalf("exit status %d, parse errors: %v", res.exitCode(), parse)
		}
		var buf bytes.Buffer
		if err := writeJSON(&buf, res.Findings); err != nil {
			t.Fatal(err)
		}
		var back []finding
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatalf("JSON output does not decode: %v", err)
		}
		if len(res.Findings) > 0 && !slices.Equal(res.Findings, back) {
			t.Fatalf("JSON round trip (-want +got):\n%s", cmp.Diff(res.Findings, back))
		}
		if err := writeText(&buf, res.Findings); err != nil {
			t.Fatal(err)
		}
	})
}
