package hostname

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Field paths of a HostnameGenerator spec, as they appear in errors.
const (
	FieldSelector = "spec.selector"
	FieldTemplate = "spec.template"
)

// Sentinel errors, wrapped by the errors of this package so that callers can
// test for them with [errors.Is].
var (
	// ErrEmptyTemplate is wrapped by the [TemplateError] of an empty template.
	ErrEmptyTemplate = errors.New("hostname: template is empty")
	// ErrRefused is wrapped by the parse error of a template that uses what
	// no hostname needs: range, define, template or block, if and with
	// nested more than 3 deep, or a printf format that is not a string
	// literal or has a width or precision of more than 3 digits or from an
	// argument. The error names the construct and where it is.
	ErrRefused = errors.New("hostname: template construct refused")
	// ErrInvalidHostname is wrapped by the [TemplateError] of a template whose
	// output is not a valid DNS name.
	ErrInvalidHostname = errors.New("hostname: not a valid DNS name")
	// ErrLimit is wrapped by the execution error of a template that exceeded
	// one of the limits of rendering through text/template: [MaxOutput] bytes
	// of output or of any string a builtin returns, and a bound on the work
	// of the builtins that build strings (printf, print, println, html, js,
	// urlquery). No template that produces a valid hostname comes near them.
	ErrLimit = errors.New("hostname: template exceeds rendering limits")
)

// Stage says where turning a template into a hostname failed.
type Stage uint8

// The stages, in the order they run.
const (
	// StageParse is parsing the template text, including the checks that
	// every function it calls exists and that it uses nothing hostname
	// templates refuse ([ErrRefused]). An empty template fails here too, at
	// admission.
	StageParse Stage = iota + 1
	// StageExec is executing the template for a service: a missing label,
	// an unknown field, a failing builtin, or a safety limit ([ErrLimit]).
	StageExec
	// StageHostname is checking the rendered text: it must be an RFC 1123
	// subdomain of at most 253 bytes whose labels are at most 63 bytes.
	StageHostname
)

// String returns "parse", "exec", "hostname", or "Stage(N)".
func (s Stage) String() string {
	switch s {
	case StageParse:
		return "parse"
	case StageExec:
		return "exec"
	case StageHostname:
		return "hostname"
	}
	return "Stage(" + strconv.Itoa(int(s)) + ")"
}

// TemplateError is the error of a HostnameGenerator template (field
// [FieldTemplate]): it does not parse, fails to execute, or renders to a
// name that is not a valid hostname.
//
// [TemplateError.Message] is the text of the control plane this package
// follows, so that statuses and admission responses read as users know them:
// at admission ([Compile], [Generator.Validate]), "must not be empty",
// "couldn't parse template: ...", "couldn't render template with stub values:
// ..." and "template renders to %q which is not a valid DNS name: ..."; for a
// service ([Template.Render], [Generate]), "failed compiling gotemplate
// error=%q", "pre evaluation of template with parameters failed with
// error=%q" and "generated hostname %q is not a valid DNS name: ...".
type TemplateError struct {
	// Generator is the name of the generator the template belongs to, when
	// known.
	Generator string
	// Template is the template text.
	Template string
	// Stage is where it failed.
	Stage Stage
	// Admission is true when the template was checked with the admission stub
	// values rather than rendered for a service.
	Admission bool
	// Hostname is the rendered text, at [StageHostname].
	Hostname string
	// Violations are the reasons Hostname is invalid, at [StageHostname]:
	// the Kubernetes RFC 1123 subdomain messages, then one message per label
	// longer than 63 bytes.
	Violations []string
	// Err is the underlying error: the text/template parse or execution
	// error, a refusal wrapping [ErrRefused], [ErrEmptyTemplate], or
	// [ErrInvalidHostname].
	Err error
}

// Message returns the reference text of the error, without the package
// prefix and the field: what a status condition or an admission violation
// shows.
func (e *TemplateError) Message() string {
	switch e.Stage {
	case StageParse:
		if errors.Is(e.Err, ErrEmptyTemplate) {
			return "must not be empty"
		}
		if e.Admission {
			return "couldn't parse template: " + errText(e.Err)
		}
		return fmt.Sprintf("failed compiling gotemplate error=%q", errText(e.Err))
	case StageExec:
		if e.Admission {
			return "couldn't render template with stub values: " + errText(e.Err)
		}
		return fmt.Sprintf("pre evaluation of template with parameters failed with error=%q", errText(e.Err))
	case StageHostname:
		if e.Admission {
			return fmt.Sprintf("template renders to %q which is not a valid DNS name: %s", e.Hostname, strings.Join(e.Violations, ", "))
		}
		return fmt.Sprintf("generated hostname %q is not a valid DNS name: %s", e.Hostname, strings.Join(e.Violations, ", "))
	}
	return "template error: " + errText(e.Err)
}

// Error returns "hostname: [generator "name": ]spec.template: " and the
// [TemplateError.Message].
func (e *TemplateError) Error() string {
	return "hostname: " + generatorPrefix(e.Generator) + FieldTemplate + ": " + e.Message()
}

// Unwrap returns e.Err.
func (e *TemplateError) Unwrap() error { return e.Err }

// SelectorError is the error of a generator whose selector (field
// [FieldSelector]) does not name exactly one kind.
type SelectorError struct {
	// Generator is the name of the generator, when known.
	Generator string
	// Defined is how many of meshService, meshExternalService and
	// meshMultiZoneService the selector sets.
	Defined int
}

// Message returns the reference text: "exact one selector (meshService,
// meshExternalService) must be defined". The text names two of the three
// kinds; it is kept as users and tools know it.
func (e *SelectorError) Message() string {
	return "exact one selector (meshService, meshExternalService) must be defined"
}

// Error returns "hostname: [generator "name": ]spec.selector: " and the
// [SelectorError.Message].
func (e *SelectorError) Error() string {
	return "hostname: " + generatorPrefix(e.Generator) + FieldSelector + ": " + e.Message()
}

// LabelNotFoundError is the error of the template function label for a key
// the service does not have. Its text, "label <key> not found", is the
// reference text and appears inside text/template's execution error; it has
// no package prefix for that reason.
type LabelNotFoundError struct {
	// Key is the label key the template asked for.
	Key string
}

// Error returns "label <key> not found".
func (e *LabelNotFoundError) Error() string { return "label " + e.Key + " not found" }

func generatorPrefix(name string) string {
	if name == "" {
		return ""
	}
	return "generator " + strconv.Quote(name) + ": "
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
