package naming

import (
	"strconv"
	"strings"
)

// IsHostname reports whether s is a hostname DNS can resolve: an RFC 1123
// subdomain of at most 253 bytes ([IsDNS1123Subdomain]) whose labels are each
// at most 63 bytes. Kubernetes' subdomain rule does not limit the labels, so a
// name it accepts may still be unresolvable. It does not allocate.
func IsHostname(s string) bool {
	return len(s) <= MaxSubdomainLength && matchLabels(s, rfc1123Inside, rfc1123Edge, MaxLabelLength)
}

// CheckHostname returns the reasons s is not a hostname ([IsHostname]): the
// Kubernetes subdomain messages of [DNS1123Subdomain], then one message per
// label longer than 63 bytes, naming it by position and value
// (`label 2 ("…") must be no more than 63 characters`). It returns nil,
// without allocating, when s is a hostname.
func CheckHostname(s string) []string {
	if IsHostname(s) {
		return nil
	}
	msgs := DNS1123Subdomain.Check(s)
	for i, rest := 1, s; ; i++ {
		label, tail, more := strings.Cut(rest, ".")
		if len(label) > MaxLabelLength {
			msgs = append(msgs, "label "+strconv.Itoa(i)+" ("+strconv.Quote(label)+") "+MsgLabelTooLong)
		}
		if !more {
			return msgs
		}
		rest = tail
	}
}
