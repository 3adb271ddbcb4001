package topology

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sentinel errors, for errors.Is on a [*ResourceError] or on [Errors].
var (
	// ErrSecretNotFound: a Secret named by a DataSource does not exist in the
	// service's mesh.
	ErrSecretNotFound = errors.New("topology: secret not found")
	// ErrInvalid: a spec field breaks the MeshExternalService rules
	// ([*ValidationError]).
	ErrInvalid = errors.New("topology: invalid MeshExternalService")
	// ErrInvalidMaterial: TLS material does not parse as what its field needs
	// ([*MaterialError]).
	ErrInvalidMaterial = errors.New("topology: invalid TLS material")
	// ErrConflict: two services claim the same destination name or SNI
	// ([*Conflict]).
	ErrConflict = errors.New("topology: conflict")
	// ErrNoHost: a File or EnvVar data source, and no [EgressInput.Host] to
	// read it ([*MaterialError]).
	ErrNoHost = errors.New("topology: no host to read a File or EnvVar data source")
)

// ResourceError is the failure of one MeshExternalService: it is left out of
// the [EndpointMap], or its destination out of the [Resources]. Field is the
// path of the offending field (`spec.endpoints[1].port`), empty when the
// whole resource is at fault.
type ResourceError struct {
	Mesh  string
	Name  string
	Field string
	Err   error
}

// Error reads `topology: MeshExternalService "name" in mesh "mesh": field: err`.
func (e *ResourceError) Error() string {
	var b strings.Builder
	b.WriteString("topology: MeshExternalService ")
	b.WriteString(strconv.Quote(e.Name))
	b.WriteString(" in mesh ")
	b.WriteString(strconv.Quote(e.Mesh))
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Err.
func (e *ResourceError) Unwrap() error { return e.Err }

// Errors lists the failures of a build, of an admission or of a rendering,
// sorted by mesh, then name, then in the order the fields were checked. A
// service may have more than one entry. It is nil when there are none. It is
// not an error itself: range over it, or use [Errors.Err].
type Errors []*ResourceError

// Err returns the errors joined with [errors.Join] (one per line, each
// matched by errors.Is and errors.As), or nil when e is empty.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	errs := make([]error, len(e))
	for i, r := range e {
		errs[i] = r
	}
	return errors.Join(errs...)
}

// sortErrors sorts e by mesh, then name, keeping the order of the errors of
// one service.
func sortErrors(e Errors) {
	slices.SortStableFunc(e, func(x, y *ResourceError) int {
		return compareRefs(ResourceRef{x.Mesh, x.Name}, ResourceRef{y.Mesh, y.Name})
	})
}

// ValidationError is a spec value that breaks the MeshExternalService rules.
// Detail is the reference admission message where there is one.
type ValidationError struct {
	// Value is the offending value (a string or a number); nil when the field is
	// missing. Never TLS material.
	Value any
	// Detail says what is valid.
	Detail string
}

// Error reads `Invalid value: 70000: port must be a valid (1-65535)` (the
// Kubernetes field error form), or just the detail when Value is nil.
func (e *ValidationError) Error() string {
	switch v := e.Value.(type) {
	case nil:
		return e.Detail
	case string:
		return "Invalid value: " + strconv.Quote(v) + ": " + e.Detail
	default:
		return fmt.Sprintf("Invalid value: %v: %s", v, e.Detail)
	}
}

// Is reports whether target is [ErrInvalid].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// MaterialError is TLS material (caCert, clientCert or clientKey) that could
// not be loaded or does not parse. Its message never contains the material.
type MaterialError struct {
	// Material is "caCert", "clientCert" or "clientKey".
	Material string
	// Mesh is the mesh of the service.
	Mesh string
	// Secret is the secret name, File the path and EnvVar the variable name,
	// for material from a secret, a file or the environment; all three are
	// empty for inline material.
	Secret string
	File   string
	EnvVar string
	// Err wraps [ErrSecretNotFound], the error of [Secrets] or of [Host],
	// [ErrNoHost], or [ErrInvalidMaterial].
	Err error
}

