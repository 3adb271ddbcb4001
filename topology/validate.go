package topology

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits.
const (
	// MaxPort is the largest TCP port.
	MaxPort = 65535
	// MaxServerNameLength is the longest server name, in bytes (the SNI limit
	// Envoy enforces).
	MaxServerNameLength = 255
)

// Admission messages of the reference, quoted exactly.
const (
	msgPort          = "port must be a valid (1-65535)"
	msgProtocol      = `"protocol" must be one of ["tcp", "grpc", "http", "http2"]`
	msgMatchType     = `"type" must be one of ["HostnameGenerator"]`
	msgAddress       = "address has to be a valid IP or hostname"
	msgMinMax        = "min version must be lower than max"
	msgServerName    = "must be a valid DNS name"
	msgKeyWithCert   = "must be defined when clientCert is defined"
	msgCertWithKey   = "must be defined when clientKey is defined"
	msgNotEmpty      = "must not be empty"
	msgVersion       = `must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`
	msgMode          = `"mode" must be one of ["Secured", "SkipSAN", "SkipCA", "SkipAll"]`
	msgSANType       = `"type" must be one of ["Exact", "Prefix"]`
	msgEndpointsNone = "must not be empty (at least one endpoint, unless spec.extension is set)"
	msgNamePart      = "must be DNS labels (letters, digits, '-', '_', separated by dots): it is part of the egress SNI"
	msgLabelValue    = "must be a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit): it is part of the destination name"
	msgSNITooLong    = "makes an egress SNI longer than 255 bytes"
	msgSANValue      = "must be valid UTF-8 without control characters"
)

// Field paths of the labels that go into names.
const (
	fieldDisplayName = `labels["` + LabelDisplayName + `"]`
	fieldNamespace   = `labels["` + LabelNamespace + `"]`
	fieldZone        = `labels["` + LabelZone + `"]`
)

// validateNameParts checks what goes into the destination name, KRI and egress
// SNI: the display name and mesh are DNS labels (the SNI is a DNS name), the
// namespace and zone are label values, and the SNI fits in 255 bytes. Without
// this a name with a space, a control character or invalid UTF-8 would make a
// cluster that Envoy cannot route or that cannot even be serialized, breaking
// the whole xDS response instead of one service.
func validateNameParts(m *MeshExternalService, mesh string, errs []fieldError) []fieldError {
	display, displayField := m.Name, "name"
	if v := m.Labels[LabelDisplayName]; v != "" {
		display, displayField = v, fieldDisplayName
	}
	if display != "" && !isNamePart(display) {
		errs = append(errs, fieldError{displayField, &ValidationError{Value: display, Detail: msgNamePart}})
	}
	if mesh != "" && !isNamePart(mesh) {
		errs = append(errs, fieldError{"mesh", &ValidationError{Value: mesh, Detail: msgNamePart}})
	}
	if v := m.Labels[LabelNamespace]; v != "" && !isLabelValue(v) {
		errs = append(errs, fieldError{fieldNamespace, &ValidationError{Value: v, Detail: msgLabelValue}})
	}
	if v := m.Labels[LabelZone]; v != "" && !isLabelValue(v) {
		errs = append(errs, fieldError{fieldZone, &ValidationError{Value: v, Detail: msgLabelValue}})
	}
	// "a" + 16 hex + "." + display + "." + port + "." + mesh + ".mes"
	if n := 1 + 16 + 1 + len(display) + 1 + 5 + 1 + len(mesh) + 4; n > MaxServerNameLength && display != "" && mesh != "" {
		if sni := m.egressSNI(mesh); len(sni) > MaxServerNameLength {
			errs = append(errs, fieldError{displayField, &ValidationError{Value: display, Detail: msgSNITooLong}})
		}
	}
	return errs
}

// fieldError is one violation found while building a service.
type fieldError struct {
	field string
	err   error
}

