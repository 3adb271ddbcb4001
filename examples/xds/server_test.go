package main

import (
	"log/slog"
	"strings"
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

func TestServerResolvesIdentityOnce(t *testing.T) {
	const dotted = `
meshes: [aa.a]
meshExternalServices:
- {mesh: aa.a, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.2, port: 80}]}}
`
	for _, tc := range []struct {
		name, config, id string
		key              string // canonical ID served; empty: refused
		mesh             string
		log              string
	}{
		{name: "escaped ID", config: twoMeshes, id: "aa%2Ea.web-1.ns", key: "aa%2Ea.web-1.ns", mesh: "aa.a"},
		{name: "legacy ID of an undotted mesh", config: twoMeshes, id: "aa.web-2.ns", key: "aa.web-2.ns", mesh: "aa"},
		{
			name: "legacy ID with two configured readings", config: twoMeshes, id: "aa.a.web-1.ns",
			log: `level=ERROR msg="proxy refused: its node ID reads as proxies of several configured meshes" node=aa.a.web-1.ns`,
		},
		{
			name: "legacy ID of a dotted mesh", config: dotted, id: "aa.a.web-1.ns", key: "aa%2Ea.web-1.ns", mesh: "aa.a",
			log: `level=WARN msg="legacy node ID of a dotted mesh: served its mesh; set the node ID to the escaped ID" node=aa.a.web-1.ns mesh=aa.a name=web-1.ns id=aa%2Ea.web-1.ns`,
		},
		// No reading is configured: read strictly, served an empty snapshot.
		{name: "unknown mesh", config: dotted, id: "zz.web.ns", key: "zz.web.ns", mesh: "zz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			cfg, err := ParseConfig([]byte(tc.config))
			require.NoError(t, err)
			s, err := New(t.Context(), cfg, Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
			require.NoError(t, err)
			t.Cleanup(s.Stop)

			for i := range 2 { // two streams: logged once
				node := &corev3.Node{Id: tc.id}
				err := s.streamRequest(streamKey{id: int64(i)}, node)
				if tc.key == "" {
					require.Error(t, err)
					assert.Equal(t, codes.InvalidArgument, status.Code(err))
					assert.Equal(t, `xds: node ID "aa.a.web-1.ns": proxyid: resolve "aa.a.web-1.ns": ambiguous: `+
						`mesh "aa" name "a.web-1.ns", mesh "aa.a" name "web-1.ns"; `+
						`set the node ID to the canonical ID of the proxy meant: "aa.a.web-1.ns" or "aa%2Ea.web-1.ns"`,
						status.Convert(err).Message())
					assert.Equal(t, tc.id, node.Id)
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, tc.key, node.Id, "the node carries the canonical ID")
				later := &corev3.Node{Id: tc.id}
				require.NoError(t, s.streamRequest(streamKey{id: int64(i)}, later))
				assert.Equal(t, tc.key, later.Id, "a later request's node is rewritten too")
			}
			if tc.key == "" {
				assert.Empty(t, s.Proxies())
			} else {
				assert.Equal(t, []string{tc.key}, s.Proxies())
				assert.Equal(t, tc.mesh, s.proxies[tc.key].id.Mesh())
			}
			if tc.log != "" {
				assert.Equal(t, 1, strings.Count(logs.String(), tc.log), "logged once:\n%s", logs)
			}
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

// A reload that makes a connected proxy's legacy ID ambiguous, or read as
// another proxy, blocks it: it gets an empty snapshot, never the other mesh's.
func TestReloadBlocksALegacyIDItMakesAmbiguous(t *testing.T) {
	logs := &syncBuffer{}
	onlyDotted := mustParse(t, `
meshes: [aa.a]
meshExternalServices:
- {mesh: aa.a, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.2, port: 80}]}}
`)
	s, err := New(t.Context(), onlyDotted, Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	require.NoError(t, s.streamRequest(streamKey{id: 1}, node("aa.a.web-1.ns")))
	clusters := func() []string {
		snap, err := s.cache.GetSnapshot("aa%2Ea.web-1.ns")
		require.NoError(t, err)
		return sortedKeys(snap.GetResources(typeURL(types.Cluster)))
	}
	assert.Equal(t, []string{"aa.a_api___extsvc_80"}, clusters())

	// Mesh aa appears: "aa.a.web-1.ns" now also reads as proxy a.web-1.ns of aa.
	_, err = s.Reload(t.Context(), mustParse(t, twoMeshes))
	require.NoError(t, err)
	assert.Empty(t, clusters())
	assert.Contains(t, logs.String(), `level=ERROR msg="connected proxy blocked: the new configuration reads its legacy node ID differently; it is served nothing until it reconnects with its canonical ID" node=aa.a.web-1.ns proxy=aa%2Ea.web-1.ns`)

	// Mesh aa goes again (no proxy of it is connected): served again.
	_, err = s.Reload(t.Context(), onlyDotted)
	require.NoError(t, err)
	assert.Equal(t, []string{"aa.a_api___extsvc_80"}, clusters())
}
