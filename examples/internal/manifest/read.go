package manifest

// This file reads YAML (and JSON) streams into documents of nodes that know
// their lines, and decodes nodes into Go values by their JSON field names,
// reporting every problem with its field path and line. It knows nothing of
// manifests.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Document is one document of a YAML stream.
type Document struct {
	// Root is the document's value: a mapping, a sequence or a scalar. The
	// lines of Root and of every node under it count from the start of the
	// stream.
	Root *yaml.Node
	// Line is the line of Root's first token.
	Line int
}

// SyntaxError is a document of a stream that is not YAML.
type SyntaxError struct {
	// Line is the first line of the stream at which the document stops
	// parsing: the parser accepts the document's lines before it, not with
	// it. It is the document's first line when finding it would cost more
	// than the budget (see ReadDocuments).
	Line int
	// Err is the parser's error.
	Err error
}

// Error returns the parser's message without the line it names: the parser
// (go.yaml.in/yaml/v3) reports the line of the enclosing construct rather
// than of the fault, counted from 0 for some errors, so the line is found
// as Line says instead.
func (e *SyntaxError) Error() string {
	msg := e.Err.Error()
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if _, tail, ok := strings.Cut(rest, ": "); ok {
			return "yaml: " + tail
		}
	}
	return msg
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// ReadDocuments parses every document of a YAML stream. Documents are
// separated as YAML defines it: a line that starts with "---" or "..."
// followed by a space, a tab or the end of the line is a document marker,
// never content (YAML 1.2, c-forbidden), so a document that does not parse
// is reported on its own and the documents after it are still read.
// Documents with nothing but comments, and null ones, are dropped.
//
// Placing a parse error takes parsing the document's prefixes again; that
// work is bounded by four times the size of the stream.
func ReadDocuments(data []byte) ([]Document, []*SyntaxError) {
	if docs, ok := parseStream(data); ok {
		return docs, nil
	}
	var docs []Document
	var errs []*SyntaxError
	budget := 4 * len(data)
	for _, c := range chunks(data) {
		root, err := parseChunk(c.data)
		if err != nil {
			errs = append(errs, &SyntaxError{Line: c.faultLine(&budget), Err: err})
			continue
		}
		if root == nil {
			continue
		}
		shiftLines(root, c.line-1)
		docs = append(docs, Document{Root: root, Line: root.Line})
	}
	return docs, errs
}

// parseStream parses a stream in one pass, which is cheaper than one parser
// per document; false when a document does not parse (then each is parsed
// on its own).
func parseStream(data []byte) ([]Document, bool) {
	var docs []Document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return docs, errors.Is(err, io.EOF)
		}
		if len(doc.Content) > 0 && !isNull(doc.Content[0]) {
			docs = append(docs, Document{Root: doc.Content[0], Line: doc.Content[0].Line})
		}
	}
}

// chunk is the text of one document and the line it starts on.
type chunk struct {
	data []byte
	// line is the line of data's first byte; firstLine that of its first
	// line that is neither blank nor a comment.
	line, firstLine int
}

// chunks cuts a stream at its document markers. A "---" line starts a new
// chunk, unless the current one holds nothing but blank lines, comments and
// directives, which belong to the document the marker opens; a "..." line
// ends the current chunk. Chunks without content are dropped.
func chunks(data []byte) []chunk {
	var out []chunk
	cur := chunk{line: 1}
	// content: the current chunk has a line of content; marked: it has a
	// "---" (a second one starts another document, even an empty one).
	start, content, marked := 0, false, false
	flush := func(end int) {
		if content {
			cur.data = data[start:end]
			out = append(out, cur)
		}
	}
	line := 1
	for pos := 0; pos < len(data); line++ {
		next := len(data)
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			next = pos + i + 1
		}
		text := bytes.TrimRight(data[pos:next], "\r\n")
		switch {
		case isMarker(text, "---"):
			if content || marked {
				flush(pos)
				start, content = pos, false
				cur = chunk{line: line}
			}
			marked = true
			if rest := bytes.TrimSpace(text[3:]); len(rest) > 0 && rest[0] != '#' {
				content, cur.firstLine = true, line // "--- value"
			}
		case isMarker(text, "..."):
			flush(next)
			start, content, marked = next, false, false
			cur = chunk{line: line + 1}
		default:
			if t := bytes.TrimSpace(text); !content && len(t) > 0 && t[0] != '#' && t[0] != '%' {
				content, cur.firstLine = true, line
			}
		}
		pos = next
	}
	flush(len(data))
	return out
}

