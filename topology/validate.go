package topology

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/meshcore/meshcore/internal/labels"
	"github.com/meshcore/meshcore/naming"
)

// Limits.
const (
	// MaxPort is the largest TCP port.
	MaxPort = 65535
	// MaxServerNameLength is the longest server name, in bytes (the SNI limit
	// Envoy enforces).
	MaxServerNameLength = naming.MaxDNSNameLength
	// MaxPriority is the largest endpoint priority (Envoy's limit, and the
	// reference's schema maximum).
	MaxPriority = 128
)

// Admission messages of the reference (Kuma v2.14.3 meshexternalservice
// validator; master 348b6528bc for the 3.0 data sources), quoted exactly.
const (
	msgPort        = "port must be a valid (1-65535)"
	msgProtocol    = `"protocol" must be one of ["tcp", "grpc", "http", "http2"]`
	msgAddress     = "address has to be a valid IP or hostname"
	msgMinMax      = "min version must be lower than max"
	msgVersionMin  = `"min" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`
	msgVersionMax  = `"max" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`
	msgServerName  = "must be a valid DNS name"
	msgMode        = `"mode" must be one of ["SkipSAN", "SkipCA", "SkipAll", "Secured"]`
	msgSANType     = `"type" must be one of ["Prefix", "Exact"]`
	msgKeyWithCert = "must be defined when clientCert is defined"
	msgCertWithKey = "must be defined when clientKey is defined"
	msgNotEmpty    = "must not be empty"
	msgDefined     = "must be defined"
	// The allowed values of a 3.0 data source's type and secretRef.kind, as
	// the reference lists them after "<value> must be one of: ".
	allSourceTypes   = "EnvVar, InsecureInline, File, Secret"
	adminSourceTypes = "Secret, InsecureInline"
)

// msgMatchType is the reference's message for an unknown spec.match.type.
func msgMatchType(t string) string {
	return "unrecognized type '" + t + "' - only '" + MatchHostnameGenerator + "' is supported"
}

// msgOneOf is the reference's `<value> must be one of: <allowed>`.
func msgOneOf(value, allowed string) string { return value + " must be one of: " + allowed }

// Messages of the checks meshcore adds to the reference's: what a zone egress
// cannot route or protobuf cannot serialize.
const (
	msgNamePart   = "must be DNS labels (letters, digits, '-', '_', separated by dots): it is part of the egress SNI"
	msgLabelValue = "must be a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit): it is part of the destination name"
	msgSANValue   = "must be valid UTF-8 without control characters"
	msgPriority   = "must be less than or equal to 128"
)

// Field paths of the labels that go into names.
const (
	fieldDisplayName = `labels["` + LabelDisplayName + `"]`
	fieldNamespace   = `labels["` + LabelNamespace + `"]`
	fieldZone        = `labels["` + LabelZone + `"]`
)

// fieldError is one violation found in a service.
type fieldError struct {
	field string
	err   error
}

func violation(field string, value any, detail string) fieldError {
	return fieldError{field, &ValidationError{Value: value, Detail: detail}}
}

// specOptions selects the variant of the spec rules.
type specOptions struct {
	// admission skips the endpoint and TLS rules of a service with an
	// extension (it validates them), as the reference's admission does. The
	// build checks them when the service has endpoints, because it builds
	// what they describe.
	admission bool
	// hostSources allows the File and EnvVar data sources. The reference's
	// admission rejects them; the build reads them through [EgressInput.Host].
	hostSources bool
}

// checkSpec appends the violations of the MeshExternalService spec rules, in
// the reference's order: match, endpoints, TLS (version, then verification:
// server name, mode, SAN types, client pair, data sources), extension. Both
// [Admit] and the build run it. It allocates only when it finds a violation.
func checkSpec(s *Spec, o specOptions, errs []fieldError) []fieldError {
	errs = checkMatch(&s.Match, errs)
	if s.Extension == nil || !o.admission && len(s.Endpoints) > 0 {
		errs = checkEndpoints(s.Endpoints, errs)
		if s.TLS != nil {
			errs = checkTLS(s.TLS, o, errs)
		}
	} else if s.TLS != nil && s.TLS.Verification != nil {
		// An extension validates the rest of the TLS settings, but never the
		// data sources, which the control plane reads itself.
		errs = checkDataSources(s.TLS.Verification, o, errs)
	}
	if s.Extension != nil && s.Extension.Type == "" {
		errs = append(errs, violation("spec.extension.type", nil, msgNotEmpty))
	}
	return errs
}

