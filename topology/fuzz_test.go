package topology_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshcore/meshcore/naming"
	"github.com/meshcore/meshcore/topology"
)

// fuzzValidSet is a mix of valid services that build with no error.
func fuzzValidSet() []topology.MeshExternalService {
	return []topology.MeshExternalService{
		mes("plain"),
		mes("mtls", mtls("ca", "kuma-cert-1", "kuma-key-1"), protocol(topology.ProtocolHTTP)),
		mes("skipca", withTLS(topology.Verification{Mode: topology.ModeSkipCA, ClientCert: secret("cert-b"), ClientKey: secret("key-b")})),
		mes("k8s.ns", labels(topology.LabelDisplayName, "k8s", topology.LabelNamespace, "ns", topology.LabelZone, "zone-1"),
			endpoints("10.0.0.1", 80, "10.0.0.2", 80), port(80)),
		mes("v6", endpoints("2001:db8::1", 9000), protocol(topology.ProtocolGRPC), port(9000)),
		mes("plain", inMesh("other"), withTLS(topology.Verification{ClientCert: secret("kuma-cert"), ClientKey: secret("kuma-key")})),
	}
}

// mesFromBytes turns arbitrary bytes into a service: JSON when they are, else
// NUL-separated fields, so that unstructured inputs still reach every check.
func mesFromBytes(b []byte) topology.MeshExternalService {
	var m topology.MeshExternalService
	if json.Unmarshal(b, &m) == nil {
		return m
	}
	f := bytes.Split(b, []byte{0})
	get := func(i int) string {
		if i < len(f) {
			return string(f[i])
		}
		return ""
	}
	num := func(i int) uint32 {
		n, _ := strconv.ParseUint(get(i), 10, 32)
		return uint32(n)
	}
	m = topology.MeshExternalService{
		Mesh: get(0),
		Name: get(1),
		Labels: map[string]string{
			topology.LabelDisplayName: get(2),
			topology.LabelNamespace:   get(3),
			topology.LabelZone:        get(4),
		},
		Spec: topology.Spec{
			Match:     topology.Match{Port: num(5), Protocol: get(6)},
			Endpoints: []topology.ExternalEndpoint{{Address: get(7), Port: num(8)}},
		},
	}
	if len(f) > 9 {
		m.Spec.TLS = &topology.TLS{Enabled: get(9) != "", Verification: &topology.Verification{
			Mode:       get(10),
			ServerName: get(11),
			CaCert:     &topology.DataSource{Secret: get(12)},
			ClientCert: &topology.DataSource{InlineString: get(13)},
			ClientKey:  &topology.DataSource{Secret: get(14)},
		}}
	}
	return m
}

