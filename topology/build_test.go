package topology_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/topology"
)

// TestBuildEgressEndpointMap: which services are built and the exact errors.
func TestBuildEgressEndpointMap(t *testing.T) {
	// The incident: clientCert and clientKey name secrets that do not exist.
	bad := mes("bad", mtls("", "kuma-cert", "kuma-key"))
	badErr := missing("default", "bad", "clientCert", "kuma-cert")

	tests := []struct {
		name      string
		in        topology.EgressInput
		wantDests []string
		wantErrs  []string
	}{
		{
			name:      "one valid MES",
			in:        topology.EgressInput{Services: []topology.MeshExternalService{mes("good")}},
			wantDests: []string{dest("good")},
		},
		{
			name:      "bad then good: good built, one error naming bad and the missing secret",
			in:        topology.EgressInput{Services: []topology.MeshExternalService{bad, mes("good", mtls("ca", "kuma-cert-1", "kuma-key-1"))}},
			wantDests: []string{dest("good")},
			wantErrs:  []string{badErr},
		},
		{
			name: "all bad: empty map and every error",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("b3", mtls("nope", "", "")),
				mes("b1", mtls("", "kuma-cert", "kuma-key")),
				mes("b2", port(70000)),
			}},
			wantDests: []string{},
			wantErrs: []string{
				missing("default", "b1", "clientCert", "kuma-cert"),
				fieldErr("b2", "spec.match.port", "Invalid value: 70000: port must be a valid (1-65535)"),
				missing("default", "b3", "caCert", "nope"),
			},
		},
		{
			name:      "caCert missing",
			in:        topology.EgressInput{Services: []topology.MeshExternalService{mes("a", mtls("nope", "", "")), mes("good")}},
			wantDests: []string{dest("good")},
			wantErrs:  []string{missing("default", "a", "caCert", "nope")},
		},
		{
			name:      "caCert and clientCert both missing: both reported",
			in:        topology.EgressInput{Services: []topology.MeshExternalService{mes("a", mtls("nope-ca", "nope-cert", "kuma-key-1")), mes("good")}},
			wantDests: []string{dest("good")},
			wantErrs: []string{
				missing("default", "a", "caCert", "nope-ca"),
				missing("default", "a", "clientCert", "nope-cert"),
			},
		},
		{
			name:      "clientCert present, clientKey secret missing",
			in:        topology.EgressInput{Services: []topology.MeshExternalService{mes("a", mtls("ca", "kuma-cert-1", "nope-key")), mes("good")}},
			wantDests: []string{dest("good")},
			wantErrs:  []string{missing("default", "a", "clientKey", "nope-key")},
		},
		{
			name:      "clientCert present, clientKey not defined",
			in:        topology.EgressInput{Services: []topology.MeshExternalService{mes("a", mtls("ca", "kuma-cert-1", "")), mes("good")}},
			wantDests: []string{dest("good")},
			wantErrs:  []string{fieldErr("a", "spec.tls.verification.clientKey", "must be defined when clientCert is defined")},
		},
		{
			name:      "clientKey present, clientCert not defined",
			in:        topology.EgressInput{Services: []topology.MeshExternalService{mes("a", mtls("ca", "", "kuma-key-1"))}},
			wantDests: []string{},
			wantErrs:  []string{fieldErr("a", "spec.tls.verification.clientCert", "must be defined when clientKey is defined")},
		},
		{
			name: "TLS disabled with missing secrets: built, nothing loaded",
			in: topology.EgressInput{Services: []topology.MeshExternalService{mes("a", func(m *topology.MeshExternalService) {
				m.Spec.TLS = &topology.TLS{Enabled: false, Verification: &topology.Verification{
					CaCert: secret("nope"), ClientCert: secret("nope"), ClientKey: secret("nope"),
				}}
			})}},
			wantDests: []string{dest("a")},
		},
		{
			name: "SkipCA and SkipAll with a missing CA: built",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("skipca", withTLS(topology.Verification{Mode: topology.ModeSkipCA, CaCert: secret("nope"),
					ClientCert: secret("kuma-cert-1"), ClientKey: secret("kuma-key-1")})),
				mes("skipall", withTLS(topology.Verification{Mode: topology.ModeSkipAll, CaCert: secret("nope"),
					ClientCert: secret("nope"), ClientKey: secret("nope")})),
			}},
			wantDests: []string{dest("skipall"), dest("skipca")},
		},
		{
			name:      "SkipCA still loads the client pair",
			in:        topology.EgressInput{Services: []topology.MeshExternalService{mes("a", withTLS(topology.Verification{Mode: topology.ModeSkipCA, ClientCert: secret("nope"), ClientKey: secret("kuma-key-1")}))}},
			wantDests: []string{},
			wantErrs:  []string{missing("default", "a", "clientCert", "nope")},
		},
		{
			name: "secret present only in another mesh",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("a", mtls("", "kuma-cert", "kuma-key")),
				mes("a", inMesh("other"), mtls("", "kuma-cert", "kuma-key")),
			}},
			wantDests: []string{"other_a___extsvc_443"},
			wantErrs:  []string{missing("default", "a", "clientCert", "kuma-cert")},
		},
		{
			// The reference's own valid inputs (validator testdata, e2e
			// validation) have no endpoints: such a service builds nothing.
			name: "nil and empty endpoints: accepted, nothing built",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("nil", func(m *topology.MeshExternalService) { m.Spec.Endpoints = nil }),
				mes("empty", func(m *topology.MeshExternalService) { m.Spec.Endpoints = []topology.ExternalEndpoint{} }),
				mes("ext", func(m *topology.MeshExternalService) {
					m.Spec.Endpoints = nil
					m.Spec.Extension = &topology.Extension{Type: "Lambda"}
				}),
				mes("good"),
			}},
			wantDests: []string{dest("good")},
		},
		{
			// The extension serves it: its TLS settings are the extension's.
			name: "extension without endpoints: its TLS settings are not the build's",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("ext", func(m *topology.MeshExternalService) {
					m.Spec.Endpoints = nil
					m.Spec.Extension = &topology.Extension{Type: "Lambda"}
					m.Spec.TLS = &topology.TLS{Version: &topology.Version{Min: "TLS9"}}
				}),
				mes("ext-endpoints", func(m *topology.MeshExternalService) {
					m.Spec.Extension = &topology.Extension{Type: "Lambda"}
					m.Spec.TLS = &topology.TLS{Version: &topology.Version{Min: "TLS9"}}
				}),
			}},
			wantDests: []string{},
			wantErrs: []string{fieldErr("ext-endpoints", "spec.tls.version.min",
				`Invalid value: "TLS9": "min" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`)},
		},
		{
			name: "extension without a type: reported, not silently skipped",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("ext", func(m *topology.MeshExternalService) {
					m.Spec.Endpoints = nil
					m.Spec.Extension = &topology.Extension{}
				}),
			}},
			wantDests: []string{},
			wantErrs:  []string{fieldErr("ext", "spec.extension.type", "must not be empty")},
		},
		{
			name: "other-zone MES validated, then left out; local and unlabelled built",
			in: topology.EgressInput{LocalZone: "zone-1", Services: []topology.MeshExternalService{
				mes("remote", labels(topology.LabelZone, "zone-2"), port(70000)),
				mes("remote-ok", labels(topology.LabelZone, "zone-2")),
				mes("local", labels(topology.LabelZone, "zone-1")),
				mes("empty-zone", labels(topology.LabelZone, "")),
				mes("global"),
			}},
			wantDests: []string{"default_empty-zone___extsvc_443", dest("global"), "default_local__zone-1_extsvc_443"},
			wantErrs:  []string{fieldErr("remote", "spec.match.port", "Invalid value: 70000: port must be a valid (1-65535)")},
		},
		{
			name: "IPv6 endpoint built; bracketed and zoned IPv6 refused",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("v6", endpoints("2001:db8::1", 443)),
				mes("bracket", endpoints("[2001:db8::1]", 443)),
				mes("zoned", endpoints("fe80::1%eth0", 443)),
			}},
			wantDests: []string{dest("v6")},
			wantErrs: []string{
				fieldErr("bracket", "spec.endpoints[0].address", `Invalid value: "[2001:db8::1]": address has to be a valid IP or hostname`),
				fieldErr("zoned", "spec.endpoints[0].address", `Invalid value: "fe80::1%eth0": address has to be a valid IP or hostname`),
			},
		},
		{
			name: "unix:// address",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("sock", endpoints("unix:///tmp/example.sock", 1)),
				mes("good"),
			}},
			wantDests: []string{dest("good")},
			wantErrs: []string{
				fieldErr("sock", "spec.endpoints[0].address", `Invalid value: "unix:///tmp/example.sock": address has to be a valid IP or hostname`),
			},
		},
		{
			// The reference checks the port of a valid address only.
			name: "empty address and port 70000: per-MES errors, others built",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("first"),
				mes("bad", endpoints("1.1.1.1", 443, "", 70000, "2.2.2.2", 70000)),
				mes("last"),
			}},
			wantDests: []string{dest("first"), dest("last")},
			wantErrs: []string{
				fieldErr("bad", "spec.endpoints[1].address", `Invalid value: "": address has to be a valid IP or hostname`),
				fieldErr("bad", "spec.endpoints[2].port", "Invalid value: 70000: port must be a valid (1-65535)"),
			},
		},
		{
			name: "match, TLS version, mode, server name and SAN rules",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("match", port(0), protocol("udp"), func(m *topology.MeshExternalService) { m.Spec.Match.Type = "Other" }),
				mes("tls", func(m *topology.MeshExternalService) {
					m.Spec.TLS = &topology.TLS{
						Enabled: true,
						Version: &topology.Version{Min: topology.TLS13, Max: topology.TLS12},
						Verification: &topology.Verification{
							Mode:            "Strict",
							ServerName:      "bad_name-.example.com",
							SubjectAltNames: []topology.SAN{{Type: "Regex", Value: "x"}, {Type: topology.SANExact}},
						},
					}
				}),
				mes("version", func(m *topology.MeshExternalService) {
					m.Spec.TLS = &topology.TLS{Version: &topology.Version{Min: "TLS14", Max: "1.2"}}
				}),
				mes("longsni", withTLS(topology.Verification{ServerName: strings.Repeat("a.", 128)[:255] + "b"})),
				mes("sni255", withTLS(topology.Verification{ServerName: strings.Repeat("a.", 128)[:255]}), port(0)),
			}},
			wantDests: []string{},
			wantErrs: []string{
				fieldErr("longsni", "spec.tls.verification.serverName", `Invalid value: "`+strings.Repeat("a.", 128)[:255]+`b": must be a valid DNS name`),
				fieldErr("match", "spec.match.type", `Invalid value: "Other": unrecognized type 'Other' - only 'HostnameGenerator' is supported`),
				fieldErr("match", "spec.match.port", "Invalid value: 0: port must be a valid (1-65535)"),
				fieldErr("match", "spec.match.protocol", `Invalid value: "udp": "protocol" must be one of ["tcp", "grpc", "http", "http2"]`),
				fieldErr("sni255", "spec.match.port", "Invalid value: 0: port must be a valid (1-65535)"),
				fieldErr("tls", "spec.tls.version.min", `Invalid value: "TLS13": min version must be lower than max`),
				fieldErr("tls", "spec.tls.verification.serverName", `Invalid value: "bad_name-.example.com": must be a valid DNS name`),
				fieldErr("tls", "spec.tls.verification.mode", `Invalid value: "Strict": "mode" must be one of ["SkipSAN", "SkipCA", "SkipAll", "Secured"]`),
				fieldErr("tls", "spec.tls.verification.subjectAltNames[0].type", `Invalid value: "Regex": "type" must be one of ["Prefix", "Exact"]`),
				fieldErr("tls", "spec.tls.verification.subjectAltNames[1].value", "must not be empty"),
				fieldErr("version", "spec.tls.version.min", `Invalid value: "TLS14": "min" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`),
				fieldErr("version", "spec.tls.version.max", `Invalid value: "1.2": "max" must be one of ["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]`),
			},
		},
		{
			name: "duplicate destination: both reported, neither built",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("x", labels(topology.LabelDisplayName, "shop")),
				mes("y", labels(topology.LabelDisplayName, "shop")),
				mes("good"),
			}},
			wantDests: []string{dest("good")},
			wantErrs: []string{
				`topology: MeshExternalService "x" in mesh "default": destination name "default_shop___extsvc_443" is also claimed by MeshExternalService "y" in mesh "default"; neither is built`,
				`topology: MeshExternalService "y" in mesh "default": destination name "default_shop___extsvc_443" is also claimed by MeshExternalService "x" in mesh "default"; neither is built`,
			},
		},
		{
			name: "duplicate SNI (same display name and port, other namespace): both reported",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("shop.ns1", labels(topology.LabelDisplayName, "shop", topology.LabelNamespace, "ns1")),
				mes("shop.ns2", labels(topology.LabelDisplayName, "shop", topology.LabelNamespace, "ns2")),
				mes("good"),
			}},
			wantDests: []string{dest("good")},
			wantErrs: []string{
				`topology: MeshExternalService "shop.ns1" in mesh "default": egress SNI "` + sniOf("shop", "default", 443) + `" is also claimed by MeshExternalService "shop.ns2" in mesh "default"; neither is built`,
				`topology: MeshExternalService "shop.ns2" in mesh "default": egress SNI "` + sniOf("shop", "default", 443) + `" is also claimed by MeshExternalService "shop.ns1" in mesh "default"; neither is built`,
			},
		},
		{
			name: "three claimants of one destination",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("c", labels(topology.LabelDisplayName, "d")),
				mes("a", labels(topology.LabelDisplayName, "d")),
				mes("b", labels(topology.LabelDisplayName, "d")),
			}},
			wantDests: []string{},
			wantErrs: []string{
				`topology: MeshExternalService "a" in mesh "default": destination name "default_d___extsvc_443" is also claimed by MeshExternalServices "b" in mesh "default", "c" in mesh "default"; none is built`,
				`topology: MeshExternalService "b" in mesh "default": destination name "default_d___extsvc_443" is also claimed by MeshExternalServices "a" in mesh "default", "c" in mesh "default"; none is built`,
				`topology: MeshExternalService "c" in mesh "default": destination name "default_d___extsvc_443" is also claimed by MeshExternalServices "a" in mesh "default", "b" in mesh "default"; none is built`,
			},
		},
		{
			name: "the same service twice in the input",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("twice"), mes("good"), mes("twice", port(8443)), mes("thrice", port(0)), mes("thrice", endpoints("", 1)),
			}},
			wantDests: []string{dest("good")},
			wantErrs: []string{
				`topology: MeshExternalService "thrice" in mesh "default": appears 2 times in the input; none is built`,
				`topology: MeshExternalService "thrice" in mesh "default": appears 2 times in the input; none is built`,
				`topology: MeshExternalService "twice" in mesh "default": appears 2 times in the input; none is built`,
				`topology: MeshExternalService "twice" in mesh "default": appears 2 times in the input; none is built`,
			},
		},
		{
			name: "same name in two meshes: both built",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("a", inMesh("m1")), mes("a", inMesh("m2")),
			}},
			wantDests: []string{"m1_a___extsvc_443", "m2_a___extsvc_443"},
		},
		{
			name: "EgressInput.Mesh: services of other meshes left out, empty mesh inherits",
			in: topology.EgressInput{Mesh: "m1", Services: []topology.MeshExternalService{
				mes("a", inMesh("m1")), mes("b", inMesh("")), mes("c", inMesh("m2"), port(0)),
			}},
			wantDests: []string{"m1_a___extsvc_443", "m1_b___extsvc_443"},
		},
		{
			name: "no mesh anywhere, no name",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("a", inMesh("")), mes("", endpoints("example.com", 443)),
			}},
			wantDests: []string{},
			wantErrs: []string{
				`topology: MeshExternalService "a" in mesh "": mesh: must not be empty`,
				`topology: MeshExternalService "" in mesh "default": name: must not be empty`,
			},
		},
		{
			name: "names that go into the destination name, KRI and SNI",
			in: topology.EgressInput{LocalZone: "zone 1", Services: []topology.MeshExternalService{
				mes("has space", endpoints("example.com", 443)),
				mes("k8s-name.ns", labels(topology.LabelDisplayName, "bad\xffname", topology.LabelNamespace, "-ns", topology.LabelZone, "zone 1")),
				mes("dotted", inMesh("aa.a")),
				mes("123"),
				mes(longName, inMesh(strings.Repeat("m", 63)), endpoints("example.com", 443)),
				mes("san", withTLS(topology.Verification{SubjectAltNames: []topology.SAN{{Type: topology.SANExact, Value: "ok\x00"}}})),
			}},
			// A long display name or mesh builds: the egress SNI shortens it.
			wantDests: []string{"aa.a_dotted___extsvc_443", dest("123"), strings.Repeat("m", 63) + "_" + longName + "___extsvc_443"},
			wantErrs: []string{
				fieldErr("has space", "name", `Invalid value: "has space": must be DNS labels (letters, digits, '-', '_', separated by dots): it is part of the egress SNI`),
				fieldErr("k8s-name.ns", `labels["kuma.io/display-name"]`, `Invalid value: "bad\xffname": must be DNS labels (letters, digits, '-', '_', separated by dots): it is part of the egress SNI`),
				fieldErr("k8s-name.ns", `labels["k8s.kuma.io/namespace"]`, `Invalid value: "-ns": must be a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit): it is part of the destination name`),
				fieldErr("k8s-name.ns", `labels["kuma.io/zone"]`, `Invalid value: "zone 1": must be a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit): it is part of the destination name`),
				fieldErr("san", "spec.tls.verification.subjectAltNames[0].value", `Invalid value: "ok\x00": must be valid UTF-8 without control characters`),
			},
		},
		{
			name: "garbage PEM",
			in: topology.EgressInput{Services: []topology.MeshExternalService{
				mes("ca", mtls("garbage", "", "")),
				mes("cert", mtls("ca", "garbage-cert", "kuma-key-1")),
				mes("key", mtls("ca", "kuma-cert-1", "garbage-key")),
				mes("pair", mtls("ca", "kuma-cert-1", "key-b")),
				mes("block", mtls("garbage-block", "", "")),
				mes("typekey", mtls("", "kuma-cert-1", "garbage-typekey")),
				mes("keyascert", mtls("key-as-cert", "", "")),
				mes("empty", mtls("empty", "", "")),
				mes("inline", withTLS(topology.Verification{CaCert: &topology.DataSource{InlineString: secretMarker}})),
			}},
			wantDests: []string{},
			wantErrs: []string{
				fieldErr("block", "spec.tls.verification.caCert", `invalid caCert (secret "garbage-block"): PEM block 1 is not a certificate`),
				fieldErr("ca", "spec.tls.verification.caCert", `invalid caCert (secret "garbage"): no PEM data found`),
				fieldErr("cert", "spec.tls.verification.clientCert", `invalid clientCert (secret "garbage-cert"): certificate 1 does not parse as X.509`),
				fieldErr("empty", "spec.tls.verification.caCert", `invalid caCert (secret "empty"): no PEM data found`),
				fieldErr("inline", "spec.tls.verification.caCert", `invalid caCert (inline): no PEM data found`),
				fieldErr("key", "spec.tls.verification.clientKey", `invalid clientKey (secret "garbage-key"): private key is not PKCS #1, PKCS #8 or SEC 1 DER`),
				fieldErr("keyascert", "spec.tls.verification.caCert", `invalid caCert (secret "key-as-cert"): PEM block 1 is not a certificate`),
				fieldErr("pair", "spec.tls.verification.clientKey", `invalid clientKey (secret "key-b"): private key does not match the client certificate`),
				fieldErr("typekey", "spec.tls.verification.clientKey", `invalid clientKey (secret "garbage-typekey"): private key is not PKCS #1, PKCS #8 or SEC 1 DER`),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, errs := build(t, tt.in)
			require.NotNil(t, m)
			want := tt.wantDests
			if want == nil {
				want = []string{}
			}
			assert.Equal(t, want, append([]string{}, m.Names()...))
			if diff := cmp.Diff(tt.wantErrs, errStrings(errs)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if tt.wantErrs == nil {
				assert.Nil(t, errs, "Errors must be nil when every MES built")
				assert.NoError(t, errs.Err())
			} else {
				assert.Error(t, errs.Err())
			}
		})
	}
}

