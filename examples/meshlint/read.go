package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// input is one file to lint: its name (used in findings) and its bytes.
type input struct {
	Name string
	Data []byte
}

// location is where an object starts: file and 1-based line.
type location struct {
	File string
	Line int
}

// form is the shape of a manifest.
type form uint8

const (
	// kubernetesForm: apiVersion, kind, metadata, spec.
	kubernetesForm form = iota + 1
	// universalForm: type, name, mesh, labels, then spec (or, for a Mesh, the
	// spec fields at the top level).
	universalForm
)

// object is one resource read from a manifest, before any kind-specific
// decoding. Name is metadata.name (Kubernetes form) or name (Universal form);
// Namespace is set in the Kubernetes form only; Mesh is the Universal `mesh`
// field (the Kubernetes form has none: see cluster.meshOfResource).
type object struct {
	Form        form
	APIVersion  string
	Kind        string
	Name        string
	Namespace   string
	Mesh        string
	Labels      map[string]string
	Annotations map[string]string
	Created     time.Time
	// Type is the Kubernetes Secret `type` (the Universal `type` is Kind).
	Type string
	// Spec is the `spec` object; for a Universal Mesh, the whole document,
	// since its spec fields are at the top level.
	Spec json.RawMessage
	// Data is the Secret `data`: a map of base64 values (Kubernetes) or one
	// base64 string (Universal).
	Data       json.RawMessage
	StringData map[string]string
	At         location
}

// manifest is the JSON shape every document is first decoded into. Both forms
// fit in it: the Kubernetes form fills Kind and Metadata, the Universal form
// Type, Name, Mesh and Labels. A Kubernetes Secret has both kind and type; kind
// wins.
type manifest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name              string            `json:"name"`
		Namespace         string            `json:"namespace"`
		Labels            map[string]string `json:"labels"`
		Annotations       map[string]string `json:"annotations"`
		CreationTimestamp time.Time         `json:"creationTimestamp"`
	} `json:"metadata"`
	Type         string            `json:"type"`
	Name         string            `json:"name"`
	Mesh         string            `json:"mesh"`
	Labels       map[string]string `json:"labels"`
	CreationTime time.Time         `json:"creationTime"`
	Spec         json.RawMessage   `json:"spec"`
	Data         json.RawMessage   `json:"data"`
	StringData   map[string]string `json:"stringData"`
	// Items holds the objects of a `kind: List`, as `kubectl get -o yaml`
	// prints them.
	Items []json.RawMessage `json:"items"`
}

// document is one YAML document of a file and the line it starts on.
type document struct {
	Data []byte
	Line int
}

// splitDocuments cuts a multi-document YAML stream into documents, each with
// the 1-based line it starts on, so that an error in one is reported at its
// place in the file and the others are still read.
//
// This is not YAML parsing: it only finds the document markers, which YAML
// requires to stand at the start of a line. A line that is "---" (optionally
// followed by a space or tab and more text, such as a comment or a tag) starts
// a new document, and the text after the marker stays on the new document's
// first line; a line that is "..." ends a document. Each document is then
// decoded by the YAML library. CRLF line ends are accepted. A document's line
// is that of its first line that is neither blank nor a comment; documents
// with nothing else are dropped.
func splitDocuments(data []byte) []document {
	var docs []document
	start, startLine := 0, 1
	line := 1
	flush := func(end int) {
		if end > start {
			if d, l := skipComments(data[start:end], startLine); len(d) > 0 {
				docs = append(docs, document{Data: d, Line: l})
			}
		}
	}
	for pos := 0; pos < len(data); line++ {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(data)
		}
		text := bytes.TrimSuffix(data[pos:end], []byte("\r"))
		switch {
		case isMarker(text, "---"):
			flush(pos)
			// Keep the rest of the marker line ("--- !tag", "--- # note") as
			// the first line of the new document, aligned with its line.
			start, startLine = pos+3, line
		case isMarker(text, "..."):
			flush(pos)
			start, startLine = next, line+1
		}
		pos = next
	}
	flush(len(data))
	return docs
}

// skipComments drops the blank and comment lines that open a document, so
// that its line is that of its first content, and a document of comments only
// disappears.
func skipComments(d []byte, line int) ([]byte, int) {
	for len(d) > 0 {
		text, rest, more := bytes.Cut(d, []byte("\n"))
		if t := bytes.TrimSpace(text); len(t) > 0 && t[0] != '#' {
			break
		}
		if !more {
			return nil, line
		}
		d, line = rest, line+1
	}
	return d, line
}

// isMarker reports whether line is the document marker m, alone or followed
// by a space or tab.
func isMarker(line []byte, m string) bool {
	return bytes.HasPrefix(line, []byte(m)) && (len(line) == len(m) || line[len(m)] == ' ' || line[len(m)] == '\t')
}

