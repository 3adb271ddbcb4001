package topology_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/meshcore/meshcore/internal/golden"
	"github.com/meshcore/meshcore/topology"
)

// envoyServices is one of each kind of cluster the egress renders.
func envoyServices() []topology.MeshExternalService {
	return []topology.MeshExternalService{
		mes("plain-ip", endpoints("10.0.0.2", 8080, "10.0.0.1", 8080), port(8080)),
		mes("plain-dns", protocol(topology.ProtocolHTTP), endpoints("httpbin.org", 80), port(80)),
		mes("plain-grpc", protocol(topology.ProtocolGRPC), endpoints("10.0.1.1", 9000, "2001:db8::1", 9000), port(9000)),
		mes("secured", protocol(topology.ProtocolHTTP),
			labels(topology.LabelZone, "zone-1", topology.LabelNamespace, "ns", topology.LabelDisplayName, "secured"),
			withTLS(topology.Verification{
				SubjectAltNames: []topology.SAN{
					{Type: topology.SANExact, Value: "api.example.com"},
					{Type: topology.SANPrefix, Value: "spiffe://example.org/ns/"},
					{Type: topology.SANExact, Value: "192.0.2.1"},
				},
				CaCert: secret("ca"), ClientCert: secret("kuma-cert-1"), ClientKey: secret("kuma-key-1"),
			}),
			endpoints("api.example.com", 443, "api2.example.com", 443)),
		mes("system-ca", withTLS(topology.Verification{ServerName: "tcpbin.com"}), endpoints("203.0.113.7", 4243)),
		mes("skipsan", protocol(topology.ProtocolHTTP2), withTLS(topology.Verification{Mode: topology.ModeSkipSAN, CaCert: secret("ca-b")}),
			endpoints("h2.example.com", 443)),
		mes("skipca", withTLS(topology.Verification{Mode: topology.ModeSkipCA, CaCert: secret("nope"),
			ClientCert: secret("cert-b"), ClientKey: secret("key-b")}),
			func(m *topology.MeshExternalService) {
				m.Spec.TLS.Version = &topology.Version{Min: topology.TLS12, Max: topology.TLS13}
				m.Spec.TLS.AllowRenegotiation = true
			},
			endpoints("198.51.100.1", 443)),
		mes("skipall", protocol(topology.ProtocolGRPC), withTLS(topology.Verification{Mode: topology.ModeSkipAll}),
			func(m *topology.MeshExternalService) { m.Spec.TLS.Version = &topology.Version{Min: topology.TLS13} },
			endpoints("grpcbin.test.k6.io", 9001)),
		// No server name and an IP first: the certificate must carry the IP.
		mes("ip-only", withTLS(topology.Verification{SubjectAltNames: []topology.SAN{{Type: topology.SANPrefix, Value: "10.0."}}}),
			endpoints("198.51.100.9", 443, "198.51.100.8", 443)),
		// Failover levels: one locality per priority, "priority-10" sorted
		// before "priority-2" as the reference sorts them.
		mes("failover", endpoints("10.1.0.2", 5432, "10.1.0.1", 5432, "10.1.0.3", 5432, "10.1.0.4", 5432, "10.1.0.5", 5432),
			priorities(1, 0, 10, 2, 0), port(5432)),
	}
}

func TestEgressResourcesGolden(t *testing.T) {
	tests := []struct {
		golden string
		opts   topology.ResourceOptions
	}{
		{"inline.json", topology.ResourceOptions{}},
		{"eds.json", topology.ResourceOptions{EDS: true, LocalityWeight: true, ConnectTimeout: 3 * time.Second,
			SystemCAPath: "/etc/pki/tls/certs/ca-bundle.crt", DNSLookupFamily: clusterv3.Cluster_V4_PREFERRED}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			m, errs := build(t, topology.EgressInput{LocalZone: "zone-1", Services: envoyServices()})
			require.Nil(t, errs)
			res, errs := topology.EgressResources(m, tt.opts)
			require.NoError(t, errs.Err())
			require.Len(t, res.Clusters, len(m))
			checkValid(t, res)

			got := marshalResources(t, res)
			golden.Check(t, filepath.Join("testdata", "golden", tt.golden), got)
			// The golden form reads back as the same resources.
			if diff := cmp.Diff(unmarshalResources(t, got), res, protocmp.Transform()); diff != "" {
				t.Errorf("resources (-golden +got):\n%s", diff)
			}
		})
	}
}

