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

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// runCommand runs the command and returns its status and outputs.
func runCommand(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestRun drives the command as a user would: flags, paths, standard input,
// output formats and exit statuses.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeFile(t, dir, name, content) }
	clean := write("clean.yaml", "type: Mesh\nname: default\n")
	warnOnly := write("warn.yaml", "type: Mesh\nname: aa-a\n---\ntype: MeshService\nname: web.v2\nmesh: aa-a\nspec: {}\n")
	broken := write("broken.yaml", "type: Mesh\nname: default\n---\na: 1\n b: 2\n")
	stray := write("values.yaml", "replicaCount: 2\n")
	lb := write("lb.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: edge, namespace: gw}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local}\n")
	hg := write("hg.yaml", "apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata: {name: team, namespace: ops}\nspec:\n  selector: {meshService: {}}\n  template: '{{ .Name }}.mesh'\n")
	mes := write("mes.yaml", "type: MeshExternalService\nname: api\nmesh: default\nspec:\n  match: {port: 443}\n  endpoints: [{address: api.example.com, port: 443}]\n  tls: {enabled: true, verification: {caCert: {secret: api-ca}}}\n")
	write("tree/a.yaml", "type: Mesh\nname: aa.a\n")
	write("tree/sub/b.yml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
	write("tree/notes.txt", "not a manifest: --- : [")
	write("tree/findings.json.golden", "[]\n")

	tests := []struct {
		name       string
		args       []string
		stdin      string
		exit       int
		stdout     []string // substrings
		stdoutNone bool
		stderr     []string
	}{
		{name: "clean", args: []string{clean}, exit: 0, stdoutNone: true, stderr: []string{"1 object, 0 errors, 0 warnings"}},
		{name: "warnings do not fail", args: []string{warnOnly}, exit: 0, stdout: []string{"WARNING  MeshService/web.v2", "(naming)", "warn.yaml:4"}, stderr: []string{"2 objects, 0 errors, 1 warning\n"}},
		{name: "enforce turns them into errors", args: []string{"-mode", "enforce", warnOnly}, exit: 1, stdout: []string{"ERROR    MeshService/web.v2", "rejected under -mode enforce"}},
		{name: "off ignores the strict rule", args: []string{"-mode=off", warnOnly}, exit: 0, stdoutNone: true},
		{name: "broken document", args: []string{broken}, exit: 2, stdout: []string{"ERROR    -  document is not YAML: yaml: mapping values are not allowed in this context  (parse)  " + broken + ":5"}},
		{name: "a stray YAML file is a warning", args: []string{stray}, exit: 0, stdout: []string{"WARNING  -  not a manifest", "values.yaml:1"}},
		{name: "directory walk skips other files", args: []string{filepath.Join(dir, "tree")}, exit: 1, stdout: []string{"Mesh/aa.a", "(proxy-id)"}, stderr: []string{"2 objects"}},
		{name: "missing file", args: []string{filepath.Join(dir, "nope.yaml"), clean}, exit: 2, stdout: []string{"(parse)", "nope.yaml"}},
		{name: "stdin", args: []string{"-"}, stdin: "type: Mesh\nname: aa.a\n", exit: 1, stdout: []string{"<stdin>:1"}},
		{name: "json", args: []string{"-o", "json", warnOnly}, exit: 0, stdout: []string{`"rule": "naming"`, `"severity": "warning"`}},
		{name: "json with no findings", args: []string{"-o", "json", clean}, exit: 0, stdout: []string{"[]\n"}},
		{name: "zone", args: []string{"-zone", "EU_1", clean}, exit: 1, stdout: []string{"Zone/EU_1", `suggested name: "eu-1"`}},
		{name: "disable", args: []string{"-disable", "lb-local-traffic,naming", lb}, exit: 0, stdoutNone: true},
		{name: "disable an unknown rule", args: []string{"-disable", "lb-local", lb}, exit: 2, stderr: []string{`-disable "lb-local": no such rule`}},
		{name: "system namespace", args: []string{hg}, exit: 1, stdout: []string{"(system-namespace)", `"resource type HostnameGenerator can be created only in the system namespace:kuma-system"`}},
		{name: "another system namespace", args: []string{"-system-namespace", "ops", hg}, exit: 0, stdoutNone: true},
		{name: "global", args: []string{"-role", "global", "-system-namespace", "ops", hg}, exit: 0, stdoutNone: true},
		{name: "bad role", args: []string{"-role", "edge", clean}, exit: 2, stderr: []string{`-role "edge": want zone or global`}},
		{name: "a Secret not among the inputs is a warning", args: []string{mes}, exit: 0, stdout: []string{"WARNING  MeshExternalService/api", `Secret "api-ca" is not among the inputs`}},
		{name: "unless the inputs are complete", args: []string{"-complete", mes}, exit: 1, stdout: []string{"ERROR    MeshExternalService/api", `name="api-ca"`}},
		{name: "rules", args: []string{"-rules"}, exit: 0, stdout: []string{"proxy-id", "headless-pod-labels", "parse", "system-namespace"}},
		{name: "no paths", args: nil, exit: 2, stderr: []string{"usage: meshlint"}},
		{name: "bad mode", args: []string{"-mode", "strict", clean}, exit: 2, stderr: []string{"invalid mode"}},
		{name: "bad format", args: []string{"-o", "yaml", clean}, exit: 2, stderr: []string{`-o "yaml"`}},
		{name: "help", args: []string{"-h"}, exit: 0, stderr: []string{"-zone", "-mode off|warn|enforce-on-create|enforce", "-each", "-complete"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCommand(t, tt.stdin, tt.args...)
			assert.Equal(t, tt.exit, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			for _, s := range tt.stdout {
				assert.Contains(t, stdout, s)
			}
			if tt.stdoutNone {
				assert.Empty(t, stdout)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, stderr, s)
			}
			if len(tt.args) > 1 && tt.args[0] == "-o" && tt.args[1] == "json" {
				var v []finding
				assert.NoError(t, json.Unmarshal([]byte(stdout), &v), "JSON output must parse")
			}
		})
	}
}

// TestRunEach checks -each: files that are variants of one setup, linted
// together, report their objects as duplicates once per object, naming both
// files; each on its own, they do not.
func TestRunEach(t *testing.T) {
	dir := t.TempDir()
	base := "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {kuma.io/sidecar-injection: enabled}}\n---\n" +
		"apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: default}\nspec: {meshServices: {mode: %s}}\n"
	a := writeFile(t, dir, "variants/everywhere.yaml", strings.Replace(base, "%s", "Everywhere", 1))
	b := writeFile(t, dir, "variants/exclusive.yaml", strings.Replace(base, "%s", "Exclusive", 1))

	code, stdout, _ := runCommand(t, "", filepath.Join(dir, "variants"))
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 2, stdout)
	assert.Contains(t, lines[0], "WARNING  Namespace/shop  defined 2 times, identically ("+a+":1, line 1)")
	assert.True(t, strings.HasSuffix(lines[0], "(duplicate)  "+b+":1"), lines[0])
	assert.Contains(t, lines[1], "ERROR    Mesh/default  defined 2 times, differently ("+a+":5, line 5)")
	assert.Contains(t, lines[1], "lint each on its own with -each")

	code, stdout, stderr := runCommand(t, "", "-each", filepath.Join(dir, "variants"))
	assert.Equal(t, 0, code, stdout)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "4 objects, 0 errors, 0 warnings")
}

// TestTestdataTree lints everything under testdata as a user would (each
// file on its own), and pins the output: the findings the rule and incident
// goldens expect, and nothing else; the golden files themselves are not
// read.
func TestTestdataTree(t *testing.T) {
	code, stdout, stderr := runCommand(t, "", "-each", "testdata")
	assert.Equal(t, 2, code, "the parse cases make some input unreadable")
	assert.NotContains(t, stdout, ".json.golden")
	checkGoldenFile(t, "tree.txt", []byte(stdout+stderr))
}
