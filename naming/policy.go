package naming

import (
	"strconv"
	"strings"
)

// Kind is the type name of a resource, as the control plane spells it:
// "Mesh", "MeshService", "Dataplane", ….
type Kind string

// The kinds whose names end up in DNS hostnames or proxy IDs, and which
// [DefaultPolicy] puts under the RFC 1035 label rule.
const (
	KindMesh                 Kind = "Mesh"
	KindZone                 Kind = "Zone"
	KindMeshService          Kind = "MeshService"
	KindMeshExternalService  Kind = "MeshExternalService"
	KindMeshMultiZoneService Kind = "MeshMultiZoneService"
)

// KindDataplane is the kind of data plane proxies. On Kubernetes their names
// are "pod.namespace", so they must stay RFC 1123 subdomains.
const KindDataplane Kind = "Dataplane"

// Op is the operation a name is validated for.
type Op uint8

// The operations. [EnforceOnCreate] treats them differently.
const (
	// Create is the creation of a resource.
	Create Op = iota + 1
	// Update is a change to an existing resource, whose name is fixed.
	Update
)

// String returns "create", "update", or "Op(N)" for an undefined value.
func (o Op) String() string {
	switch o {
	case Create:
		return "create"
	case Update:
		return "update"
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// BaseRule applies to the name of every resource, in every mode: Kubernetes
// object names are RFC 1123 subdomains, and the control plane keeps the same
// rule for all kinds. A name that breaks it is always rejected.
const BaseRule = DNS1123Subdomain

// Policy says which rule each kind's names must satisfy and what happens when
// they do not. Kinds missing from Rules, and kinds mapped to an undefined
// [Rule], get [BaseRule] only. A Policy is a value: Validate does not modify
// it, and it is safe for concurrent use as long as Rules is not written.
type Policy struct {
	// Mode is the phase of the strict rules.
	Mode Mode
	// Rules maps a kind to its rule. A nil map means the base rule only.
	Rules map[Kind]Rule
	// MaxLength maps a kind to the longest name it may have, in bytes,
	// checked in every mode ([Off] included) as an error. A kind missing from
	// it, or mapped to 0 or less, has no limit beyond its rules.
	MaxLength map[Kind]int
}

// MaxNameLength is the limit [DefaultPolicy] puts in [Policy.MaxLength] for
// MeshService and MeshExternalService names: their names are hostname labels,
// and the control plane this package follows rejected longer ones even while
// the other DNS rules only warned.
const MaxNameLength = 63

// DefaultPolicy returns the policy of the control plane this package follows,
// in the given mode: [DNS1035Label] for Mesh, Zone, MeshService,
// MeshExternalService and MeshMultiZoneService, whose names end up in
// hostnames and proxy IDs, and [BaseRule] for every other kind; and a
// [MaxNameLength] of 63 bytes for MeshService and MeshExternalService, which
// the reference enforced (`name: must not be longer than 63 characters`) in
// every release that only warned about the other rules (2.11–2.14). Each call
// returns new maps.
func DefaultPolicy(mode Mode) Policy {
	return Policy{
		Mode: mode,
		Rules: map[Kind]Rule{
			KindMesh:                 DNS1035Label,
			KindZone:                 DNS1035Label,
			KindMeshService:          DNS1035Label,
			KindMeshExternalService:  DNS1035Label,
			KindMeshMultiZoneService: DNS1035Label,
		},
		MaxLength: map[Kind]int{
			KindMeshService:         MaxNameLength,
			KindMeshExternalService: MaxNameLength,
		},
	}
}

// Rule returns the rule names of kind must satisfy under p: p.Rules[kind]
// when it is defined, else [BaseRule].
func (p Policy) Rule(kind Kind) Rule {
	if r, ok := p.Rules[kind]; ok && r.IsValid() {
		return r
	}
	return BaseRule
}

// Result is the outcome of [Policy.Validate].
type Result struct {
	// Warnings are the deprecation warnings for a name that breaks its
	// kind's rule in a mode that still accepts it. Return them to the user
	// (as API or admission warnings); they do not fail the request.
	Warnings []string
	// Err is nil when the name is accepted, else an [*ErrorList].
	Err error
}

// Allowed reports whether the name was accepted (possibly with warnings).
func (r Result) Allowed() bool { return r.Err == nil }

// Validate checks the name of a resource of the given kind for op.
//
//   - The base rule (a non-empty RFC 1123 subdomain of at most 253 bytes)
//     is checked in every mode; a violation is always an error, with the
//     detail "cannot be empty" for an empty name and otherwise the
//     Kubernetes messages joined by ", ".
//   - A name longer than the kind's [Policy.MaxLength] is an error on field
//     "name" with the detail "must not be longer than N characters", in
//     every mode, beside the deprecation warning when there is one. When the
//     kind's rule rejects the name in the same call and its own limit is no
//     larger, that error already says "must be no more than N characters"
//     and the length error is left out (3.0 answers with the rule's error
//     alone).
//   - When the kind's rule is stricter than the base rule and the name is not
//     empty, the rule's findings are ignored ([Off]), returned as the
//     deprecation warning ([Warn], and [EnforceOnCreate] on [Update]), or
//     returned as an error on field "name" whose detail is the messages
//     joined by ", " ([Enforce], and [EnforceOnCreate] on [Create]). An
//     undefined mode is treated as [Enforce] and an undefined op as [Create],
//     so a corrupt setting fails closed.
//
// The warning has the wording users already know:
//
//	Invalid Mesh resource name: 'aa.a'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: <messages joined by "; ">
//
// A name that breaks both rules gets both errors, so it can be fixed in one
// go. Validate does not allocate when the name is accepted without warnings.
func (p Policy) Validate(kind Kind, name string, op Op) Result {
	rule := p.Rule(kind)
	if rule.Allows(name) && !p.tooLong(kind, name) {
		return Result{} // the common case: no second scan, nothing to build
	}
	return p.validate(kind, name, op, rule)
}

// tooLong reports whether name is longer than kind's [Policy.MaxLength].
func (p Policy) tooLong(kind Kind, name string) bool {
	limit := p.MaxLength[kind]
	return limit > 0 && len(name) > limit
}

// validate is [Policy.Validate] for a name that breaks a rule or the length
// limit.
func (p Policy) validate(kind Kind, name string, op Op, rule Rule) Result {
	var errs []*FieldError
	if name == "" {
		errs = append(errs, &FieldError{Kind: kind, Field: "name", Value: name, Detail: "cannot be empty"})
	} else if !IsDNS1123Subdomain(name) {
		errs = append(errs, &FieldError{Kind: kind, Field: "name", Value: name,
			Detail: strings.Join(BaseRule.Check(name), ", ")})
	}

	var res Result
	strict := rule != BaseRule && name != "" && p.Mode != Off && !rule.Allows(name)
	rejected := strict && p.rejects(op)
	if limit := p.MaxLength[kind]; limit > 0 && len(name) > limit && !(rejected && rule.MaxLength() <= limit) {
		errs = append(errs, &FieldError{Kind: kind, Field: "name", Value: name, Detail: maxLengthDetail(limit)})
	}
	if strict {
		msgs := rule.Check(name)
		if rejected {
			errs = append(errs, &FieldError{Kind: kind, Field: "name", Value: name, Detail: strings.Join(msgs, ", ")})
		} else {
			res.Warnings = []string{deprecationWarning(kind, name, rule, msgs)}
		}
	}
	if errs != nil {
		res.Err = &ErrorList{Errors: errs}
	}
	return res
}

// rejects reports whether p.Mode turns a strict-rule finding for op into an
// error. p.Mode is not Off.
func (p Policy) rejects(op Op) bool {
	switch p.Mode {
	case Warn:
		return false
	case EnforceOnCreate:
		return op != Update
	}
	return true
}

// maxLengthDetail is the reference's length message
// (`must not be longer than 63 characters`), not apimachinery's.
func maxLengthDetail(limit int) string {
	return "must not be longer than " + strconv.Itoa(limit) + " characters"
}

func deprecationWarning(kind Kind, name string, rule Rule, msgs []string) string {
	rfc := "RFC 1123"
	if rule == DNS1035Label {
		rfc = "RFC 1035"
	}
	return "Invalid " + string(kind) + " resource name: '" + name + "'. It does not conform to the DNS format (" +
		rfc + "). This is deprecated. Errors: " + strings.Join(msgs, "; ")
}

// FieldError is one rejected field of a resource.
type FieldError struct {
	// Kind is the kind of the resource.
	Kind Kind
	// Field is the path of the field: "name".
	Field string
	// Value is the rejected value.
	Value string
	// Detail says what is wrong, in the Kubernetes wording.
	Detail string
}

// Error returns `naming: invalid <Kind> <Field> "<Value>": <Detail>`.
func (e *FieldError) Error() string { return "naming: " + e.text() }

func (e *FieldError) text() string {
	var b strings.Builder
	b.WriteString("invalid ")
	if e.Kind != "" {
		b.WriteString(string(e.Kind))
		b.WriteByte(' ')
	}
	b.WriteString(e.Field)
	b.WriteByte(' ')
	b.WriteString(strconv.Quote(e.Value))
	b.WriteString(": ")
	b.WriteString(e.Detail)
	return b.String()
}

// ErrorList is the error of a rejected name: one [*FieldError] per violated
// rule. [errors.As] finds the list and each of its field errors.
type ErrorList struct {
	Errors []*FieldError
}

// Error returns the field errors, "naming: " then each one without the
// prefix, joined by "; ".
func (l *ErrorList) Error() string {
	var b strings.Builder
	b.WriteString("naming: ")
	for i, e := range l.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		if e == nil {
			b.WriteString("<nil>")
			continue
		}
		b.WriteString(e.text())
	}
	return b.String()
}

// Unwrap returns the field errors, for [errors.As] and [errors.Is].
func (l *ErrorList) Unwrap() []error {
	errs := make([]error, 0, len(l.Errors))
	for _, e := range l.Errors {
		if e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// Details returns the Detail of each field error, in order.
func (l *ErrorList) Details() []string {
	out := make([]string, len(l.Errors))
	for i, e := range l.Errors {
		if e != nil {
			out[i] = e.Detail
		}
	}
	return out
}
