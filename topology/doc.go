// Package topology builds the zone egress view of MeshExternalService (MES)
// resources: an endpoint map keyed by destination name, and the Envoy v3
// clusters and load assignments that route to each external service; and it
// admits a MES as the reference's control plane does.
//
// It follows Kuma v2.14.3 unless a rule says otherwise: the 3.0 data sources
// and their admission come from master 348b6528bc, toward 3.0. In the
// reference, values that slipped past admission (an empty address, a port
// over 65535) broke the egress snapshot of every mesh at once, and up to 2.9
// one MES whose client certificate named a missing Secret stopped every MES
// built after it. This package builds each MES on its own.
//
// # Admission
//
// [Admit] checks a MES as the reference's API server and webhooks do when it
// is created or updated, knowing the control plane's [Role], zone and naming
// phase ([ControlPlane]): the display name (naming; 63 bytes at most in the
// warn phase), the spec (spec.match, spec.endpoints[i], spec.tls,
// spec.extension; endpoints and TLS not checked under an extension, except
// their data sources), and the labels (kuma.io/origin matching the role;
// on a zone, kuma.io/zone the zone and kuma.io/mesh the mesh; every key and
// value a Kubernetes label key and value). Messages and their order are the
// reference's. It also returns the deprecation warnings of the reference's
// unified naming (2.14): the name's, and one per reason the KRI SNI
// ([MeshExternalService.KRISNI]) is not a valid DNS name. A MES without
// endpoints is admitted, as the reference's own examples are.
//
// # Rules of the build
//
//   - Validation: [BuildEgressEndpointMap] runs the spec rules [Admit] runs,
//     from the same code (which also refuse `unix://` sockets and bracketed
//     or zoned IPv6 literals), and refuses what a zone egress cannot route: a
//     missing name or mesh, names (display name, mesh, namespace, zone; by
//     the DNS name and label value rules of naming) and SAN values that
//     would make a cluster Envoy cannot route or protobuf cannot serialize.
//     It does not re-run the name and label rules of admission: synced
//     services were admitted where they were created. A MES of another zone is validated, so its errors are
//     not hidden, and then left out. A MES without endpoints builds nothing;
//     under an extension, its endpoint and TLS rules are the extension's.
//   - Isolation: each MES is validated and built independently. A failure is
//     one or more [*ResourceError] values naming the MES and the field, in
//     [Errors] (a list, not an error; [Errors.Err] joins it); every other MES
//     is built, whatever its position.
//   - TLS material: a 2.x data source (secret, inline, inlineString) or a 3.0
//     one (Secret, InsecureInline, File, EnvVar). File and EnvVar are read
//     through [EgressInput.Host] only; the library touches no file system or
//     environment. Material is loaded only when the verification mode uses it
//     (SkipCA and SkipAll never load the CA; SkipAll never loads the client
//     pair), is PEM-parsed before Envoy sees it, and is loaded and parsed once
//     per build per source. Error messages never contain material.
//   - Verification modes ([UpstreamTLS]) decide what is verified and which
//     material is used; the SNI and the TLS version range apply in every mode.
//   - Names keep the reference formats: [MeshExternalService.DestinationName]
//     `{mesh}_{displayName}_{namespace}_{zone}_extsvc_{port}`,
//     [MeshExternalService.KRI] `kri_extsvc_{mesh}_{zone}_{namespace}_{name}_{port}`,
//     and [MeshExternalService.EgressSNI], whose display name and mesh are cut
//     to 62 bytes plus "x" when longer, after hashing the full names.
//   - Endpoints: weight 1; tags = the labels plus [TagMesh] "mesh" = the mesh;
//     locality {priority p, subZone "priority-p"} from the endpoint's priority
//     (2.14; 2.13 took it from kuma.io/zone).
//   - Conflicts: two MES that produce the same destination name or the same
//     egress SNI are both reported ([Conflict]) and both left out.
//   - Deterministic: same input, same map, same errors in the same order, same
//     Envoy resources.
//
// # Batch or incremental
//
// [BuildEgressEndpointMap] builds the map of a set of services from scratch,
// in time proportional to the set, and keeps nothing: use it for a one-off
// build (a CLI, a linter, a test), or when every service changes at once.
// An [Egress] is its incremental form for a control plane that lives on a
// stream of changes: it keeps the services of one mesh, their map and a
// cache of their TLS material, and applies a change ([Egress.Upsert],
// [Egress.Delete], [Egress.SecretsChanged], [Egress.SetHost]) in time
// proportional to the services it touches plus those that share a
// destination name or egress SNI with them. Each change returns a [Delta]
// (the destinations changed and removed, the services whose errors changed),
// and each destination has a [Egress.Version], a content hash replicas agree
// on, to send only what changed.
//
//   - The batch function is the incremental form's oracle: after any
//     sequence of changes, with SecretsChanged called for every secret whose
//     bytes changed, the Egress's map and errors are those of
//     BuildEgressEndpointMap over its current services, and the rules above
//     are the same code.
//   - Services are keyed by name, so the duplicate-name conflict of the batch
//     cannot arise; within one Upsert the last service of a name counts.
//   - It costs memory the batch does not keep: the services, the indexes
//     and the versions, besides the map (BENCHMARKS.md has the figures).
//
// # Envoy resources
//
// [EgressResources] renders a cluster per destination: STATIC when every
// target is an IP, else STRICT_DNS (or EDS over ADS with
// [ResourceOptions.EDS]); a load assignment with one locality per priority,
// localities sorted by the string zone + subZone as the reference sorts them
// ("priority-10" before "priority-2"), and no locality weight; an
// UpstreamTlsContext whose SAN matchers are, as in the reference, the SNI (or
// the first endpoint's address) exact as a DNS and then as an IP SAN, then
// every SAN of the service as DNS, then every one as IP, so a Prefix "10.0."
// matches an IP SAN. A destination that does not render is left out and
// reported as its service's [*ResourceError], as in the build.
//
// Proxyless gRPC clients need two things Envoy does not: a locality weight
// (grpc-go ignores a locality whose weight is 0; set
// [ResourceOptions.LocalityWeight]), and priorities contiguous from 0
// (grpc-go rejects the whole load assignment when one is missing, as with
// endpoint priorities 0 and 2 without 1). Check the second before serving
// such clients; examples/xds shows how.
//
// [MeshOf] and [CheckMembership] cover the other half of the gateway-502
// incident: on Kubernetes the MeshService controller reads the mesh from the
// Service and its Namespace, never from the pods, so a `kuma.io/mesh` label on
// the workload alone puts the MeshService in the wrong mesh.
//
// Non-goals: the package does not watch resources, write status, or talk to
// Envoy; it does not log. Callers turn [Errors] into resource status.
//
// # Deliberate differences from the reference
//
//	reference does                        meshcore does                         why
//	------------------------------------  ------------------------------------  ------------------------------
//	builds what admission let through     validates each service at build and   one bad service must not take
//	and lets Envoy reject the whole       leaves out only the bad one           down the egress of every mesh
//	update over an empty address, a port
//	over 65535, a unix:// socket or a
//	name protobuf cannot carry (through
//	2.9, it also stopped at the first
//	service with a missing secret)
//
//	logs a service it cannot build        returns Errors naming the service,    callers turn them into
//	                                      the field and the value               statuses
//
//	hands TLS material to Envoy unparsed  parses it first (crypto/x509,         Envoy would reject the update
//	                                      tls.X509KeyPair): bad material fails
//	                                      its service
//
//	loads every material given, also      loads only the material the mode      a missing CA must not break a
//	what SkipCA and SkipAll discard       uses                                  service that does not verify
//
//	drops the TLS version range when      keeps it in every mode                versions have nothing to do
//	nothing is verified (SkipCA,                                                with verification
//	SkipAll)
//
//	drops spec serverName under SkipSAN   keeps it as the SNI in every mode     the SNI selects the server's
//	and SkipAll (the SNI becomes the                                            certificate and virtual host
//	first endpoint's DNS name, or none)
//
//	lets the first service with a         reports both (Conflict) and builds    the winner would depend on
//	destination name or egress SNI take   neither                               input order, and could get the
//	the other's traffic                                                         other's client certificate
//
//	keeps an endpoint listed twice        keeps one                             Envoy and gRPC reject repeated
//	                                                                            addresses
//
//	accepts a DNS label ending in '-',    refuses them, at admission and build  they cannot be resolved, or
//	an all-digit last label (256.1.1.1),                                        sent as an SNI
//	a serverName ending in '.'
//
//	accepts any display name, namespace,  refuses what makes a cluster Envoy    as in the first row
//	zone and SAN value at build           cannot route or protobuf cannot
//	                                      serialize
//
//	rejects a priority over 128 in its    "must be less than or equal to 128"   one set of messages
//	schema's words
//
//	answers the first failing admission   Admit returns every violation         one round of fixes
//	stage (spec, then labels)
//
//	puts the endpoint tags in endpoint    does not                              the egress cluster selects
//	metadata                                                                    endpoints by locality only
//
//	refuses File and EnvVar data sources  reads them through EgressInput.Host;  the library never touches the
//	(master)                              without one, the same refusal; Admit  host; a control plane may
//	                                      refuses them unless                   choose to
//	                                      ControlPlane.HostSources
package topology
