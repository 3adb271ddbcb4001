package topology

import "strings"

// Types of a 3.0 [DataSource] ([DataSource.Type]).
const (
	// DataSourceSecret reads a Secret of the service's mesh, named by
	// [DataSource.SecretRef].
	DataSourceSecret = "Secret"
	// DataSourceInsecureInline takes the material from the resource itself
	// ([DataSource.InsecureInline]).
	DataSourceInsecureInline = "InsecureInline"
	// DataSourceFile reads a file of the control plane's host
	// ([DataSource.File]), through [EgressInput.Host].
	DataSourceFile = "File"
	// DataSourceEnvVar reads an environment variable of the control plane
	// ([DataSource.EnvVar]), through [EgressInput.Host].
	DataSourceEnvVar = "EnvVar"
)

// SecretRefKind is the only kind a [SecretRef] may name.
const SecretRefKind = "Secret"

// DataSource names TLS material, in either of two shapes.
//
// The 2.x shape (Type empty) is one of Secret, a Secret of the service's mesh;
// Inline, bytes (base64 in JSON); or InlineString. Precedence: Secret, then
// Inline, then InlineString.
//
// The 3.0 shape (reference master 348b6528bc) has a Type and the field it
// names: [DataSourceSecret] with SecretRef, [DataSourceInsecureInline] with
// InsecureInline, [DataSourceFile] with File, [DataSourceEnvVar] with EnvVar.
// The 2.x fields of a DataSource with a Type are ignored.
//
// A DataSource that names nothing ([DataSource.IsZero]) is absent.
type DataSource struct {
	Secret       string `json:"secret,omitempty"`
	Inline       []byte `json:"inline,omitempty"`
	InlineString string `json:"inlineString,omitempty"`

	Type           string          `json:"type,omitempty"`
	SecretRef      *SecretRef      `json:"secretRef,omitempty"`
	InsecureInline *InsecureInline `json:"insecureInline,omitempty"`
	File           *File           `json:"file,omitempty"`
	EnvVar         *EnvVar         `json:"envVar,omitempty"`
}

// SecretRef is `secretRef` of a 3.0 [DataSource]: a Secret of the service's
// mesh. Kind must be [SecretRefKind].
type SecretRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// InsecureInline is `insecureInline` of a 3.0 [DataSource]: the material
// itself, in the resource.
type InsecureInline struct {
	Value string `json:"value"`
}

// File is `file` of a 3.0 [DataSource]: an absolute path on the control
// plane's host, without "..".
type File struct {
	Path string `json:"path"`
}

// EnvVar is `envVar` of a 3.0 [DataSource]: an environment variable of the
// control plane.
type EnvVar struct {
	Name string `json:"name"`
}

// IsZero reports whether d names no material, so that it counts as absent.
func (d *DataSource) IsZero() bool {
	return d == nil || d.Type == "" && d.Secret == "" && len(d.Inline) == 0 && d.InlineString == "" &&
		d.SecretRef == nil && d.InsecureInline == nil && d.File == nil && d.EnvVar == nil
}

// Host gives the material of [DataSourceFile] and [DataSourceEnvVar] data
// sources, which live on the control plane's host. The library never touches
// the file system or the environment itself: without a Host such a data
// source is an error of its service. Implementations must not put the
// material in their errors, which end up in logs and statuses.
type Host interface {
	// ReadFile returns the content of the file at path, an absolute path
	// without "..".
	ReadFile(path string) ([]byte, error)
	// LookupEnv returns the value of the environment variable name, and
	// whether it is set.
	LookupEnv(name string) (string, bool)
}

// sourceKind is where material comes from.
type sourceKind uint8

const (
	sourceInline sourceKind = iota
	sourceSecret
	sourceFile
	sourceEnv
)

// typeName is the 3.0 type of a source, for messages.
func (k sourceKind) typeName() string {
	switch k {
	case sourceSecret:
		return DataSourceSecret
	case sourceFile:
		return DataSourceFile
	case sourceEnv:
		return DataSourceEnvVar
	}
	return DataSourceInsecureInline
}

// source says where d's material is: a kind and the secret name, path or
// variable name; for inline material, the bytes.
func (d *DataSource) source() (kind sourceKind, name string, inline []byte) {
	switch d.Type {
	case "":
		switch {
		case d.Secret != "":
			return sourceSecret, d.Secret, nil
		case len(d.Inline) > 0:
			return sourceInline, "", d.Inline
		}
		return sourceInline, "", []byte(d.InlineString)
	case DataSourceSecret:
		if d.SecretRef != nil {
			name = d.SecretRef.Name
		}
		return sourceSecret, name, nil
	case DataSourceFile:
		if d.File != nil {
			name = d.File.Path
		}
		return sourceFile, name, nil
	case DataSourceEnvVar:
		if d.EnvVar != nil {
			name = d.EnvVar.Name
		}
		return sourceEnv, name, nil
	case DataSourceInsecureInline:
		if d.InsecureInline != nil {
			inline = []byte(d.InsecureInline.Value)
		}
	}
	// An unknown type, which validation refuses, names no material.
	return sourceInline, "", inline
}

// The reference's file path messages (master 348b6528bc datasource.go).
const (
	msgPathTraversal = "file path contains directory traversal sequence: "
	msgPathRelative  = "file path must be absolute: "
)

// checkFilePath returns why path may not be read, in the reference's words,
// or "". The traversal check comes first, on the path as given. Absolute
// means starting with "/": control planes run on Unix hosts, and the result
// must not depend on the OS the library runs on.
func checkFilePath(path string) string {
	switch {
	case strings.Contains(path, ".."):
		return msgPathTraversal + path
	case !strings.HasPrefix(path, "/"):
		return msgPathRelative + path
	}
	return ""
}
