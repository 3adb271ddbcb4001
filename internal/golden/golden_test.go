package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping the test.
type recorder struct {
	testing.TB
	failed, fatal bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed, r.fatal = true, true }
func (r *recorder) Fatal(...any)          { r.failed, r.fatal = true, true }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		got    string
		failed bool
		fatal  bool
	}{
		{"equal", path, "same\n", false, false},
		{"different", path, "other\n", true, false},
		{"missing file", filepath.Join(dir, "none.golden"), "x", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Check(r, tt.path, []byte(tt.got))
			if r.failed != tt.failed || r.fatal != tt.fatal {
				t.Errorf("failed %v, fatal %v; want %v, %v", r.failed, r.fatal, tt.failed, tt.fatal)
			}
		})
	}
}

func TestCheckUpdateWrites(t *testing.T) {
	defer func(v bool) { *update = v }(*update)
	*update = true
	path := filepath.Join(t.TempDir(), "new", "out.golden")
	r := &recorder{TB: t}
	Check(r, path, []byte("fresh\n"))
	if r.failed {
		t.Fatal("Check failed under -update")
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "fresh\n" {
		t.Fatalf("file %q, %v; want %q", b, err, "fresh\n")
	}
}
