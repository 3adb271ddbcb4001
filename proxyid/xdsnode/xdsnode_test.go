package xdsnode

import (
	"context"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/log"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/proxyid"
)

func TestFromNode(t *testing.T) {
	id, err := FromNode(&corev3.Node{Id: "aa%2Ea.web.ns"})
	require.NoError(t, err)
	assert.Equal(t, "aa.a", id.Mesh())
	assert.Equal(t, "web.ns", id.Name())

	_, err = FromNode(nil)
	require.ErrorIs(t, err, proxyid.ErrEmpty)
	_, err = FromNode(&corev3.Node{})
	require.ErrorIs(t, err, proxyid.ErrEmpty)
}

func mustNew(t *testing.T, mesh, name string) proxyid.ID {
	t.Helper()
	id, err := proxyid.New(mesh, name)
	require.NoError(t, err)
	return id
}

// legacyID is the ID a legacy control plane wrote: mesh + "." + name, with
// nothing escaped.
func legacyID(mesh, name string) string { return mesh + "." + name }

// meshSnapshot is the configuration of one mesh: a single cluster named after it.
func meshSnapshot(t *testing.T, mesh string) *cachev3.Snapshot {
	t.Helper()
	snap, err := cachev3.NewSnapshot("1", map[resourcev3.Type][]types.Resource{
		resourcev3.ClusterType: {&clusterv3.Cluster{Name: mesh + "/backend"}},
	})
	require.NoError(t, err)
	require.NoError(t, snap.Consistent())
	return snap
}

// fetchClusters asks the cache for the clusters of the proxy whose Envoy
// bootstrap carries nodeID, as the xDS server does for each request.
func fetchClusters(t *testing.T, cache cachev3.SnapshotCache, nodeID string) []string {
	t.Helper()
	resp, err := cache.Fetch(context.Background(), &discoveryv3.DiscoveryRequest{
		Node:    &corev3.Node{Id: nodeID},
		TypeUrl: resourcev3.ClusterType,
	})
	if err != nil {
		return nil
	}
	var names []string
	for name := range resp.GetReturnedResources() {
		names = append(names, name)
	}
	return names
}

// cacheOf is a snapshot cache keyed by h that holds, for each of proxies,
// the snapshot of its mesh under its canonical ID, as a control plane sets it.
func cacheOf(t *testing.T, h NodeHash, proxies []proxyid.ID) cachev3.SnapshotCache {
	t.Helper()
	cache := cachev3.NewSnapshotCache(false, h, log.NewDefaultLogger())
	for _, id := range proxies {
		require.NoError(t, cache.SetSnapshot(context.Background(), id.String(), meshSnapshot(t, id.Mesh())))
	}
	return cache
}

