package naming

import "strconv"

// Length limits, in bytes, as in RFC 1035 §2.3.4 and RFC 1123 §2.1 (and the
// Kubernetes constants of the same meaning).
const (
	// MaxLabelLength is the maximum length of a DNS label (RFC 1035 and
	// RFC 1123 alike).
	MaxLabelLength = 63
	// MaxSubdomainLength is the maximum length of an RFC 1123 subdomain.
	MaxSubdomainLength = 253
)

// The pattern fragments and human explanations Kubernetes puts in its
// messages. They are part of the message text, so they are kept verbatim.
const (
	dns1035LabelFmt      = "[a-z]([-a-z0-9]*[a-z0-9])?"
	dns1123LabelFmt      = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
	dns1123SubdomainFmt  = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
	dns1035LabelErrMsg   = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
	dns1123LabelErrMsg   = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
	dns1123SubdomainMsg  = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
	mustNotContainDotMsg = "must not contain dots"
)

// The complete messages, built once at compile time. The examples and the
// double space after "'my-name'," come from Kubernetes' RegexError, which
// appends "', " after every example and " or " between them.
const (
	// MsgDNS1035LabelFormat is the pattern message of [DNS1035Label].
	MsgDNS1035LabelFormat = dns1035LabelErrMsg + " (e.g. 'my-name',  or 'abc-123', regex used for validation is '" + dns1035LabelFmt + "')"
	// MsgDNS1123LabelFormat is the pattern message of [DNS1123Label].
	MsgDNS1123LabelFormat = dns1123LabelErrMsg + " (e.g. 'my-name',  or '123-abc', regex used for validation is '" + dns1123LabelFmt + "')"
	// MsgDNS1123SubdomainFormat is the pattern message of [DNS1123Subdomain].
	MsgDNS1123SubdomainFormat = dns1123SubdomainMsg + " (e.g. 'example.com', regex used for validation is '" + dns1123SubdomainFmt + "')"
	// MsgNoDots is the message [DNS1123Label] gives for a value that would be
	// a valid RFC 1123 subdomain.
	MsgNoDots = mustNotContainDotMsg
	// MsgLabelTooLong is the length message of the label rules.
	MsgLabelTooLong = "must be no more than 63 characters"
	// MsgSubdomainTooLong is the length message of [DNS1123Subdomain].
	MsgSubdomainTooLong = "must be no more than 253 characters"
)

// Rule is one of the DNS naming rules. The zero value is not a valid rule;
// [Rule.Check] reports every name as invalid under it.
type Rule uint8

// The rules, as Kubernetes defines them.
const (
	// DNS1035Label is an RFC 1035 label: [a-z]([-a-z0-9]*[a-z0-9])?, at most
	// 63 bytes. It starts with a letter.
	DNS1035Label Rule = iota + 1
	// DNS1123Label is an RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at
	// most 63 bytes. It may start with a digit.
	DNS1123Label
	// DNS1123Subdomain is one or more RFC 1123 labels joined by '.', at most
	// 253 bytes in total. Kubernetes does not limit the labels inside a
	// subdomain to 63 bytes, and neither does this rule.
	DNS1123Subdomain
)

// IsValid reports whether r is one of the defined rules.
func (r Rule) IsValid() bool { return r >= DNS1035Label && r <= DNS1123Subdomain }

// String returns the rule's name: "DNS1035Label", "DNS1123Label",
// "DNS1123Subdomain", or "Rule(N)" for an undefined value.
func (r Rule) String() string {
	switch r {
	case DNS1035Label:
		return "DNS1035Label"
	case DNS1123Label:
		return "DNS1123Label"
	case DNS1123Subdomain:
		return "DNS1123Subdomain"
	}
	return "Rule(" + strconv.Itoa(int(r)) + ")"
}

// Allows reports whether s satisfies r. It does not allocate. An undefined
// rule allows nothing.
func (r Rule) Allows(s string) bool {
	switch r {
	case DNS1035Label:
		return IsDNS1035Label(s)
	case DNS1123Label:
		return IsDNS1123Label(s)
	case DNS1123Subdomain:
		return IsDNS1123Subdomain(s)
	}
	return false
}

// MaxLength returns the maximum length in bytes of a name under r, or 0 for an
// undefined rule.
func (r Rule) MaxLength() int {
	switch r {
	case DNS1035Label, DNS1123Label:
		return MaxLabelLength
	case DNS1123Subdomain:
		return MaxSubdomainLength
	}
	return 0
}

// Check returns the reasons s violates r, with the exact text of
// k8s.io/apimachinery/pkg/util/validation: the length message first, then the
// pattern message, both when both apply. It returns nil, without
// allocating, when s is valid. For an undefined rule it returns a single
// message naming the rule.
func (r Rule) Check(s string) []string {
	var tooLong bool
	var format string
	switch r {
	case DNS1035Label:
		tooLong = len(s) > MaxLabelLength
		if !matchDNS1035Label(s) {
			format = MsgDNS1035LabelFormat
		}
	case DNS1123Label:
		tooLong = len(s) > MaxLabelLength
		if !matchDNS1123Label(s) {
			// Kubernetes explains a label that would be a valid subdomain
			// by its dots; the length was reported already.
			if matchDNS1123Subdomain(s) {
				format = MsgNoDots
			} else {
				format = MsgDNS1123LabelFormat
			}
		}
	case DNS1123Subdomain:
		tooLong = len(s) > MaxSubdomainLength
		if !matchDNS1123Subdomain(s) {
			format = MsgDNS1123SubdomainFormat
		}
	default:
		return []string{"naming: undefined " + r.String()}
	}
	switch {
	case tooLong && format != "":
		return []string{lengthMessage(r), format}
	case tooLong:
		return []string{lengthMessage(r)}
	case format != "":
		return []string{format}
	}
	return nil
}