func checkMatch(m *Match, errs []fieldError) []fieldError {
	switch m.Type {
	case "", MatchHostnameGenerator:
	default:
		errs = append(errs, violation("spec.match.type", m.Type, msgMatchType(m.Type)))
	}
	if !validPort(m.Port) {
		errs = append(errs, violation("spec.match.port", m.Port, msgPort))
	}
	switch m.Protocol {
	case "", ProtocolTCP, ProtocolHTTP, ProtocolHTTP2, ProtocolGRPC:
	default:
		errs = append(errs, violation("spec.match.protocol", m.Protocol, msgProtocol))
	}
	return errs
}

// checkEndpoints checks each endpoint's address and, when the address is
// valid, its port (the reference checks the port of a valid address only).
func checkEndpoints(eps []ExternalEndpoint, errs []fieldError) []fieldError {
	for i := range eps {
		ep := &eps[i]
		switch {
		case !validAddress(ep.Address):
			errs = append(errs, violation(endpointField(i, "address"), ep.Address, msgAddress))
		case !validPort(ep.Port):
			errs = append(errs, violation(endpointField(i, "port"), ep.Port, msgPort))
		}
		if ep.Priority > MaxPriority {
			errs = append(errs, violation(endpointField(i, "priority"), ep.Priority, msgPriority))
		}
	}
	return errs
}

// checkTLS checks spec.tls whether or not it is enabled, as admission does.
func checkTLS(t *TLS, o specOptions, errs []fieldError) []fieldError {
	if v := t.Version; v != nil {
		lo, hi := tlsVersionRank(v.Min), tlsVersionRank(v.Max)
		if lo < 0 {
			errs = append(errs, violation("spec.tls.version.min", v.Min, msgVersionMin))
		}
		if hi < 0 {
			errs = append(errs, violation("spec.tls.version.max", v.Max, msgVersionMax))
		}
		if lo > 0 && hi > 0 && lo > hi {
			errs = append(errs, violation("spec.tls.version.min", v.Min, msgMinMax))
		}
	}
	ver := t.Verification
	if ver == nil {
		return errs
	}
	if ver.ServerName != "" && !naming.IsServerName(ver.ServerName) {
		errs = append(errs, violation("spec.tls.verification.serverName", ver.ServerName, msgServerName))
	}
	switch ver.Mode {
	case "", ModeSecured, ModeSkipSAN, ModeSkipCA, ModeSkipAll:
	default:
		errs = append(errs, violation("spec.tls.verification.mode", ver.Mode, msgMode))
	}
	for i := range ver.SubjectAltNames {
		switch t := ver.SubjectAltNames[i].Type; t {
		case "", SANExact, SANPrefix:
		default:
			errs = append(errs, violation(sanField(i, "type"), t, msgSANType))
		}
	}
	hasCert, hasKey := !ver.ClientCert.IsZero(), !ver.ClientKey.IsZero()
	if hasCert && !hasKey {
		errs = append(errs, violation("spec.tls.verification.clientKey", nil, msgKeyWithCert))
	}
	if hasKey && !hasCert {
		errs = append(errs, violation("spec.tls.verification.clientCert", nil, msgCertWithKey))
	}
	return checkDataSources(ver, o, errs)
}

func checkDataSources(ver *Verification, o specOptions, errs []fieldError) []fieldError {
	errs = checkDataSource("spec.tls.verification."+materialCA, ver.CaCert, o, errs)
	errs = checkDataSource("spec.tls.verification."+materialCert, ver.ClientCert, o, errs)
	return checkDataSource("spec.tls.verification."+materialKey, ver.ClientKey, o, errs)
}