// yamlLine finds the line number the YAML library puts in its errors
// ("yaml: line 3: ..."), so that it can be made absolute in the file.
var yamlLine = regexp.MustCompile(`^(?:error converting YAML to JSON: )?yaml: line (\d+): `)

// parseError is a document that could not be read: the linter reports it and
// exits with status 2.
type parseError struct {
	At  location
	Msg string
}

// readObjects decodes every document of in into objects. A document that is
// not valid YAML, or not a resource, gives a parseError at its line; the other
// documents are still read. Unknown kinds are kept (the rules ignore them).
func readObjects(in input) ([]object, []parseError) {
	var objs []object
	var errs []parseError
	for _, doc := range splitDocuments(in.Data) {
		at := location{File: in.Name, Line: doc.Line}
		js, err := yaml.YAMLToJSON(doc.Data)
		if err != nil {
			errs = append(errs, yamlError(at, err))
			continue
		}
		js = bytes.TrimSpace(js)
		if len(js) == 0 || bytes.Equal(js, []byte("null")) {
			continue // empty document: blank lines and comments only
		}
		var err2 error
		objs, err2 = appendObjects(objs, js, at, 0)
		if err2 != nil {
			errs = append(errs, parseError{At: at, Msg: err2.Error()})
		}
	}
	return objs, errs
}

// maxListDepth bounds nested `kind: List` documents, so that a hostile input
// cannot recurse without limit.
const maxListDepth = 4

// appendObjects decodes the JSON of one document (a resource, or a List of
// them) and appends the objects to objs.
func appendObjects(objs []object, js []byte, at location, depth int) ([]object, error) {
	if js[0] != '{' {
		return objs, fmt.Errorf("document is not a mapping (a resource needs kind or type)")
	}
	var m manifest
	if err := json.Unmarshal(js, &m); err != nil {
		return objs, decodeError("", err)
	}
	switch {
	case m.Kind == "List" || (m.Kind == "" && m.Type == "" && m.Items != nil):
		if depth >= maxListDepth {
			return objs, fmt.Errorf("kind List nested more than %d deep", maxListDepth)
		}
		var errs []error
		for i, item := range m.Items {
			item = bytes.TrimSpace(item)
			if len(item) == 0 || bytes.Equal(item, []byte("null")) {
				continue
			}
			var err error
			if objs, err = appendObjects(objs, item, at, depth+1); err != nil {
				errs = append(errs, fmt.Errorf("items[%d]: %w", i, err))
			}
		}
		if len(errs) > 0 {
			return objs, errs[0]
		}
		return objs, nil
	case m.Kind != "":
		return append(objs, object{
			Form:        kubernetesForm,
			APIVersion:  m.APIVersion,
			Kind:        m.Kind,
			Name:        m.Metadata.Name,
			Namespace:   m.Metadata.Namespace,
			Labels:      m.Metadata.Labels,
			Annotations: m.Metadata.Annotations,
			Created:     m.Metadata.CreationTimestamp,
			Type:        m.Type,
			Spec:        m.Spec,
			Data:        m.Data,
			StringData:  m.StringData,
			At:          at,
		}), nil
	case m.Type != "":
		o := object{
			Form:    universalForm,
			Kind:    m.Type,
			Name:    m.Name,
			Mesh:    m.Mesh,
			Labels:  m.Labels,
			Created: m.CreationTime,
			Spec:    m.Spec,
			Data:    m.Data,
			At:      at,
		}
		if o.Kind == kindMesh {
			o.Spec = js // a Universal Mesh has its spec fields at the top level
		}
		return append(objs, o), nil
	}
	return objs, fmt.Errorf("document has neither kind (Kubernetes form) nor type (Universal form)")
}

// decodeError rewords a JSON decoding error in terms of the manifest: the
// field path under prefix, what was found and what belongs there, instead of
// Go type names.
func decodeError(prefix string, err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	field := te.Field
	if prefix != "" {
		field = strings.TrimSuffix(prefix+"."+field, ".")
	}
	if field == "" {
		field = "document"
	}
	return fmt.Errorf("%s: got %s, want %s", field, withArticle(te.Value), jsonKind(te.Type))
}

// withArticle puts "a" or "an" before a JSON value kind ("array", "number").
func withArticle(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// jsonKind names what a Go type holds in JSON words.
func jsonKind(t reflect.Type) string {
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
		return jsonKind(t.Elem())
	}
	return t.String()
}

// yamlError turns a YAML library error into a parseError at the line it names,
// counted from the start of the file.
func yamlError(at location, err error) parseError {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		if n, convErr := strconv.Atoi(msg[m[2]:m[3]]); convErr == nil && n > 0 {
			at.Line += n - 1
			msg = "yaml: " + msg[m[1]:]
		}
	}
	return parseError{At: at, Msg: msg}
}