func lengthMessage(r Rule) string {
	if r == DNS1123Subdomain {
		return MsgSubdomainTooLong
	}
	return MsgLabelTooLong
}

// IsDNS1035Label reports whether s is an RFC 1035 label: a lower-case letter,
// then lower-case letters, digits or '-', ending with a letter or digit, at
// most 63 bytes. It does not allocate.
func IsDNS1035Label(s string) bool {
	return len(s) <= MaxLabelLength && matchDNS1035Label(s)
}

// IsDNS1123Label reports whether s is an RFC 1123 label: lower-case letters,
// digits or '-', starting and ending with a letter or digit, at most 63
// bytes. It does not allocate.
func IsDNS1123Label(s string) bool {
	return len(s) <= MaxLabelLength && matchDNS1123Label(s)
}

// IsDNS1123Subdomain reports whether s is an RFC 1123 subdomain: RFC 1123
// labels joined by '.', at most 253 bytes. It does not allocate.
func IsDNS1123Subdomain(s string) bool {
	return len(s) <= MaxSubdomainLength && matchDNS1123Subdomain(s)
}

// The match functions check the pattern only, whatever the length, as the
// Kubernetes regular expressions do. Go's regexp "$" (without the m flag)
// matches only at the end of the text, so a trailing "\n" is invalid.

func matchDNS1035Label(s string) bool {
	return len(s) > 0 && byteClass[s[0]]&lowerLetter != 0 && matchLabelTail(s)
}

func matchDNS1123Label(s string) bool {
	return len(s) > 0 && byteClass[s[0]]&rfc1123Edge != 0 && matchLabelTail(s)
}

// The label matchers read byteClass directly rather than through inClass:
// that keeps IsDNS1035Label and IsDNS1123Label within the compiler's inlining
// budget, which is a third of their cost on the short names they see.

// matchLabelTail checks s[1:] for [-a-z0-9]* and the last byte for [a-z0-9].
// The caller has checked s[0]. Labels are short (a few bytes for the names
// rendered into hostnames), where one branch-free pass that ANDs the byte
// classes beats stopping at the first bad byte.
func matchLabelTail(s string) bool {
	acc := byte(rfc1123Inside)
	for i := 1; i < len(s); i++ {
		acc &= byteClass[s[i]]
	}
	return acc&rfc1123Inside != 0 && byteClass[s[len(s)-1]]&rfc1123Edge != 0
}

func matchDNS1123Subdomain(s string) bool {
	return matchLabels(s, rfc1123Inside, rfc1123Edge, len(s))
}

// matchLabels is the one scanner of dotted names: it reports whether s is
// one or more labels joined by '.', each of 1 to maxLabel bytes, whose bytes
// all have the class bit inside and whose first and last bytes have the bit
// edge. It does not limit len(s).
func matchLabels(s string, inside, edge byte, maxLabel int) bool {
	for start := 0; start < len(s); {
		if !inClass(s[start], edge) {
			return false
		}
		end := skipLabelBytes(s, start+1, inside)
		if end-start > maxLabel || !inClass(s[end-1], edge) {
			return false
		}
		if end == len(s) {
			return true
		}
		if s[end] != '.' {
			return false
		}
		start = end + 1
	}
	return false // empty, or ends with '.'
}

// skipLabelBytes returns the index of the first byte of s at or after i
// that lacks the class bit inside, or len(s). It tests 8 bytes per step
// while it can: the AND of their classes has the bit only if all of them
// have it.
func skipLabelBytes(s string, i int, inside byte) int {
	for i+8 <= len(s) {
		t := s[i : i+8]
		if byteClass[t[0]]&byteClass[t[1]]&byteClass[t[2]]&byteClass[t[3]]&
			byteClass[t[4]]&byteClass[t[5]]&byteClass[t[6]]&byteClass[t[7]]&inside == 0 {
			break
		}
		i += 8
	}
	for i < len(s) && inClass(s[i], inside) {
		i++
	}
	return i
}

// Byte classes: one bit per set of bytes a rule allows in some position, so
// that the AND of the classes of several bytes has a bit only when all of
// them are in its set.
const (
	rfc1123Inside    = 1 << iota // [-a-z0-9]: inside a label of a Kubernetes name
	rfc1123Edge                  // [a-z0-9]: at the ends of one
	dnsInside                    // [-A-Za-z0-9_]: inside a label of a DNS name
	dnsEdge                      // [A-Za-z0-9_]: at the ends of one
	labelValueInside             // [-A-Za-z0-9_.]: inside a label value
	labelValueEdge               // [A-Za-z0-9]: at the ends of one
	digit                        // [0-9]
	lowerLetter                  // [a-z]
)

// byteClass maps a byte to its class bits. It is a string constant, so it
// is immutable and needs no initialization.
const byteClass = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x00
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x10
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x15\x10\x00" + // 0x20: '-' '.'
	"\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x00\x00\x00\x00\x00\x00" + // 0x30: digits
	"\x00\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c" + // 0x40: 'A'-'O'
	"\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x00\x00\x00\x00\x1c" + // 0x50: 'P'-'Z' '_'
	"\x00\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf" + // 0x60: 'a'-'o'
	"\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\xbf\x00\x00\x00\x00\x00" + // 0x70: 'p'-'z'
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x80
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x90
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xa0
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xb0
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xc0
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xd0
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xe0
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" // 0xf0

// inClass reports whether c has one of the class bits of class.
func inClass(c, class byte) bool { return byteClass[c]&class != 0 }
