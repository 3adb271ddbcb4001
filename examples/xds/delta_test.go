package main

import (
	"fmt"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allTypes are the types a proxyless client follows, in the order asked.
var allTypes = []string{resourcev3.ListenerType, resourcev3.RouteType, resourcev3.ClusterType, resourcev3.EndpointType}

// deltaClient is a delta ADS client on the generated stubs that subscribes
// to every resource of allTypes and keeps the versions it accepted.
type deltaClient struct {
	t        *testing.T
	stream   discoveryv3.AggregatedDiscoveryService_DeltaAggregatedResourcesClient
	versions map[string]map[string]string // type URL → name → version
}

// pushed is one delta response as the client sees it.
type pushed struct {
	Type    string
	Changed map[string]string // name → version
	Removed []string
}

func newDeltaClient(t *testing.T, addr, id string, initial map[string]map[string]string) *deltaClient {
	t.Helper()
	c := &deltaClient{t: t, stream: openStream(t, dialADS(t, addr).DeltaAggregatedResources), versions: map[string]map[string]string{}}
	for i, typ := range allTypes {
		req := &discoveryv3.DeltaDiscoveryRequest{TypeUrl: typ, InitialResourceVersions: initial[typ]}
		if i == 0 {
			req.Node = &corev3.Node{Id: id, UserAgentName: "gRPC Go"}
		}
		require.NoError(t, c.stream.Send(req))
		c.versions[typ] = map[string]string{}
		for name, v := range initial[typ] {
			c.versions[typ][name] = v
		}
	}
	return c
}

// recv receives one response, applies and ACKs it.
func (c *deltaClient) recv() pushed {
	c.t.Helper()
	r := recv(c.t, c.stream)
	p := pushed{Type: r.GetTypeUrl(), Changed: map[string]string{}, Removed: r.GetRemovedResources()}
	for _, res := range r.GetResources() {
		p.Changed[res.GetName()] = res.GetVersion()
		c.versions[p.Type][res.GetName()] = res.GetVersion()
	}
	for _, name := range r.GetRemovedResources() {
		delete(c.versions[p.Type], name)
	}
	require.NoError(c.t, c.stream.Send(&discoveryv3.DeltaDiscoveryRequest{TypeUrl: p.Type, ResponseNonce: r.GetNonce()}))
	return p
}

// recvAll receives one response per type, in any order, by type.
func (c *deltaClient) recvAll() map[string]pushed {
	c.t.Helper()
	out := map[string]pushed{}
	for range allTypes {
		p := c.recv()
		require.NotContains(c.t, out, p.Type)
		out[p.Type] = p
	}
	return out
}

// threeServices is mesh aa with services api, db and web; apiPort sets
// api's endpoint port, webHost web's hostname.
func threeServices(apiPort int, webHost string) string {
	return fmt.Sprintf(`
meshes: [aa]
meshExternalServices:
- {mesh: aa, name: api, spec: {match: {port: 80, protocol: grpc}, endpoints: [{address: 10.0.0.1, port: %d}]}}
- {mesh: aa, name: db, spec: {match: {port: 5432, protocol: grpc}, endpoints: [{address: 10.0.0.2, port: 5432}]}}
- {mesh: aa, name: web, hostname: %s, spec: {match: {port: 8080, protocol: grpc}, endpoints: [{address: 10.0.0.3, port: 8080}]}}
`, apiPort, webHost)
}

func TestDeltaSendsOnlyWhatChanged(t *testing.T) {
	srv, addr := startServer(t, &syncBuffer{}, mustParse(t, threeServices(80, "web.example")))
	c := newDeltaClient(t, addr, "aa.web-1.ns", nil)
	first := c.recvAll()
	for _, typ := range allTypes {
		assert.Len(t, first[typ].Changed, 3, typ)
	}

	// api's endpoint moves: its load assignment, and nothing else.
	_, err := srv.Reload(t.Context(), mustParse(t, threeServices(81, "web.example")))
	require.NoError(t, err)
	got := c.recv()
	want := pushed{Type: resourcev3.EndpointType, Changed: map[string]string{"aa_api___extsvc_80": versionOf(t, srv, "aa", resourcev3.EndpointType, "aa_api___extsvc_80")}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("push (-want +got):\n%s", diff)
	}

	// web's hostname changes: its listener and route are replaced, under the
	// new name. Responses of one stream arrive in order, so had the first
	// change pushed more, it would have come before these.
	_, err = srv.Reload(t.Context(), mustParse(t, threeServices(81, "www.example")))
	require.NoError(t, err)
	pushes := map[string]pushed{}
	for range 2 {
		p := c.recv()
		pushes[p.Type] = p
	}
	assert.Equal(t, map[string]pushed{
		resourcev3.ListenerType: {Type: resourcev3.ListenerType, Changed: map[string]string{"www.example": versionOf(t, srv, "aa", resourcev3.ListenerType, "www.example")}, Removed: []string{"web.example"}},
		resourcev3.RouteType:    {Type: resourcev3.RouteType, Changed: map[string]string{"www.example": versionOf(t, srv, "aa", resourcev3.RouteType, "www.example")}, Removed: []string{"web.example"}},
	}, pushes)
}

// versionOf is the version the server gives a resource of mesh.
func versionOf(t *testing.T, srv *Server, mesh, typ, name string) string {
	t.Helper()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	v, ok := srv.meshes[mesh].proxyless.GetVersionMap(typ)[name]
	require.True(t, ok, "%s %s", typ, name)
	return v
}

func TestDeltaReplicaSwitchResendsNothing(t *testing.T) {
	cfg := threeServices(80, "web.example")
	a, addrA := startServer(t, &syncBuffer{}, mustParse(t, cfg))
	b, addrB := startServer(t, &syncBuffer{}, mustParse(t, cfg))
	if diff := cmp.Diff(a.Status().Meshes, b.Status().Meshes); diff != "" {
		t.Fatalf("replicas disagree (-a +b):\n%s", diff)
	}

	ca := newDeltaClient(t, addrA, "aa.web-1.ns", nil)
	ca.recvAll()
	require.NoError(t, ca.stream.CloseSend())

	// The proxy reconnects to the other replica with what it has. A
	// wildcard subscription's first request is answered even when there is
	// nothing to send (Envoy waits for it to finish initialising): with
	// nothing in it.
	cb := newDeltaClient(t, addrB, "aa.web-1.ns", ca.versions)
	for typ, p := range cb.recvAll() {
		assert.Empty(t, p.Changed, typ)
		assert.Empty(t, p.Removed, typ)
	}
	assert.Equal(t, ca.versions, cb.versions)
}
