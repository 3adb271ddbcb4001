package topology_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/naming"
	"github.com/meshcore/meshcore/topology"
)

// TestEgressSNIShortening: the hash covers the full names; then a display
// name or mesh over 62 bytes keeps its first 62 bytes plus "x" (v2.14.3
// pkg/xds/envoy/tls/sni.go), so a 63-byte name is shortened too, and a mesh
// over 63 bytes still builds.
func TestEgressSNIShortening(t *testing.T) {
	n62, n63, n66 := strings.Repeat("n", 62), strings.Repeat("n", 63), strings.Repeat("m", 66)
	labelsOf := func(sni string) []string { return strings.Split(sni, ".")[1:] }

	ep := endpoints("example.com", 443)
	s62 := mes(n62, ep)
	assert.Equal(t, []string{n62, "443", "default", "mes"}, labelsOf(s62.EgressSNI()))
	s63 := mes(n63, ep)
	assert.Equal(t, []string{n62 + "x", "443", "default", "mes"}, labelsOf(s63.EgressSNI()))
	long := mes("svc", inMesh(n66))
	assert.Equal(t, []string{"svc", "443", strings.Repeat("m", 62) + "x", "mes"}, labelsOf(long.EgressSNI()))

	// Names that share their first 62 bytes get different SNIs: the hash is
	// over the full names.
	a, b := mes(n62+"aa", ep), mes(n62+"bb", ep)
	assert.NotEqual(t, a.EgressSNI(), b.EgressSNI())

	m, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{long, s63, a, b}})
	require.Nil(t, errs)
	require.Len(t, m, 4)
	assert.Equal(t, long.EgressSNI(), m[n66+"_svc___extsvc_443"][0].ExternalService.EgressSNI)
	for _, eps := range m {
		for _, l := range strings.Split(eps[0].ExternalService.EgressSNI, ".") {
			assert.LessOrEqual(t, len(l), 63)
		}
	}
}

// TestTagMesh: every endpoint carries the tag "mesh" = the mesh, over a label
// of that key (v2.14.3 pkg/xds/topology/outbound.go BuildEgressEndpointMap);
// the kuma.io/mesh label is a label like any other.
func TestTagMesh(t *testing.T) {
	other := mes("d")
	other.Mesh = "other"
	m, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{
		mes("b"),
		mes("a", labels("mesh", "other", topology.LabelMesh, "default", "app", "a")),
		mes("c"),
		other,
	}})
	require.Nil(t, errs)
	assert.Equal(t, map[string]string{"mesh": "default", topology.LabelMesh: "default", "app": "a"}, m[dest("a")][0].Tags)
	// Services without labels share one map per mesh, which a labelled
	// service built between them does not touch.
	assert.Equal(t, map[string]string{"mesh": "default"}, m[dest("b")][0].Tags)
	assert.Equal(t, map[string]string{"mesh": "default"}, m[dest("c")][0].Tags)
	assert.Equal(t, map[string]string{"mesh": "other"}, m["other_d___extsvc_443"][0].Tags)
}

// TestDataSourceShapes: the 2.x and 3.0 shapes decode into one DataSource,
// and both build.
func TestDataSourceShapes(t *testing.T) {
	spec := specFromYAML(t, `
match: {port: 443}
endpoints: [{address: api.example.com, port: 443}]
tls:
  enabled: true
  verification:
    caCert: {type: File, file: {path: /etc/certs/ca.pem}}
    clientCert: {type: EnvVar, envVar: {name: CLIENT_CERT}}
    clientKey: {secret: kuma-key-1}`)
	v := spec.TLS.Verification
	assert.Equal(t, &topology.DataSource{Type: topology.DataSourceFile, File: &topology.File{Path: "/etc/certs/ca.pem"}}, v.CaCert)
	assert.Equal(t, &topology.DataSource{Type: topology.DataSourceEnvVar, EnvVar: &topology.EnvVar{Name: "CLIENT_CERT"}}, v.ClientCert)
	assert.Equal(t, &topology.DataSource{Secret: "kuma-key-1"}, v.ClientKey)

	m, errs := build(t, topology.EgressInput{Host: testHost(), Services: []topology.MeshExternalService{{Mesh: "default", Name: "a", Spec: spec}}})
	require.Nil(t, errs)
	u := m[dest("a")][0].ExternalService.TLS
	assert.Equal(t, caPEM, u.CACert)
	assert.Equal(t, clientPEM, u.ClientCert)
	assert.Equal(t, clientKey, u.ClientKey)
}

