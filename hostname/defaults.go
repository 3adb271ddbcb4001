package hostname

// Env is where a control plane runs.
type Env string

// The environments. The values are those of the label kuma.io/env.
const (
	Kubernetes Env = "kubernetes"
	Universal  Env = "universal"
)

// Role is the role of a control plane in a multi-zone deployment.
type Role string

// The roles. The values are those of the label kuma.io/origin.
const (
	Global Role = "global"
	Zone   Role = "zone"
)

// Templates of the default generators.
const (
	// TemplateLocalKubernetes is the template of [LocalKubernetesGenerator]:
	// the Kubernetes DNS name of the Service.
	TemplateLocalKubernetes = "{{ .Name }}.{{ .Namespace }}.svc.cluster.local"
)

// LocalKubernetesGenerator is the name of the generator that gives local
// Kubernetes MeshServices their cluster DNS name.
const LocalKubernetesGenerator = "local-kube-mesh-service"

// DefaultGenerators returns the generators a control plane of the given
// environment and role creates, as the reference ships them, plus one it
// does not ship.
//
// Global (either environment): synced-mesh-multi-zone-service,
// synced-kube-mesh-service, synced-headless-kube-mesh-service,
// synced-universal-mesh-service and synced-mesh-external-service, for the
// resources synced from zones. A zone receives these from the global control
// plane; they are not part of its own defaults.
//
// Zone: local-mesh-external-service, and for Universal
// local-universal-mesh-service. For Kubernetes the reference ships no
// generator for local MeshServices, so under MeshService mode Exclusive
// (where only generated hostnames resolve) "backend.kuma-demo.svc.cluster.local"
// stops resolving; here a Kubernetes zone also gets [LocalKubernetesGenerator]:
// selector {kuma.io/origin: zone, kuma.io/env: kubernetes,
// k8s.kuma.io/is-headless-service: "false"}, template
// [TemplateLocalKubernetes]. It selects zone-origin services only, and uses
// .Name, so a service synced from another zone cannot take the name.
//
// Zone generators carry the label kuma.io/origin "zone". Creation times are
// zero. The result is new on every call; an unknown env or role gives nil.
func DefaultGenerators(env Env, role Role) []Generator {
	if env != Kubernetes && env != Universal {
		return nil
	}
	switch role {
	case Global:
		return []Generator{
			{
				Name:     "synced-mesh-multi-zone-service",
				Selector: Selector{MeshMultiZoneService: matching(LabelOrigin, "global")},
				Template: "{{ .DisplayName }}.mzsvc.mesh.local",
			},
			{
				Name:     "synced-kube-mesh-service",
				Selector: Selector{MeshService: matching(LabelOrigin, "global", LabelHeadless, "false", LabelEnv, "kubernetes")},
				Template: "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
			},
			{
				Name:     "synced-headless-kube-mesh-service",
				Selector: Selector{MeshService: matching(LabelOrigin, "global", LabelHeadless, "true", LabelEnv, "kubernetes")},
				Template: `{{ label "statefulset.kubernetes.io/pod-name" }}.{{ label "k8s.kuma.io/service-name" }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local`,
			},
			{
				Name:     "synced-universal-mesh-service",
				Selector: Selector{MeshService: matching(LabelOrigin, "global", LabelEnv, "universal")},
				Template: "{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local",
			},
			{
				Name:     "synced-mesh-external-service",
				Selector: Selector{MeshExternalService: matching(LabelOrigin, "global")},
				Template: "{{ .DisplayName }}.extsvc.mesh.local",
			},
		}
	case Zone:
		gens := []Generator{{
			Name:     "local-mesh-external-service",
			Labels:   map[string]string{LabelOrigin: "zone"},
			Selector: Selector{MeshExternalService: matching(LabelOrigin, "zone")},
			Template: "{{ .DisplayName }}.extsvc.mesh.local",
		}}
		if env == Universal {
			return append(gens, Generator{
				Name:     "local-universal-mesh-service",
				Labels:   map[string]string{LabelOrigin: "zone"},
				Selector: Selector{MeshService: matching(LabelOrigin, "zone")},
				Template: "{{ .DisplayName }}.svc.mesh.local",
			})
		}
		return append(gens, Generator{
			Name:     LocalKubernetesGenerator,
			Labels:   map[string]string{LabelOrigin: "zone"},
			Selector: Selector{MeshService: matching(LabelOrigin, "zone", LabelEnv, "kubernetes", LabelHeadless, "false")},
			Template: TemplateLocalKubernetes,
		})
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
	if env == Kubernetes && systemNamespace != "" {
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