// isMarker reports whether line is the document marker m, alone or followed
// by a space or tab.
func isMarker(line []byte, m string) bool {
	return bytes.HasPrefix(line, []byte(m)) && (len(line) == len(m) || line[len(m)] == ' ' || line[len(m)] == '\t')
}

// parseChunk parses one document. It returns nil for a document with no
// value.
func parseChunk(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if isNull(root) {
		return nil, nil // "---" followed by comments only, or a null
	}
	return root, nil
}

// faultLine returns the line of the stream at which c stops parsing: the
// line after the longest prefix of whole lines that parses. Prefixes are
// tried from the longest down, since a shorter one may fail where a longer
// one closes a bracket or a quote. Each try is paid from budget; when it runs
// out, the document's first line stands in.
func (c *chunk) faultLine(budget *int) int {
	// ends are the offsets just past each newline, last first.
	for end := len(c.data); end > 0; {
		cut := bytes.LastIndexByte(c.data[:end-1], '\n')
		if cut < 0 {
			break
		}
		end = cut + 1
		if *budget -= end; *budget < 0 {
			break
		}
		if _, err := parseChunk(c.data[:end]); err == nil {
			return c.line + bytes.Count(c.data[:end], []byte("\n"))
		}
	}
	return c.firstLine
}

// shiftLines adds delta to the line of n and every node under it. Alias
// nodes point into the tree, so every node is visited once through Content.
func shiftLines(n *yaml.Node, delta int) {
	if delta == 0 {
		return
	}
	n.Line += delta
	for _, c := range n.Content {
		shiftLines(c, delta)
	}
}

// Resolved tags of scalars.
const (
	tagNull      = "!!null"
	tagBool      = "!!bool"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagString    = "!!str"
	tagTimestamp = "!!timestamp"
	tagBinary    = "!!binary"
	tagMerge     = "!!merge"
)

// FieldError is a value that does not fit its place in the target type.
type FieldError struct {
	// Path names the value: "spec.endpoints[0].port", `metadata.labels["app"]`.
	Path string
	// Line is the line of the value (of the key, for an unknown field).
	Line int
	// Unknown is true for a field the target type does not have. Only a
	// strict Decode reports those.
	Unknown bool
	// Msg says what is wrong.
	Msg string
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// MaxValues bounds the values one Decode call visits, aliases expanded, so
// that a document of nested aliases cannot make it run for ever.
const MaxValues = 1 << 16

// Decoder stores YAML nodes into Go values. It follows encoding/json's
// mapping of the node's JSON form onto the target: struct fields by their
// exact `json` name (embedded structs promoted), maps, slices, pointers,
// []byte from base64, json.RawMessage and json.Unmarshaler from the JSON
// form, any as encoding/json would fill it. Unlike encoding/json it reports
// every problem, each with its path and line, and goes on with the rest:
// values of the wrong kind, numbers out of range, fields given twice, string
// values not among those an Enum type admits and, when strict, fields the
// type does not have. A YAML merge key ("<<") merges as YAML defines it.
//
// A Decoder caches what it learns of struct types; it is not safe for
// concurrent use.
type Decoder struct {
	structs map[reflect.Type]*structInfo
}

// Enum is implemented by string types that admit only some values.
type Enum interface {
	// Values lists the admitted values.
	Values() []string
}

// Decode stores n into the value v points to. path names n in errors ("" for
// a document). An absent or null n leaves v as it is.
func (d *Decoder) Decode(n *yaml.Node, path string, v any, strict bool) []*FieldError {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return []*FieldError{{Path: path, Msg: fmt.Sprintf("cannot decode into %T", v)}}
	}
	st := decodeState{d: d, strict: strict, budget: MaxValues}
	st.value(n, path, rv.Elem())
	return st.errs
}

