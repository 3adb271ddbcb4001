// Package manifest reads the manifests users keep, in the Kubernetes form
// (apiVersion, kind, metadata, spec) and the Universal form (type, name, mesh,
// labels, spec), from multi-document YAML or JSON, for the example commands
// (meshlint lints them, xds serves them). It is internal to the examples:
// one reader, so both commands read a file alike.
//
//   - [ReadDocuments] splits a stream into documents whose nodes know their
//     lines; a document that is not YAML is a [SyntaxError] and the others
//     are still read.
//   - [Read] turns documents into [Object]s: the envelope of each resource
//     (form, kind, name, namespace, mesh, labels, creation time) with its spec
//     and data left as nodes. `kind: List` documents are unrolled. A document
//     that is not a manifest is a warning [Problem]; one whose kind or type
//     does not decode is an error Problem. Objects of any kind are kept.
//   - [Decoder] decodes a node into a Go value by its JSON field names and
//     reports every field that does not fit, with its path and line
//     ([FieldError]).
//
// Reading stops at nothing: every problem is returned as data, and the
// reader never panics on any input (meshlint's FuzzLint runs it).
package manifest