var longName = strings.Repeat("x", 63) + "." + strings.Repeat("y", 63) + "." + strings.Repeat("z", 63)

func sniOf(display, mesh string, port uint32) string {
	m := topology.MeshExternalService{Mesh: mesh, Name: display, Spec: topology.Spec{Match: topology.Match{Port: port}}}
	return m.EgressSNI()
}

// TestBadMESAnyPosition: one bad MES first, in the middle or last among ten
// leaves the other nine built with the same endpoints, and one error.
func TestBadMESAnyPosition(t *testing.T) {
	good := make([]topology.MeshExternalService, 9)
	for i := range good {
		good[i] = mes(fmt.Sprintf("svc-%d", i), mtls("ca", "kuma-cert-1", "kuma-key-1"))
	}
	alone, errs := build(t, topology.EgressInput{Services: good})
	require.Nil(t, errs)
	require.Len(t, alone, 9)

	bad := mes("bad", mtls("", "kuma-cert", "kuma-key"))
	for _, pos := range []int{0, 4, 9} {
		t.Run(fmt.Sprintf("position %d", pos), func(t *testing.T) {
			in := append(append(append([]topology.MeshExternalService{}, good[:pos]...), bad), good[pos:]...)
			require.Len(t, in, 10)
			m, errs := build(t, topology.EgressInput{Services: in})
			if diff := cmp.Diff(alone, m); diff != "" {
				t.Errorf("the nine good MES changed (-alone +with bad):\n%s", diff)
			}
			assert.Equal(t, []string{missing("default", "bad", "clientCert", "kuma-cert")}, errStrings(errs))
		})
	}
}