// checkValid: every resource passes ValidateAll, names are sorted, and a
// snapshot of them is consistent.
func checkValid(t *testing.T, res topology.Resources) {
	t.Helper()
	for i, c := range res.Clusters {
		require.NoError(t, c.ValidateAll(), c.GetName())
		if i > 0 {
			require.Less(t, res.Clusters[i-1].GetName(), c.GetName())
		}
		if ts := c.GetTransportSocket(); ts != nil {
			tc := &tlsv3.UpstreamTlsContext{}
			require.NoError(t, ts.GetTypedConfig().UnmarshalTo(tc))
			require.NoError(t, tc.ValidateAll(), c.GetName())
		}
		for _, a := range c.GetTypedExtensionProtocolOptions() {
			po := &httpv3.HttpProtocolOptions{}
			require.NoError(t, a.UnmarshalTo(po))
			require.NoError(t, po.ValidateAll(), c.GetName())
		}
		if c.GetLoadAssignment() != nil {
			require.NoError(t, c.GetLoadAssignment().ValidateAll())
		}
	}
	for i, cla := range res.LoadAssignments {
		require.NoError(t, cla.ValidateAll(), cla.GetClusterName())
		if i > 0 {
			require.Less(t, res.LoadAssignments[i-1].GetClusterName(), cla.GetClusterName())
		}
	}
	snap, err := cachev3.NewSnapshot("v1", res.ByType())
	require.NoError(t, err)
	require.NoError(t, snap.Consistent())
}

type goldenFile struct {
	Clusters        []json.RawMessage `json:"clusters"`
	LoadAssignments []json.RawMessage `json:"loadAssignments"`
}

// marshalResources writes protojson, re-indented by encoding/json so that
// the bytes are stable (protojson varies its whitespace on purpose).
func marshalResources(t *testing.T, res topology.Resources) []byte {
	t.Helper()
	var g goldenFile
	for _, c := range res.Clusters {
		g.Clusters = append(g.Clusters, protoJSON(t, c))
	}
	for _, c := range res.LoadAssignments {
		g.LoadAssignments = append(g.LoadAssignments, protoJSON(t, c))
	}
	raw, err := json.Marshal(g)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, raw, "", "  "))
	out.WriteByte('\n')
	return out.Bytes()
}

func protoJSON(t *testing.T, m proto.Message) json.RawMessage {
	t.Helper()
	b, err := protojson.Marshal(m)
	require.NoError(t, err)
	var c bytes.Buffer
	require.NoError(t, json.Compact(&c, b))
	return c.Bytes()
}

func unmarshalResources(t *testing.T, b []byte) topology.Resources {
	t.Helper()
	var g goldenFile
	require.NoError(t, json.Unmarshal(b, &g))
	var res topology.Resources
	for _, raw := range g.Clusters {
		c := &clusterv3.Cluster{}
		require.NoError(t, protojson.Unmarshal(raw, c))
		res.Clusters = append(res.Clusters, c)
	}
	for _, raw := range g.LoadAssignments {
		c := &endpointv3.ClusterLoadAssignment{}
		require.NoError(t, protojson.Unmarshal(raw, c))
		res.LoadAssignments = append(res.LoadAssignments, c)
	}
	return res
}

func clusterByName(t *testing.T, res topology.Resources, name string) *clusterv3.Cluster {
	t.Helper()
	for _, c := range res.Clusters {
		if c.GetName() == name {
			return c
		}
	}
	t.Fatalf("no cluster %q", name)
	return nil
}

