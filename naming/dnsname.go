package naming

import "strings"

// MaxDNSNameLength is the longest name [IsDNSName] and [IsServerName]
// accept, in bytes, without a trailing dot: the 255 of RFC 1035 §2.3.4,
// which Envoy also applies to a TLS server name.
const MaxDNSNameLength = 255

// IsDNSName reports whether s is a DNS host name as resolvers take it, such
// as the address of an external endpoint: labels of 1 to 63 letters (of
// either case), digits, '-' and '_', joined by '.', none starting or ending
// with '-'; at most 255 bytes, and an optional trailing '.' (a fully
// qualified name). The last label is not all digits, so that "256.1.1.1",
// which is no IP address, is no name either. It does not allocate.
//
// It is looser than [IsHostname], which is what a Kubernetes name must be.
func IsDNSName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if len(s) > MaxDNSNameLength || !matchLabels(s, dnsInside, dnsEdge, MaxLabelLength) {
		return false
	}
	last := s[strings.LastIndexByte(s, '.')+1:]
	return !allDigits(last)
}

// IsServerName reports whether s may be sent as a TLS server name (SNI,
// RFC 6066 §3): a DNS name ([IsDNSName]) without the trailing dot. It does
// not allocate.
func IsServerName(s string) bool {
	return !strings.HasSuffix(s, ".") && IsDNSName(s)
}

// IsDNSNamePart reports whether s can stand inside a longer DNS name as one
// or more of its labels, such as a mesh or service name that is part of an
// SNI: non-empty labels of letters, digits, '-' and '_' joined by '.', none
// starting or ending with '-'. It limits neither the labels nor the whole
// (the name that holds s cuts it to fit), and allows all-digit labels ("123"
// is a valid Kubernetes name). It does not allocate.
func IsDNSNamePart(s string) bool {
	return matchLabels(s, dnsInside, dnsEdge, len(s))
}

// allDigits reports whether s, non-empty, is made of digits only.
func allDigits(s string) bool {
	acc := byte(digit)
	for i := 0; i < len(s); i++ {
		acc &= byteClass[s[i]]
	}
	return acc != 0
}