// TestErrorsAreTyped: callers match errors by kind and find the resource and
// field.
func TestErrorsAreTyped(t *testing.T) {
	_, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{
		mes("missing", mtls("", "kuma-cert", "kuma-key")),
		mes("invalid", port(70000)),
		mes("garbage", mtls("garbage", "", "")),
		mes("d1", labels(topology.LabelDisplayName, "d")),
		mes("d2", labels(topology.LabelDisplayName, "d")),
	}})
	require.Len(t, errs, 5)
	err := errs.Err()
	assert.ErrorIs(t, err, topology.ErrSecretNotFound)
	assert.ErrorIs(t, err, topology.ErrInvalid)
	assert.ErrorIs(t, err, topology.ErrInvalidMaterial)
	assert.ErrorIs(t, err, topology.ErrConflict)

	byName := map[string]*topology.ResourceError{}
	for _, e := range errs {
		byName[e.Name] = e
	}
	var me *topology.MaterialError
	require.ErrorAs(t, byName["missing"], &me)
	assert.Equal(t, topology.MaterialError{Material: "clientCert", Mesh: "default", Secret: "kuma-cert", Err: me.Err}, *me)
	assert.ErrorIs(t, me, topology.ErrSecretNotFound)

	var ve *topology.ValidationError
	require.ErrorAs(t, byName["invalid"], &ve)
	assert.Equal(t, uint32(70000), ve.Value)
	assert.Equal(t, "spec.match.port", byName["invalid"].Field)

	var c *topology.Conflict
	require.ErrorAs(t, byName["d1"], &c)
	assert.Equal(t, topology.Conflict{On: topology.ConflictDestination, Value: "default_d___extsvc_443",
		With: []topology.ResourceRef{{Mesh: "default", Name: "d2"}}}, *c)

	assert.Equal(t, strings.Join(errStrings(errs), "\n"), err.Error())
	assert.Nil(t, topology.Errors(nil).Err())
	assert.Nil(t, topology.Errors{}.Err())
}

