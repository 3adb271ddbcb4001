package main

import (
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const twoMeshes = `
meshes: [aa, aa.a]
meshExternalServices:
- {mesh: aa, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}}
- {mesh: aa.a, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.2, port: 80}]}}
`

func newTestServer(t *testing.T, yaml string) *Server {
	t.Helper()
	cfg, err := ParseConfig([]byte(yaml))
	require.NoError(t, err)
	s, err := New(t.Context(), cfg, Options{})
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	return s
}

func TestServerGivesEachProxyItsMesh(t *testing.T) {
	s := newTestServer(t, twoMeshes)
	for _, tc := range []struct {
		id        string
		agent     string
		key       string
		cluster   string // the one cluster served; empty: none
		listeners int
	}{
		{id: "aa%2Ea.web-1.ns", agent: "gRPC Go", key: "aa%2Ea.web-1.ns", cluster: "aa.a_api___extsvc_80", listeners: 1},
		{id: "aa.web-2.ns", agent: "gRPC Go", key: "aa.web-2.ns", cluster: "aa_api___extsvc_80", listeners: 1},
		// Without a way to tell which proxies exist (xdsnode.NodeHash.Exists), a
		// legacy ID of a dotted mesh reads as the legacy codec read it.
		{id: "aa.a.web-1.ns", agent: "gRPC Go", key: "aa.a.web-1.ns", cluster: "aa_api___extsvc_80", listeners: 1},
		// Envoy gets clusters and load assignments, no API listeners.
		{id: "aa%2Ea.sidecar.ns", agent: "envoy", key: "aa%2Ea.sidecar.ns", cluster: "aa.a_api___extsvc_80", listeners: 0},
		// A mesh that is not configured: an empty snapshot, so the client
		// learns there is nothing rather than waiting.
		{id: "zz.web.ns", agent: "gRPC Go", key: "zz.web.ns"},
		// A zone proxy has no mesh.
		{id: ".egress", agent: "envoy", key: ".egress"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			node := &corev3.Node{Id: tc.id, UserAgentName: tc.agent}
			require.NoError(t, s.streamRequest(streamKey{id: 1}, node))
			t.Cleanup(func() { s.streamClosed(streamKey{id: 1}) })
			snap, err := s.cache.GetSnapshot(tc.key)
			require.NoError(t, err)
			clusters := sortedKeys(snap.GetResources(typeURL(types.Cluster)))
			if tc.cluster == "" {
				assert.Empty(t, clusters)
			} else {
				assert.Equal(t, []string{tc.cluster}, clusters)
			}
			assert.Len(t, snap.GetResources(typeURL(types.Listener)), tc.listeners)
			assert.Len(t, snap.GetResources(typeURL(types.Route)), tc.listeners)
		})
	}
}

func TestServerRejectsBadNodeIDs(t *testing.T) {
	s := newTestServer(t, twoMeshes)
	for _, id := range []string{"", "aa", "aa%2.web", "aa%zz.web", "aa."} {
		err := s.streamRequest(streamKey{id: 7}, &corev3.Node{Id: id})
		require.Error(t, err, "id %q", id)
		assert.Equal(t, codes.InvalidArgument, status.Code(err), "id %q", id)
		assert.Contains(t, err.Error(), "proxyid")
	}
	assert.Empty(t, s.Proxies())
	require.Error(t, s.streamRequest(streamKey{id: 7}, nil))
}

func TestServerTracksStreams(t *testing.T) {
	s := newTestServer(t, twoMeshes)
	node := &corev3.Node{Id: "aa%2Ea.web-1.ns"}
	sotw, delta := streamKey{id: 1}, streamKey{delta: true, id: 1}
	require.NoError(t, s.streamRequest(sotw, node))
	require.NoError(t, s.streamRequest(sotw, nil)) // later requests may omit the node
	require.NoError(t, s.streamRequest(delta, node))
	assert.Equal(t, []string{"aa%2Ea.web-1.ns"}, s.Proxies())

	s.streamClosed(sotw)
	s.streamClosed(sotw) // twice: no effect
	_, err := s.cache.GetSnapshot("aa%2Ea.web-1.ns")
	require.NoError(t, err, "one stream is still open")

	s.streamClosed(delta)
	assert.Empty(t, s.Proxies())
	_, err = s.cache.GetSnapshot("aa%2Ea.web-1.ns")
	require.Error(t, err, "the last stream closed: the entry is cleared")
}

func TestServerReloadPushesToConnectedProxies(t *testing.T) {
	s := newTestServer(t, twoMeshes)
	for i, id := range []string{"aa%2Ea.web-1.ns", "aa.web-2.ns", "zz.web.ns"} {
		require.NoError(t, s.streamRequest(streamKey{id: int64(i)}, &corev3.Node{Id: id}))
	}
	before := map[string]*cachev3.Snapshot{}
	for _, key := range s.Proxies() {
		snap, err := s.cache.GetSnapshot(key)
		require.NoError(t, err)
		before[key] = snap.(*cachev3.Snapshot)
	}

	// Move aa.a's api, and add mesh zz.
	cfg, err := ParseConfig([]byte(`
meshes: [aa, aa.a, zz]
meshExternalServices:
- {mesh: aa, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}}
- {mesh: aa.a, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.3, port: 80}]}}
- {mesh: zz, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.4, port: 80}]}}
`))
	require.NoError(t, err)
	report, err := s.Reload(t.Context(), cfg)
	require.NoError(t, err)
	assert.Equal(t, report, s.Report())

	for _, tc := range []struct {
		key     string
		changed bool
	}{{"aa%2Ea.web-1.ns", true}, {"aa.web-2.ns", false}, {"zz.web.ns", true}} {
		snap, err := s.cache.GetSnapshot(tc.key)
		require.NoError(t, err)
		ep := typeURL(types.Endpoint)
		assert.Equal(t, tc.changed, snap.GetVersion(ep) != before[tc.key].GetVersion(ep), tc.key)
	}
	snap, err := s.cache.GetSnapshot("zz.web.ns")
	require.NoError(t, err)
	assert.Equal(t, []string{"zz_api___extsvc_80"}, sortedKeys(snap.GetResources(typeURL(types.Cluster))))
}

func TestServerStopIsIdempotent(t *testing.T) {
	s := newTestServer(t, twoMeshes)
	s.Stop()
	s.Stop()
	assert.Error(t, s.ctx.Err())
}
