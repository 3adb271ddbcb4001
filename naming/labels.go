package naming

import "strings"

// The Kubernetes label messages (k8s.io/apimachinery/pkg/util/validation
// IsQualifiedName and IsValidLabelValue), verbatim.
const (
	qualifiedNameFmt    = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	qualifiedNameRegex  = qualifiedNameErrMsg + " (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" + qualifiedNameFmt + "')"

	// MsgLabelValueFormat is the pattern message of a label value.
	MsgLabelValueFormat = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character" +
		" (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(" + qualifiedNameFmt + ")?')"
	// MsgLabelKeyNameFormat is the pattern message of the name part of a
	// label key.
	MsgLabelKeyNameFormat = "name part " + qualifiedNameRegex
	// MsgLabelKeySlashes is the message of a label key with more than one '/'.
	MsgLabelKeySlashes = "a qualified name " + qualifiedNameRegex + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
)

// IsLabelValue reports whether s is a valid Kubernetes label value: empty, or
// at most 63 bytes of letters, digits, '-', '_' and '.', starting and ending
// with a letter or digit. It does not allocate.
func IsLabelValue(s string) bool {
	return len(s) <= MaxLabelLength && (s == "" || isQualifiedName(s))
}

// CheckLabelValue returns the reasons s is not a valid label value, with the
// text of apimachinery's IsValidLabelValue (length first, then pattern); nil
// when it is valid.
func CheckLabelValue(s string) []string {
	var msgs []string
	if len(s) > MaxLabelLength {
		msgs = append(msgs, MsgLabelTooLong)
	}
	if s != "" && !isQualifiedName(s) {
		msgs = append(msgs, MsgLabelValueFormat)
	}
	return msgs
}

// IsLabelKey reports whether s is a valid Kubernetes label key: a name part
// (as a label value, but not empty) with an optional RFC 1123 subdomain
// prefix and '/'. It does not allocate.
func IsLabelKey(s string) bool {
	prefix, name, ok := strings.Cut(s, "/")
	if !ok {
		name, prefix = s, ""
	} else if prefix == "" || !IsDNS1123Subdomain(prefix) || strings.IndexByte(name, '/') >= 0 {
		return false
	}
	return len(name) <= MaxLabelLength && isQualifiedName(name)
}

// CheckLabelKey returns the reasons s is not a valid label key, with the text
// of apimachinery's IsQualifiedName, in its order: the prefix's, then the name
// part's length and pattern; nil when it is valid.
func CheckLabelKey(s string) []string {
	var msgs []string
	prefix, name, ok := strings.Cut(s, "/")
	switch {
	case !ok:
		name = s
	case strings.IndexByte(name, '/') >= 0:
		return []string{MsgLabelKeySlashes}
	case prefix == "":
		msgs = append(msgs, "prefix part must be non-empty")
	default:
		for _, m := range DNS1123Subdomain.Check(prefix) {
			msgs = append(msgs, "prefix part "+m)
		}
	}
	switch {
	case name == "":
		msgs = append(msgs, "name part must be non-empty")
	case len(name) > MaxLabelLength:
		msgs = append(msgs, "name part "+MsgLabelTooLong)
	}
	if !isQualifiedName(name) {
		msgs = append(msgs, MsgLabelKeyNameFormat)
	}
	return msgs
}

// isQualifiedName matches ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], whatever
// the length: one "label" to [matchLabels], since '.' is a byte allowed
// inside it rather than a separator.
func isQualifiedName(s string) bool {
	return matchLabels(s, labelValueInside, labelValueEdge, len(s))
}