// validate appends every violation of m's spec to errs. It allocates only
// when it finds one.
func validate(m *MeshExternalService, mesh string, errs []fieldError) []fieldError {
	if m.Name == "" {
		errs = append(errs, fieldError{"name", &ValidationError{Detail: msgNotEmpty}})
	}
	if mesh == "" {
		errs = append(errs, fieldError{"mesh", &ValidationError{Detail: msgNotEmpty}})
	}
	errs = validateNameParts(m, mesh, errs)
	spec := &m.Spec
	switch spec.Match.Type {
	case "", MatchHostnameGenerator:
	default:
		errs = append(errs, fieldError{"spec.match.type", &ValidationError{Value: spec.Match.Type, Detail: msgMatchType}})
	}
	if !validPort(spec.Match.Port) {
		errs = append(errs, fieldError{"spec.match.port", &ValidationError{Value: spec.Match.Port, Detail: msgPort}})
	}
	switch spec.Match.Protocol {
	case "", ProtocolTCP, ProtocolHTTP, ProtocolHTTP2, ProtocolGRPC:
	default:
		errs = append(errs, fieldError{"spec.match.protocol", &ValidationError{Value: spec.Match.Protocol, Detail: msgProtocol}})
	}
	if len(spec.Endpoints) == 0 && spec.Extension == nil {
		errs = append(errs, fieldError{"spec.endpoints", &ValidationError{Detail: msgEndpointsNone}})
	}
	for i := range spec.Endpoints {
		ep := &spec.Endpoints[i]
		if !validAddress(ep.Address) {
			errs = append(errs, fieldError{endpointField(i, "address"), &ValidationError{Value: ep.Address, Detail: msgAddress}})
		}
		if !validPort(ep.Port) {
			errs = append(errs, fieldError{endpointField(i, "port"), &ValidationError{Value: ep.Port, Detail: msgPort}})
		}
	}
	if spec.TLS != nil {
		errs = validateTLS(spec.TLS, errs)
	}
	return errs
}

// validateTLS checks spec.tls whether or not it is enabled, as admission does.
func validateTLS(t *TLS, errs []fieldError) []fieldError {
	if v := t.Version; v != nil {
		minOK, maxOK := tlsVersionRank(v.Min) >= 0, tlsVersionRank(v.Max) >= 0
		if !minOK {
			errs = append(errs, fieldError{"spec.tls.version.min", &ValidationError{Value: v.Min, Detail: `"min" ` + msgVersion}})
		}
		if !maxOK {
			errs = append(errs, fieldError{"spec.tls.version.max", &ValidationError{Value: v.Max, Detail: `"max" ` + msgVersion}})
		}
		if minOK && maxOK {
			lo, hi := tlsVersionRank(v.Min), tlsVersionRank(v.Max)
			if lo > 0 && hi > 0 && lo > hi {
				errs = append(errs, fieldError{"spec.tls.version.min", &ValidationError{Value: v.Min, Detail: msgMinMax}})
			}
		}
	}
	ver := t.Verification
	if ver == nil {
		return errs
	}
	switch ver.Mode {
	case "", ModeSecured, ModeSkipSAN, ModeSkipCA, ModeSkipAll:
	default:
		errs = append(errs, fieldError{"spec.tls.verification.mode", &ValidationError{Value: ver.Mode, Detail: msgMode}})
	}
	if ver.ServerName != "" && !validServerName(ver.ServerName) {
		errs = append(errs, fieldError{"spec.tls.verification.serverName", &ValidationError{Value: ver.ServerName, Detail: msgServerName}})
	}
	for i := range ver.SubjectAltNames {
		san := &ver.SubjectAltNames[i]
		switch san.Type {
		case SANExact, SANPrefix:
		default:
			errs = append(errs, fieldError{sanField(i, "type"), &ValidationError{Value: san.Type, Detail: msgSANType}})
		}
		if san.Value == "" {
			errs = append(errs, fieldError{sanField(i, "value"), &ValidationError{Detail: msgNotEmpty}})
		} else if !printable(san.Value) {
			errs = append(errs, fieldError{sanField(i, "value"), &ValidationError{Value: san.Value, Detail: msgSANValue}})
		}
	}
	hasCert, hasKey := !ver.ClientCert.IsZero(), !ver.ClientKey.IsZero()
	if hasCert && !hasKey {
		errs = append(errs, fieldError{"spec.tls.verification.clientKey", &ValidationError{Detail: msgKeyWithCert}})
	}
	if hasKey && !hasCert {
		errs = append(errs, fieldError{"spec.tls.verification.clientCert", &ValidationError{Detail: msgCertWithKey}})
	}
	return errs
}

