package hostname

import "github.com/meshcore/meshcore/internal/labels"

// Env is where a control plane runs.
type Env string

// The environments. The values are those of the label kuma.io/env.
const (
	EnvKubernetes Env = labels.EnvKubernetes
	EnvUniversal  Env = labels.EnvUniversal
)

// Role is the role of a control plane in a multi-zone deployment.
type Role string

// The roles. The values are those of the label kuma.io/origin.
const (
	RoleGlobal Role = labels.OriginGlobal
	RoleZone   Role = labels.OriginZone
)

// The optional local Kubernetes generators: their names and templates, as
// MADR 057 (docs/madr/decisions/057-default-hostname-generators.md in the
// reference) describes them. See [OptionalGenerators].
const (
	// LocalKubernetesGenerator is the optional generator for the
	// MeshServices of local ClusterIP Services.
	LocalKubernetesGenerator = "local-kube-mesh-service"
	// TemplateLocalKubernetes is its template: "backend.kuma-demo.svc.mesh.local"
	// for Service backend in namespace kuma-demo. It reads the Service name
	// from the label the MeshService controller sets, and ends in
	// ".svc.mesh.local", not ".svc.cluster.local", so it never competes with
	// the cluster DNS name, which keeps working anyway (the ClusterIP is the
	// MeshService's VIP).
	TemplateLocalKubernetes = `{{ label "k8s.kuma.io/service-name" }}.{{ .Namespace }}.svc.mesh.local`

	// LocalHeadlessKubernetesGenerator is the optional generator for the
	// per-pod MeshServices of local headless Services.
	LocalHeadlessKubernetesGenerator = "local-headless-kube-mesh-service"
	// TemplateLocalHeadlessKubernetes is its template:
	// "db-0.db.kuma-demo.svc.mesh.local" for pod db-0 of headless Service db.
	// It needs the StatefulSet pod-name label, so it fails for the pods of
	// other workloads (the controller copies that label from the pod).
	TemplateLocalHeadlessKubernetes = `{{ label "statefulset.kubernetes.io/pod-name" }}.{{ label "k8s.kuma.io/service-name" }}.{{ .Namespace }}.svc.mesh.local`
)

// DefaultGenerators returns the HostnameGenerators a control plane of the
// given environment and role creates at start, exactly as the reference
// ships them (pkg/defaults/hostname_generator.go in Kuma 2.14.3):
//
//   - [RoleGlobal] (either environment): synced-mesh-multi-zone-service,
//     synced-kube-mesh-service, synced-headless-kube-mesh-service,
//     synced-universal-mesh-service and synced-mesh-external-service. They
//     select resources synced from zones (kuma.io/origin "global"); a zone
//     receives them from the global control plane.
//   - [RoleZone]: local-mesh-external-service, and in a Universal zone
//     local-universal-mesh-service, both labelled kuma.io/origin "zone".
//
// A Kubernetes zone gets no generator for its own MeshServices: a ClusterIP
// Service's MeshService carries the ClusterIP as its VIP, so the cluster DNS
// name ("backend.kuma-demo.svc.cluster.local") reaches it in every
// MeshService mode, Exclusive included, provided the MeshService is in the
// caller's mesh. [OptionalGenerators] returns the generators the reference
// describes for those who also want mesh hostnames.
//
// Creation times are zero. The result is new on every call; an unknown env
// or role gives nil.
func DefaultGenerators(env Env, role Role) []Generator {
	if env != EnvKubernetes && env != EnvUniversal {
		return nil
	}
	switch role {
	case RoleGlobal:
		return []Generator{
			{
				Name:     "synced-mesh-multi-zone-service",
				Selector: Selector{MeshMultiZoneService: matching(LabelOrigin, labels.OriginGlobal)},
				Template: "{{ .DisplayName }}.mzsvc.mesh.local",
			},
			{
				Name:     "synced-kube-mesh-service",
				Selector: Selector{MeshService: matching(LabelOrigin, labels.OriginGlobal, LabelHeadless, "false", LabelEnv, labels.EnvKubernetes)},
				Template: "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
			},
			{
				Name:     "synced-headless-kube-mesh-service",
				Selector: Selector{MeshService: matching(LabelOrigin, labels.OriginGlobal, LabelHeadless, "true", LabelEnv, labels.EnvKubernetes)},
				Template: `{{ label "statefulset.kubernetes.io/pod-name" }}.{{ label "k8s.kuma.io/service-name" }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local`,
			},
			{
				Name:     "synced-universal-mesh-service",
				Selector: Selector{MeshService: matching(LabelOrigin, labels.OriginGlobal, LabelEnv, labels.EnvUniversal)},
				Template: "{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local",
			},
			{
				Name:     "synced-mesh-external-service",
				Selector: Selector{MeshExternalService: matching(LabelOrigin, labels.OriginGlobal)},
				Template: "{{ .DisplayName }}.extsvc.mesh.local",
			},
		}
	case RoleZone:
		gens := []Generator{{
			Name:     "local-mesh-external-service",
			Labels:   map[string]string{LabelOrigin: labels.OriginZone},
			Selector: Selector{MeshExternalService: matching(LabelOrigin, labels.OriginZone)},
			Template: "{{ .DisplayName }}.extsvc.mesh.local",
		}}
		if env == EnvUniversal {
			gens = append(gens, Generator{
				Name:     "local-universal-mesh-service",
				Labels:   map[string]string{LabelOrigin: labels.OriginZone},
				Selector: Selector{MeshService: matching(LabelOrigin, labels.OriginZone)},
				Template: "{{ .DisplayName }}.svc.mesh.local",
			})
		}
		return gens
	}
	return nil
}

