// Package xdsnode connects [proxyid] to go-control-plane: [FromNode] reads the
// ID of the proxy behind an xDS request, and [NodeHash] keys a snapshot cache
// by canonical proxy ID, so that a control plane built on go-control-plane
// gets the dotted-mesh fix by changing one line.
//
// It is a package of its own so that proxyid depends on the standard library
// only: a webhook or a CLI that encodes IDs does not link go-control-plane and
// grpc.
package xdsnode

import (
	"errors"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"

	"github.com/meshcore/meshcore/proxyid"
)

// FromNode decodes the ID of the proxy that sent an xDS request with
// [proxyid.Parse]. A nil node or a node without an ID gives
// [proxyid.ErrEmpty].
func FromNode(node *corev3.Node) (proxyid.ID, error) {
	return proxyid.Parse(node.GetId())
}

// NodeHash keys a go-control-plane snapshot cache by the canonical proxy ID.
// It replaces cachev3.IDHash in one line:
//
//	cache := cachev3.NewSnapshotCache(true, xdsnode.NodeHash{Exists: known}, logger)
//	err := cache.SetSnapshot(ctx, id.String(), snapshot) // id from proxyid.New(mesh, name)
//
// A proxy still running with a bootstrap that a legacy control plane wrote
// for a dotted mesh sends "aa.a.web.ns" for proxy "web.ns" of mesh "aa.a".
// With Exists set, NodeHash resolves every ID with [proxyid.Resolve]. The key
// of a node's ID is:
//
//   - without Exists: the ID as sent, which for an ID that parses is its
//     canonical encoding (a legacy ID of a mesh without dots is the same
//     bytes);
//   - with Exists, when exactly one reading of the ID exists: the canonical
//     ID of that reading, so the legacy proxy receives its own snapshot
//     instead of none;
//   - with Exists, when several readings exist ("aa.a.web.ns" with proxy
//     "web.ns" of mesh "aa.a" and proxy "a.web.ns" of mesh "aa"): the ID
//     behind the prefix "%ambiguous:", which no canonical ID starts with ("%a"
//     is not an escape), so the proxy receives nothing rather than a
//     configuration that may be another mesh's;
//   - with Exists, when no reading exists, and for an ID that does not parse:
//     the ID as sent, under which no snapshot of an existing proxy is set.
type NodeHash struct {
	// Exists reports whether a proxy with this ID is known to the control
	// plane (for example, a Dataplane resource exists). Optional: when nil,
	// IDs are keyed as they parse and legacy IDs are not resolved. It is
	// called from the cache's goroutines, so it must be safe for concurrent use.
	Exists func(proxyid.ID) bool
}

var _ cachev3.NodeHash = NodeHash{}

// ambiguousPrefix starts the key of an ID with several existing readings. A
// "%" that does not start "%2E" or "%25" is a bad escape, so no canonical ID
// starts with it.
const ambiguousPrefix = "%ambiguous:"

// ID implements cachev3.NodeHash. A nil node is keyed "".
func (h NodeHash) ID(node *corev3.Node) string {
	raw := node.GetId()
	if h.Exists == nil {
		return raw
	}
	id, err := proxyid.Resolve(raw, h.Exists)
	switch {
	case err == nil:
		return id.String()
	case errors.Is(err, proxyid.ErrAmbiguous):
		return ambiguousPrefix + raw
	}
	return raw
}