func endpointField(i int, leaf string) string {
	return "spec.endpoints[" + strconv.Itoa(i) + "]." + leaf
}

func sanField(i int, leaf string) string {
	return "spec.tls.verification.subjectAltNames[" + strconv.Itoa(i) + "]." + leaf
}

func validPort(p uint32) bool { return p >= 1 && p <= MaxPort }

// tlsVersionRank orders TLS versions: 0 for auto (no bound), 1–4 for TLS 1.0–1.3,
// -1 for an unknown name.
func tlsVersionRank(v string) int {
	switch v {
	case "", TLSAuto:
		return 0
	case TLS10:
		return 1
	case TLS11:
		return 2
	case TLS12:
		return 3
	case TLS13:
		return 4
	}
	return -1
}

// validAddress accepts an IP literal without brackets or zone, or a DNS name.
// A zone egress cannot reach a unix socket, and Envoy rejects bracketed IPv6 in
// a socket address, so both are refused here rather than by an Envoy NACK.
func validAddress(s string) bool {
	if ip, ok := parseIP(s); ok {
		return ip.Zone() == ""
	}
	return isDNSName(s)
}

// isIP reports whether s is an IP literal.
func isIP(s string) bool {
	_, ok := parseIP(s)
	return ok
}

// parseIP parses an IP literal. It calls netip.ParseAddr only on strings that
// can be one (a colon, or only digits and dots), because its error allocates
// and most addresses are names.
func parseIP(s string) (netip.Addr, bool) {
	maybe := strings.IndexByte(s, ':') >= 0
	if !maybe {
		maybe = len(s) > 0
		for i := 0; i < len(s) && maybe; i++ {
			maybe = s[i] == '.' || s[i] >= '0' && s[i] <= '9'
		}
	}
	if !maybe {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(s)
	return ip, err == nil
}

// validServerName accepts a DNS name of at most [MaxServerNameLength] bytes,
// without a trailing dot (RFC 6066 §3).
func validServerName(s string) bool {
	return len(s) <= MaxServerNameLength && s[len(s)-1] != '.' && isDNSName(s)
}

// isDNSName accepts host names: dot-separated labels of 1–63 letters, digits,
// hyphens and underscores, not starting or ending with a hyphen, at most 255
// bytes, an optional trailing dot, and a last label that is not all digits (so
// that "256.1.1.1" is neither an IP nor a name).
func isDNSName(s string) bool {
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return dnsLabels(s, false)
}

// isNamePart accepts a display name or mesh: DNS labels as in isDNSName,
// without a trailing dot, all-digit labels allowed ("123" is a valid
// Kubernetes name).
func isNamePart(s string) bool { return dnsLabels(s, true) }

func dnsLabels(s string, numericLast bool) bool {
	if len(s) == 0 || len(s) > MaxServerNameLength {
		return false
	}
	start := 0
	allDigits := true
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
				allDigits = false
			case c == '-':
				allDigits = false
				if i == start {
					return false
				}
			default:
				return false
			}
			continue
		}
		// End of a label.
		n := i - start
		if n == 0 || n > 63 || s[i-1] == '-' {
			return false
		}
		if i == len(s) && allDigits && !numericLast {
			return false
		}
		start = i + 1
		allDigits = true
	}
	return true
}

// isLabelValue accepts a non-empty Kubernetes label value: at most 63 letters,
// digits, '-', '_' or '.', starting and ending with a letter or digit.
func isLabelValue(s string) bool {
	if len(s) == 0 || len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// printable reports whether s is valid UTF-8 without control characters (a
// protobuf string must be valid UTF-8, or the resource cannot be serialized).
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
