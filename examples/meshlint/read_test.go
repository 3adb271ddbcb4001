package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/examples/internal/manifest"
)

func TestReadObjects(t *testing.T) {
	in := "" +
		"apiVersion: v1\n" + // 1
		"kind: Service\n" +
		"metadata:\n" +
		"  name: web\n" +
		"  namespace: shop\n" + // 5
		"  labels: {app: web}\n" +
		"spec: {type: ClusterIP}\n" +
		"---\n" +
		"type: MeshService\n" + // 9
		"name: orders\n" +
		"mesh: payments\n" +
		"labels: {team: core}\n" +
		"spec: {}\n" +
		"---\n" +
		"a: 1\n" + // 15
		" b: 2\n" + // 16: mapping values are not allowed in this context
		"---\n" +
		"type: Mesh\n" + // 18
		"name: default\n" +
		"meshServices: {mode: Exclusive}\n" +
		"---\n" +
		"kind: List\n" + // 22
		"items:\n" +
		"- {apiVersion: v1, kind: Namespace, metadata: {name: shop}}\n" +
		"- just a string\n" +
		"---\n" +
		"- just\n" + // 27
		"- a list\n" +
		"---\n" +
		"replicas: 3\n" + // 30
		"---\n" +
		"kind: [Service]\n" // 32
	objs, problems := readObjects(input{Name: "m.yaml", Data: []byte(in)}, new(manifest.Decoder))

	type obj struct {
		Form                  form
		Kind, Namespace, Name string
		Mesh                  string
		Line                  int
	}
	var got []obj
	for _, o := range objs {
		got = append(got, obj{o.Form, o.Kind, o.Namespace, o.Name, o.Mesh, o.At.Line})
	}
	want := []obj{
		{kubernetesForm, "Service", "shop", "web", "", 1},
		{universalForm, "MeshService", "", "orders", "payments", 9},
		{universalForm, "Mesh", "", "default", "", 18},
		{kubernetesForm, "Namespace", "", "shop", "", 24},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	assert.Equal(t, map[string]string{"app": "web"}, objs[0].Labels)
	assert.Equal(t, map[string]string{"team": "core"}, objs[1].Labels)
	assert.Same(t, objs[2].Root, objs[2].Spec, "a Universal Mesh keeps its whole document as spec")

	type prob struct {
		Severity severity
		Line     int
		Msg      string
	}
	var gotProblems []prob
	for _, p := range problems {
		assert.Equal(t, ruleParse, p.Rule)
		gotProblems = append(gotProblems, prob{p.Severity, p.Line, p.Message})
	}
	wantProblems := []prob{
		{severityError, 16, "document is not YAML: yaml: mapping values are not allowed in this context"},
		{severityWarning, 25, "items[1]: not a manifest (the document is a string, not an object with kind or type): skipped"},
		{severityWarning, 27, "not a manifest (the document is an array, not an object with kind or type): skipped"},
		{severityWarning, 30, "not a manifest (no kind, as in the Kubernetes form, or type, as in the Universal form): skipped"},
		{severityError, 32, "kind: got an array, want a string"},
	}
	if diff := cmp.Diff(wantProblems, gotProblems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestDecodeErrorWording checks that decoding problems name the manifest
// field and JSON kinds, not Go types, at the field's line.
func TestDecodeErrorWording(t *testing.T) {
	tests := []struct {
		doc, rule, want string
		line            int
	}{
		{"apiVersion: v1\nkind: Service\nmetadata: {name: a, labels: {v: 1}}\n", ruleSchema, `metadata.labels["v"]: got a number, want a string`, 3},
		{"apiVersion: v1\nkind: Service\nmetadata: [a]\n", ruleSchema, "metadata: got an array, want an object", 3},
		{"type: Mesh\nname: [x]\n", ruleSchema, "name: got an array, want a string", 2},
		{"type: Mesh\nname: m\nmeshServices: [x]\n", ruleSchema, "meshServices: got an array, want an object", 3},
		{"type: Secret\nname: s\nmesh: m\ndata: 3\n", ruleSchema, "data: got a number, want a base64 string", 4},
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template: {metadata: {labels: x}}\n", ruleSchema,
			"spec.template.metadata.labels: got a string, want an object", 5},
	}
	for _, tt := range tests {
		res := lint([]input{{Name: "x.yaml", Data: []byte(tt.doc)}}, options{Zone: "z"})
		require.NotEmpty(t, res.Findings, "doc %q", tt.doc)
		f := res.Findings[0]
		assert.Equal(t, tt.rule, f.Rule, "doc %q", tt.doc)
		assert.Equal(t, tt.want, f.Message, "doc %q", tt.doc)
		assert.Equal(t, tt.line, f.Line, "doc %q", tt.doc)
	}
}