func tlsContext(t *testing.T, c *clusterv3.Cluster) *tlsv3.UpstreamTlsContext {
	t.Helper()
	require.NotNil(t, c.GetTransportSocket(), c.GetName())
	assert.Equal(t, "envoy.transport_sockets.tls", c.GetTransportSocket().GetName())
	tc := &tlsv3.UpstreamTlsContext{}
	require.NoError(t, c.GetTransportSocket().GetTypedConfig().UnmarshalTo(tc))
	return tc
}

// TestEgressResourcesShape pins, beyond the golden files, the properties other
// code relies on.
func TestEgressResourcesShape(t *testing.T) {
	m, errs := build(t, topology.EgressInput{LocalZone: "zone-1", Services: envoyServices()})
	require.Nil(t, errs)
	res, errs := topology.EgressResources(m, topology.ResourceOptions{})
	require.NoError(t, errs.Err())
	assert.Empty(t, res.LoadAssignments, "inline assignments without EDS")

	t.Run("plain text has no transport socket", func(t *testing.T) {
		for _, name := range []string{"plain-ip", "plain-dns", "plain-grpc"} {
			assert.Nil(t, clusterByName(t, res, "default_"+name+"___extsvc_"+map[string]string{
				"plain-ip": "8080", "plain-dns": "80", "plain-grpc": "9000"}[name]).GetTransportSocket())
		}
	})
	t.Run("STATIC for IPs, STRICT_DNS for names, sorted endpoints", func(t *testing.T) {
		c := clusterByName(t, res, "default_plain-ip___extsvc_8080")
		assert.Equal(t, clusterv3.Cluster_STATIC, c.GetType())
		assert.Equal(t, clusterv3.Cluster_ROUND_ROBIN, c.GetLbPolicy())
		lbs := c.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()
		require.Len(t, lbs, 2)
		assert.Equal(t, "10.0.0.1", lbs[0].GetEndpoint().GetAddress().GetSocketAddress().GetAddress())
		assert.Equal(t, "10.0.0.2", lbs[1].GetEndpoint().GetAddress().GetSocketAddress().GetAddress())
		assert.Equal(t, clusterv3.Cluster_STRICT_DNS, clusterByName(t, res, "default_plain-dns___extsvc_80").GetType())
		assert.Equal(t, clusterv3.Cluster_STATIC, clusterByName(t, res, "default_plain-grpc___extsvc_9000").GetType(), "IPv6 is an IP")
	})
	t.Run("HTTP/2 options for http2 and grpc only", func(t *testing.T) {
		for name, want := range map[string]bool{
			"default_plain-grpc___extsvc_9000":     true,
			"default_skipsan___extsvc_443":         true,
			"default_skipall___extsvc_443":         true,
			"default_plain-dns___extsvc_80":        false,
			"default_secured_ns_zone-1_extsvc_443": false,
		} {
			a := clusterByName(t, res, name).GetTypedExtensionProtocolOptions()[topology.HTTPProtocolOptionsKey]
			if !want {
				assert.Nil(t, a, name)
				continue
			}
			po := &httpv3.HttpProtocolOptions{}
			require.NoError(t, a.UnmarshalTo(po), name)
			assert.NotNil(t, po.GetExplicitHttpConfig().GetHttp2ProtocolOptions(), name)
		}
	})
	t.Run("Secured: SNI, SAN matchers, client certificate, trusted CA", func(t *testing.T) {
		tc := tlsContext(t, clusterByName(t, res, "default_secured_ns_zone-1_extsvc_443"))
		assert.Equal(t, "api.example.com", tc.GetSni())
		common := tc.GetCommonTlsContext()
		require.Len(t, common.GetTlsCertificates(), 1)
		assert.Equal(t, clientPEM, common.GetTlsCertificates()[0].GetCertificateChain().GetInlineBytes())
		assert.Equal(t, clientKey, common.GetTlsCertificates()[0].GetPrivateKey().GetInlineBytes())
		vc := common.GetValidationContext()
		assert.Equal(t, caPEM, vc.GetTrustedCa().GetInlineBytes())
		var sans []string
		for _, s := range vc.GetMatchTypedSubjectAltNames() {
			sans = append(sans, s.GetSanType().String()+" "+s.GetMatcher().GetExact()+s.GetMatcher().GetPrefix())
		}
		// The reference's order (v2.14.3 pkg/xds/envoy/tls/v3/tls.go
		// UpstreamTlsContextOutsideMesh): the SNI as DNS, then as IP; the
		// SANs as DNS, then as IP.
		assert.Equal(t, []string{
			"DNS api.example.com", "IP_ADDRESS api.example.com",
			"DNS api.example.com", "DNS spiffe://example.org/ns/", "DNS 192.0.2.1",
			"IP_ADDRESS api.example.com", "IP_ADDRESS spiffe://example.org/ns/", "IP_ADDRESS 192.0.2.1",
		}, sans)
		assert.Nil(t, common.GetTlsParams())
	})
	t.Run("system CA path when no CA is given", func(t *testing.T) {
		tc := tlsContext(t, clusterByName(t, res, "default_system-ca___extsvc_443"))
		assert.Equal(t, topology.DefaultSystemCAPath, tc.GetCommonTlsContext().GetValidationContext().GetTrustedCa().GetFilename())
		assert.Equal(t, "tcpbin.com", tc.GetSni())
	})
	t.Run("SkipSAN: CA, no SAN matchers, SNI kept, ALPN h2", func(t *testing.T) {
		tc := tlsContext(t, clusterByName(t, res, "default_skipsan___extsvc_443"))
		assert.Equal(t, "h2.example.com", tc.GetSni())
		vc := tc.GetCommonTlsContext().GetValidationContext()
		assert.Equal(t, caBPEM, vc.GetTrustedCa().GetInlineBytes())
		assert.Empty(t, vc.GetMatchTypedSubjectAltNames())
		assert.Equal(t, []string{"h2"}, tc.GetCommonTlsContext().GetAlpnProtocols())
	})
	t.Run("SkipCA keeps the TLS version range and the client certificate", func(t *testing.T) {
		tc := tlsContext(t, clusterByName(t, res, "default_skipca___extsvc_443"))
		common := tc.GetCommonTlsContext()
		assert.Nil(t, common.GetValidationContextType())
		assert.Equal(t, tlsv3.TlsParameters_TLSv1_2, common.GetTlsParams().GetTlsMinimumProtocolVersion())
		assert.Equal(t, tlsv3.TlsParameters_TLSv1_3, common.GetTlsParams().GetTlsMaximumProtocolVersion())
		assert.Len(t, common.GetTlsCertificates(), 1)
		assert.True(t, tc.GetAllowRenegotiation())
	})
	t.Run("SkipAll: versions kept, nothing verified, no client certificate", func(t *testing.T) {
		tc := tlsContext(t, clusterByName(t, res, "default_skipall___extsvc_443"))
		common := tc.GetCommonTlsContext()
		assert.Nil(t, common.GetValidationContextType())
		assert.Empty(t, common.GetTlsCertificates())
		assert.Equal(t, tlsv3.TlsParameters_TLSv1_3, common.GetTlsParams().GetTlsMinimumProtocolVersion())
		assert.Equal(t, "grpcbin.test.k6.io", tc.GetSni())
	})
	t.Run("locality from the endpoint priority, no locality weight, endpoint weight 1", func(t *testing.T) {
		lle := clusterByName(t, res, "default_secured_ns_zone-1_extsvc_443").GetLoadAssignment().GetEndpoints()
		require.Len(t, lle, 1)
		assert.Equal(t, &corev3.Locality{SubZone: "priority-0"}, lle[0].GetLocality())
		assert.Zero(t, lle[0].GetPriority())
		assert.Nil(t, lle[0].GetLoadBalancingWeight())
		for _, lb := range lle[0].GetLbEndpoints() {
			assert.Equal(t, uint32(1), lb.GetLoadBalancingWeight().GetValue())
		}
	})
	t.Run("one locality per priority, sorted as strings", func(t *testing.T) {
		var got []string
		for _, lle := range clusterByName(t, res, "default_failover___extsvc_5432").GetLoadAssignment().GetEndpoints() {
			var addrs []string
			for _, lb := range lle.GetLbEndpoints() {
				addrs = append(addrs, lb.GetEndpoint().GetAddress().GetSocketAddress().GetAddress())
			}
			got = append(got, fmt.Sprintf("%s/%d %v", lle.GetLocality().GetSubZone(), lle.GetPriority(), addrs))
		}
		assert.Equal(t, []string{
			"priority-0/0 [10.1.0.1 10.1.0.5]", "priority-1/1 [10.1.0.2]", "priority-10/10 [10.1.0.3]", "priority-2/2 [10.1.0.4]",
		}, got)
	})
	t.Run("no SNI: the first endpoint's address is verified", func(t *testing.T) {
		tc := tlsContext(t, clusterByName(t, res, "default_ip-only___extsvc_443"))
		assert.Empty(t, tc.GetSni())
		var sans []string
		for _, s := range tc.GetCommonTlsContext().GetValidationContext().GetMatchTypedSubjectAltNames() {
			sans = append(sans, s.GetSanType().String()+" "+s.GetMatcher().GetExact()+s.GetMatcher().GetPrefix())
		}
		assert.Equal(t, []string{"DNS 198.51.100.9", "IP_ADDRESS 198.51.100.9", "DNS 10.0.", "IP_ADDRESS 10.0."}, sans)
	})
}

