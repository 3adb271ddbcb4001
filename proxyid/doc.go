// Package proxyid encodes and decodes the Envoy node ID that names a data-plane
// proxy: the mesh it belongs to and its name.
//
// # The problem
//
// The legacy form is mesh + "." + name, read back by splitting at the first dot.
// A mesh whose name holds a dot breaks every proxy in it: the ID
// "aa.a.web.ns" of proxy "web.ns" in mesh "aa.a" reads as mesh "aa", name
// "a.web.ns", the lookup of the proxy's resource fails, and the proxy never
// gets its configuration. Forbidding dotted mesh names for new meshes leaves the
// existing ones broken, so this package fixes the codec instead.
//
// # The format
//
//   - An ID is escape(mesh) + "." + name.
//   - escape turns "%" into "%25" and "." into "%2E" (upper-case hex) and leaves
//     every other byte alone. The name is written verbatim: Kubernetes names are
//     pod + "." + namespace and keep their dots.
//   - Decoding splits at the first ".", unescapes the mesh strictly (only "%2E"
//     and "%25"; anything else after "%" is [ErrBadEscape]) and takes the rest
//     as the name, which must not be empty.
//   - A zone proxy (zone ingress or egress) has no mesh: its ID is "." + name.
//
// The escaped mesh never contains a ".", so the first dot is always the
// separator; strict unescaping gives every (mesh, name) pair exactly one
// encoding. The codec is therefore a bijection: Parse(New(m, n).String())
// returns (m, n) for every byte string m and every non-empty n, and
// Parse(s).String() == s for every s that parses.
//
// For every mesh without "." or "%" the ID is byte-identical to the legacy
// form, so running proxies and control planes of mixed versions agree on
// everything that works today. IDs that a legacy control plane wrote for a
// dotted mesh are recovered with [Resolve], which asks the caller which of the
// possible readings exists.
//
// # Entry points
//
// [New], [ZoneProxy] and [Parse] make an [ID]; [ID.String] and [ID.AppendTo]
// encode it. Parse of an ID without escapes and AppendTo into a sized buffer
// do not allocate. The package depends on the standard library only; its
// go-control-plane adapter, which reads a node's ID and keys a snapshot cache
// by canonical ID, is [github.com/meshcore/meshcore/proxyid/xdsnode].
package proxyid