type decodeState struct {
	d      *Decoder
	strict bool
	budget int
	over   bool
	errs   []*FieldError
}

func (st *decodeState) fail(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	st.errs = append(st.errs, &FieldError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// visit resolves an alias and counts n against the budget; false when the
// budget is spent (reported once).
func (st *decodeState) visit(n *yaml.Node, path string) (*yaml.Node, bool) {
	for hops := 0; n != nil && n.Kind == yaml.AliasNode; hops++ {
		if hops > MaxValues {
			return nil, false
		}
		n = n.Alias
	}
	st.budget--
	if st.budget < 0 {
		if !st.over {
			st.over = true
			st.fail(n, path, "more than %d values once aliases are expanded", MaxValues)
		}
		return nil, false
	}
	return n, true
}

var (
	typeNode        = reflect.TypeFor[*yaml.Node]()
	typeRaw         = reflect.TypeFor[json.RawMessage]()
	typeUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	typeEnum        = reflect.TypeFor[Enum]()
)

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == tagNull
}

func (st *decodeState) value(n *yaml.Node, path string, v reflect.Value) {
	if n == nil {
		return
	}
	n, ok := st.visit(n, path)
	if !ok || n == nil {
		return
	}
	t := v.Type()
	switch {
	case t == typeNode:
		v.Set(reflect.ValueOf(n))
		return
	case isNull(n):
		if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface || t.Kind() == reflect.Map || t.Kind() == reflect.Slice {
			v.SetZero()
		}
		return // like encoding/json: null leaves other values as they are
	case t == typeRaw:
		js, err := st.json(n, nil, path)
		if err == nil {
			v.SetBytes(js)
		}
		return
	case reflect.PointerTo(t).Implements(typeUnmarshaler):
		js, err := st.json(n, nil, path)
		if err != nil {
			return
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(js); err != nil {
			st.fail(n, path, "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		st.value(n, path, v.Elem())
	case reflect.Struct:
		st.structValue(n, path, v)
	case reflect.Map:
		st.mapValue(n, path, v)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			st.bytesValue(n, path, v)
			return
		}
		if n.Kind != yaml.SequenceNode {
			st.wrongKind(n, path, t)
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			st.value(item, path+"["+strconv.Itoa(i)+"]", s.Index(i))
		}
		v.Set(s)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			st.fail(n, path, "cannot decode into %s", t)
			return
		}
		js, err := st.json(n, nil, path)
		if err != nil {
			return
		}
		var x any
		if err := json.Unmarshal(js, &x); err != nil {
			st.fail(n, path, "%v", err)
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		st.scalarValue(n, path, v)
	}
}

func (st *decodeState) scalarValue(n *yaml.Node, path string, v reflect.Value) {
	t := v.Type()
	if n.Kind != yaml.ScalarNode {
		st.wrongKind(n, path, t)
		return
	}
	switch t.Kind() {
	case reflect.String:
		if !isStringTag(n) {
			st.wrongKind(n, path, t)
			return
		}
		if t.Implements(typeEnum) {
			values := reflect.Zero(t).Interface().(Enum).Values()
			if !slices.Contains(values, n.Value) {
				st.fail(n, path, "%q is not one of %s", n.Value, quoteAll(values))
				return
			}
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, ok := parseBool(n)
		if !ok {
			st.wrongKind(n, path, t)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := parseInt(n)
		if err != nil {
			st.wrongKind(n, path, t)
			return
		}
		if v.OverflowInt(i) {
			st.fail(n, path, "%s is out of range (%d to %d)", n.Value, -1<<(t.Bits()-1), 1<<(t.Bits()-1)-1)
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, err := parseInt(n)
		if err != nil {
			st.wrongKind(n, path, t)
			return
		}
		if i < 0 || v.OverflowUint(uint64(i)) {
			st.fail(n, path, "%s is out of range (0 to %d)", n.Value, uint64(1)<<t.Bits()-1)
			return
		}
		v.SetUint(uint64(i))
	case reflect.Float32, reflect.Float64:
		f, ok := parseFloat(n)
		if !ok {
			st.wrongKind(n, path, t)
			return
		}
		v.SetFloat(f)
	default:
		st.fail(n, path, "cannot decode into %s", t)
	}
}

func (st *decodeState) bytesValue(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.ScalarNode || !(isStringTag(n) || n.Tag == tagBinary) {
		st.wrongKind(n, path, v.Type())
		return
	}
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
	if err != nil {
		st.fail(n, path, "not base64: %v", err)
		return
	}
	v.SetBytes(b)
}

var typeStringMap = reflect.TypeFor[map[string]string]()

func (st *decodeState) mapValue(n *yaml.Node, path string, v reflect.Value) {
	t := v.Type()
	if n.Kind != yaml.MappingNode || t.Key().Kind() != reflect.String {
		st.wrongKind(n, path, t)
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(t, len(n.Content)/2))
	}
	if t == typeStringMap {
		// Labels, annotations and selectors: no reflection per entry.
		m := v.Interface().(map[string]string)
		st.pairs(n, path, func(k, val *yaml.Node) {
			if _, dup := m[k.Value]; dup {
				st.duplicateKey(n, k, path)
				return
			}
			if val, ok := st.visit(val, path); ok && val.Kind == yaml.ScalarNode && isStringTag(val) {
				m[k.Value] = val.Value
			} else if ok && isNull(val) {
				m[k.Value] = "" // as encoding/json stores a null map value
			} else if ok {
				st.wrongKind(val, path+"["+strconv.Quote(k.Value)+"]", t.Elem())
			}
		})
		return
	}
	st.pairs(n, path, func(k, val *yaml.Node) {
		key := reflect.ValueOf(k.Value).Convert(t.Key())
		if v.MapIndex(key).IsValid() {
			st.duplicateKey(n, k, path)
			return
		}
		e := reflect.New(t.Elem()).Elem()
		st.value(val, path+"["+strconv.Quote(k.Value)+"]", e)
		v.SetMapIndex(key, e)
	})
}

// duplicateKey reports key k of mapping n given again, naming the line of
// its first occurrence.
func (st *decodeState) duplicateKey(n, k *yaml.Node, path string) {
	first := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		if c := n.Content[i]; c.Kind == yaml.ScalarNode && c.Value == k.Value {
			first = c.Line
			break
		}
	}
	st.fail(k, path+"["+strconv.Quote(k.Value)+"]", "given twice (first at line %d)", first)
}

func (st *decodeState) structValue(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		st.wrongKind(n, path, v.Type())
		return
	}
	info := st.d.structInfo(v.Type())
	var seen uint64
	var seenMore map[int]bool // fields beyond the 64 bits of seen
	st.pairs(n, path, func(k, val *yaml.Node) {
		p := k.Value
		if path != "" {
			p = path + "." + k.Value
		}
		i, ok := info.byName[k.Value]
		if !ok {
			if st.strict {
				msg := "unknown field"
				if s := suggest(k.Value, info.names); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				st.errs = append(st.errs, &FieldError{Path: p, Line: k.Line, Unknown: true, Msg: msg})
			}
			return
		}
		if i < 64 {
			if seen&(1<<i) != 0 {
				st.fail(k, p, "given twice")
				return
			}
			seen |= 1 << i
		} else {
			if seenMore[i] {
				st.fail(k, p, "given twice")
				return
			}
			if seenMore == nil {
				seenMore = map[int]bool{}
			}
			seenMore[i] = true
		}
		st.value(val, p, fieldByIndex(v, info.fields[i].index))
	})
}

// pairs calls fn with each key and value of mapping n whose key is a scalar,
// then with those a merge key ("<<") brings in that n does not give itself.
// A key that is not a scalar is reported.
func (st *decodeState) pairs(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	merges := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		switch {
		case k.Kind == yaml.ScalarNode && k.Tag == tagMerge:
			merges = true
		case k.Kind != yaml.ScalarNode:
			st.fail(k, path, "a key is not a string")
		default:
			fn(k, n.Content[i+1])
		}
	}
	if merges {
		seen := map[string]bool{}
		for _, kv := range st.merged(n, path, seen, nil) {
			fn(kv[0], kv[1])
		}
	}
}

// merged appends to out the pairs the merge keys of mapping n bring in, as
// YAML defines them: the keys of n win over merged ones, and of the mappings
// a merge key names, earlier ones win over later ones. seen holds the keys
// already given.
func (st *decodeState) merged(n *yaml.Node, path string, seen map[string]bool, out [][2]*yaml.Node) [][2]*yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag != tagMerge {
			seen[k.Value] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind != yaml.ScalarNode || k.Tag != tagMerge {
			continue
		}
		src, ok := st.visit(n.Content[i+1], path)
		if !ok {
			return out
		}
		sources := []*yaml.Node{src}
		if src.Kind == yaml.SequenceNode {
			sources = src.Content
		}
		for _, m := range sources {
			if m, ok = st.visit(m, path); !ok {
				return out
			}
			if m.Kind != yaml.MappingNode {
				st.fail(m, path, "a merge key (<<) must name a mapping or a sequence of mappings")
				continue
			}
			for j := 0; j+1 < len(m.Content); j += 2 {
				if k := m.Content[j]; k.Kind == yaml.ScalarNode && k.Tag != tagMerge && !seen[k.Value] {
					seen[k.Value] = true
					out = append(out, [2]*yaml.Node{k, m.Content[j+1]})
				}
			}
			out = st.merged(m, path, seen, out)
		}
	}
	return out
}

// wrongKind reports a value of the wrong kind for t, in JSON words.
func (st *decodeState) wrongKind(n *yaml.Node, path string, t reflect.Type) {
	st.fail(n, path, "got %s, want %s", nodeKind(n), typeKind(t))
}

// nodeKind names the JSON kind of n's value.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "an array"
	}
	switch n.Tag {
	case tagInt, tagFloat:
		return "a number"
	case tagBool:
		return "a boolean"
	case tagNull:
		return "null"
	}
	return "a string"
}