// TestEgressResourcesEDS: what a proxyless gRPC client needs: EDS over ADS, a
// load assignment named after the cluster, ROUND_ROBIN, localities with a
// weight (LocalityWeight); names resolve only with STRICT_DNS, so those stay
// inline.
func TestEgressResourcesEDS(t *testing.T) {
	m, errs := build(t, topology.EgressInput{Services: envoyServices()})
	require.Nil(t, errs)
	res, errs := topology.EgressResources(m, topology.ResourceOptions{EDS: true, LocalityWeight: true})
	require.NoError(t, errs.Err())
	checkValid(t, res)

	var eds []string
	for _, c := range res.Clusters {
		if c.GetType() != clusterv3.Cluster_EDS {
			assert.Equal(t, clusterv3.Cluster_STRICT_DNS, c.GetType(), c.GetName())
			assert.NotNil(t, c.GetLoadAssignment(), c.GetName())
			continue
		}
		eds = append(eds, c.GetName())
		assert.Nil(t, c.GetLoadAssignment())
		assert.Equal(t, clusterv3.Cluster_ROUND_ROBIN, c.GetLbPolicy())
		if diff := cmp.Diff(&clusterv3.Cluster_EdsClusterConfig{EdsConfig: &corev3.ConfigSource{
			ResourceApiVersion:    corev3.ApiVersion_V3,
			ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
		}}, c.GetEdsClusterConfig(), protocmp.Transform()); diff != "" {
			t.Errorf("%s EDS config (-want +got):\n%s", c.GetName(), diff)
		}
	}
	assert.Equal(t, []string{
		"default_failover___extsvc_5432", "default_ip-only___extsvc_443", "default_plain-grpc___extsvc_9000",
		"default_plain-ip___extsvc_8080", "default_skipca___extsvc_443", "default_system-ca___extsvc_443",
	}, eds)
	var clas []string
	for _, cla := range res.LoadAssignments {
		clas = append(clas, cla.GetClusterName())
		for _, lle := range cla.GetEndpoints() {
			assert.NotNil(t, lle.GetLocality())
			assert.Equal(t, uint32(1), lle.GetLoadBalancingWeight().GetValue())
		}
	}
	assert.Equal(t, eds, clas)
	byType := res.ByType()
	assert.Len(t, byType[resource.ClusterType], len(res.Clusters))
	assert.Len(t, byType[resource.EndpointType], len(res.LoadAssignments))
}