// TestDataSources3: the 3.0 data sources at build: Secret and InsecureInline
// need nothing more; File and EnvVar are read through EgressInput.Host only,
// and without one they fail with the reference's message; paths are checked
// with the reference's texts.
func TestDataSources3(t *testing.T) {
	secretRef := func(name string) *topology.DataSource {
		return &topology.DataSource{Type: topology.DataSourceSecret, SecretRef: &topology.SecretRef{Kind: topology.SecretRefKind, Name: name}}
	}
	file := func(path string) *topology.DataSource {
		return &topology.DataSource{Type: topology.DataSourceFile, File: &topology.File{Path: path}}
	}
	env := func(name string) *topology.DataSource {
		return &topology.DataSource{Type: topology.DataSourceEnvVar, EnvVar: &topology.EnvVar{Name: name}}
	}
	inline := func(s string) *topology.DataSource {
		return &topology.DataSource{Type: topology.DataSourceInsecureInline, InsecureInline: &topology.InsecureInline{Value: s}}
	}
	tests := []struct {
		name    string
		ver     topology.Verification
		host    topology.Host
		wantCA  []byte
		wantErr string
	}{
		{name: "secretRef", ver: topology.Verification{CaCert: secretRef("ca")}, wantCA: caPEM},
		{name: "insecureInline", ver: topology.Verification{CaCert: inline(string(caBPEM))}, wantCA: caBPEM},
		{name: "file through the host", ver: topology.Verification{CaCert: file("/etc/certs/ca.pem")}, host: testHost(), wantCA: caPEM},
		{name: "client pair from variables", ver: topology.Verification{ClientCert: env("CLIENT_CERT"), ClientKey: env("CLIENT_KEY")}, host: testHost()},
		{name: "file without a host", ver: topology.Verification{CaCert: file("/etc/certs/ca.pem")},
			wantErr: fieldErr("a", "spec.tls.verification.caCert", "could not load caCert: datasource type: File is not supported on MeshExternalService")},
		{name: "variable without a host", ver: topology.Verification{ClientCert: env("CLIENT_CERT"), ClientKey: env("CLIENT_KEY")},
			wantErr: fieldErr("a", "spec.tls.verification.clientCert", "could not load clientCert: datasource type: EnvVar is not supported on MeshExternalService")},
		{name: "unset variable", ver: topology.Verification{ClientCert: env("NOPE"), ClientKey: env("CLIENT_KEY")}, host: testHost(),
			wantErr: fieldErr("a", "spec.tls.verification.clientCert", "could not load clientCert: environment variable: NOPE is not defined")},
		{name: "missing file", ver: topology.Verification{CaCert: file("/etc/certs/nope.pem")}, host: testHost(),
			wantErr: fieldErr("a", "spec.tls.verification.caCert", "could not load caCert: open /etc/certs/nope.pem: file does not exist")},
		{name: "file that is not PEM", ver: topology.Verification{CaCert: file("/etc/certs/garbage.pem")}, host: testHost(),
			wantErr: fieldErr("a", "spec.tls.verification.caCert", `invalid caCert (file "/etc/certs/garbage.pem"): no PEM data found`)},
		{name: "relative path", ver: topology.Verification{CaCert: file("certs/ca.pem")}, host: testHost(),
			wantErr: fieldErr("a", "spec.tls.verification.caCert.file.path", "file path must be absolute: certs/ca.pem")},
		{name: "traversal", ver: topology.Verification{CaCert: file("/etc/../root/ca.pem")}, host: testHost(),
			wantErr: fieldErr("a", "spec.tls.verification.caCert.file.path", "file path contains directory traversal sequence: /etc/../root/ca.pem")},
		{name: "SkipCA does not read the CA file", ver: topology.Verification{Mode: topology.ModeSkipCA, CaCert: file("/etc/certs/ca.pem")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, errs := build(t, topology.EgressInput{Host: tt.host, Services: []topology.MeshExternalService{mes("a", withTLS(tt.ver))}})
			if tt.wantErr != "" {
				assert.Equal(t, []string{tt.wantErr}, errStrings(errs))
				assert.Empty(t, m)
				return
			}
			require.Nil(t, errs)
			u := m[dest("a")][0].ExternalService.TLS
			assert.Equal(t, tt.wantCA, u.CACert)
			if tt.ver.ClientCert != nil {
				assert.Equal(t, clientPEM, u.ClientCert)
				assert.Equal(t, clientKey, u.ClientKey)
			}
		})
	}

	// Without a host the error is typed, and names the source.
	_, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{mes("a", withTLS(topology.Verification{CaCert: file("/etc/certs/ca.pem")}))}})
	require.ErrorIs(t, errs.Err(), topology.ErrNoHost)
	var me *topology.MaterialError
	require.ErrorAs(t, errs.Err(), &me)
	assert.Equal(t, "/etc/certs/ca.pem", me.File)

	// A file shared by many services is read once per build.
	var svcs []topology.MeshExternalService
	for _, n := range []string{"a", "b", "c"} {
		svcs = append(svcs, mes(n, withTLS(topology.Verification{CaCert: file("/etc/certs/ca.pem")})))
	}
	host := &countingHost{Host: testHost()}
	_, errs = topology.BuildEgressEndpointMap(context.Background(), topology.EgressInput{Services: svcs, Host: host})
	require.Nil(t, errs)
	assert.Equal(t, 1, host.reads)
}

