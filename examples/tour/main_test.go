package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/internal/golden"
)

// TestTourGolden pins the tour's output: it is documentation, and every line in
// it is a claim about the library that this test checks.
func TestTourGolden(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	golden.Check(t, filepath.Join("testdata", "tour.golden"), out.Bytes())
}
