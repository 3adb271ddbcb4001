package xdsnode_test

import (
	"context"
	"fmt"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/meshcore/meshcore/proxyid"
	"github.com/meshcore/meshcore/proxyid/xdsnode"
)

func ExampleNodeHash() {
	ctx := context.Background()
	cache := cachev3.NewSnapshotCache(false, xdsnode.NodeHash{}, nil)

	// The control plane keys each proxy's snapshot by its canonical ID.
	for _, mesh := range []string{"aa", "aa.a"} {
		id, _ := proxyid.New(mesh, "web.ns")
		snap, _ := cachev3.NewSnapshot("v1", map[resourcev3.Type][]types.Resource{})
		_ = cache.SetSnapshot(ctx, id.String(), snap)
	}

	// Envoy sends the ID from its bootstrap; the cache finds that proxy's snapshot.
	node := &corev3.Node{Id: "aa%2Ea.web.ns"}
	key := xdsnode.NodeHash{}.ID(node)
	_, err := cache.GetSnapshot(key)
	id, _ := xdsnode.FromNode(node)
	fmt.Printf("key %s, mesh %q, snapshot found: %v\n", key, id.Mesh(), err == nil)
	// Output:
	// key aa%2Ea.web.ns, mesh "aa.a", snapshot found: true
}

func ExampleNodeHash_exists() {
	// The proxies the control plane knows, e.g. its Dataplane resources.
	known := map[proxyid.ID]bool{}
	for _, p := range [][2]string{{"aa.a", "web-1.ns"}, {"aa.a", "web-2.ns"}, {"aa", "a.web-2.ns"}} {
		id, _ := proxyid.New(p[0], p[1])
		known[id] = true
	}
	h := xdsnode.NodeHash{Exists: func(id proxyid.ID) bool { return known[id] }}

	// Bootstraps a legacy control plane wrote for the dotted mesh "aa.a".
	fmt.Println(h.ID(&corev3.Node{Id: "aa.a.web-1.ns"})) // one reading exists
	fmt.Println(h.ID(&corev3.Node{Id: "aa.a.web-2.ns"})) // two readings exist
	// Output:
	// aa%2Ea.web-1.ns
	// %ambiguous:aa.a.web-2.ns
}

func ExampleFromNode() {
	id, err := xdsnode.FromNode(&corev3.Node{Id: "aa%2Ea.web-1.kuma-demo"})
	fmt.Printf("mesh %q, name %q, err %v\n", id.Mesh(), id.Name(), err)
	_, err = xdsnode.FromNode(&corev3.Node{})
	fmt.Println(err)
	// Output:
	// mesh "aa.a", name "web-1.kuma-demo", err <nil>
	// proxyid: parse "": empty ID
}
