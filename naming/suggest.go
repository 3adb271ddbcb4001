package naming

import (
	"slices"
	"strings"
)

// hashLen is the number of hex digits of the hash suffix.
const hashLen = 8

// Suggest returns a name close to name that satisfies rule (an undefined rule
// means [BaseRule]). A valid name is returned unchanged; otherwise:
//
//  1. ASCII upper case becomes lower case.
//  2. Every maximal run of bytes outside [a-z0-9] that contains a byte the
//     rule does not allow (anything but '-', and '.' for [DNS1123Subdomain])
//     becomes one '-'; runs of '-' alone are kept. For [DNS1123Subdomain] this
//     is done per dot-separated label, and empty labels are dropped.
//  3. Leading and trailing '-' are trimmed (per label for subdomains).
//  4. For [DNS1035Label], a name starting with a digit gets the prefix "x-".
//  5. A hash suffix "-" + 8 lower-case hex digits of the 32-bit FNV-1a hash
//     of the whole input is added in exactly two cases: when nothing is left
//     after trimming (the result is "x-" + hash), and when the result is longer
//     than the rule's maximum (it is cut to leave room for the suffix,
//     trailing '-' and '.' are trimmed, and the suffix is appended). Distinct
//     inputs in these cases get distinct suggestions unless their hashes
//     collide.
//
// Suggest is deterministic, its result always satisfies rule, and it is
// idempotent: Suggest(rule, Suggest(rule, s)) == Suggest(rule, s). Two
// different short inputs may get the same suggestion ("Mesh" and "mesh_"
// both give "mesh"), and a suggestion may equal a name that already
// exists; [Audit], which sees all the names, resolves both with the hash
// suffix.
func Suggest(rule Rule, name string) string {
	if !rule.IsValid() {
		rule = BaseRule
	}
	if rule.Allows(name) {
		return name
	}
	return suggest(rule, name, false, 0)
}

// suggest builds the suggestion for an invalid name. With unique set, the
// hash suffix is always added, and salt (when not 0) is mixed into the hash
// so that [Audit] can step past the rare collision of two hashes.
func suggest(rule Rule, name string, unique bool, salt uint32) string {
	b := make([]byte, 0, len(name)+2+1+hashLen)
	if rule == DNS1123Subdomain {
		for label := range strings.SplitSeq(name, ".") {
			n := len(b)
			if n > 0 {
				b = append(b, '.')
			}
			if b = appendCleanLabel(b, label); len(b) == n+1 && n > 0 {
				b = b[:n] // empty label: drop the dot
			}
		}
	} else {
		b = appendCleanLabel(b, name)
	}
	if len(b) == 0 {
		return "x-" + string(appendHash(nil, name, salt))
	}
	if rule == DNS1035Label && !inClass(b[0], lowerLetter) {
		b = slices.Insert(b, 0, 'x', '-')
	}
	limit := rule.MaxLength()
	if !unique && len(b) <= limit {
		return string(b)
	}
	if len(b) > limit-1-hashLen {
		b = b[:limit-1-hashLen]
	}
	for b[len(b)-1] == '-' || b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	b = append(b, '-')
	return string(appendHash(b, name, salt))
}

// appendCleanLabel appends s cleaned as one label: lower-cased, runs of
// disallowed bytes to '-', and trimmed of '-' at both ends. A '.' in s is a
// disallowed byte; for subdomains the caller has split on the dots.
func appendCleanLabel(b []byte, s string) []byte {
	start := len(b)
	for i := 0; i < len(s); {
		c := lower(s[i])
		if inClass(c, rfc1123Edge) {
			b = append(b, c)
			i++
			continue
		}
		// A run of non-alphanumeric bytes: kept if all '-', else one '-'.
		j, bad := i, false
		for ; j < len(s) && !inClass(lower(s[j]), rfc1123Edge); j++ {
			bad = bad || s[j] != '-'
		}
		if bad {
			b = append(b, '-')
		} else {
			b = append(b, s[i:j]...)
		}
		i = j
	}
	// Trim '-' at both ends of what was appended.
	lab := b[start:]
	lo, hi := 0, len(lab)
	for lo < hi && lab[lo] == '-' {
		lo++
	}
	for hi > lo && lab[hi-1] == '-' {
		hi--
	}
	n := copy(lab, lab[lo:hi])
	return b[:start+n]
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// appendHash appends the 8 hex digits of the FNV-1a 32-bit hash of s,
// followed by the bytes of salt when salt is not 0.
func appendHash(b []byte, s string, salt uint32) []byte {
	const (
		offset = 2166136261
		prime  = 16777619
		digits = "0123456789abcdef"
	)
	h := uint32(offset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * prime
	}
	for ; salt != 0; salt >>= 8 {
		h = (h ^ (salt & 0xff)) * prime
	}
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, digits[h>>uint(shift)&0xf])
	}
	return b
}
