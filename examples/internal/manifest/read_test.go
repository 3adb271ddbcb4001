package manifest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

func TestReadDocuments(t *testing.T) {
	type doc struct {
		Line int
		JSON string
	}
	tests := []struct {
		name string
		in   string
		want []doc
	}{
		{"empty", "", nil},
		{"one document", "a: 1\nb: 2\n", []doc{{1, `{"a":1,"b":2}`}}},
		{"leading marker", "---\na: 1\n", []doc{{2, `{"a":1}`}}},
		{"two documents", "a: 1\n---\nb: 2\n", []doc{{1, `{"a":1}`}, {3, `{"b":2}`}}},
		{"comments move the line to the content", "# head\n\n---\n# about b\nb: 2\n", []doc{{5, `{"b":2}`}}},
		{"comment-only documents vanish", "---\n# nothing\n---\n---\n", nil},
		{"an empty document between markers", "a: 1\n---\n---\nb: 2\n", []doc{{1, `{"a":1}`}, {4, `{"b":2}`}}},
		{"an explicit null is no document", "--- null\n---\n~\n", nil},
		{"marker with a comment", "--- # first\na: 1\n", []doc{{2, `{"a":1}`}}},
		{"marker with a value", "--- {a: 1}\n--- !!map\nb: 2\n", []doc{{1, `{"a":1}`}, {2, `{"b":2}`}}},
		{"document end marker", "a: 1\n...\n---\nb: 2\n", []doc{{1, `{"a":1}`}, {4, `{"b":2}`}}},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", []doc{{1, `{"a":1}`}, {3, `{"b":2}`}}},
		{"no final newline", "a: 1\n---\nb: 2", []doc{{1, `{"a":1}`}, {3, `{"b":2}`}}},
		{"dashes that are not markers", "a: |\n  ---\n----: x\n", []doc{{1, `{"----":"x","a":"---\n"}`}}},
		{"a directive belongs to the next document", "a: 1\n...\n%YAML 1.1\n---\nb: 2\n", []doc{{1, `{"a":1}`}, {5, `{"b":2}`}}},
		{"a list", "- a\n- b\n", []doc{{1, `["a","b"]`}}},
		{"JSON", `{"kind": "Namespace", "metadata": {"name": "a"}}`, []doc{{1, `{"kind":"Namespace","metadata":{"name":"a"}}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, errs := ReadDocuments([]byte(tt.in))
			require.Empty(t, errs)
			var got []doc
			for _, d := range docs {
				js, err := NodeJSON(d.Root)
				require.NoError(t, err)
				got = append(got, doc{d.Line, canonicalJSON(t, js)})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadDocuments(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// canonicalJSON re-encodes js with sorted keys.
func canonicalJSON(t *testing.T, js []byte) string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(js, &v), string(js))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestReadDocumentsLines checks that every node's line counts from the start
// of the stream, in every document.
func TestReadDocumentsLines(t *testing.T) {
	in := "a: 1\n---\n# note\nkind: Service\nmetadata:\n  name: web\n  labels:\n    app: web\n"
	docs, errs := ReadDocuments([]byte(in))
	require.Empty(t, errs)
	require.Len(t, docs, 2)
	root := docs[1].Root
	assert.Equal(t, 4, docs[1].Line)
	assert.Equal(t, 4, root.Content[0].Line, "kind")
	meta := root.Content[3]
	assert.Equal(t, 6, meta.Content[0].Line, "metadata.name")
	assert.Equal(t, 8, meta.Content[3].Content[0].Line, "metadata.labels.app")
}

// TestReadDocumentsSyntaxErrors checks that a document that is not YAML is
// reported at the line where it stops parsing, with the parser's message
// (without the parser's own line, which names the enclosing construct), and
// that the documents around it are read.
func TestReadDocumentsSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"a key indented by one space", "---\nkind: Service\nmetadata:\n  name: a\n  namespace: b\n spec:\n  type: ClusterIP\n", 6, "yaml: did not find expected key"},
		{"a mapping value after a value", "a: 1\nb: c: d\n", 2, "yaml: mapping values are not allowed in this context"},
		{"an unclosed bracket", "a: 1\nb: [1,\nc: 2\n", 2, "yaml: did not find expected ',' or ']'"},
		{"a bracket closed on a later line, then a fault", "a: [1,\n  2]\nb: c: d\n", 3, "yaml: mapping values are not allowed in this context"},
		{"an unclosed quote", "a: 1\nb: 'open\nc: 2\n", 2, "yaml: found unexpected end of stream"},
		{"a tab", "a: 1\n\tb: 2\n", 2, "yaml: found a tab character that violates indentation"},
		{"an unknown alias", "a: 1\nb: *nope\n", 2, "yaml: unknown anchor 'nope' referenced"},
		{"on the first line", "a: b: c\n", 1, "yaml: mapping values are not allowed in this context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "ok: 1\n---\n" + tt.in + "---\nafter: 1\n"
			docs, errs := ReadDocuments([]byte(in))
			require.Len(t, docs, 2, "the documents around it are read")
			require.Len(t, errs, 1)
			assert.Equal(t, tt.line+2, errs[0].Line)
			assert.Equal(t, tt.msg, errs[0].Error())
		})
	}

	// Past the budget (four times the stream) the document's first line
	// stands in.
	var b strings.Builder
	b.WriteString("---\nbroken: [\n")
	for range 200 {
		b.WriteString("- x\n")
	}
	_, errs := ReadDocuments([]byte(b.String()))
	require.Len(t, errs, 1)
	assert.Equal(t, 2, errs[0].Line)
}

type decodeTarget struct {
	Name    string            `json:"name"`
	Port    uint16            `json:"port"`
	Weight  int8              `json:"weight"`
	Ratio   float64           `json:"ratio"`
	On      bool              `json:"on"`
	Labels  map[string]string `json:"labels"`
	Items   []decodeItem      `json:"items"`
	Data    []byte            `json:"data"`
	Mode    testMode          `json:"mode"`
	Raw     json.RawMessage   `json:"raw"`
	Any     any               `json:"any"`
	When    time.Time         `json:"when"`
	Node    *yaml.Node        `json:"node"`
	Ignored string            `json:"-"`
	decodeEmbedded
}

type decodeItem struct {
	Address string `json:"address"`
	Port    int32  `json:"port"`
}

type decodeEmbedded struct {
	Extra string `json:"extra"`
	// Name is shadowed by the outer field.
	Name string `json:"name"`
}

type testMode string

func (testMode) Values() []string { return []string{"On", "Off"} }

// TestDecode checks the values a Decoder stores and every problem it reports,
// with its path, line and whether it is an unknown field.
func TestDecode(t *testing.T) {
	type problem struct {
		Path    string
		Line    int
		Unknown bool
		Msg     string
	}
	tests := []struct {
		name   string
		doc    string
		strict bool
		check  func(t *testing.T, v *decodeTarget)
		want   []problem
	}{
		{
			name: "every kind of value",
			doc: "name: web\nport: 8080\nweight: -3\nratio: 1_000.5\non: true\nlabels: {app: web}\n" +
				"items:\n- {address: a, port: 0x50}\ndata: aGk=\nmode: On\nraw: {b: [1, true, null]}\nany: {k: [1]}\n" +
				"when: 2025-01-02T03:04:05Z\nnode: {x: 1}\nextra: e\n",
			strict: true,
			check: func(t *testing.T, v *decodeTarget) {
				assert.Equal(t, "web", v.Name)
				assert.Equal(t, uint16(8080), v.Port)
				assert.Equal(t, int8(-3), v.Weight)
				assert.Equal(t, 1000.5, v.Ratio)
				assert.True(t, v.On)
				assert.Equal(t, map[string]string{"app": "web"}, v.Labels)
				assert.Equal(t, []decodeItem{{"a", 80}}, v.Items)
				assert.Equal(t, []byte("hi"), v.Data)
				assert.Equal(t, testMode("On"), v.Mode)
				assert.JSONEq(t, `{"b":[1,true,null]}`, string(v.Raw))
				assert.Equal(t, map[string]any{"k": []any{1.0}}, v.Any)
				assert.Equal(t, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), v.When)
				require.NotNil(t, v.Node)
				assert.Equal(t, 14, v.Node.Line)
				assert.Equal(t, "e", v.Extra)
				assert.Empty(t, v.decodeEmbedded.Name, "the outer field wins")
			},
		},
		{
			name:   "unknown fields, with a suggestion when one is close",
			doc:    "name: a\nlabel: {a: b}\nitems:\n- adress: x\n  zone: z\n",
			strict: true,
			want: []problem{
				{"label", 2, true, `unknown field (did you mean "labels"?)`},
				{"items[0].adress", 4, true, `unknown field (did you mean "address"?)`},
				{"items[0].zone", 5, true, "unknown field"},
			},
		},
		{name: "unknown fields pass when not strict", doc: "label: x\n", strict: false},
		{
			name: "values of the wrong kind",
			doc:  "name: [x]\nport: \"80\"\non: yes\nlabels: {v: 1}\nitems: {a: 1}\ndata: 3\nraw: .inf\n",
			want: []problem{
				{"name", 1, false, "got an array, want a string"},
				{"port", 2, false, "got a string, want an integer"},
				{"on", 3, false, "got a string, want a boolean"},
				{`labels["v"]`, 4, false, "got a number, want a string"},
				{"items", 5, false, "got an object, want an array"},
				{"data", 6, false, "got a number, want a base64 string"},
				{"raw", 7, false, ".inf is not a JSON number"},
			},
		},
		{
			name: "numbers out of range, bad base64, values not in an enum",
			doc:  "port: 70000\nweight: 200\nitems: [{port: -1}, {port: 2147483648}]\ndata: '!!'\nmode: on\n",
			want: []problem{
				{"port", 1, false, "70000 is out of range (0 to 65535)"},
				{"weight", 2, false, "200 is out of range (-128 to 127)"},
				{"items[1].port", 3, false, "2147483648 is out of range (-2147483648 to 2147483647)"},
				{"data", 4, false, "not base64: illegal base64 data at input byte 0"},
				{"mode", 5, false, `"on" is not one of "On", "Off"`},
			},
		},
		{
			name: "keys given twice",
			doc:  "name: a\nlabels:\n  x: a\n  x: b\nname: b\n",
			want: []problem{
				{`labels["x"]`, 4, false, "given twice (first at line 3)"},
				{"name", 5, false, "given twice"},
			},
		},
		{
			name: "null leaves the value",
			doc:  "name: ~\nlabels: null\nwhen: null\n",
			check: func(t *testing.T, v *decodeTarget) {
				assert.Empty(t, v.Name)
				assert.Nil(t, v.Labels)
				assert.True(t, v.When.IsZero())
			},
		},
		{
			name:   "anchors, aliases and merge keys",
			doc:    "base: &b {address: a, port: 1}\nitems:\n- *b\n- <<: *b\n  port: 2\nlabels: &l {x: y}\nany: *l\n",
			strict: false,
			check: func(t *testing.T, v *decodeTarget) {
				assert.Equal(t, []decodeItem{{"a", 1}, {"a", 2}}, v.Items)
				assert.Equal(t, map[string]string{"x": "y"}, v.Labels)
				assert.Equal(t, map[string]any{"x": "y"}, v.Any)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, errs := ReadDocuments([]byte(tt.doc))
			require.Empty(t, errs)
			require.Len(t, docs, 1)
			var v decodeTarget
			var d Decoder
			var got []problem
			for _, p := range d.Decode(docs[0].Root, "", &v, tt.strict) {
				got = append(got, problem{p.Path, p.Line, p.Unknown, p.Msg})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, &v)
			}
		})
	}
}

// TestDecodeUnmarshalerError checks that the error of a json.Unmarshaler is
// reported at its value.
func TestDecodeUnmarshalerError(t *testing.T) {
	docs, errs := ReadDocuments([]byte("name: a\nwhen: yesterday\n"))
	require.Empty(t, errs)
	var v decodeTarget
	problems := new(Decoder).Decode(docs[0].Root, "meta", &v, true)
	require.Len(t, problems, 1)
	assert.Equal(t, "meta.when", problems[0].Path)
	assert.Equal(t, 2, problems[0].Line)
	assert.Contains(t, problems[0].Msg, `parsing time "yesterday"`)
}

// TestDecodeAliasBomb checks that nested aliases cannot make Decode or
// NodeJSON expand a document without bound.
func TestDecodeAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(name + ": &" + name + " [")
		for i := range 10 {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	b.WriteString("any: *i\n")
	docs, errs := ReadDocuments([]byte(b.String()))
	require.Empty(t, errs)
	var v decodeTarget
	var d Decoder
	problems := d.Decode(docs[0].Root, "", &v, false)
	require.NotEmpty(t, problems)
	assert.Contains(t, problems[0].Msg, "more than 65536 values once aliases are expanded")
	_, err := NodeJSON(docs[0].Root)
	assert.Error(t, err)
}

// TestReadObjects checks both forms, Lists, and that each problem is placed
// at its line in the file while the other documents are read.
