//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunSkipsNonRegularFiles checks that a named pipe, in a directory or
// named on the command line, and a device are skipped with a warning and
// never opened: reading a pipe without a writer would block for ever.
func TestRunSkipsNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	writeFile(t, dir, "mesh.yaml", "type: Mesh\nname: default\n")

	code, stdout, stderr := runCommand(t, "", dir)
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "WARNING  -  not a regular file (a named pipe): skipped  (parse)  "+fifo)
	assert.Contains(t, stderr, "1 object, 0 errors, 1 warning")

	code, stdout, _ = runCommand(t, "", fifo, "/dev/null")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "not a regular file (a named pipe): skipped  (parse)  "+fifo)
	assert.Contains(t, stdout, "not a regular file (a character device): skipped  (parse)  /dev/null")
}