// FuzzIsolation: one service made from fuzzed bytes, placed anywhere among
// valid ones, never changes what the valid ones build to. The only way it may
// affect one is by claiming its destination name, SNI or identity, and then
// both are reported. Whatever builds renders to valid Envoy resources, and no
// error quotes a secret. Admission of the fuzzed service does not panic, and
// whatever it admits without an extension the build accepts too, unless for
// what the build adds (names, SAN values, material).
func FuzzIsolation(f *testing.F) {
	for _, svc := range []topology.MeshExternalService{
		mes("fuzz"),
		mes("bad", mtls("", "kuma-cert", "kuma-key")),
		mes("plain"),
		mes("x", labels(topology.LabelDisplayName, "k8s", topology.LabelNamespace, "other", topology.LabelZone, "zone-1"), port(80)),
		mes("g", mtls("garbage", "garbage-cert", "garbage-key")),
		mes("e", endpoints("", 70000, "unix:///x", 1)),
		mes("t", withTLS(topology.Verification{Mode: topology.ModeSkipSAN, ServerName: "a.b", CaCert: &topology.DataSource{Inline: caPEM},
			SubjectAltNames: []topology.SAN{{Type: topology.SANPrefix, Value: "spiffe://x"}}})),
		mes("v3", withTLS(topology.Verification{
			CaCert:     &topology.DataSource{Type: topology.DataSourceFile, File: &topology.File{Path: "/etc/certs/garbage.pem"}},
			ClientCert: &topology.DataSource{Type: topology.DataSourceEnvVar, EnvVar: &topology.EnvVar{Name: "CLIENT_CERT"}},
			ClientKey:  &topology.DataSource{Type: topology.DataSourceSecret, SecretRef: &topology.SecretRef{Kind: topology.SecretRefKind, Name: "kuma-key-1"}},
		})),
		mes("prio", endpoints("10.0.0.1", 80, "10.0.0.2", 80), priorities(3, 0), labels("mesh", "x", topology.LabelZone, "zone-2")),
		mes(strings.Repeat("n", 70), inMesh(strings.Repeat("m", 66)), endpoints("example.com", 443)),
	} {
		b, err := json.Marshal(svc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(0), b)
		f.Add(uint8(3), b)
	}
	f.Add(uint8(6), []byte("default\x00n\x00\x00\x00\x00443\x00tcp\x00example.com\x00443\x00on\x00SkipCA\x00\x00ca\x00x\x00kuma-key-1"))
	f.Add(uint8(1), []byte("{"))

	valid := fuzzValidSet()
	secrets := testSecrets()
	host := testHost()
	admitter := topology.ControlPlane{Role: topology.RoleZone, Zone: "zone-1", Naming: naming.DefaultPolicy(naming.Warn), HostSources: true}
	base, errs := build(f, topology.EgressInput{LocalZone: "zone-1", Services: valid, Secrets: secrets, Host: host})
	if errs != nil {
		f.Fatal(errs)
	}

	f.Fuzz(func(t *testing.T, pos uint8, data []byte) {
		fz := mesFromBytes(data)
		p := int(pos) % (len(valid) + 1)
		in := make([]topology.MeshExternalService, 0, len(valid)+1)
		in = append(append(append(in, valid[:p]...), fz), valid[p:]...)

		m, errs := build(t, topology.EgressInput{LocalZone: "zone-1", Services: in, Secrets: secrets, Host: host})
		fzMesh := fz.Mesh
		// Errors of a valid service must be conflicts, and the fuzzed service
		// must be reported too.
		conflicted := map[topology.ResourceRef]bool{}
		fzReported := false
		for _, e := range errs {
			ref := topology.ResourceRef{Mesh: e.Mesh, Name: e.Name}
			if e.Mesh == fzMesh && e.Name == fz.Name {
				fzReported = true
			}
			var c *topology.Conflict
			if errors.As(e, &c) {
				conflicted[ref] = true
				continue
			}
			for _, v := range valid {
				if v.Mesh == e.Mesh && v.Name == e.Name && !(fzMesh == v.Mesh && fz.Name == v.Name) {
					t.Fatalf("valid service %q/%q failed: %v", v.Mesh, v.Name, e)
				}
			}
		}
		for _, v := range valid {
			key := v.DestinationName()
			if conflicted[topology.ResourceRef{Mesh: v.Mesh, Name: v.Name}] {
				if !fzReported {
					t.Fatalf("valid %q in conflict but the fuzzed service is not reported: %v", v.Name, errs)
				}
				if _, ok := m[key]; ok && m[key][0].ExternalService.Name == v.Name {
					t.Fatalf("conflicting %q still built", v.Name)
				}
				continue
			}
			// reflect.DeepEqual first: cmp.Diff is slow on certificate bytes
			// and would dominate the fuzzer's time.
			if !reflect.DeepEqual(base[key], m[key]) {
				t.Fatalf("valid %q changed (-alone +with fuzzed):\n%s", v.Name, cmp.Diff(base[key], m[key]))
			}
		}
		if len(m) > len(valid)+1 {
			t.Fatalf("%d destinations from %d services", len(m), len(valid)+1)
		}
		if err := errs.Err(); err != nil && strings.Contains(err.Error(), secretMarker) {
			t.Fatalf("secret in error: %s", err)
		}

		// Same input, same output.
		m2, errs2 := build(t, topology.EgressInput{LocalZone: "zone-1", Services: in, Secrets: secrets, Host: host})
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("second build differs:\n%s", cmp.Diff(m, m2))
		}
		if !reflect.DeepEqual(errStrings(errs), errStrings(errs2)) {
			t.Fatalf("second build errors differ:\n%s", cmp.Diff(errStrings(errs), errStrings(errs2)))
		}

		// Admission does not panic, and every spec violation it finds in a
		// service without an extension, the build of that service finds
		// too: the rules are the same code.
		a := topology.Admit(admitter, &fz, naming.Create)
		if fz.Spec.Extension == nil {
			_, alone := build(t, topology.EgressInput{LocalZone: "zone-1", Services: []topology.MeshExternalService{fz}, Secrets: secrets, Host: host})
			built := violations(alone)
			for _, v := range violations(a.Errors) {
				if strings.HasPrefix(v.Field, "spec.") && !slices.Contains(built, v) {
					t.Fatalf("admission found %v, the build did not: %v", v, built)
				}
			}
		}

		// Whatever built renders to valid resources.
		for _, eds := range []bool{false, true} {
			res, errs := topology.EgressResources(m, topology.ResourceOptions{EDS: eds, LocalityWeight: eds})
			if errs != nil {
				t.Fatalf("EgressResources(EDS=%v): %v", eds, errs.Err())
			}
			if len(res.Clusters) != len(m) {
				t.Fatalf("%d clusters for %d destinations", len(res.Clusters), len(m))
			}
		}
	})
}