// TestEgressResourcesHandBuiltMap: a destination that cannot render is left
// out and reported, as the service behind it when it has one; the others
// render.
func TestEgressResourcesHandBuiltMap(t *testing.T) {
	svc := &topology.ExternalService{Mesh: "default", Name: "svc", DestinationName: "svc-dest", Protocol: topology.ProtocolTCP}
	m := topology.EndpointMap{
		"ok":       {{Target: "10.0.0.1", Port: 80}},
		"empty":    {},
		"bad-port": {{Target: "10.0.0.1", Port: 70000}},
		"svc-dest": {{Target: "10.0.0.1", Port: 70000, ExternalService: svc}},
		"unsorted": {{Target: "10.0.0.2", Port: 80, Weight: 3}, {Target: "10.0.0.1", Port: 80}},
	}
	res, errs := topology.EgressResources(m, topology.ResourceOptions{})
	require.Len(t, errs, 3)
	for i, want := range []struct{ mesh, name, dest string }{{"", "", "bad-port"}, {"", "", "empty"}, {"default", "svc", "svc-dest"}} {
		assert.Equal(t, want.mesh, errs[i].Mesh)
		assert.Equal(t, want.name, errs[i].Name)
		assert.Empty(t, errs[i].Field)
		assert.True(t, strings.HasPrefix(errs[i].Err.Error(), `destination "`+want.dest+`": `), errs[i].Err.Error())
	}
	assert.Contains(t, errs[0].Error(), `invalid SocketAddress.PortValue: value must be less than or equal to 65535`)
	assert.Equal(t, `topology: MeshExternalService "" in mesh "": destination "empty": no endpoints`, errs[1].Error())
	var names []string
	for _, c := range res.Clusters {
		names = append(names, c.GetName())
	}
	assert.Equal(t, []string{"ok", "unsorted"}, names)
	lbs := clusterByName(t, res, "unsorted").GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()
	assert.Equal(t, "10.0.0.1", lbs[0].GetEndpoint().GetAddress().GetSocketAddress().GetAddress())
	assert.Equal(t, uint32(3), lbs[1].GetLoadBalancingWeight().GetValue())
	assert.Equal(t, "10.0.0.2", m["unsorted"][0].Target, "the caller's map is not reordered")

	// An invalid option fails every destination.
	res, errs = topology.EgressResources(topology.EndpointMap{"ok": m["ok"]}, topology.ResourceOptions{ConnectTimeout: -time.Second})
	assert.Empty(t, res.Clusters)
	assert.Equal(t, []string{`topology: MeshExternalService "" in mesh "": destination "ok": connect timeout -1s is negative`}, errStrings(errs))
}

// TestEgressResourcesDeterministic: the same map gives the same bytes.
func TestEgressResourcesDeterministic(t *testing.T) {
	m, _ := build(t, topology.EgressInput{Services: envoyServices()})
	a, errs := topology.EgressResources(m, topology.ResourceOptions{EDS: true})
	require.NoError(t, errs.Err())
	for range 5 {
		m2, _ := build(t, topology.EgressInput{Services: envoyServices()})
		b, errs := topology.EgressResources(m2, topology.ResourceOptions{EDS: true})
		require.NoError(t, errs.Err())
		require.Equal(t, len(a.Clusters), len(b.Clusters))
		for i := range a.Clusters {
			x, err := proto.MarshalOptions{Deterministic: true}.Marshal(a.Clusters[i])
			require.NoError(t, err)
			y, err := proto.MarshalOptions{Deterministic: true}.Marshal(b.Clusters[i])
			require.NoError(t, err)
			require.Equal(t, x, y, a.Clusters[i].GetName())
		}
	}
}