// existsIn reports the proxies of ids as existing.
func existsIn(ids []proxyid.ID) func(proxyid.ID) bool {
	set := make(map[proxyid.ID]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return func(id proxyid.ID) bool { return set[id] }
}

// TestSnapshotCacheKeysByMesh is the incident: proxy "web.ns" of mesh "aa.a"
// and proxy "a.web.ns" of mesh "aa" have the same legacy ID, "aa.a.web.ns".
func TestSnapshotCacheKeysByMesh(t *testing.T) {
	ctx := context.Background()
	proxies := []proxyid.ID{mustNew(t, "aa.a", "web.ns"), mustNew(t, "aa", "a.web.ns")}

	t.Run("legacy IDs: one proxy gets the other mesh's snapshot", func(t *testing.T) {
		cache := cachev3.NewSnapshotCache(false, cachev3.IDHash{}, log.NewDefaultLogger())
		for _, p := range proxies {
			require.NoError(t, cache.SetSnapshot(ctx, legacyID(p.Mesh(), p.Name()), meshSnapshot(t, p.Mesh())))
		}
		assert.Equal(t, legacyID("aa.a", "web.ns"), legacyID("aa", "a.web.ns"))
		assert.Equal(t, []string{"aa/backend"}, fetchClusters(t, cache, legacyID("aa.a", "web.ns")),
			"the legacy key collides: the aa.a proxy is served mesh aa")
	})

	t.Run("meshcore IDs: each proxy gets its own mesh", func(t *testing.T) {
		cache := cacheOf(t, NodeHash{}, proxies)
		for _, p := range proxies {
			assert.Equal(t, []string{p.Mesh() + "/backend"}, fetchClusters(t, cache, p.String()), "proxy %v", p)
		}
	})

	t.Run("legacy bootstrap of a dotted mesh resolves with Exists", func(t *testing.T) {
		dataplanes := []proxyid.ID{mustNew(t, "aa.a", "web-1.ns"), mustNew(t, "aa", "web-2.ns")}
		cache := cacheOf(t, NodeHash{Exists: existsIn(dataplanes)}, dataplanes)
		// Proxies still running with bootstraps a legacy control plane wrote.
		assert.Equal(t, []string{"aa.a/backend"}, fetchClusters(t, cache, "aa.a.web-1.ns"))
		assert.Equal(t, []string{"aa/backend"}, fetchClusters(t, cache, "aa.web-2.ns"))
		// And with meshcore bootstraps.
		assert.Equal(t, []string{"aa.a/backend"}, fetchClusters(t, cache, "aa%2Ea.web-1.ns"))
		// An unknown proxy receives nothing.
		assert.Empty(t, fetchClusters(t, cache, "aa.a.unknown.ns"))
		assert.Empty(t, fetchClusters(t, cache, "garbage"))
	})

	t.Run("an ID two existing proxies could have sent gets neither snapshot", func(t *testing.T) {
		// Proxy "web-1.ns" of mesh "aa.a" with a legacy bootstrap and proxy
		// "a.web-1.ns" of mesh "aa" both send "aa.a.web-1.ns".
		dataplanes := []proxyid.ID{mustNew(t, "aa.a", "web-1.ns"), mustNew(t, "aa", "a.web-1.ns")}
		cache := cacheOf(t, NodeHash{Exists: existsIn(dataplanes)}, dataplanes)
		assert.Empty(t, fetchClusters(t, cache, "aa.a.web-1.ns"))
		// The escaped ID of the dotted mesh is not ambiguous.
		assert.Equal(t, []string{"aa.a/backend"}, fetchClusters(t, cache, "aa%2Ea.web-1.ns"))
	})
}

func TestNodeHash(t *testing.T) {
	dataplanes := []proxyid.ID{
		mustNew(t, "aa.a", "web-1.ns"), mustNew(t, "aa", "a.web-1.ns"), // both read from "aa.a.web-1.ns"
		mustNew(t, "aa.a", "web-2.ns"), // the only reading of "aa.a.web-2.ns" that exists
		mustNew(t, "default", "web.ns"),
	}
	exists := existsIn(dataplanes)
	tests := []struct {
		name   string
		node   *corev3.Node
		exists func(proxyid.ID) bool
		want   string
	}{
		{"nil node", nil, nil, ""},
		{"nil node, with Exists", nil, exists, ""},
		{"meshcore ID", &corev3.Node{Id: "aa%2Ea.web"}, nil, "aa%2Ea.web"},
		{"ID that does not parse", &corev3.Node{Id: "not-an-id"}, nil, "not-an-id"},
		{"legacy ID without Exists: as it parses", &corev3.Node{Id: "aa.a.web-2.ns"}, nil, "aa.a.web-2.ns"},
		{"ID of a mesh without dots", &corev3.Node{Id: "default.web.ns"}, exists, "default.web.ns"},
		{"legacy ID of a dotted mesh: its one existing reading", &corev3.Node{Id: "aa.a.web-2.ns"}, exists, "aa%2Ea.web-2.ns"},
		{"meshcore ID of a dotted mesh", &corev3.Node{Id: "aa%2Ea.web-1.ns"}, exists, "aa%2Ea.web-1.ns"},
		{"ambiguous: raw bytes behind the prefix", &corev3.Node{Id: "aa.a.web-1.ns"}, exists, "%ambiguous:aa.a.web-1.ns"},
		{"no reading exists: raw bytes", &corev3.Node{Id: "aa.a.unknown.ns"}, exists, "aa.a.unknown.ns"},
		{"ID that does not parse, with Exists", &corev3.Node{Id: "not-an-id"}, exists, "not-an-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, NodeHash{Exists: tt.exists}.ID(tt.node))
		})
	}
}

// TestAmbiguousKeyIsNoID: the key of an ambiguous ID never parses, so it can
// never be the canonical ID a snapshot is set under.
func TestAmbiguousKeyIsNoID(t *testing.T) {
	for _, raw := range []string{"aa.a.web-1.ns", "2E.x", "25.x", ".zone", "a%2Eb.c"} {
		_, err := proxyid.Parse(ambiguousPrefix + raw)
		assert.ErrorIs(t, err, proxyid.ErrBadEscape, raw)
	}
}