// TestSecretBytesNeverInErrors: no error string, through any wrapping, holds
// any part of a secret's bytes.
func TestSecretBytesNeverInErrors(t *testing.T) {
	var svcs []topology.MeshExternalService
	for name := range garbageSecrets {
		svcs = append(svcs,
			mes("ca-"+name, mtls(name, "", "")),
			mes("cert-"+name, mtls("ca", name, "kuma-key-1")),
			mes("key-"+name, mtls("ca", "kuma-cert-1", name)),
			mes("inline-"+name, withTLS(topology.Verification{
				CaCert:     &topology.DataSource{Inline: garbageSecrets[name]},
				ClientCert: &topology.DataSource{InlineString: string(garbageSecrets[name])},
				ClientKey:  &topology.DataSource{Inline: garbageSecrets[name]},
			})),
		)
	}
	_, errs := build(t, topology.EgressInput{Services: svcs})
	require.NotEmpty(t, errs)
	assertNoSecret(t, errs.Err().Error())
	for _, e := range errs {
		for err := error(e); err != nil; err = errors.Unwrap(err) {
			assertNoSecret(t, err.Error())
		}
	}
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, frag := range []string{secretMarker, "S3CR3T", "U0VDUkVU", "password=", "AAAA"} {
		require.NotContains(t, s, frag)
	}
}

