package naming

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	k8s "k8s.io/apimachinery/pkg/util/validation"
)

// Oracles of the DNS name predicates: the rules written as regular
// expressions and string splits, slow and obviously right.
var (
	dnsLabelRE    = `[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?`
	dnsNameRE     = regexp.MustCompile(`^(` + dnsLabelRE + `\.)*` + dnsLabelRE + `\.?$`)
	dnsNamePartRE = regexp.MustCompile(`^[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?)*$`)
	allDigitsRE   = regexp.MustCompile(`^[0-9]+$`)
)

func oracleDNSName(s string) bool {
	if !dnsNameRE.MatchString(s) || len(strings.TrimSuffix(s, ".")) > MaxDNSNameLength {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	return !allDigitsRE.MatchString(labels[len(labels)-1])
}

func oracleServerName(s string) bool { return !strings.HasSuffix(s, ".") && oracleDNSName(s) }

func oracleDNSNamePart(s string) bool { return dnsNamePartRE.MatchString(s) }

func oracleHostname(s string) bool {
	if len(k8s.IsDNS1123Subdomain(s)) > 0 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) > MaxLabelLength {
			return false
		}
	}
	return true
}

// checkDNSNameOracles compares every DNS name predicate with its oracle.
func checkDNSNameOracles(t *testing.T, s string) {
	t.Helper()
	for _, o := range []struct {
		name     string
		is, want func(string) bool
	}{
		{"IsDNSName", IsDNSName, oracleDNSName},
		{"IsServerName", IsServerName, oracleServerName},
		{"IsDNSNamePart", IsDNSNamePart, oracleDNSNamePart},
		{"IsHostname", IsHostname, oracleHostname},
	} {
		if got, want := o.is(s), o.want(s); got != want {
			t.Fatalf("%s(%q) = %v, the oracle says %v", o.name, s, got, want)
		}
	}
}

func TestDNSNames(t *testing.T) {
	label63, label64 := strings.Repeat("a", 63), strings.Repeat("a", 64)
	tests := []struct {
		in                        string
		dnsName, server, namePart bool
	}{
		{"example.com", true, true, true},
		{"api.example.com", true, true, true},
		{"10.0.0.1", false, false, true}, // an IP address is no name
		{"EXAMPLE.com", true, true, true},
		{"_srv._tcp.example.com", true, true, true},
		{"localhost", true, true, true},
		{"a-b.c", true, true, true},
		{"example.com.", true, false, false}, // fully qualified: a name, not an SNI
		{label63 + ".com", true, true, true},
		{strings.Repeat("a.", 127) + "a", true, true, true},    // 255 bytes
		{strings.Repeat("a.", 127) + "a.", true, false, false}, // 255 bytes and the dot
		{strings.Repeat("a.", 127) + "aa", false, false, true}, // 256 bytes
		{label64 + ".com", false, false, true},                 // a part may be long: it is cut to fit
		{"123", false, false, true},                            // an all-digit name is a valid part
		{"1.2.3", false, false, true},
		{"256.1.1.1", false, false, true},
		{"a.123", false, false, true},
		{"123.a", true, true, true},
		{"", false, false, false},
		{".", false, false, false},
		{"..", false, false, false},
		{".a.com", false, false, false},
		{"a..com", false, false, false},
		{"-a.com", false, false, false},
		{"a-.com", false, false, false},
		{"a.-b", false, false, false},
		{"a b.com", false, false, false},
		{"*.example.com", false, false, false},
		{"exa\xffmple.com", false, false, false},
		{"unix:///tmp/x.sock", false, false, false},
		{"[2001:db8::1]", false, false, false},
		{"1.1.1.1:80", false, false, false},
		{"http://example.com", false, false, false},
		{"example.com\n", false, false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.dnsName, IsDNSName(tt.in), "IsDNSName(%q)", tt.in)
		assert.Equal(t, tt.server, IsServerName(tt.in), "IsServerName(%q)", tt.in)
		assert.Equal(t, tt.namePart, IsDNSNamePart(tt.in), "IsDNSNamePart(%q)", tt.in)
		checkDNSNameOracles(t, tt.in)
	}
}

func TestDNSNamesNoAllocs(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		_ = IsDNSName("httpbin.example.com.")
		_ = IsServerName("httpbin.example.com")
		_ = IsDNSNamePart("payments.svc_1")
	})
	assert.Zero(t, n)
}
