// Package naming owns every DNS name rule of meshcore: it validates resource
// names against the DNS rules of Kubernetes, phases in a stricter rule for
// the kinds whose names end up in DNS hostnames and proxy IDs without
// breaking the users who already have non-compliant names, and says what a
// hostname, a DNS name and a TLS server name may be. It depends on the
// standard library only.
//
// # Rules
//
// The three rules of k8s.io/apimachinery/pkg/util/validation, with the same
// acceptance and the same messages, byte for byte (length message first, then
// the pattern message; both when both apply), so tools that show Kubernetes
// errors show these the same way:
//
//   - [DNS1035Label]: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63 bytes.
//   - [DNS1123Label]: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 bytes; a value
//     that would be a valid subdomain gets "must not contain dots".
//   - [DNS1123Subdomain]: RFC 1123 labels joined by '.', at most 253 bytes.
//
// Names are bytes: there is no Unicode folding, and a trailing newline is
// invalid. [IsDNS1035Label], [IsDNS1123Label] and [IsDNS1123Subdomain] are
// allocation-free predicates; [Rule.Check] returns the messages.
//
// Label keys and values follow apimachinery's IsQualifiedName and
// IsValidLabelValue, messages included: [IsLabelKey], [CheckLabelKey],
// [IsLabelValue], [CheckLabelValue].
//
// # Hostnames and DNS names
//
// Kubernetes' subdomain rule does not limit the labels of a name, so a name
// it accepts may be one DNS cannot resolve. The other names a control plane
// handles are not Kubernetes names at all. Each rule is one allocation-free
// predicate, and all of them scan with one function:
//
//   - [IsHostname]: an RFC 1123 subdomain whose labels are each at most 63
//     bytes (generated hostnames); [CheckHostname] says why not.
//   - [IsDNSName]: a name as resolvers take it (an external endpoint's
//     address): labels of 1 to 63 letters of either case, digits, '-' and
//     '_', at most 255 bytes, an optional trailing dot, a last label that is
//     not all digits.
//   - [IsServerName]: a TLS server name, a DNS name without the trailing dot.
//   - [IsDNSNamePart]: one or more labels of a DNS name of any length, for a
//     name that becomes part of a longer one and is cut to fit.
//
// # Modes
//
// A [Policy] maps each [Kind] to a [Rule] and has a [Mode]. Every name must
// satisfy [BaseRule] (a non-empty RFC 1123 subdomain; an empty name gets
// "cannot be empty") in every mode, [Off] included; that is
// what Kubernetes requires of object names, and a violation is always an
// error. A kind's stricter rule is then [Off] (not checked), [Warn] (a
// deprecation warning), [EnforceOnCreate] (new resources rejected, existing
// ones updated with the warning) or [Enforce] (rejected). [DefaultPolicy]
// puts Mesh, Zone, MeshService, MeshExternalService and MeshMultiZoneService
// under [DNS1035Label]: a Mesh named "aa.a" makes the proxy ID
// "aa.a.backend" ambiguous. Every other kind keeps [BaseRule], so Dataplane
// names such as "2048-app-7c5f756499-l9p2m.kuma-demo" stay valid.
//
// [Policy.MaxLength] is a length limit checked in every mode as an error.
// [DefaultPolicy] sets it to 63 bytes for MeshService and MeshExternalService
// names, as the reference did while it only warned about the other rules
// (2.11–2.14: `name: must not be longer than 63 characters`, with the
// deprecation warning beside it).
//
// The control plane this package follows tied the phase to its release
// (warnings in one release line, rejection in the next). Here it is a
// setting, [Policy.Validate] returns warnings as data, and [Audit] says which
// resources switching to [Enforce] would reject, each with a compliant name
// from [Suggest] (deterministic, idempotent, and made unique with a hash
// suffix when it must be shortened or would collide).
//
// The checks follow Kuma v2.14.3 (warn phase) and, for [Enforce], master
// 348b6528bc toward 3.0 (rejection with the RFC 1035 messages joined by ", ").
//
// # Deliberate differences from the reference
//
//	reference does                  meshcore does                       why
//	------------------------------  ----------------------------------  ----------------------------------
//	fixes the phase by the release  makes the phase a Mode setting      operators switch when their names
//	                                                                    are clean, not when they upgrade
//
//	rejects a non-compliant name    EnforceOnCreate accepts the         resources created before the
//	on update too (3.0)             update, with the warning            switch keep working until renamed
//
//	has no audit of existing names  Audit and Suggest list what         the switch is safe only when its
//	                                Enforce would reject, with new      effect is known
//	                                names
package naming