// typeKind names what a Go type holds, in JSON words.
func typeKind(t reflect.Type) string {
	if t.Implements(typeEnum) {
		return "one of " + quoteAll(reflect.Zero(t).Interface().(Enum).Values())
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return typeKind(t.Elem())
	}
	return t.String()
}

func isStringTag(n *yaml.Node) bool {
	switch n.Tag {
	case tagString, tagTimestamp, tagBinary:
		return true
	case tagNull, tagBool, tagInt, tagFloat, tagMerge:
		return false
	}
	return true // a custom tag: its text
}

func parseBool(n *yaml.Node) (bool, bool) {
	if n.Tag != tagBool {
		return false, false
	}
	b, err := strconv.ParseBool(strings.ToLower(n.Value))
	return b, err == nil
}

func parseInt(n *yaml.Node) (int64, error) {
	if n.Tag != tagInt {
		return 0, errors.New("not an integer")
	}
	return strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
}

func parseFloat(n *yaml.Node) (float64, bool) {
	switch n.Tag {
	case tagInt:
		i, err := parseInt(n)
		return float64(i), err == nil
	case tagFloat:
		switch strings.ToLower(strings.TrimLeft(n.Value, "+-")) {
		case ".inf", ".nan":
			return 0, false // not a JSON number
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		return f, err == nil && !math.IsInf(f, 0)
	}
	return 0, false
}

// json appends the JSON form of n to dst. Values JSON cannot hold (.inf,
// keys that are not scalars) are reported.
func (st *decodeState) json(n *yaml.Node, dst []byte, path string) ([]byte, error) {
	n, ok := st.visit(n, path)
	if !ok {
		return nil, errBudget
	}
	switch n.Kind {
	case yaml.MappingNode:
		dst = append(dst, '{')
		first := true
		var err error
		st.pairs(n, path, func(k, v *yaml.Node) {
			if err != nil {
				return
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendString(dst, k.Value)
			dst = append(dst, ':')
			dst, err = st.json(v, dst, path+"["+strconv.Quote(k.Value)+"]")
		})
		if err != nil {
			return nil, err
		}
		return append(dst, '}'), nil
	case yaml.SequenceNode:
		dst = append(dst, '[')
		for i, item := range n.Content {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = st.json(item, dst, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	switch n.Tag {
	case tagNull:
		return append(dst, "null"...), nil
	case tagBool:
		b, _ := parseBool(n)
		return strconv.AppendBool(dst, b), nil
	case tagInt:
		i, err := parseInt(n)
		if err != nil {
			st.fail(n, path, "%s is not a 64-bit integer", n.Value)
			return nil, err
		}
		return strconv.AppendInt(dst, i, 10), nil
	case tagFloat:
		f, ok := parseFloat(n)
		if !ok {
			st.fail(n, path, "%s is not a JSON number", n.Value)
			return nil, errNotJSON
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64), nil
	}
	return appendString(dst, n.Value), nil
}

var (
	errBudget  = errors.New("too many values")
	errNotJSON = errors.New("not JSON")
)

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}

// NodeJSON returns the JSON form of n, for comparing documents and for
// values typed json.RawMessage. It fails on what JSON cannot hold and past
// MaxValues values.
func NodeJSON(n *yaml.Node) ([]byte, error) {
	st := decodeState{budget: MaxValues}
	js, err := st.json(n, nil, "")
	if err == nil && len(st.errs) > 0 {
		err = st.errs[0]
	}
	return js, err
}

// structInfo is what Decode knows of a struct type: its JSON field names.
type structInfo struct {
	fields []fieldInfo
	byName map[string]int
	// names lists the field names, for suggestions.
	names []string
}

type fieldInfo struct {
	name  string
	index []int
}

func (d *Decoder) structInfo(t reflect.Type) *structInfo {
	if info, ok := d.structs[t]; ok {
		return info
	}
	info := &structInfo{byName: map[string]int{}}
	collectFields(t, nil, info)
	if d.structs == nil {
		d.structs = map[reflect.Type]*structInfo{}
	}
	d.structs[t] = info
	return info
}

// collectFields adds the JSON fields of struct t, embedded structs without a
// name promoted (a field of the outer struct wins over a promoted one of the
// same name, as in encoding/json).
func collectFields(t reflect.Type, index []int, info *structInfo) {
	var embedded []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			embedded = append(embedded, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := info.byName[name]; dup {
			continue
		}
		info.byName[name] = len(info.fields)
		info.names = append(info.names, name)
		info.fields = append(info.fields, fieldInfo{name: name, index: append(append([]int(nil), index...), i)})
	}
	for _, f := range embedded {
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		collectFields(ft, append(append([]int(nil), index...), f.Index[0]), info)
	}
}

// fieldByIndex returns the field of struct v at index, allocating the
// embedded pointers on the way.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// suggest returns the name among names closest to s, within two edits, or "".
func suggest(s string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if d := editDistance(strings.ToLower(s), strings.ToLower(n), bestDist); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it is at
// least limit.
func editDistance(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 || abs(len(a)-len(b)) >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// quoteAll writes values as "a", "b", "c".
func quoteAll(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
