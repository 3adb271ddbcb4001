package proxyid

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
)

// FromNode decodes the ID of the proxy that sent an xDS request. A nil node or
// a node without an ID gives [ErrEmpty].
func FromNode(node *corev3.Node) (ID, error) {
	return Parse(node.GetId())
}

// NodeHash keys a go-control-plane snapshot cache by the canonical proxy ID.
// It replaces cachev3.IDHash in one line:
//
//	cache := cachev3.NewSnapshotCache(true, proxyid.NodeHash{Exists: known}, logger)
//	err := cache.SetSnapshot(ctx, id.String(), snapshot) // id from proxyid.New(mesh, name)
//
// A proxy bootstrapped with a meshcore ID (or a legacy ID of a mesh without
// dots, which is the same bytes) is keyed by that ID. A proxy still running
// with a bootstrap that a legacy control plane wrote for a dotted mesh sends
// "aa.a.web.ns" for proxy "web.ns" of mesh "aa.a"; when Exists is set and the
// first-dot reading does not exist, NodeHash resolves the ID with [Resolve]
// and keys the proxy by the canonical ID of its one existing reading, so it
// receives its own snapshot instead of none.
//
// An ID that neither parses nor resolves is keyed by its raw bytes. No valid
// proxy's canonical key can equal it, so such a proxy receives nothing rather
// than another proxy's configuration.
type NodeHash struct {
	// Exists reports whether a proxy with this ID is known to the control
	// plane (for example, a Dataplane resource exists). Optional: when nil,
	// IDs are keyed as they parse and legacy IDs are not resolved. It is
	// called from the cache's goroutines, so it must be safe for concurrent use.
	Exists func(ID) bool
}

var _ cachev3.NodeHash = NodeHash{}

// ID implements cachev3.NodeHash. A nil node is keyed "".
func (h NodeHash) ID(node *corev3.Node) string {
	raw := node.GetId()
	if h.Exists == nil {
		// The canonical encoding of a parsed ID is its input byte for byte.
		return raw
	}
	if id, err := Parse(raw); err == nil && h.Exists(id) {
		return raw
	}
	if id, err := Resolve(raw, h.Exists); err == nil {
		return id.String()
	}
	return raw
}