// TestTLSByMode: what each verification mode keeps, and that the material it
// does not use is never asked for.
func TestTLSByMode(t *testing.T) {
	full := topology.Verification{
		ServerName:      "api.example.com",
		SubjectAltNames: []topology.SAN{{Type: topology.SANPrefix, Value: "spiffe://example.org/"}},
		CaCert:          secret("ca"),
		ClientCert:      secret("kuma-cert-1"),
		ClientKey:       secret("kuma-key-1"),
	}
	tests := []struct {
		mode  string
		want  topology.UpstreamTLS
		loads []string
	}{
		{mode: "", want: topology.UpstreamTLS{
			Mode: topology.ModeSecured, ServerName: "api.example.com", FirstAddress: "a.example.com", SubjectAltNames: full.SubjectAltNames,
			CACert: caPEM, ClientCert: clientPEM, ClientKey: clientKey, MinVersion: topology.TLS12, MaxVersion: topology.TLS13,
		}, loads: []string{"default/ca", "default/kuma-cert-1", "default/kuma-key-1"}},
		{mode: topology.ModeSkipSAN, want: topology.UpstreamTLS{
			Mode: topology.ModeSkipSAN, ServerName: "api.example.com", FirstAddress: "a.example.com", SkipHostnameVerification: true,
			CACert: caPEM, ClientCert: clientPEM, ClientKey: clientKey, MinVersion: topology.TLS12, MaxVersion: topology.TLS13,
		}, loads: []string{"default/ca", "default/kuma-cert-1", "default/kuma-key-1"}},
		{mode: topology.ModeSkipCA, want: topology.UpstreamTLS{
			Mode: topology.ModeSkipCA, ServerName: "api.example.com", FirstAddress: "a.example.com", SkipHostnameVerification: true,
			ClientCert: clientPEM, ClientKey: clientKey, MinVersion: topology.TLS12, MaxVersion: topology.TLS13,
		}, loads: []string{"default/kuma-cert-1", "default/kuma-key-1"}},
		{mode: topology.ModeSkipAll, want: topology.UpstreamTLS{
			Mode: topology.ModeSkipAll, ServerName: "api.example.com", FirstAddress: "a.example.com", SkipHostnameVerification: true,
			MinVersion: topology.TLS12, MaxVersion: topology.TLS13,
		}, loads: nil},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			v := full
			v.Mode = tt.mode
			svc := mes("a", withTLS(v), func(m *topology.MeshExternalService) {
				m.Spec.TLS.Version = &topology.Version{Min: topology.TLS12, Max: topology.TLS13}
			})
			cs := &countingSecrets{inner: testSecrets()}
			m, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{svc}, Secrets: cs})
			require.Nil(t, errs)
			got := m[dest("a")][0].ExternalService.TLS
			require.NotNil(t, got)
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("UpstreamTLS (-want +got):\n%s", diff)
			}
			var loads []string
			for k := range cs.counts {
				loads = append(loads, k)
			}
			assert.ElementsMatch(t, tt.loads, loads)
		})
	}
}