// checkDataSource checks the shape of a 3.0 data source as the reference
// does (master 348b6528bc): the field its type names is set, a File path is
// absolute without "..", and, at admission, the type is one a
// MeshExternalService may use. A 2.x data source (no type) has nothing to
// check, unless it carries 3.0 fields without a type.
func checkDataSource(field string, d *DataSource, o specOptions, errs []fieldError) []fieldError {
	if d == nil {
		return errs
	}
	switch d.Type {
	case "":
		if d.SecretRef != nil || d.InsecureInline != nil || d.File != nil || d.EnvVar != nil {
			errs = append(errs, violation(field+".type", d.Type, msgOneOf(d.Type, allSourceTypes)))
		}
	case DataSourceFile, DataSourceEnvVar:
		if !o.hostSources {
			return append(errs, violation(field+".type", d.Type, msgOneOf(d.Type, adminSourceTypes)))
		}
		if d.Type == DataSourceEnvVar {
			switch {
			case d.EnvVar == nil:
				errs = append(errs, violation(field+".envVar", nil, msgDefined))
			case d.EnvVar.Name == "":
				errs = append(errs, violation(field+".envVar.name", nil, msgDefined))
			}
			return errs
		}
		switch {
		case d.File == nil:
			errs = append(errs, violation(field+".file", nil, msgDefined))
		case d.File.Path == "":
			errs = append(errs, violation(field+".file.path", nil, msgDefined))
		default:
			if msg := checkFilePath(d.File.Path); msg != "" {
				errs = append(errs, violation(field+".file.path", nil, msg))
			}
		}
	case DataSourceInsecureInline:
		switch {
		case d.InsecureInline == nil:
			errs = append(errs, violation(field+".insecureInline", nil, msgDefined))
		case d.InsecureInline.Value == "":
			errs = append(errs, violation(field+".insecureInline.value", nil, msgDefined))
		}
	case DataSourceSecret:
		if d.SecretRef == nil {
			return append(errs, violation(field+".secretRef", nil, msgDefined))
		}
		if k := d.SecretRef.Kind; k != SecretRefKind {
			errs = append(errs, violation(field+".secretRef.kind", k, msgOneOf(k, SecretRefKind)))
		}
		if d.SecretRef.Name == "" {
			errs = append(errs, violation(field+".secretRef.name", nil, msgDefined))
		}
	default:
		errs = append(errs, violation(field+".type", d.Type, msgOneOf(d.Type, allSourceTypes)))
	}
	return errs
}

// checkBuildable appends what the build needs beyond the spec rules: a name
// and a mesh, names that make a routable cluster and SNI, and SAN values
// protobuf can carry. Without these a name with a space, a control character
// or invalid UTF-8 would make a cluster that Envoy cannot route or that
// cannot even be serialized, breaking the whole xDS response instead of one
// service.
func checkBuildable(m *MeshExternalService, mesh string, errs []fieldError) []fieldError {
	if m.Name == "" {
		errs = append(errs, violation("name", nil, msgNotEmpty))
	}
	errs = checkMesh(mesh, errs)
	display, displayField := m.Name, "name"
	if v, ok := labels.DisplayNameLabel(m.Labels); ok {
		display, displayField = v, fieldDisplayName
	}
	if display != "" && !naming.IsDNSNamePart(display) {
		errs = append(errs, violation(displayField, display, msgNamePart))
	}
	if mesh != "" && !naming.IsDNSNamePart(mesh) {
		errs = append(errs, violation("mesh", mesh, msgNamePart))
	}
	if v := m.Namespace(); v != "" && !naming.IsLabelValue(v) {
		errs = append(errs, violation(fieldNamespace, v, msgLabelValue))
	}
	if v := m.Zone(); v != "" && !naming.IsLabelValue(v) {
		errs = append(errs, violation(fieldZone, v, msgLabelValue))
	}
	return errs
}

// checkSANValues appends the SAN values that cannot go into an Envoy
// matcher: empty, invalid UTF-8 or with control characters.
func checkSANValues(t *TLS, errs []fieldError) []fieldError {
	if t == nil || t.Verification == nil {
		return errs
	}
	for i := range t.Verification.SubjectAltNames {
		switch v := t.Verification.SubjectAltNames[i].Value; {
		case v == "":
			errs = append(errs, violation(sanField(i, "value"), nil, msgNotEmpty))
		case !printable(v):
			errs = append(errs, violation(sanField(i, "value"), v, msgSANValue))
		}
	}
	return errs
}

func checkMesh(mesh string, errs []fieldError) []fieldError {
	if mesh == "" {
		errs = append(errs, violation("mesh", nil, msgNotEmpty))
	}
	return errs
}

// validate appends every violation of m that keeps it from being built: the
// spec rules, then what the build needs beyond them. It allocates only when
// it finds one.
func validate(m *MeshExternalService, mesh string, errs []fieldError) []fieldError {
	errs = checkBuildable(m, mesh, errs)
	errs = checkSpec(&m.Spec, specOptions{hostSources: true}, errs)
	return checkSANValues(m.Spec.TLS, errs)
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

// validAddress accepts an IP literal without brackets or zone, or a DNS name
// ([naming.IsDNSName]). A zone egress cannot reach a unix socket, and Envoy
// rejects bracketed IPv6 in a socket address, so both are refused here
// rather than by an Envoy NACK.
func validAddress(s string) bool {
	if ip, ok := parseIP(s); ok {
		return ip.Zone() == ""
	}
	return naming.IsDNSName(s)
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