// DefaultGeneratorsIn returns [DefaultGenerators] named as the control plane
// stores them: on Kubernetes the defaults live in the system namespace, and
// a namespaced resource's core name is "name.namespace" (for example
// "synced-kube-mesh-service.kuma-system"), which is what statuses carry and
// what breaks ties in the generation order. On Universal, or with an empty
// systemNamespace, the names are bare, as DefaultGenerators returns them.
func DefaultGeneratorsIn(env Env, role Role, systemNamespace string) []Generator {
	gens := DefaultGenerators(env, role)
	if env == EnvKubernetes && systemNamespace != "" {
		for i := range gens {
			gens[i].Name = coreName(gens[i].Name, systemNamespace)
		}
	}
	return gens
}

// matching returns a selector of the given key, value pairs.
func matching(kv ...string) *LabelSelector {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &LabelSelector{MatchLabels: m}
}

// OptionalGenerators returns the local generators the reference describes but
// does not create (MADR 057, "Default HostnameGenerators": "no default
// HostnameGenerator is needed" for local Kubernetes MeshServices, "if there is
// a need for it, we can define it as follows"), for a zone of env. For
// Kubernetes: [LocalKubernetesGenerator] for the MeshServices of ClusterIP
// Services and [LocalHeadlessKubernetesGenerator] for the per-pod
// MeshServices of headless Services, both selecting {kuma.io/env:
// kubernetes, kuma.io/origin: zone, k8s.kuma.io/is-headless-service: "false"
// or "true"} and naming services under ".svc.mesh.local". For Universal, nil:
// the Universal local generator is already a default.
//
// They are an opt-in, for callers who want mesh hostnames besides the cluster
// DNS names; nothing needs them to work. Like the zone defaults they carry the
// label kuma.io/origin "zone", and they select zone-origin services only, so a
// service synced from another zone cannot take a local name. The result is new
// on every call; an unknown env gives nil.
func OptionalGenerators(env Env) []Generator {
	if env != EnvKubernetes {
		return nil
	}
	return []Generator{
		{
			Name:     LocalKubernetesGenerator,
			Labels:   map[string]string{LabelOrigin: labels.OriginZone},
			Selector: Selector{MeshService: matching(LabelEnv, labels.EnvKubernetes, LabelOrigin, labels.OriginZone, LabelHeadless, "false")},
			Template: TemplateLocalKubernetes,
		},
		{
			Name:     LocalHeadlessKubernetesGenerator,
			Labels:   map[string]string{LabelOrigin: labels.OriginZone},
			Selector: Selector{MeshService: matching(LabelEnv, labels.EnvKubernetes, LabelOrigin, labels.OriginZone, LabelHeadless, "true")},
			Template: TemplateLocalHeadlessKubernetes,
		},
	}
}
