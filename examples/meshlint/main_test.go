package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun drives the command as a user would: flags, paths, standard input,
// output formats and exit statuses.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	clean := write("clean.yaml", "type: Mesh\nname: default\n")
	warnOnly := write("warn.yaml", "type: Mesh\nname: aa-a\n---\ntype: MeshService\nname: web.v2\nmesh: aa-a\nspec: {}\n")
	broken := write("broken.yaml", "type: Mesh\nname: default\n---\na: 1\n b: 2\n")
	write("tree/a.yaml", "type: Mesh\nname: aa.a\n")
	write("tree/sub/b.yml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
	write("tree/notes.txt", "not a manifest: --- : [")

	tests := []struct {
		name       string
		args       []string
		stdin      string
		exit       int
		stdout     []string // substrings
		stdoutNone bool
		stderr     []string
	}{
		{name: "clean", args: []string{clean}, exit: 0, stdoutNone: true, stderr: []string{"1 objects, 0 errors, 0 warnings"}},
		{name: "warnings do not fail", args: []string{warnOnly}, exit: 0, stdout: []string{"WARNING  MeshService/web.v2", "(naming)", "warn.yaml:4"}},
		{name: "enforce turns them into errors", args: []string{"-mode", "enforce", warnOnly}, exit: 1, stdout: []string{"ERROR    MeshService/web.v2", "rejected under -mode enforce"}},
		{name: "off ignores the strict rule", args: []string{"-mode=off", warnOnly}, exit: 0, stdoutNone: true},
		{name: "broken document", args: []string{broken}, exit: 2, stdout: []string{"ERROR    -  yaml: mapping values are not allowed in this context  (parse)  " + broken + ":5"}},
		{name: "directory walk skips other files", args: []string{filepath.Join(dir, "tree")}, exit: 1, stdout: []string{"Mesh/aa.a", "(proxy-id)"}, stderr: []string{"2 objects"}},
		{name: "missing file", args: []string{filepath.Join(dir, "nope.yaml"), clean}, exit: 2, stdout: []string{"(parse)", "nope.yaml"}},
		{name: "stdin", args: []string{"-"}, stdin: "type: Mesh\nname: aa.a\n", exit: 1, stdout: []string{"<stdin>:1"}},
		{name: "json", args: []string{"-o", "json", warnOnly}, exit: 0, stdout: []string{`"rule": "naming"`, `"severity": "warning"`}},
		{name: "json with no findings", args: []string{"-o", "json", clean}, exit: 0, stdout: []string{"[]\n"}},
		{name: "zone", args: []string{"-zone", "EU_1", clean}, exit: 1, stdout: []string{"Zone/EU_1", `suggested name: "eu-1"`}},
		{name: "rules", args: []string{"-rules"}, exit: 0, stdout: []string{"proxy-id", "headless-pod-labels", "parse"}},
		{name: "no paths", args: nil, exit: 2, stderr: []string{"usage: meshlint"}},
		{name: "bad mode", args: []string{"-mode", "strict", clean}, exit: 2, stderr: []string{"invalid mode"}},
		{name: "bad format", args: []string{"-o", "yaml", clean}, exit: 2, stderr: []string{`-o "yaml"`}},
		{name: "help", args: []string{"-h"}, exit: 0, stderr: []string{"-zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			assert.Equal(t, tt.exit, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			for _, s := range tt.stdout {
				assert.Contains(t, stdout.String(), s)
			}
			if tt.stdoutNone {
				assert.Empty(t, stdout.String())
			}
			for _, s := range tt.stderr {
				assert.Contains(t, stderr.String(), s)
			}
			if len(tt.args) > 1 && tt.args[0] == "-o" && tt.args[1] == "json" {
				var v []finding
				assert.NoError(t, json.Unmarshal(stdout.Bytes(), &v), "JSON output must parse")
			}
		})
	}
}
