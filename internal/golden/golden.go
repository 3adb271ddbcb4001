// Package golden compares the output of a test with a golden file, and
// rewrites the file from the output when the test runs with -update:
//
//	go test ./topology -update
//
// It is for tests only; every package with golden files uses it, so there is
// one -update flag and one way to read, write and compare them.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// Check compares got with the golden file at path, relative to the test's
// package directory (for example "testdata/golden/eds.json"), and fails t
// with a (-want +got) diff when they differ. Under -update it first writes
// got to path, creating its directory.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run the test with -update to create it", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output differs from %s (-want +got); rerun with -update if intended:\n%s", path, diff)
	}
}
