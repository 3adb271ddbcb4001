package manifest

import (
	"fmt"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Location is where an object starts: file and 1-based line.
type Location struct {
	File string
	Line int
}

// Form is the shape of a manifest.
type Form uint8

const (
	// Kubernetes is the form apiVersion, kind, metadata, spec.
	Kubernetes Form = iota + 1
	// Universal is the form type, name, mesh, labels, then spec (or, for a
	// Mesh, the spec fields at the top level).
	Universal
)

// Kinds every command that reads manifests knows by name. The kinds of
// services are hostname's (hostname.MeshService and the others).
const (
	// KindMesh is the kind of a Mesh, whose Universal form has its spec
	// fields at the top level.
	KindMesh = "Mesh"
	// KindSecret is the kind of a Secret, in both forms (see SecretVisible).
	KindSecret = "Secret"
	// KindHostnameGenerator is the kind of a HostnameGenerator.
	KindHostnameGenerator = "HostnameGenerator"
)

// Object is one resource read from a manifest, before any kind-specific
// decoding. Name is metadata.name (Kubernetes form) or name (Universal form);
// Namespace is set in the Kubernetes form only; Mesh is the Universal `mesh`
// field (the Kubernetes form has none: its mesh is a label).
type Object struct {
	Form        Form
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
	// Spec is the `spec` node; for a Universal Mesh, the whole document,
	// since its spec fields are at the top level.
	Spec *yaml.Node
	// Data is the Secret `data` node: a map of base64 values (Kubernetes) or
	// one base64 string (Universal).
	Data       *yaml.Node
	StringData map[string]string
	// Root is the object's whole node, to compare duplicates.
	Root *yaml.Node
	At   Location
	// Problems are the fields of the envelope that did not decode.
	Problems []*FieldError
}

// Problem is a document Read could not take as an object: an error (it is not
// YAML, or its kind or type does not decode) or a warning (it is not a
// manifest and is skipped).
type Problem struct {
	Warning bool
	Message string
	File    string
	Line    int
}

// envelope is the shape every document is first decoded into. Both forms
// fit in it: the Kubernetes form fills Kind and Metadata, the Universal form
// Type, Name, Mesh and Labels. A Kubernetes Secret has both kind and type;
// kind wins.
type envelope struct {
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
	Spec         *yaml.Node        `json:"spec"`
	Data         *yaml.Node        `json:"data"`
	StringData   map[string]string `json:"stringData"`
	// Items holds the objects of a `kind: List`, as `kubectl get -o yaml`
	// prints them.
	Items []*yaml.Node `json:"items"`
}

// Read reads every document of data, the contents of file. A document that
// is not YAML is an error Problem at its line; one that is YAML but not a
// manifest (no kind or type) is a warning, and is skipped; the other
// documents are still read. Objects of unknown kinds are kept.
func Read(file string, data []byte, d *Decoder) ([]Object, []Problem) {
	docs, errs := ReadDocuments(data)
	var objs []Object
	var out []Problem
	for _, e := range errs {
		out = append(out, Problem{Message: "document is not YAML: " + e.Error(), File: file, Line: e.Line})
	}
	for _, doc := range docs {
		objs, out = appendObjects(objs, out, doc.Root, Location{File: file, Line: doc.Line}, d, "", 0)
	}
	return objs, out
}

// maxListDepth bounds nested `kind: List` documents.
const maxListDepth = 4

// appendObjects decodes one document or List item n into objects.
func appendObjects(objs []Object, out []Problem, n *yaml.Node, at Location, d *Decoder, path string, depth int) ([]Object, []Problem) {
	skip := func(format string, args ...any) []Problem {
		msg := fmt.Sprintf(format, args...)
		if path != "" {
			msg = path + ": " + msg
		}
		return append(out, Problem{Warning: true, Message: msg, File: at.File, Line: at.Line})
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return objs, skip("not a manifest (the document is %s, not an object with kind or type): skipped", nodeKind(n))
	}
	var m envelope
	problems := d.Decode(n, path, &m, false)
	for _, p := range problems {
		if p.Path == join(path, "kind") || p.Path == join(path, "type") || p.Path == join(path, "items") {
			// The object cannot be told apart: the document is unreadable.
			return objs, append(out, Problem{Message: p.Error(), File: at.File, Line: p.Line})
		}
	}
	switch {
	case m.Kind == "List" || (m.Kind == "" && m.Type == "" && m.Items != nil):
		if depth >= maxListDepth {
			return objs, append(out, Problem{Message: fmt.Sprintf("kind List nested more than %d deep", maxListDepth), File: at.File, Line: at.Line})
		}
		for i, item := range m.Items {
			if item == nil || isNull(item) {
				continue
			}
			objs, out = appendObjects(objs, out, item, Location{File: at.File, Line: item.Line}, d, fmt.Sprintf("%s[%d]", join(path, "items"), i), depth+1)
		}
		return objs, out
	case m.Kind != "":
		return append(objs, Object{
			Form:        Kubernetes,
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
			Root:        n,
			At:          at,
			Problems:    problems,
		}), out
	case m.Type != "":
		o := Object{
			Form:     Universal,
			Kind:     m.Type,
			Name:     m.Name,
			Mesh:     m.Mesh,
			Labels:   m.Labels,
			Created:  m.CreationTime,
			Spec:     m.Spec,
			Data:     m.Data,
			Root:     n,
			At:       at,
			Problems: problems,
		}
		if o.Kind == KindMesh {
			o.Spec = n // a Universal Mesh has its spec fields at the top level
		}
		return append(objs, o), out
	}
	return objs, skip("not a manifest (no kind, as in the Kubernetes form, or type, as in the Universal form): skipped")
}

// join joins field path elements with a dot.
func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}
