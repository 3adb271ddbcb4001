package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A directory created under the watched one is watched; a file created there
// is not watched on its own, since its directory's watch covers it.
func TestDirWatchWatchesNewDirectoriesNotFiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		create  func(path string) error
		watched bool
	}{
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }, true},
		{"file", func(p string) error { return os.WriteFile(p, []byte("type: Mesh\nname: a\n"), 0o644) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d, err := newDirWatch(dir)
			require.NoError(t, err)
			defer d.stop()
			path := filepath.Join(dir, "new.yaml")
			require.NoError(t, tc.create(path))
			// The watch of a created entry is added before the change is told.
			<-d.changed()
			assert.Equal(t, tc.watched, slices.Contains(d.w.WatchList(), path), "watches: %v", d.w.WatchList())
			assert.True(t, slices.Contains(d.w.WatchList(), dir))
		})
	}
}