type countingHost struct {
	topology.Host
	reads int
}

func (h *countingHost) ReadFile(path string) ([]byte, error) {
	h.reads++
	return h.Host.ReadFile(path)
}

// TestAdmitDataSources: admission rejects File and EnvVar as the reference
// does, unless the control plane reads them (HostSources); then their shape
// and path are checked.
func TestAdmitDataSources(t *testing.T) {
	svc := mes("a", withTLS(topology.Verification{
		CaCert:     &topology.DataSource{Type: topology.DataSourceFile, File: &topology.File{Path: "ca.pem"}},
		ClientCert: &topology.DataSource{Type: topology.DataSourceEnvVar, EnvVar: &topology.EnvVar{}},
		ClientKey:  &topology.DataSource{Type: topology.DataSourceSecret, SecretRef: &topology.SecretRef{Name: "k"}},
	}))
	a := topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal}, &svc, naming.Create)
	assert.Equal(t, []violation{
		{"spec.tls.verification.caCert.type", "File must be one of: Secret, InsecureInline"},
		{"spec.tls.verification.clientCert.type", "EnvVar must be one of: Secret, InsecureInline"},
		{"spec.tls.verification.clientKey.secretRef.kind", " must be one of: Secret"},
	}, violations(a.Errors))
	a = topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal, HostSources: true}, &svc, naming.Create)
	assert.Equal(t, []violation{
		{"spec.tls.verification.caCert.file.path", "file path must be absolute: ca.pem"},
		{"spec.tls.verification.clientCert.envVar.name", "must be defined"},
		{"spec.tls.verification.clientKey.secretRef.kind", " must be one of: Secret"},
	}, violations(a.Errors))

	// 3.0 fields without a type, and an unknown type.
	svc = mes("a", withTLS(topology.Verification{
		CaCert:     &topology.DataSource{SecretRef: &topology.SecretRef{Kind: topology.SecretRefKind, Name: "ca"}},
		ClientCert: &topology.DataSource{Type: "Vault"},
		ClientKey:  &topology.DataSource{Type: topology.DataSourceInsecureInline, InsecureInline: &topology.InsecureInline{}},
	}))
	a = topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal}, &svc, naming.Create)
	assert.Equal(t, []violation{
		{"spec.tls.verification.caCert.type", " must be one of: EnvVar, InsecureInline, File, Secret"},
		{"spec.tls.verification.clientCert.type", "Vault must be one of: EnvVar, InsecureInline, File, Secret"},
		{"spec.tls.verification.clientKey.insecureInline.value", "must be defined"},
	}, violations(a.Errors))
}

// TestAdmitName: the display name is checked under the control plane's naming
// policy: in the warn phase a name over 63 bytes is an error, with the
// deprecation warnings beside it.
func TestAdmitName(t *testing.T) {
	n64 := strings.Repeat("n", 64)
	svc := mes(n64, endpoints("example.com", 443))
	a := topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal, Naming: naming.DefaultPolicy(naming.Warn)}, &svc, naming.Update)
	assert.Equal(t, []violation{{"name", "must not be longer than 63 characters"}}, violations(a.Errors))
	assert.Equal(t, []string{
		"Invalid MeshExternalService resource name: '" + n64 + "'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: must be no more than 63 characters",
		`Invalid MeshExternalService SNI (port "443"): name "` + n64 + `" does not conform to RFC 1123: must be no more than 63 characters. This is deprecated.`,
	}, a.Warnings)
	assert.Equal(t, `topology: MeshExternalService "`+n64+`" in mesh "default": name: Invalid value: "`+n64+`": must not be longer than 63 characters`, a.Errors[0].Error())

	// A display-name label is a label value, at most 63 bytes.
	labelled := mes("n.ns", labels(topology.LabelDisplayName, n64))
	a = topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal}, &labelled, naming.Create)
	assert.Equal(t, []violation{{`labels["kuma.io/display-name"]`, "must be no more than 63 characters"}}, violations(a.Errors))
	assert.ErrorIs(t, a.Errors.Err(), topology.ErrInvalid)

	// The zero policy checks the base rule only.
	a = topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal}, &svc, naming.Create)
	require.Nil(t, a.Errors)
	assert.True(t, a.Allowed())
	assert.Len(t, a.Warnings, 1, "the SNI warning")
}

