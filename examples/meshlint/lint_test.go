package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/internal/golden"
	"github.com/meshcore/meshcore/naming"
)

// lintFiles lints the given files (relative to testdata) together.
func lintFiles(t testing.TB, opts options, files ...string) result {
	t.Helper()
	inputs := make([]input, len(files))
	for i, f := range files {
		path := filepath.ToSlash(filepath.Join("testdata", f))
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		inputs[i] = input{Name: path, Data: data}
	}
	return lint(inputs, opts)
}

// checkGolden compares the text and JSON output of res with
// testdata/golden/<name>.txt and <name>.json.golden (not .json, so that
// meshlint run over testdata does not read them as manifests), or rewrites
// them under -update.
func checkGolden(t *testing.T, name string, res result) {
	t.Helper()
	var text, js bytes.Buffer
	require.NoError(t, writeText(&text, res.Findings))
	require.NoError(t, writeJSON(&js, res.Findings))
	checkGoldenFile(t, name+".txt", text.Bytes())
	checkGoldenFile(t, name+".json.golden", js.Bytes())
}

// checkGoldenFile compares got with testdata/golden/<name>, or rewrites it
// under -update.
func checkGoldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

func rulesOf(res result) []string {
	var ids []string
	for _, f := range res.Findings {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestRules runs every rule over manifests that must trigger it and some
// that must not, and pins the whole output of each in golden files
// (testdata/golden/rules/<rule>/<file>-<options>).
func TestRules(t *testing.T) {
	warn := options{Mode: naming.Warn}
	enforce := options{Mode: naming.Enforce}
	complete := options{Mode: naming.Warn, Complete: true}
	global := options{Mode: naming.Warn, Role: hostname.RoleGlobal}
	noLB := options{Mode: naming.Warn, Disabled: []string{"lb-local-traffic"}}
	tests := []struct {
		rule     string
		file     string // under testdata/rules/<rule>/
		optsName string
		opts     options
		// positive: the rule must report count findings; negative: the run
		// must report nothing at all.
		positive bool
		count    int
		exit     int
	}{
		{"proxy-id", "positive", "warn", warn, true, 2, 1},
		{"proxy-id", "positive-ambiguous", "warn", warn, true, 1, 1},
		{"proxy-id", "negative", "warn", warn, false, 0, 0},
		{"naming", "positive", "warn", warn, true, 4, 1},
		{"naming", "positive-enforce", "enforce", enforce, true, 4, 1},
		{"naming", "negative", "warn", warn, false, 0, 0},
		{"naming", "negative", "enforce", enforce, false, 0, 0},
		{"hostname-missing", "positive", "warn", warn, true, 3, 1},
		{"hostname-missing", "negative", "warn", warn, false, 0, 0},
		{"hostname-collision", "positive", "warn", warn, true, 1, 1},
		{"hostname-collision", "negative", "warn", warn, false, 0, 0},
		{"hostname-conflict", "positive", "warn", warn, true, 2, 1},
		{"hostname-conflict", "negative", "warn", warn, false, 0, 0},
		{"hostname-template", "positive", "warn", warn, true, 2, 1},
		{"hostname-template", "negative", "warn", warn, false, 0, 0},
		{"hostname-generator", "positive", "warn", warn, true, 5, 1},
		{"hostname-generator", "negative", "warn", warn, false, 0, 0},
		{"mesh-membership", "positive", "warn", warn, true, 8, 1},
		{"mesh-membership", "positive", "complete", complete, true, 7, 1},
		{"mesh-membership", "negative", "warn", warn, false, 0, 0},
		{"mes-build", "positive", "warn", warn, true, 7, 1},
		{"mes-build", "positive", "complete", complete, true, 7, 1},
		{"mes-build", "positive-v3", "warn", warn, true, 4, 1},
		{"mes-build", "positive-v3", "complete", complete, true, 4, 1},
		{"mes-build", "negative", "warn", warn, false, 0, 0},
		{"lb-local-traffic", "positive", "warn", warn, true, 1, 0},
		{"lb-local-traffic", "suppressed", "warn", warn, true, 1, 0},
		{"lb-local-traffic", "positive", "disabled", noLB, false, 0, 0},
		{"lb-local-traffic", "negative", "warn", warn, false, 0, 0},
		{"headless-pod-labels", "positive", "warn", warn, true, 3, 1},
		{"headless-pod-labels", "negative", "warn", warn, false, 0, 0},
		{"parse", "positive", "warn", warn, true, 4, 2},
		{"parse", "stray", "warn", warn, true, 2, 0},
		{"parse", "negative", "warn", warn, false, 0, 0},
		{"schema", "positive", "warn", warn, true, 12, 1},
		{"schema", "negative", "warn", warn, false, 0, 0},
		{"system-namespace", "positive", "warn", warn, true, 3, 1},
		{"system-namespace", "positive", "global", global, true, 4, 1},
		{"system-namespace", "negative", "warn", warn, false, 0, 0},
		{"duplicate", "positive", "warn", warn, true, 3, 1},
		{"duplicate", "negative", "warn", warn, false, 0, 0},
	}
	covered := map[string][2]bool{}
	for _, tt := range tests {
		name := tt.rule + "/" + tt.file + "-" + tt.optsName
		t.Run(name, func(t *testing.T) {
			res := lintFiles(t, tt.opts, filepath.Join("rules", tt.rule, tt.file+".yaml"))
			n := 0
			for _, f := range res.Findings {
				if f.Rule == tt.rule {
					n++
				}
			}
			if tt.positive {
				assert.Equal(t, tt.count, n, "findings of rule %s; all rules: %v", tt.rule, rulesOf(res))
			} else {
				assert.Empty(t, res.Findings, "a negative manifest must be clean")
			}
			assert.Equal(t, tt.exit, res.exitCode())
			checkGolden(t, filepath.Join("rules", name), res)
		})
		c := covered[tt.rule]
		if tt.positive {
			c[0] = true
		} else {
			c[1] = true
		}
		covered[tt.rule] = c
	}
	for _, rl := range ruleList() {
		assert.Equal(t, [2]bool{true, true}, covered[rl.ID], "rule %s needs a positive and a negative case", rl.ID)
	}
}

// TestFindingsAreSortedAndStable checks the output contract on a run over
// several files with findings of most rules: sorted by compareFindings, no
// duplicates, and the same bytes whatever order the files are given in.
func TestFindingsAreSortedAndStable(t *testing.T) {
	files := []string{
		"incidents/000-gateway-exclusive.yaml",
		"incidents/001-dotted-mesh.yaml",
		"incidents/002-lb-local.yaml",
		"incidents/003-headless.yaml",
		"incidents/004-missing-secret.yaml",
		"rules/mes-build/positive.yaml",
		"rules/naming/positive.yaml",
		"rules/parse/positive.yaml",
	}
	res := lintFiles(t, options{Mode: naming.Warn}, files...)
	require.Greater(t, len(res.Findings), 20)
	assert.True(t, slices.IsSortedFunc(res.Findings, compareFindings))
	for i := 1; i < len(res.Findings); i++ {
		assert.NotEqual(t, res.Findings[i-1], res.Findings[i], "duplicate finding")
	}
	slices.Reverse(files)
	again := lintFiles(t, options{Mode: naming.Warn}, files...)
	if diff := cmp.Diff(res.Findings, again.Findings); diff != "" {
		t.Errorf("findings depend on input order (-forward +reversed):\n%s", diff)
	}
	var a, b bytes.Buffer
	require.NoError(t, writeJSON(&a, res.Findings))
	require.NoError(t, writeJSON(&b, again.Findings))
	assert.Equal(t, a.String(), b.String())
}

// TestJSONShape pins the JSON field names tools read.
func TestJSONShape(t *testing.T) {
	res := lintFiles(t, options{Mode: naming.Warn}, "rules/proxy-id/positive.yaml")
	var buf bytes.Buffer
	require.NoError(t, writeJSON(&buf, res.Findings))
	var got []map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	require.NotEmpty(t, got)
	for _, f := range got {
		for _, key := range []string{"severity", "rule", "kind", "name", "message", "file", "line"} {
			assert.Contains(t, f, key)
		}
	}

	buf.Reset()
	require.NoError(t, writeJSON(&buf, nil))
	assert.Equal(t, "[]\n", buf.String(), "no findings is an empty array, not null")
}

// TestZoneName checks that the zone name from -zone is held to the naming
// rule of zones, and that it reaches the services' .Zone.
func TestZoneName(t *testing.T) {
	res := lint(nil, options{Mode: naming.Warn, Zone: "eu_west.1"})
	require.Len(t, res.Findings, 1)
	f := res.Findings[0]
	assert.Equal(t, "naming", f.Rule)
	assert.Equal(t, "Zone/eu_west.1", f.object())
	assert.Equal(t, severityError, f.Severity, "an underscore breaks the base rule in every mode")
	assert.Contains(t, f.Message, `suggested name: "eu-west-1"`)

	doc := "type: Mesh\nname: default\nmeshServices:\n  mode: Exclusive\n---\n" +
		"type: HostnameGenerator\nname: zonal\nspec:\n  selector:\n    meshService: {}\n  template: '{{ .Zone }}.mesh.local'\n---\n" +
		"type: MeshService\nname: a\nmesh: default\nspec: {}\n"
	res = lint([]input{{Name: "zone.yaml", Data: []byte(doc)}}, options{Mode: naming.Warn, Zone: "eu-west"})
	assert.Empty(t, res.Findings, "a Universal Mesh keeps its spec fields at the top level; the service gets eu-west.mesh.local")
	c := newCluster(objectsOf(t, doc), options{Zone: "eu-west"}.withDefaults(), new(manifest.Decoder), &reporter{})
	require.Len(t, c.hostnames, 1)
	st := c.generation().result.For(c.hostnames[0].svc.Kind, "default", "a")
	var hosts []string
	for _, a := range st.Addresses {
		hosts = append(hosts, a.Hostname)
	}
	assert.Equal(t, []string{"a.svc.mesh.local", "eu-west.mesh.local"}, hosts, "the shipped Universal generator, then the manifest's")
}

func objectsOf(t *testing.T, doc string) []*object {
	t.Helper()
	objs, problems := readObjects(input{Name: "t.yaml", Data: []byte(doc)}, new(manifest.Decoder))
	require.Empty(t, problems)
	out := make([]*object, len(objs))
	for i := range objs {
		out[i] = &objs[i]
	}
	return out
}

// TestRuleList checks that rule ids are unique, kebab-case, and documented.
func TestRuleList(t *testing.T) {
	seen := map[string]bool{}
	for _, rl := range ruleList() {
		assert.False(t, seen[rl.ID], "rule id %q repeated", rl.ID)
		seen[rl.ID] = true
		assert.True(t, naming.IsDNS1035Label(rl.ID), "rule id %q is not kebab-case", rl.ID)
		assert.NotEmpty(t, rl.Summary, "rule %q has no summary", rl.ID)
	}
	for _, rl := range rules() {
		assert.NotNil(t, rl.check, "rule %q has no check", rl.ID)
	}
}