// TestSystemCAFallback: Secured without a CA verifies against the system CAs.
func TestSystemCAFallback(t *testing.T) {
	m, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{mes("a", withTLS(topology.Verification{}))}})
	require.Nil(t, errs)
	got := m[dest("a")][0].ExternalService.TLS
	assert.True(t, got.FallbackToSystemCA)
	assert.Nil(t, got.CACert)
	assert.Equal(t, "a.example.com", got.ServerName)
}

// TestServerNameInference: the given name, else the first endpoint's address
// when it is a DNS name (spec order, not sorted order), else none.
func TestServerNameInference(t *testing.T) {
	tests := []struct {
		name string
		opts []mesOpt
		want string
	}{
		{"given wins", []mesOpt{withTLS(topology.Verification{ServerName: "given.example.com"}), endpoints("z.example.com", 443)}, "given.example.com"},
		{"first endpoint's DNS name", []mesOpt{withTLS(topology.Verification{}), endpoints("z.example.com", 443, "a.example.com", 443)}, "z.example.com"},
		{"trailing dot dropped", []mesOpt{withTLS(topology.Verification{}), endpoints("fqdn.example.com.", 443)}, "fqdn.example.com"},
		{"first endpoint an IP: none", []mesOpt{withTLS(topology.Verification{}), endpoints("10.0.0.1", 443, "a.example.com", 443)}, ""},
		{"IPv6 first: none", []mesOpt{withTLS(topology.Verification{}), endpoints("2001:db8::1", 443)}, ""},
		{"SkipSAN keeps the SNI", []mesOpt{withTLS(topology.Verification{Mode: topology.ModeSkipSAN}), endpoints("z.example.com", 443)}, "z.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{mes("a", tt.opts...)}})
			require.Nil(t, errs)
			assert.Equal(t, tt.want, m[dest("a")][0].ExternalService.TLS.ServerName)
		})
	}
}

// TestDataSourcePrecedence: secret, then inline, then inlineString; an empty
// DataSource is absent; a named secret that is missing does not fall back.
func TestDataSourcePrecedence(t *testing.T) {
	tests := []struct {
		name    string
		ca      *topology.DataSource
		wantCA  []byte
		wantSys bool
		wantErr string
	}{
		{"secret over inline and inlineString", &topology.DataSource{Secret: "ca", Inline: caBPEM, InlineString: "x"}, caPEM, false, ""},
		{"inline over inlineString", &topology.DataSource{Inline: caBPEM, InlineString: string(caPEM)}, caBPEM, false, ""},
		{"inlineString alone", &topology.DataSource{InlineString: string(caBPEM)}, caBPEM, false, ""},
		{"empty DataSource is absent", &topology.DataSource{}, nil, true, ""},
		{"missing secret does not fall back to inline", &topology.DataSource{Secret: "nope", Inline: caPEM}, nil, false, missing("default", "a", "caCert", "nope")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{mes("a", withTLS(topology.Verification{CaCert: tt.ca}))}})
			if tt.wantErr != "" {
				assert.Equal(t, []string{tt.wantErr}, errStrings(errs))
				assert.Empty(t, m)
				return
			}
			require.Nil(t, errs)
			got := m[dest("a")][0].ExternalService.TLS
			assert.Equal(t, tt.wantCA, got.CACert)
			assert.Equal(t, tt.wantSys, got.FallbackToSystemCA)
		})
	}
	// The same precedence for the client pair: inline beats inlineString.
	m, errs := build(t, topology.EgressInput{Services: []topology.MeshExternalService{mes("a", withTLS(topology.Verification{
		ClientCert: &topology.DataSource{Inline: clientBPEM, InlineString: string(clientPEM)},
		ClientKey:  &topology.DataSource{Secret: "key-b", InlineString: string(clientKey)},
	}))}})
	require.Nil(t, errs)
	got := m[dest("a")][0].ExternalService.TLS
	assert.Equal(t, clientBPEM, got.ClientCert)
	assert.Equal(t, clientBKey, got.ClientKey)
}

