package topology

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAddressRules(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"1.1.1.1", true},
		{"2001:db8::1", true},
		{"::ffff:10.0.0.1", true},
		{"example.com", true},
		{"example.com.", true},
		{"EXAMPLE.com", true},
		{"_srv.example.com", true},
		{"localhost", true},
		{"a-b.c", true},
		{strings.Repeat("a", 63) + ".com", true},
		{"", false},
		{".", false},
		{"unix:///tmp/x.sock", false},
		{"[2001:db8::1]", false},
		{"fe80::1%eth0", false},
		{"1.1.1.1:80", false},
		{"256.1.1.1", false},
		{"1.2.3", false},
		{"-a.com", false},
		{"a-.com", false},
		{"a..com", false},
		{".a.com", false},
		{"a b.com", false},
		{"exa\xffmple.com", false},
		{strings.Repeat("a", 64) + ".com", false},
		{strings.Repeat("a.", 127) + "aa", false}, // 256 bytes
		{"http://example.com", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, validAddress(tt.addr), "%q", tt.addr)
	}
}

// TestNoAllocs pins the allocation budget of the per-service paths: validation
// allocates nothing for a valid service; each name costs one allocation.
func TestNoAllocs(t *testing.T) {
	m := MeshExternalService{
		Mesh:   "default",
		Name:   "httpbin.kuma-system",
		Labels: map[string]string{LabelDisplayName: "httpbin", LabelNamespace: "kuma-system", LabelZone: "zone-1"},
		Spec: Spec{
			Match:     Match{Port: 443, Protocol: ProtocolHTTP},
			Endpoints: []ExternalEndpoint{{Address: "httpbin.org", Port: 443}, {Address: "2001:db8::1", Port: 443}},
			TLS: &TLS{Enabled: true, Version: &Version{Min: TLS12}, Verification: &Verification{
				ServerName:      "httpbin.org",
				SubjectAltNames: []SAN{{Type: SANExact, Value: "httpbin.org"}},
				CaCert:          &DataSource{Type: DataSourceFile, File: &File{Path: "/etc/certs/ca.pem"}},
				ClientCert:      &DataSource{Secret: "c"},
				ClientKey:       &DataSource{Type: DataSourceSecret, SecretRef: &SecretRef{Kind: SecretRefKind, Name: "k"}},
			}},
		},
	}
	scratch := make([]fieldError, 0, 8)
	assert.Zero(t, testing.AllocsPerRun(100, func() { scratch = validate(&m, "default", scratch[:0]) }))
	assert.Empty(t, scratch)
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = m.DestinationName() }))
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = m.KRI() }))
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = m.EgressSNI() }))
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = m.KRISNI() }))
	long := m
	long.Mesh = strings.Repeat("m", 70)
	long.Labels = map[string]string{LabelDisplayName: strings.Repeat("d", 70)}
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = long.EgressSNI() }))
	scratch = validate(&long, long.Mesh, scratch[:0])
	assert.Empty(t, scratch, "long names build: the SNI shortens them")
}
