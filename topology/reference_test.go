package topology_test

import (
	"strconv"
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/wrapperspb"
	"sigs.k8s.io/yaml"

	"github.com/meshcore/meshcore/naming"
	"github.com/meshcore/meshcore/topology"
)

// The published cases of the reference (Kuma v2.14.3, and master 348b6528bc
// for the 3.0 items), written as tables. Each row names the reference file and
// entry it comes from; inputs and expected strings are the reference's.

// violation is one admission violation: a field and its message.
type violation struct{ Field, Message string }

func violations(errs topology.Errors) []violation {
	var out []violation
	for _, e := range errs {
		var ve *topology.ValidationError
		msg := e.Err.Error()
		if asValidation(e, &ve) {
			msg = ve.Detail
		}
		out = append(out, violation{e.Field, msg})
	}
	return out
}

func asValidation(e *topology.ResourceError, target **topology.ValidationError) bool {
	ve, ok := e.Err.(*topology.ValidationError)
	*target = ve
	return ok
}

func specFromYAML(t *testing.T, s string) topology.Spec {
	t.Helper()
	var spec topology.Spec
	require.NoError(t, yaml.UnmarshalStrict([]byte(s), &spec))
	return spec
}

// TestReferenceValidator runs the reference's MeshExternalService validator
// cases (pkg/core/resources/apis/meshexternalservice/api/v1alpha1/testdata
// and validator_test.go) through Admit, on a control plane without zone
// rules, in mesh "default": the same violations, in the same order.
func TestReferenceValidator(t *testing.T) {
	const (
		warnPhase = "v2.14.3"
		enforce   = "master 348b6528bc"
	)
	tests := []struct {
		version string
		file    string
		name    string
		spec    string
		want    []violation
	}{
		{warnPhase, "minimal-valid", "external-service", `
match: {port: 80, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}]`, nil},
		{warnPhase, "full-without-extension-valid", "external-service", `
match: {type: HostnameGenerator, port: 8080, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}, {address: example.com, port: 80}]
tls:
  version: {min: TLS12, max: TLS13}
  allowRenegotiation: false
  verification:
    serverName: example.com
    subjectAltNames: [{type: Exact, value: example.com}, {type: Prefix, value: "spiffe://example.local/ns/local"}]
    caCert: {inline: dGVzdA==}
    clientCert: {secret: "123"}
    clientKey: {secret: "123"}`, nil},
		{warnPhase, "minimal-invalid", "external-service", `
match: {type: HostnameGenerator, port: 80, protocol: unknown}
endpoints: [{address: 1.1.1.1, port: 12345}]`,
			[]violation{{"spec.match.protocol", `"protocol" must be one of ["tcp", "grpc", "http", "http2"]`}}},
		{warnPhase, "minimal-invalid-extension", "external-service", `
match: {type: HostnameGenerator, port: 80, protocol: http}
extension: {config: {example: true}}`,
			[]violation{{"spec.extension.type", "must not be empty"}}},
		{warnPhase, "missing-client-cert-invalid", "external-service", `
match: {type: HostnameGenerator, port: 8080, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}]
tls: {verification: {clientKey: {secret: "123"}}}`,
			[]violation{{"spec.tls.verification.clientCert", "must be defined when clientKey is defined"}}},
		{warnPhase, "full-invalid", "external-service", `
match: {type: UnknownMatchType, port: 0, protocol: unknown}
endpoints:
- {address: 1.1.1.1}
- {address: 1.1.1.2, port: 999999}
- {address: example.com}
- {port: 90}
tls:
  version: {min: TLS15, max: TLS16}
  verification:
    serverName: not[]valid
    mode: Unknown
    subjectAltNames: [{type: Regex, value: .*.example.com}]
    clientCert: {secret: "123"}`,
			[]violation{
				{"spec.match.type", "unrecognized type 'UnknownMatchType' - only 'HostnameGenerator' is supported"},
				{"spec.match.port", "port must be a valid (1-65535)"},
				{"spec.match.protocol", `"protocol" must be one of ["tcp", "grpc", "http", "http2"]`},
				{"spec.endpoints[0].port", "port must be a valid (1-65535)"},
				{"spec.endpoints[1].port", "port must be a valid (1-65535)"},
				{"spec.endpoints[2].port", "port must be a valid (1-65535)"},
				{"spec.endpoints[3].address", "address has to be a valid IP or hostname"},
				{"spec.tls.version.min", `"min" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`},
				{"spec.tls.version.max", `"max" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`},
				{"spec.tls.verification.serverName", "must be a valid DNS name"},
				{"spec.tls.verification.mode", `"mode" must be one of ["SkipSAN", "SkipCA", "SkipAll", "Secured"]`},
				{"spec.tls.verification.subjectAltNames[0].type", `"type" must be one of ["Prefix", "Exact"]`},
				{"spec.tls.verification.clientKey", "must be defined when clientCert is defined"},
			}},
		{warnPhase, "min-higher-than-max-invalid", "external-service", `
match: {type: HostnameGenerator, port: 80, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}]
tls: {version: {min: TLS13, max: TLS12}}`,
			[]violation{{"spec.tls.version.min", "min version must be lower than max"}}},
		{warnPhase, "name-too-long", "external-service-very-long-very-long-very-long-very-long-very-long-very-long-very-long", `
match: {type: HostnameGenerator, port: 80, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}]`,
			[]violation{{"name", "must not be longer than 63 characters"}}},
		{warnPhase, "name-length-63", strings.Repeat("b", 63), `
match: {port: 80, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}]`, nil},
		{warnPhase, "endpoints-with-priority-valid", "external-service", `
match: {type: HostnameGenerator, port: 8080, protocol: http}
endpoints:
- {address: 1.1.1.1, port: 443, priority: 0}
- {address: 2.2.2.2, port: 443, priority: 1}
- {address: 3.3.3.3, port: 443, priority: 2}`, nil},

		{enforce, "full-without-extension-valid", "external-service", `
match: {type: HostnameGenerator, port: 8080, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}, {address: example.com, port: 80}]
tls:
  version: {min: TLS12, max: TLS13}
  verification:
    serverName: example.com
    subjectAltNames: [{type: Exact, value: example.com}, {type: Prefix, value: "spiffe://example.local/ns/local"}]
    caCert: {type: InsecureInline, insecureInline: {value: test}}
    clientCert: {type: Secret, secretRef: {kind: Secret, name: "123"}}
    clientKey: {type: Secret, secretRef: {kind: Secret, name: "123"}}`, nil},
		{enforce, "extension-with-local-datasource-invalid", "external-service", `
match: {type: HostnameGenerator, port: 80, protocol: http}
extension: {type: example}
tls:
  enabled: true
  verification:
    caCert: {type: File, file: {path: /var/run/secrets/token}}
    clientCert: {type: EnvVar, envVar: {name: KUMA_GENERAL_TLS_KEY_FILE}}
    clientKey: {type: InsecureInline, insecureInline: {value: key}}`,
			[]violation{
				{"spec.tls.verification.caCert.type", "File must be one of: Secret, InsecureInline"},
				{"spec.tls.verification.clientCert.type", "EnvVar must be one of: Secret, InsecureInline"},
			}},
		{enforce, "extension-with-incomplete-datasource-invalid", "external-service", `
match: {type: HostnameGenerator, port: 80, protocol: http}
extension: {type: example}
tls:
  enabled: true
  verification:
    caCert: {type: Secret}
    clientCert: {type: InsecureInline}
    clientKey: {type: InsecureInline, insecureInline: {value: key}}`,
			[]violation{
				{"spec.tls.verification.caCert.secretRef", "must be defined"},
				{"spec.tls.verification.clientCert.insecureInline", "must be defined"},
			}},
		{enforce, "full-invalid", "external-service", `
match: {type: UnknownMatchType, port: 0, protocol: unknown}
endpoints:
- {address: 1.1.1.1}
- {address: 1.1.1.2, port: 999999}
- {address: example.com}
- {port: 90}
tls:
  version: {min: TLS15, max: TLS16}
  verification:
    serverName: not[]valid
    mode: Unknown
    subjectAltNames: [{type: Regex, value: .*.example.com}]
    caCert: {type: File, file: {path: /etc/certs/ca.pem}}
    clientCert: {type: Secret, secretRef: {kind: Secret}}`,
			[]violation{
				{"spec.match.type", "unrecognized type 'UnknownMatchType' - only 'HostnameGenerator' is supported"},
				{"spec.match.port", "port must be a valid (1-65535)"},
				{"spec.match.protocol", `"protocol" must be one of ["tcp", "grpc", "http", "http2"]`},
				{"spec.endpoints[0].port", "port must be a valid (1-65535)"},
				{"spec.endpoints[1].port", "port must be a valid (1-65535)"},
				{"spec.endpoints[2].port", "port must be a valid (1-65535)"},
				{"spec.endpoints[3].address", "address has to be a valid IP or hostname"},
				{"spec.tls.version.min", `"min" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`},
				{"spec.tls.version.max", `"max" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`},
				{"spec.tls.verification.serverName", "must be a valid DNS name"},
				{"spec.tls.verification.mode", `"mode" must be one of ["SkipSAN", "SkipCA", "SkipAll", "Secured"]`},
				{"spec.tls.verification.subjectAltNames[0].type", `"type" must be one of ["Prefix", "Exact"]`},
				{"spec.tls.verification.clientKey", "must be defined when clientCert is defined"},
				{"spec.tls.verification.caCert.type", "File must be one of: Secret, InsecureInline"},
				{"spec.tls.verification.clientCert.secretRef.name", "must be defined"},
			}},
		{enforce, "name-too-long", "external-service-very-long-very-long-very-long-very-long-very-long-very-long-very-long", `
match: {type: HostnameGenerator, port: 80, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}]`,
			[]violation{{"name", "must be no more than 63 characters"}}},
		{enforce, "name-not-rfc-1035", "1external.service", `
match: {type: HostnameGenerator, port: 80, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}]`,
			[]violation{{"name", naming.MsgDNS1035LabelFormat}}},
		{enforce, "name-length-63", strings.Repeat("b", 63), `
match: {port: 80, protocol: http}
endpoints: [{address: 1.1.1.1, port: 12345}]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.version+"/"+tt.file, func(t *testing.T) {
			mode := naming.Warn
			if tt.version == enforce {
				mode = naming.Enforce
			}
			svc := topology.MeshExternalService{Mesh: "default", Name: tt.name, Spec: specFromYAML(t, tt.spec)}
			a := topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal, Naming: naming.DefaultPolicy(mode)}, &svc, naming.Create)
			if diff := cmp.Diff(tt.want, violations(a.Errors)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			assert.Equal(t, tt.want == nil, a.Allowed())
		})
	}
}

// TestReferenceAPIServerWarnings: the warnings of the reference's API server
// for a MeshExternalService with a dotted name (v2.14.3
// pkg/api-server/testdata/resources/crud/put_meshexternalservice_02).
func TestReferenceAPIServerWarnings(t *testing.T) {
	svc := topology.MeshExternalService{Mesh: "default", Name: "mes.http", Spec: specFromYAML(t, `
match: {type: HostnameGenerator, port: 80, protocol: http}
endpoints: [{address: httpbin.org, port: 80}]`)}
	a := topology.Admit(topology.ControlPlane{Role: topology.RoleStandalone, Naming: naming.DefaultPolicy(naming.Warn)}, &svc, naming.Create)
	require.True(t, a.Allowed(), "%v", a.Errors)
	assert.Equal(t, []string{
		"Invalid MeshExternalService resource name: 'mes.http'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
		`Invalid MeshExternalService SNI (port "80"): name "mes.http" does not conform to RFC 1123: must not contain dots. This is deprecated.`,
	}, a.Warnings)
}

// TestReferenceLabelRules runs the reference's multizone label validation
// goldens for MeshExternalService (v2.14.3
// test/e2e_env/multizone/validation/testdata, global.* and zone-uni.*: the
// Universal API server of a global and of a zone "kuma-4" control plane).
// None of these services has endpoints, and the valid ones are created.
func TestReferenceLabelRules(t *testing.T) {
	const (
		keyMsg   = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
		valueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
	)
	global := topology.ControlPlane{Role: topology.RoleGlobal, Naming: naming.DefaultPolicy(naming.Warn)}
	zone := topology.ControlPlane{Role: topology.RoleZone, Zone: "kuma-4", Naming: naming.DefaultPolicy(naming.Warn)}
	origin := `labels["kuma.io/origin"]`
	tests := []struct {
		golden string
		cp     topology.ControlPlane
		labels map[string]string
		want   []violation
	}{
		{"global.meshexternalservice.arbitrary-user", global, map[string]string{"kuma.io/foo": "bar", "k8s.kuma.io/baz": "qux"}, nil},
		{"global.meshexternalservice.display-name", global, map[string]string{"kuma.io/display-name": "my-custom-name"}, nil},
		{"global.meshexternalservice.env", global, map[string]string{"kuma.io/env": "universal"}, nil},
		{"global.meshexternalservice.invalid-key", global, map[string]string{"kuma.io/Not Valid!": "value"},
			[]violation{{`labels["kuma.io/Not Valid!"]`, keyMsg}}},
		{"global.meshexternalservice.invalid-value", global, map[string]string{"kuma.io/custom": "not valid!!"},
			[]violation{{`labels["kuma.io/custom"]`, valueMsg}}},
		{"global.meshexternalservice.kube-namespace", global, map[string]string{"k8s.kuma.io/namespace": "kuma-system"}, nil},
		{"global.meshexternalservice.mesh-current", global, map[string]string{"kuma.io/mesh": "multizone-label-validation"}, nil},
		{"global.meshexternalservice.mesh-other", global, map[string]string{"kuma.io/mesh": "nonexistent-mesh"}, nil},
		{"global.meshexternalservice.origin-global", global, map[string]string{"kuma.io/origin": "global"}, nil},
		{"global.meshexternalservice.origin-invalid", global, map[string]string{"kuma.io/origin": "bogus"},
			[]violation{{origin, `unknown resource origin "bogus"`}, {origin, "the origin label must be set to 'global'"}}},
		{"global.meshexternalservice.origin-zone", global, map[string]string{"kuma.io/origin": "zone"},
			[]violation{{origin, "the origin label must be set to 'global'"}}},
		{"global.meshexternalservice.policy-role", global, map[string]string{"kuma.io/policy-role": "system"}, nil},
		{"global.meshexternalservice.positive", global, nil, nil},
		{"global.meshexternalservice.proxy-type", global, map[string]string{"kuma.io/proxy-type": "sidecar"}, nil},
		{"global.meshexternalservice.service-account", global, map[string]string{"k8s.kuma.io/service-account": "default"}, nil},
		{"global.meshexternalservice.workload", global, map[string]string{"kuma.io/workload": "my-workload"}, nil},
		{"global.meshexternalservice.zone-current", global, map[string]string{"kuma.io/zone": "kuma-1"}, nil},

		{"zone-uni.meshexternalservice.arbitrary-user", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/foo": "bar", "k8s.kuma.io/baz": "qux"}, nil},
		{"zone-uni.meshexternalservice.display-name", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/display-name": "my-custom-name"}, nil},
		{"zone-uni.meshexternalservice.env", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/env": "universal"}, nil},
		{"zone-uni.meshexternalservice.invalid-key", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/Not Valid!": "value"},
			[]violation{{`labels["kuma.io/Not Valid!"]`, keyMsg}}},
		{"zone-uni.meshexternalservice.invalid-value", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/custom": "not valid!!"},
			[]violation{{`labels["kuma.io/custom"]`, valueMsg}}},
		{"zone-uni.meshexternalservice.kube-namespace", zone, map[string]string{"kuma.io/origin": "zone", "k8s.kuma.io/namespace": "kuma-system"}, nil},
		{"zone-uni.meshexternalservice.mesh-current", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/mesh": "multizone-label-validation"}, nil},
		{"zone-uni.meshexternalservice.mesh-other", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/mesh": "nonexistent-mesh"},
			[]violation{{`labels["kuma.io/mesh"]`, "kuma.io/mesh label must not differ from mesh set on resource"}}},
		{"zone-uni.meshexternalservice.no-labels", zone, nil,
			[]violation{{origin, "the origin label must be set to 'zone'"}}},
		{"zone-uni.meshexternalservice.origin-global", zone, map[string]string{"kuma.io/origin": "global"},
			[]violation{{origin, "the origin label must be set to 'zone'"}}},
		{"zone-uni.meshexternalservice.origin-invalid", zone, map[string]string{"kuma.io/origin": "bogus"},
			[]violation{{origin, `unknown resource origin "bogus"`}, {origin, "the origin label must be set to 'zone'"}}},
		{"zone-uni.meshexternalservice.origin-zone", zone, map[string]string{"kuma.io/origin": "zone"}, nil},
		{"zone-uni.meshexternalservice.policy-role", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/policy-role": "system"}, nil},
		{"zone-uni.meshexternalservice.positive", zone, map[string]string{"kuma.io/origin": "zone"}, nil},
		{"zone-uni.meshexternalservice.proxy-type", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/proxy-type": "sidecar"}, nil},
		{"zone-uni.meshexternalservice.service-account", zone, map[string]string{"kuma.io/origin": "zone", "k8s.kuma.io/service-account": "default"}, nil},
		{"zone-uni.meshexternalservice.workload", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/workload": "my-workload"}, nil},
		{"zone-uni.meshexternalservice.zone-current", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/zone": "kuma-4"}, nil},
		{"zone-uni.meshexternalservice.zone-other", zone, map[string]string{"kuma.io/origin": "zone", "kuma.io/zone": "other-zone"},
			[]violation{{`labels["kuma.io/zone"]`, "kuma.io/zone label should have kuma-4 value"}}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			name := "mes-" + tt.golden[strings.LastIndexByte(tt.golden, '.')+1:]
			svc := topology.MeshExternalService{Mesh: "multizone-label-validation", Name: name, Labels: tt.labels,
				Spec: specFromYAML(t, `match: {type: HostnameGenerator, port: 80, protocol: http}`)}
			a := topology.Admit(tt.cp, &svc, naming.Create)
			if diff := cmp.Diff(tt.want, violations(a.Errors)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			assert.Empty(t, a.Warnings)
		})
	}
}

// TestReferenceEgressEndpointMap holds the MeshExternalService entries of the
// reference's BuildEgressEndpointMap test (v2.14.3
// pkg/xds/topology/outbound_test.go), local zone "zone-1": the endpoints
// with the tag "mesh", weight 1 and the priority locality; the invalid
// service left out. Endpoints are sorted here (the reference keeps spec
// order).
func TestReferenceEgressEndpointMap(t *testing.T) {
	type ep struct {
		Target   string
		Port     uint32
		Tags     map[string]string
		Weight   uint32
		Locality topology.Locality
		Protocol string
	}
	meshTag := map[string]string{"mesh": "default"}
	p0 := topology.Locality{Priority: 0, SubZone: "priority-0"}
	tests := []struct {
		entry string
		svcs  []topology.MeshExternalService
		want  map[string][]ep
		errs  int
	}{
		{
			entry: "generate map for zone egress with ingress instances",
			svcs: []topology.MeshExternalService{{Mesh: "default", Name: "example", Spec: specFromYAML(t, `
match: {type: HostnameGenerator, port: 443, protocol: tcp}
endpoints: [{address: 192.168.1.1, port: 10000}]`)}},
			want: map[string][]ep{"default_example___extsvc_443": {{"192.168.1.1", 10000, meshTag, 1, p0, "tcp"}}},
		},
		{
			entry: "generate map for zone egress when one mes is invalid",
			svcs: []topology.MeshExternalService{
				{Mesh: "default", Name: "example", Spec: specFromYAML(t, `
match: {type: HostnameGenerator, port: 443, protocol: tcp}
endpoints: [{address: 192.168.1.1, port: 10000}]`)},
				{Mesh: "default", Name: "invalid", Spec: specFromYAML(t, `
match: {type: HostnameGenerator, port: 443, protocol: tcp}
endpoints: [{address: 192.168.1.1, port: 10000}]
tls:
  enabled: true
  verification: {mode: Secured, clientKey: {secret: not-existing}, clientCert: {secret: not-existing}}`)},
			},
			want: map[string][]ep{"default_example___extsvc_443": {{"192.168.1.1", 10000, meshTag, 1, p0, "tcp"}}},
			errs: 1,
		},
		{
			entry: "MeshExternalService with endpoint priorities",
			svcs: []topology.MeshExternalService{{Mesh: "default", Name: "priority-mes", Spec: specFromYAML(t, `
match: {type: HostnameGenerator, port: 443, protocol: tcp}
endpoints:
- {address: primary.example.com, port: 443, priority: 0}
- {address: secondary.example.com, port: 443, priority: 1}
- {address: fallback.example.com, port: 443}`)}},
			want: map[string][]ep{"default_priority-mes___extsvc_443": {
				{"fallback.example.com", 443, meshTag, 1, p0, "tcp"},
				{"primary.example.com", 443, meshTag, 1, p0, "tcp"},
				{"secondary.example.com", 443, meshTag, 1, topology.Locality{Priority: 1, SubZone: "priority-1"}, "tcp"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			m, errs := build(t, topology.EgressInput{LocalZone: "zone-1", Services: tt.svcs})
			assert.Len(t, errs, tt.errs)
			got := map[string][]ep{}
			for name, eps := range m.All() {
				for _, e := range eps {
					got[name] = append(got[name], ep{e.Target, e.Port, e.Tags, e.Weight, *e.Locality, e.ExternalService.Protocol})
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("endpoint map (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReferenceLoadAssignment holds the reference's ClusterLoadAssignment
// cases that this package's model can express (v2.14.3
// pkg/xds/envoy/endpoints/v3/endpoints_test.go): endpoints grouped by
// locality, endpoints without one first, priorities carried over, no
// locality weight. The reference also puts endpoint tags in metadata, which
// is not produced here.
func TestReferenceLoadAssignment(t *testing.T) {
	sock := func(addr string, port, weight uint32) *endpointv3.LbEndpoint {
		return &endpointv3.LbEndpoint{
			HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
				Address: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
					Address: addr, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
				}}},
			}},
			LoadBalancingWeight: wrapperspb.UInt32(weight),
		}
	}
	tests := []struct {
		entry string
		eps   []topology.Endpoint
		want  []*endpointv3.LocalityLbEndpoints
	}{
		{
			entry: "stable output",
			eps:   []topology.Endpoint{{Target: "192.168.0.2", Port: 8082, Weight: 1}, {Target: "192.168.0.1", Port: 8081, Weight: 2}},
			want:  []*endpointv3.LocalityLbEndpoints{{LbEndpoints: []*endpointv3.LbEndpoint{sock("192.168.0.1", 8081, 2), sock("192.168.0.2", 8082, 1)}}},
		},
		{
			entry: "mixed locality",
			eps: []topology.Endpoint{
				{Target: "192.168.0.1", Port: 8081, Weight: 2, Locality: &topology.Locality{Zone: "west"}},
				{Target: "192.168.0.2", Port: 8082, Weight: 1},
				{Target: "192.168.0.3", Port: 8082, Weight: 1},
			},
			want: []*endpointv3.LocalityLbEndpoints{
				{LbEndpoints: []*endpointv3.LbEndpoint{sock("192.168.0.2", 8082, 1), sock("192.168.0.3", 8082, 1)}},
				{Locality: &corev3.Locality{Zone: "west"}, LbEndpoints: []*endpointv3.LbEndpoint{sock("192.168.0.1", 8081, 2)}},
			},
		},
		{
			entry: "MeshExternalService endpoints with different priorities are in separate groups",
			eps: []topology.Endpoint{
				{Target: "primary.example.com", Port: 5432, Weight: 1, Locality: &topology.Locality{Priority: 0, SubZone: "priority-0"}},
				{Target: "secondary.example.com", Port: 5432, Weight: 1, Locality: &topology.Locality{Priority: 1, SubZone: "priority-1"}},
			},
			want: []*endpointv3.LocalityLbEndpoints{
				{Locality: &corev3.Locality{SubZone: "priority-0"}, LbEndpoints: []*endpointv3.LbEndpoint{sock("primary.example.com", 5432, 1)}},
				{Locality: &corev3.Locality{SubZone: "priority-1"}, Priority: 1, LbEndpoints: []*endpointv3.LbEndpoint{sock("secondary.example.com", 5432, 1)}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			res, errs := topology.EgressResources(topology.EndpointMap{"c": tt.eps}, topology.ResourceOptions{})
			require.NoError(t, errs.Err())
			want := &endpointv3.ClusterLoadAssignment{ClusterName: "c", Endpoints: tt.want}
			if diff := cmp.Diff(want, res.Clusters[0].GetLoadAssignment(), protocmp.Transform()); diff != "" {
				t.Errorf("load assignment (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReferenceEgressSNI: the reference's SNIForResource cases (v2.14.3
// pkg/xds/envoy/tls/sni_test.go). The hash does not depend on the resource
// type, so the "simple" MeshService case gives the MeshExternalService SNI
// with the suffix "mes". "going over limit" hashes extra data a
// MeshExternalService never has, so only its shortened labels are compared.
func TestReferenceEgressSNI(t *testing.T) {
	simple := topology.MeshExternalService{Mesh: "demo", Name: "backend", Spec: topology.Spec{Match: topology.Match{Port: 8080}}}
	assert.Equal(t, "ae10a8071b8a8eeb8.backend.8080.demo.mes", simple.EgressSNI())

	long := topology.MeshExternalService{
		Mesh: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-qwe",
		Name: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-qwe",
		Spec: topology.Spec{Match: topology.Match{Port: 8080}},
	}
	sni := long.EgressSNI()
	_, rest, _ := strings.Cut(sni, ".")
	assert.Equal(t, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax.8080.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbx.mes", rest)
}

// TestReferenceKRISNI: the reference's FromKRI / ValidateKRI cases (v2.14.3
// pkg/core/resources/sni/sni_test.go) for MeshExternalService, whose section
// name is its port. The MeshService entries give the same reasons for a
// MeshExternalService of the same names; the total length of the last one is
// two bytes longer ("extsvc" against "msvc").
func TestReferenceKRISNI(t *testing.T) {
	const (
		regex1123 = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
		maxLen63  = "must be no more than 63 characters"
		noDots    = "must not contain dots"
	)
	r63 := strings.Repeat
	tests := []struct {
		entry                string
		mesh, zone, ns, name string
		port                 uint32
		want                 string
		wantErrs             []string
	}{
		{entry: "MeshExternalService global", mesh: "default", name: "ext-backend", port: 9000, want: "sni.extsvc.default.ext-backend.9000"},
		{entry: "MeshExternalService zone", mesh: "prod", zone: "west", name: "ext-backend", port: 9000, want: "sni.extsvc.prod.west.ext-backend.9000"},
		{entry: "MeshExternalService zone with namespace", mesh: "prod", zone: "west", ns: "external-ns", name: "ext-backend", port: 9000,
			want: "sni.extsvc.prod.west.external-ns.ext-backend.9000"},
		{entry: "namespace ignored when zone is empty (global k8s)", mesh: "default", ns: "kuma-system", name: "backend", port: 80, want: "sni.extsvc.default.backend.80"},
		{entry: "invalid namespace ignored when zone is empty", mesh: "default", ns: "Bad_NS", name: "backend", port: 80, want: "sni.extsvc.default.backend.80"},
		{entry: "error mesh contains dot", mesh: "de.fault", name: "backend", port: 80, wantErrs: []string{`mesh "de.fault" does not conform to RFC 1123: ` + noDots}},
		{entry: "error name contains dot", mesh: "default", name: "back.end", port: 80, wantErrs: []string{`name "back.end" does not conform to RFC 1123: ` + noDots}},
		{entry: "error zone contains dot", mesh: "default", zone: "east.zone", name: "backend", port: 80, wantErrs: []string{`zone "east.zone" does not conform to RFC 1123: ` + noDots}},
		{entry: "label exactly 63 chars", mesh: "default", name: r63("a", 63), port: 80, want: "sni.extsvc.default." + r63("a", 63) + ".80"},
		{entry: "error label exceeds 63 chars", mesh: "default", name: r63("a", 64), port: 80,
			wantErrs: []string{`name "` + r63("a", 64) + `" does not conform to RFC 1123: ` + maxLen63}},
		{entry: "error total exceeds 253 chars", mesh: r63("a", 63), zone: r63("b", 63), ns: r63("c", 63), name: r63("d", 63), port: 8080,
			wantErrs: []string{"computed SNI is 271 characters which exceeds the DNS hostname limit (253)"}},
		{entry: "error namespace contains dot", mesh: "default", zone: "east", ns: "app.ns", name: "backend", port: 80,
			wantErrs: []string{`namespace "app.ns" does not conform to RFC 1123: ` + noDots}},
		{entry: "error mesh contains uppercase", mesh: "Default", name: "backend", port: 80, wantErrs: []string{`mesh "Default" does not conform to RFC 1123: ` + regex1123}},
		{entry: "error name contains underscore", mesh: "default", name: "back_end", port: 80, wantErrs: []string{`name "back_end" does not conform to RFC 1123: ` + regex1123}},
		{entry: "error name ends with dash", mesh: "default", name: "backend-", port: 80, wantErrs: []string{`name "backend-" does not conform to RFC 1123: ` + regex1123}},
		{entry: "error zone contains uppercase", mesh: "default", zone: "East", name: "backend", port: 80, wantErrs: []string{`zone "East" does not conform to RFC 1123: ` + regex1123}},
		{entry: "reports separate errors for each non-conforming label", mesh: r63("a", 64), zone: r63("b", 64), name: r63("c", 64), port: 80, wantErrs: []string{
			`mesh "` + r63("a", 64) + `" does not conform to RFC 1123: ` + maxLen63,
			`name "` + r63("c", 64) + `" does not conform to RFC 1123: ` + maxLen63,
			`zone "` + r63("b", 64) + `" does not conform to RFC 1123: ` + maxLen63,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			svc := topology.MeshExternalService{Mesh: tt.mesh, Name: tt.name, Labels: map[string]string{},
				Spec: topology.Spec{Match: topology.Match{Port: tt.port}}}
			if tt.zone != "" {
				svc.Labels[topology.LabelZone] = tt.zone
			}
			if tt.ns != "" {
				svc.Labels[topology.LabelNamespace] = tt.ns
			}
			a := topology.Admit(topology.ControlPlane{Role: topology.RoleGlobal}, &svc, naming.Create)
			var got []string
			for _, w := range a.Warnings {
				r, ok := strings.CutPrefix(w, `Invalid MeshExternalService SNI (port "`+strconv.FormatUint(uint64(tt.port), 10)+`"): `)
				require.True(t, ok, w)
				got = append(got, strings.TrimSuffix(r, ". This is deprecated."))
			}
			if diff := cmp.Diff(tt.wantErrs, got); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
			if tt.want != "" {
				assert.Equal(t, tt.want, svc.KRISNI())
			}
		})
	}
}