// TestKubernetesLabels: destination name, KRI, SNI, tags and locality of a
// MES synced the Kubernetes way.
func TestKubernetesLabels(t *testing.T) {
	svc := mes("httpbin-5f7d8c.kuma-system",
		labels(
			topology.LabelDisplayName, "httpbin",
			topology.LabelNamespace, "kuma-system",
			topology.LabelZone, "zone-1",
			"kuma.io/origin", "zone",
		),
		endpoints("httpbin.org", 443, "1.2.3.4", 8443, "httpbin.org", 443),
	)
	m, errs := build(t, topology.EgressInput{LocalZone: "zone-1", Services: []topology.MeshExternalService{svc}})
	require.Nil(t, errs)
	const key = "default_httpbin_kuma-system_zone-1_extsvc_443"
	require.Equal(t, []string{key}, m.Names())
	assert.Equal(t, key, svc.DestinationName())

	es := &topology.ExternalService{
		Mesh:            "default",
		Name:            "httpbin-5f7d8c.kuma-system",
		DestinationName: key,
		KRI:             "kri_extsvc_default_zone-1_kuma-system_httpbin_443",
		EgressSNI:       sniOf("httpbin", "default", 443),
		Protocol:        topology.ProtocolTCP,
	}
	tags := map[string]string{
		topology.LabelDisplayName: "httpbin",
		topology.LabelNamespace:   "kuma-system",
		topology.LabelZone:        "zone-1",
		"kuma.io/origin":          "zone",
		topology.TagMesh:          "default",
	}
	loc := &topology.Locality{SubZone: "priority-0"}
	want := []topology.Endpoint{
		{Target: "1.2.3.4", Port: 8443, Weight: 1, Tags: tags, Locality: loc, ExternalService: es},
		{Target: "httpbin.org", Port: 443, Weight: 1, Tags: tags, Locality: loc, ExternalService: es},
	}
	if diff := cmp.Diff(want, m[key]); diff != "" {
		t.Errorf("endpoints (-want +got):\n%s", diff)
	}
	// The input labels are not modified.
	assert.NotContains(t, svc.Labels, topology.TagMesh)
}

// TestNames: the reference formats and examples.
func TestNames(t *testing.T) {
	tests := []struct {
		svc       topology.MeshExternalService
		dest, kri string
		sni       string
	}{
		{
			svc:  mes("example"),
			dest: "default_example___extsvc_443",
			kri:  "kri_extsvc_default___example_443",
		},
		{
			svc:  mes("a.kuma-system", labels(topology.LabelDisplayName, "a", topology.LabelNamespace, "kuma-system", topology.LabelZone, "zone-1")),
			dest: "default_a_kuma-system_zone-1_extsvc_443",
			kri:  "kri_extsvc_default_zone-1_kuma-system_a_443",
		},
		{
			svc:  mes("meshexternalservice-1", inMesh("mesh-1"), port(9090)),
			dest: "mesh-1_meshexternalservice-1___extsvc_9090",
			kri:  "kri_extsvc_mesh-1___meshexternalservice-1_9090",
			sni:  "a45e197ed7825551b.meshexternalservice-1.9090.mesh-1.mes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.dest, func(t *testing.T) {
			assert.Equal(t, tt.dest, tt.svc.DestinationName())
			assert.Equal(t, tt.kri, tt.svc.KRI())
			if tt.sni != "" {
				assert.Equal(t, tt.sni, tt.svc.EgressSNI())
			}
		})
	}
}