// Error keeps the reference messages: for a missing secret,
// `could not load clientCert: could not load data: Resource not found: type="Secret" name="kuma-cert" mesh="default"`;
// for a File or EnvVar source without a [Host],
// `could not load caCert: datasource type: File is not supported on MeshExternalService`;
// for an unset variable, `could not load caCert: environment variable: NAME is not defined`.
func (e *MaterialError) Error() string {
	switch {
	case errors.Is(e.Err, ErrInvalidMaterial):
		return "invalid " + e.Material + " (" + e.source() + "): " + e.Err.Error()
	case errors.Is(e.Err, ErrSecretNotFound):
		return "could not load " + e.Material + ": could not load data: Resource not found: type=\"Secret\" name=" +
			strconv.Quote(e.Secret) + " mesh=" + strconv.Quote(e.Mesh)
	case e.Secret != "":
		return "could not load " + e.Material + ": could not load data: secret " + strconv.Quote(e.Secret) +
			" in mesh " + strconv.Quote(e.Mesh) + ": " + errString(e.Err)
	default:
		return "could not load " + e.Material + ": " + errString(e.Err)
	}
}

func (e *MaterialError) source() string {
	switch {
	case e.Secret != "":
		return "secret " + strconv.Quote(e.Secret)
	case e.File != "":
		return "file " + strconv.Quote(e.File)
	case e.EnvVar != "":
		return "environment variable " + strconv.Quote(e.EnvVar)
	}
	return "inline"
}

// noHostError is the reference's refusal of a File or EnvVar data source on
// a MeshExternalService, which meshcore gives when there is no [Host].
type noHostError sourceKind

func (e noHostError) Error() string {
	return "datasource type: " + sourceKind(e).typeName() + " is not supported on MeshExternalService"
}

func (e noHostError) Is(target error) bool { return target == ErrNoHost }

// envNotDefined is the reference's error for an unset environment variable.
type envNotDefined string

func (e envNotDefined) Error() string {
	return "environment variable: " + string(e) + " is not defined"
}

// Unwrap returns Err.
func (e *MaterialError) Unwrap() error { return e.Err }

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// badMaterial is why material does not parse, in fixed words: never an
// echo of the input, so never secret bytes.
type badMaterial string

func (b badMaterial) Error() string        { return string(b) }
func (b badMaterial) Is(target error) bool { return target == ErrInvalidMaterial }

// Kinds of [Conflict].
const (
	// ConflictDestination: the services produce the same destination name.
	ConflictDestination = "destination name"
	// ConflictSNI: the services produce the same egress SNI (the zone egress
	// routes on it), with different destination names.
	ConflictSNI = "egress SNI"
	// ConflictDuplicate: the same (mesh, name) appears more than once in the
	// input.
	ConflictDuplicate = "name"
)

// Conflict: services of one mesh claim the same destination name or egress
// SNI. Each of them gets a Conflict naming the others, and none is built.
type Conflict struct {
	// On is [ConflictDestination], [ConflictSNI] or [ConflictDuplicate].
	On string
	// Value is the shared destination name, SNI or name.
	Value string
	// With names the other services, sorted by mesh, then name (for
	// [ConflictDuplicate], the other copies).
	With []ResourceRef
}

// ResourceRef names a MeshExternalService.
type ResourceRef struct {
	Mesh string
	Name string
}

// String reads `"name" in mesh "mesh"`.
func (r ResourceRef) String() string {
	return strconv.Quote(r.Name) + " in mesh " + strconv.Quote(r.Mesh)
}

func compareRefs(x, y ResourceRef) int {
	return cmp.Or(strings.Compare(x.Mesh, y.Mesh), strings.Compare(x.Name, y.Name))
}

// Error reads `destination name "default_a___extsvc_443" is also claimed by
// MeshExternalService "b" in mesh "default"; neither is built`.
func (c *Conflict) Error() string {
	var b strings.Builder
	if c.On == ConflictDuplicate {
		b.WriteString("appears ")
		b.WriteString(strconv.Itoa(len(c.With) + 1))
		b.WriteString(" times in the input; none is built")
		return b.String()
	}
	b.WriteString(c.On)
	b.WriteByte(' ')
	b.WriteString(strconv.Quote(c.Value))
	b.WriteString(" is also claimed by MeshExternalService")
	if len(c.With) > 1 {
		b.WriteByte('s')
	}
	for i, w := range c.With {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte(' ')
		b.WriteString(w.String())
	}
	if len(c.With) > 1 {
		b.WriteString("; none is built")
	} else {
		b.WriteString("; neither is built")
	}
	return b.String()
}

// Is reports whether target is [ErrConflict].
func (c *Conflict) Is(target error) bool { return target == ErrConflict }