// TestAdmitZone: a zone control plane adds its zone to a zone-origin
// service, so the KRI SNI has it; a federated zone refuses a name that
// leaves no room for the zone prefix of a synced name.
func TestAdmitZone(t *testing.T) {
	cp := topology.ControlPlane{Role: topology.RoleZone, Zone: "East"}
	svc := mes("a", labels(topology.LabelOrigin, "zone"))
	a := topology.Admit(cp, &svc, naming.Create)
	require.True(t, a.Allowed(), "%v", a.Errors)
	assert.Equal(t, []string{`Invalid MeshExternalService SNI (port "443"): zone "East" does not conform to RFC 1123: ` +
		naming.MsgDNS1123LabelFormat + ". This is deprecated."}, a.Warnings)

	// Standalone: the zone rules without the origin requirement.
	west := mes("a", labels(topology.LabelZone, "west"))
	a = topology.Admit(topology.ControlPlane{Role: topology.RoleStandalone, Zone: "east"}, &west, naming.Create)
	assert.Equal(t, []violation{{`labels["kuma.io/zone"]`, "kuma.io/zone label should have east value"}}, violations(a.Errors))

	long := mes(strings.Repeat("n", 248), labels(topology.LabelOrigin, "zone"), endpoints("example.com", 443))
	a = topology.Admit(topology.ControlPlane{Role: topology.RoleZone, Zone: "zone"}, &long, naming.Create)
	assert.Equal(t, []violation{{"name", "the length of the name must be shorter"}}, violations(a.Errors))
	long.Name = long.Name[:247]
	assert.True(t, topology.Admit(topology.ControlPlane{Role: topology.RoleZone, Zone: "zone"}, &long, naming.Create).Allowed())
}

// TestAdmitAndBuildShareTheSpecRules: every spec violation admission reports
// for a service without an extension, the build reports too, with the same
// field and message (the build may report more).
func TestAdmitAndBuildShareTheSpecRules(t *testing.T) {
	svc := topology.MeshExternalService{Mesh: "default", Name: "a", Spec: specFromYAML(t, `
match: {type: Other, port: 0, protocol: udp}
endpoints: [{address: "", port: 1}, {address: 1.1.1.1, port: 0}, {address: 1.1.1.2, port: 1, priority: 129}]
tls:
  version: {min: TLS13, max: TLS12}
  verification:
    serverName: "a b"
    mode: Strict
    subjectAltNames: [{type: Regex, value: x}]
    clientCert: {type: Secret, secretRef: {kind: Secret}}`)}
	admitted := violations(topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal}, &svc, naming.Create).Errors)
	require.Len(t, admitted, 12)
	_, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{svc}})
	built := violations(errs)
	for _, v := range admitted {
		assert.Contains(t, built, v)
	}
	assert.Contains(t, admitted, violation{"spec.endpoints[2].priority", "must be less than or equal to 128"})
}

// TestOtherZoneErrorsNotHidden: a service of another zone is validated
// before it is left out, so a broken service synced from a zone is reported
// by every zone, not only by its own.
func TestOtherZoneErrorsNotHidden(t *testing.T) {
	m, errs := build(t, topology.EgressInput{LocalZone: "zone-1", Services: []topology.MeshExternalService{
		mes("remote", labels(topology.LabelZone, "zone-2"), endpoints("", 443)),
	}})
	assert.Empty(t, m)
	require.Len(t, errs, 1)
	var ve *topology.ValidationError
	require.True(t, errors.As(errs[0], &ve))
	assert.Equal(t, "spec.endpoints[0].address", errs[0].Field)
}

// TestKRISNI: the format, and that a zone brings the namespace.
func TestKRISNI(t *testing.T) {
	for _, tt := range []struct {
		svc  topology.MeshExternalService
		want string
	}{
		{mes("httpbin"), "sni.extsvc.default.httpbin.443"},
		{mes("httpbin.kuma-system", labels(topology.LabelDisplayName, "httpbin", topology.LabelNamespace, "kuma-system")), "sni.extsvc.default.httpbin.443"},
		{mes("httpbin.kuma-system", labels(topology.LabelDisplayName, "httpbin", topology.LabelNamespace, "kuma-system", topology.LabelZone, "zone-1")),
			"sni.extsvc.default.zone-1.kuma-system.httpbin.443"},
	} {
		if diff := cmp.Diff(tt.want, tt.svc.KRISNI()); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.svc.Name, diff)
		}
	}
}