// TestSharedSecretLoadedAndParsedOnce: a CA and a client pair shared by 200
// services are fetched once each per build, and parsed once: a service that
// shares them costs fewer allocations than parsing a certificate does, let
// alone the CA, the chain, the key and the pair check.
func TestSharedSecretLoadedAndParsedOnce(t *testing.T) {
	var svcs []topology.MeshExternalService
	for i := range 200 {
		svcs = append(svcs, mes(fmt.Sprintf("s%d", i), mtls("ca", "kuma-cert-1", "kuma-key-1")))
	}
	garbage := []topology.MeshExternalService{mes("g1", mtls("garbage", "", "")), mes("g2", mtls("garbage", "", ""))}
	cs := &countingSecrets{inner: testSecrets()}
	in := topology.EgressInput{Services: append(svcs[:200:200], garbage...), Secrets: cs}
	m, errs := topology.BuildEgressEndpointMap(context.Background(), in)
	assert.Equal(t, map[string]int{"default/ca": 1, "default/kuma-cert-1": 1, "default/kuma-key-1": 1, "default/garbage": 1}, cs.counts)
	assert.Len(t, m, 200)
	require.Len(t, errs, 2)
	assert.Equal(t, strings.Replace(errs[0].Error(), `"g1"`, `"g2"`, 1), errs[1].Error(), "one parse, one error text")

	// A second build loads again: the cache does not outlive a build.
	_, _ = topology.BuildEgressEndpointMap(context.Background(), in)
	assert.Equal(t, 2, cs.counts["default/ca"])

	if testing.CoverMode() != "" {
		t.Skip("allocation counts are not meaningful under -cover")
	}
	allocs := func(n int) float64 {
		in := topology.EgressInput{Services: svcs[:n], Secrets: testSecrets()}
		return testing.AllocsPerRun(5, func() { topology.BuildEgressEndpointMap(context.Background(), in) })
	}
	perService := (allocs(200) - allocs(100)) / 100
	block, _ := pem.Decode(caPEM)
	parse := testing.AllocsPerRun(5, func() { _, _ = x509.ParseCertificate(block.Bytes) })
	assert.Less(t, perService, parse, "allocations of a service that shares parsed material vs one certificate parse")
}

// TestSecretsErrors: a Secrets failure other than not-found is reported, with
// its cause, for the services that need it; nil Secrets means none exist.
func TestSecretsErrors(t *testing.T) {
	boom := errors.New("store unavailable")
	failing := topology.SecretsFunc(func(ctx context.Context, mesh, name string) ([]byte, error) {
		return nil, boom
	})
	_, errs := topology.BuildEgressEndpointMap(context.Background(), topology.EgressInput{
		Services: []topology.MeshExternalService{mes("a", mtls("ca", "", "")), mes("plain")},
		Secrets:  failing,
	})
	assert.Equal(t, []string{fieldErr("a", "spec.tls.verification.caCert",
		`could not load caCert: could not load data: secret "ca" in mesh "default": store unavailable`)}, errStrings(errs))
	assert.ErrorIs(t, errs.Err(), boom)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ctxSecrets := topology.SecretsFunc(func(ctx context.Context, mesh, name string) ([]byte, error) {
		return nil, ctx.Err()
	})
	_, errs = topology.BuildEgressEndpointMap(ctx, topology.EgressInput{
		Services: []topology.MeshExternalService{mes("a", mtls("ca", "", ""))}, Secrets: ctxSecrets,
	})
	assert.ErrorIs(t, errs.Err(), context.Canceled)

	m, errs := topology.BuildEgressEndpointMap(context.Background(), topology.EgressInput{
		Services: []topology.MeshExternalService{mes("a", mtls("ca", "", "")), mes("plain")},
	})
	assert.Equal(t, []string{missing("default", "a", "caCert", "ca")}, errStrings(errs))
	assert.Equal(t, []string{dest("plain")}, m.Names())
}

// TestDeterministic: the result does not depend on input order.
func TestDeterministic(t *testing.T) {
	svcs := []topology.MeshExternalService{
		mes("a", endpoints("b.example.com", 443, "a.example.com", 443, "10.0.0.2", 80, "10.0.0.1", 80)),
		mes("b", mtls("ca", "kuma-cert-1", "kuma-key-1")),
		mes("bad", mtls("nope", "", "")),
		mes("bad2", port(0)),
		mes("x", labels(topology.LabelDisplayName, "d")),
		mes("y", labels(topology.LabelDisplayName, "d")),
		mes("c", inMesh("m2")),
	}
	m0, e0 := build(t, topology.EgressInput{Services: svcs})
	targets := func(eps []topology.Endpoint) []string {
		var out []string
		for _, e := range eps {
			out = append(out, fmt.Sprintf("%s:%d", e.Target, e.Port))
		}
		return out
	}
	assert.Equal(t, []string{"10.0.0.1:80", "10.0.0.2:80", "a.example.com:443", "b.example.com:443"}, targets(m0[dest("a")]))
	for i := range 20 {
		perm := append([]topology.MeshExternalService{}, svcs...)
		// A fixed sequence of rotations and swaps: no randomness in tests.
		for j := range perm {
			k := (j*7 + i*3) % len(perm)
			perm[j], perm[k] = perm[k], perm[j]
		}
		m, e := build(t, topology.EgressInput{Services: perm})
		if diff := cmp.Diff(m0, m); diff != "" {
			t.Fatalf("permutation %d: map differs:\n%s", i, diff)
		}
		if diff := cmp.Diff(errStrings(e0), errStrings(e)); diff != "" {
			t.Fatalf("permutation %d: errors differ:\n%s", i, diff)
		}
	}
}

// TestAll: the iteration helper yields in name order and stops when asked.
func TestAll(t *testing.T) {
	m, _ := build(t, topology.EgressInput{Services: []topology.MeshExternalService{mes("c"), mes("a"), mes("b")}})
	var names []string
	for name, eps := range m.All() {
		require.Len(t, eps, 1)
		names = append(names, name)
		if len(names) == 2 {
			break
		}
	}
	assert.Equal(t, []string{dest("a"), dest("b")}, names)
}
