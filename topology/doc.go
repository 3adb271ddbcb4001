// Package topology builds the zone egress view of MeshExternalService (MES)
// resources: an endpoint map keyed by destination name, and the Envoy v3
// clusters and load assignments that route to each external service.
//
// In the reference control plane one MES whose client certificate named a
// missing Secret stopped every MES built after it (a `return` where a
// `continue` was meant), and values that slipped past admission (an empty
// address, a port over 65535) broke the egress snapshot of every mesh at once.
// This package builds each MES on its own.
//
// # Rules
//
//   - Isolation: [BuildEgressEndpointMap] validates and builds each MES
//     independently. A failure is one or more [*ResourceError] values naming the
//     MES and the field; every other MES is built, whatever its position.
//   - Validation follows the MES admission rules and messages (spec.match,
//     spec.endpoints[i], spec.tls), and also rejects what admission let through
//     and a zone egress cannot route: empty addresses, `unix://` sockets,
//     bracketed or zoned IPv6 literals, ports outside 1–65535, and names
//     (display name, mesh, namespace, zone, SAN values) that would make a
//     cluster Envoy cannot route or protobuf cannot serialize.
//   - TLS material is loaded only when the verification mode uses it (SkipCA
//     and SkipAll never load the CA; SkipAll never loads the client pair), is
//     PEM-parsed before Envoy sees it (crypto/x509, crypto/tls.X509KeyPair), and
//     is loaded and parsed once per build per (mesh, secret name). Error
//     messages never contain secret bytes.
//   - Verification modes ([UpstreamTLS]) decide what is verified and which
//     material is used; the SNI and the TLS version range apply in every mode
//     (the reference cleared the SNI under SkipSAN and dropped the version
//     range under SkipCA).
//   - Names keep the reference formats: [MeshExternalService.DestinationName]
//     `{mesh}_{displayName}_{namespace}_{zone}_extsvc_{port}`,
//     [MeshExternalService.KRI] `kri_extsvc_{mesh}_{zone}_{namespace}_{name}_{port}`,
//     and [MeshExternalService.EgressSNI].
//   - Conflicts: two MES that produce the same destination name or the same
//     egress SNI are both reported ([Conflict]) and both left out of the map.
//     The reference let whichever came first take the other's traffic; keeping
//     either one would make the result depend on input order, and routing a
//     client to the wrong external service (with the other's client
//     certificate) is worse than not routing it.
//   - Deterministic: same input, same map, same errors in the same order, same
//     Envoy resources ([EgressResources] sorts clusters and load assignments by
//     name and endpoints by address, then port).
//
// [MeshOf] and [CheckMembership] cover the other half of the gateway-502
// incident: on Kubernetes the MeshService controller reads the mesh from the
// Service and its Namespace, never from the pods, so a `kuma.io/mesh` label on
// the workload alone puts the MeshService in the wrong mesh.
//
// Non-goals: the package does not watch resources, write status, or talk to
// Envoy; it does not log. Callers turn [Errors] into resource status.
package topology
