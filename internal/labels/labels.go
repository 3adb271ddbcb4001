// Package labels holds the label keys a Kuma-style control plane sets on
// resources, and the rules by which it reads them, so that hostname and
// topology share one copy of each. The exported LabelX constants of those
// packages are aliases of these.
//
// The reference reads the same label in different ways in different places;
// each way is one function here, named for what it reproduces:
//
//   - [TemplateDisplayName]: a HostnameGenerator template's .DisplayName,
//     where a present label wins even when empty;
//   - [DisplayNameOr] and [DisplayNameLabel]: destination names, KRIs and
//     SNIs, where only a non-empty label counts;
//   - [ZoneOr]: a template's .Zone and MeshExternalService reachability,
//     where an empty or absent label means the local zone;
//   - [MeshOf]: the mesh of a Kubernetes object, where an empty label counts
//     as absent.
package labels

// Label keys.
const (
	// Origin is "zone" on resources created in a zone and "global" on
	// resources synced from the global control plane.
	Origin = "kuma.io/origin"
	// DisplayName is the name the user gave the resource (on Kubernetes, the
	// object name; on a synced resource, the name before hashing).
	DisplayName = "kuma.io/display-name"
	// Zone is the zone a resource comes from.
	Zone = "kuma.io/zone"
	// Namespace is the Kubernetes namespace of the resource.
	Namespace = "k8s.kuma.io/namespace"
	// Name is the Kubernetes object name, without the namespace.
	Name = "k8s.kuma.io/name"
	// Env is "kubernetes" or "universal": where the resource was created.
	Env = "kuma.io/env"
	// Headless is "true" on MeshServices of headless Kubernetes Services.
	Headless = "k8s.kuma.io/is-headless-service"
	// Mesh is the mesh of a Kubernetes object.
	Mesh = "kuma.io/mesh"
	// ServiceName is the name of the Kubernetes Service a MeshService was
	// made from.
	ServiceName = "k8s.kuma.io/service-name"
)

// Values of [Origin].
const (
	OriginGlobal = "global"
	OriginZone   = "zone"
)

// TemplateDisplayName is the .DisplayName a HostnameGenerator template sees:
// the [DisplayName] label when it is present, even empty, else name.
func TemplateDisplayName(l map[string]string, name string) string {
	if v, ok := l[DisplayName]; ok {
		return v
	}
	return name
}

// DisplayNameOr is the display name in destination names, KRIs and SNIs: the
// [DisplayName] label when it is non-empty, else name.
func DisplayNameOr(l map[string]string, name string) string {
	if v, ok := DisplayNameLabel(l); ok {
		return v
	}
	return name
}

// DisplayNameLabel is the [DisplayName] label and whether it replaces the
// name in destination names, KRIs and SNIs ([DisplayNameOr]): only when it
// is non-empty. It tells a caller which of the two a display name came from.
func DisplayNameLabel(l map[string]string) (string, bool) {
	v := l[DisplayName]
	return v, v != ""
}

// ZoneOr is the zone of a resource: the [Zone] label when it is non-empty,
// else local. An empty or absent label means the local zone.
func ZoneOr(l map[string]string, local string) string {
	if v := l[Zone]; v != "" {
		return v
	}
	return local
}

// MeshOf is the [Mesh] label, or "" when it is absent or empty (an empty
// label counts as absent).
func MeshOf(l map[string]string) string { return l[Mesh] }

// Values of [Env].
const (
	EnvKubernetes = "kubernetes"
	EnvUniversal  = "universal"
)
