package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitDocuments(t *testing.T) {
	type doc struct {
		Text string
		Line int
	}
	tests := []struct {
		name string
		in   string
		want []doc
	}{
		{"empty", "", nil},
		{"one document", "a: 1\nb: 2\n", []doc{{"a: 1\nb: 2\n", 1}}},
		{"leading marker", "---\na: 1\n", []doc{{"a: 1\n", 2}}},
		{"two documents", "a: 1\n---\nb: 2\n", []doc{{"a: 1\n", 1}, {"b: 2\n", 3}}},
		{"comments move the line to the content", "# head\n\n---\n# about b\nb: 2\n", []doc{{"b: 2\n", 5}}},
		{"comment-only documents vanish", "---\n# nothing\n---\n---\n", nil},
		{"marker with a comment", "--- # first\na: 1\n", []doc{{"a: 1\n", 2}}},
		{"marker with a tag keeps it on its line", "--- !!map\na: 1\n", []doc{{" !!map\na: 1\n", 1}}},
		{"document end marker", "a: 1\n...\n---\nb: 2\n", []doc{{"a: 1\n", 1}, {"b: 2\n", 4}}},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", []doc{{"a: 1\r\n", 1}, {"b: 2\r\n", 3}}},
		{"no final newline", "a: 1\n---\nb: 2", []doc{{"a: 1\n", 1}, {"b: 2", 3}}},
		{"dashes that are not markers", "a: |\n  ---\n----\n--- x\n", []doc{{"a: |\n  ---\n----\n", 1}, {" x\n", 4}}},
		{"indented marker is content", "a:\n  ---\n", []doc{{"a:\n  ---\n", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []doc
			for _, d := range splitDocuments([]byte(tt.in)) {
				got = append(got, doc{string(d.Data), d.Line})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("splitDocuments(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestReadObjects checks both forms, Lists, and that each error is placed at
// its line in the file while the other documents are read.
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
		"---\n" +
		"- just\n" + // 26
		"- a list\n"
	objs, errs := readObjects(input{Name: "m.yaml", Data: []byte(in)})

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
		{kubernetesForm, "Namespace", "", "shop", "", 22},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	assert.Equal(t, map[string]string{"app": "web"}, objs[0].Labels)
	assert.JSONEq(t, `{"type":"ClusterIP"}`, string(objs[0].Spec))
	assert.Equal(t, map[string]string{"team": "core"}, objs[1].Labels)
	assert.Contains(t, string(objs[2].Spec), `"meshServices"`, "a Universal Mesh keeps its whole document as spec")

	require.Len(t, errs, 2)
	assert.Equal(t, location{"m.yaml", 16}, errs[0].At, "the YAML error is placed at the line the parser names, counted in the file")
	assert.Contains(t, errs[0].Msg, "yaml: ")
	assert.Equal(t, location{"m.yaml", 26}, errs[1].At)
	assert.Contains(t, errs[1].Msg, "not a mapping")
}

// TestDecodeErrorWording checks that decoding errors name the manifest field
// and JSON kinds, not Go types, both for the document (rule parse) and for a
// kind's spec or data (rule schema).
func TestDecodeErrorWording(t *testing.T) {
	tests := []struct {
		doc, rule, want string
	}{
		{"apiVersion: v1\nkind: Service\nmetadata: {name: a, labels: {v: 1}}\n", ruleParse, "metadata.labels: got a number, want a string"},
		{"apiVersion: v1\nkind: Service\nmetadata: [a]\n", ruleParse, "metadata: got an array, want an object"},
		{"type: Mesh\nname: [x]\n", ruleParse, "name: got an array, want a string"},
		{"type: Mesh\nname: m\nmeshServices: [x]\n", ruleSchema, "meshServices: got an array, want an object"},
		{"type: Secret\nname: s\nmesh: m\ndata: 3\n", ruleSchema, "data: got a number, want a base64 string"},
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {metadata: {labels: x}}}\n", ruleSchema,
			"spec.template.metadata.labels: got a string, want an object"},
	}
	for _, tt := range tests {
		res := lint([]input{{Name: "x.yaml", Data: []byte(tt.doc)}}, options{Zone: "z"})
		require.NotEmpty(t, res.Findings, "doc %q", tt.doc)
		f := res.Findings[0]
		assert.Equal(t, tt.rule, f.Rule, "doc %q", tt.doc)
		assert.Equal(t, tt.want, f.Message, "doc %q", tt.doc)
	}
}
