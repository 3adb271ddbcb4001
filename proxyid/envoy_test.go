package proxyid

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
)

func TestFromNode(t *testing.T) {
	id, err := FromNode(&corev3.Node{Id: "aa%2Ea.web.ns"})
	require.NoError(t, err)
	assert.Equal(t, "aa.a", id.Mesh())
	assert.Equal(t, "web.ns", id.Name())

	_, err = FromNode(nil)
	require.ErrorIs(t, err, ErrEmpty)
	_, err = FromNode(&corev3.Node{})
	require.ErrorIs(t, err, ErrEmpty)
}

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

// TestSnapshotCacheKeysByMesh is the incident: proxy "web.ns" of mesh "aa.a"
// and proxy "a.web.ns" of mesh "aa" have the same legacy ID, "aa.a.web.ns".
func TestSnapshotCacheKeysByMesh(t *testing.T) {
	ctx := context.Background()
	proxies := []struct{ mesh, name string }{{"aa.a", "web.ns"}, {"aa", "a.web.ns"}}

	t.Run("legacy IDs: one proxy gets the other mesh's snapshot", func(t *testing.T) {
		cache := cachev3.NewSnapshotCache(false, cachev3.IDHash{}, log.NewDefaultLogger())
		for _, p := range proxies {
			require.NoError(t, cache.SetSnapshot(ctx, legacyString(p.mesh, p.name), meshSnapshot(t, p.mesh)))
		}
		assert.Equal(t, legacyString("aa.a", "web.ns"), legacyString("aa", "a.web.ns"))
		assert.Equal(t, []string{"aa/backend"}, fetchClusters(t, cache, legacyString("aa.a", "web.ns")),
			"the legacy key collides: the aa.a proxy is served mesh aa")
	})

	t.Run("meshcore IDs: each proxy gets its own mesh", func(t *testing.T) {
		cache := cachev3.NewSnapshotCache(false, NodeHash{}, log.NewDefaultLogger())
		for _, p := range proxies {
			id, err := New(p.mesh, p.name)
			require.NoError(t, err)
			require.NoError(t, cache.SetSnapshot(ctx, id.String(), meshSnapshot(t, p.mesh)))
		}
		for _, p := range proxies {
			id, err := New(p.mesh, p.name)
			require.NoError(t, err)
			assert.Equal(t, []string{p.mesh + "/backend"}, fetchClusters(t, cache, id.String()), "proxy %v", p)
		}
	})

	t.Run("legacy bootstrap of a dotted mesh resolves with Exists", func(t *testing.T) {
		dataplanes := map[ID]bool{MustNew(t, "aa.a", "web-1.ns"): true, MustNew(t, "aa", "web-2.ns"): true}
		exists := func(id ID) bool { return dataplanes[id] }
		cache := cachev3.NewSnapshotCache(false, NodeHash{Exists: exists}, log.NewDefaultLogger())
		for id := range dataplanes {
			require.NoError(t, cache.SetSnapshot(ctx, id.String(), meshSnapshot(t, id.Mesh())))
		}
		// Proxies still running with bootstraps a legacy control plane wrote.
		assert.Equal(t, []string{"aa.a/backend"}, fetchClusters(t, cache, "aa.a.web-1.ns"))
		assert.Equal(t, []string{"aa/backend"}, fetchClusters(t, cache, "aa.web-2.ns"))
		// And with meshcore bootstraps.
		assert.Equal(t, []string{"aa.a/backend"}, fetchClusters(t, cache, "aa%2Ea.web-1.ns"))
		// An unknown proxy receives nothing.
		assert.Empty(t, fetchClusters(t, cache, "aa.a.unknown.ns"))
		assert.Empty(t, fetchClusters(t, cache, "garbage"))
	})
}

func TestNodeHash(t *testing.T) {
	assert.Equal(t, "", NodeHash{}.ID(nil))
	assert.Equal(t, "aa%2Ea.web", NodeHash{}.ID(&corev3.Node{Id: "aa%2Ea.web"}))
	assert.Equal(t, "not-an-id", NodeHash{}.ID(&corev3.Node{Id: "not-an-id"}))
	ambiguous := func(ID) bool { return false }
	assert.Equal(t, "aa.a.web", NodeHash{Exists: ambiguous}.ID(&corev3.Node{Id: "aa.a.web"}),
		"unresolvable IDs keep their raw key")
}
