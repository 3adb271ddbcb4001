package hostname

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clusterDNSTemplate is the template the operators of the Exclusive-mode
// incident wrote for local Kubernetes MeshServices: the cluster DNS name. It
// is not a default (the ClusterIP VIP makes that name work without it), but
// it is the plainest real template of two fields, so tests and benchmarks of
// rendering use it.
const clusterDNSTemplate = "{{ .Name }}.{{ .Namespace }}.svc.cluster.local"

// controllerMeshService returns the MeshService the reference's MeshService
// controller makes for Service name in namespace ns of a Kubernetes zone
// (labels from pkg/plugins/runtime/k8s/controllers/meshservice_controller.go
// and the zone's computed labels, Kuma 2.14.3), plus extra labels.
func controllerMeshService(name, ns, headless string, extra map[string]string) Service {
	labels := map[string]string{
		LabelName: name, LabelDisplayName: name, LabelNamespace: ns, LabelMesh: "default",
		"k8s.kuma.io/service-name": name, "kuma.io/managed-by": "k8s-controller",
		LabelEnv: "kubernetes", LabelOrigin: "zone", LabelZone: "zone-1", LabelHeadless: headless,
	}
	for k, v := range extra {
		labels[k] = v
	}
	return ServiceFromLabels(MeshService, "default", name+"."+ns, labels, "zone-1")
}

// TestDefaultGenerators pins the shipped defaults, generator by generator,
// to the reference: pkg/defaults/hostname_generator.go, Kuma 2.14.3
// (EnsureHostnameGeneratorExists). A global control plane creates the five
// synced-* generators without labels; a zone creates local-mesh-external-service
// and, in a Universal zone only, local-universal-mesh-service, both labelled
// kuma.io/origin: zone. A Kubernetes zone creates no generator for its own
// MeshServices.
func TestDefaultGenerators(t *testing.T) {
	sel := func(kv ...string) *LabelSelector { return matching(kv...) }
	zone := map[string]string{LabelOrigin: "zone"}
	global := []Generator{
		{Name: "synced-mesh-multi-zone-service", Selector: Selector{MeshMultiZoneService: sel(LabelOrigin, "global")},
			Template: "{{ .DisplayName }}.mzsvc.mesh.local"},
		{Name: "synced-kube-mesh-service", Selector: Selector{MeshService: sel(LabelOrigin, "global", LabelHeadless, "false", LabelEnv, "kubernetes")},
			Template: "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local"},
		{Name: "synced-headless-kube-mesh-service", Selector: Selector{MeshService: sel(LabelOrigin, "global", LabelHeadless, "true", LabelEnv, "kubernetes")},
			Template: `{{ label "statefulset.kubernetes.io/pod-name" }}.{{ label "k8s.kuma.io/service-name" }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local`},
		{Name: "synced-universal-mesh-service", Selector: Selector{MeshService: sel(LabelOrigin, "global", LabelEnv, "universal")},
			Template: "{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local"},
		{Name: "synced-mesh-external-service", Selector: Selector{MeshExternalService: sel(LabelOrigin, "global")},
			Template: "{{ .DisplayName }}.extsvc.mesh.local"},
	}
	localMES := Generator{Name: "local-mesh-external-service", Labels: zone,
		Selector: Selector{MeshExternalService: sel(LabelOrigin, "zone")}, Template: "{{ .DisplayName }}.extsvc.mesh.local"}
	localUniversal := Generator{Name: "local-universal-mesh-service", Labels: zone,
		Selector: Selector{MeshService: sel(LabelOrigin, "zone")}, Template: "{{ .DisplayName }}.svc.mesh.local"}

	tests := []struct {
		env  Env
		role Role
		want []Generator
	}{
		{EnvKubernetes, RoleGlobal, global},
		{EnvUniversal, RoleGlobal, global},
		{EnvKubernetes, RoleZone, []Generator{localMES}},
		{EnvUniversal, RoleZone, []Generator{localMES, localUniversal}},
		{"openshift", RoleZone, nil},
		{EnvKubernetes, "standalone", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.env)+"/"+string(tt.role), func(t *testing.T) {
			got := DefaultGenerators(tt.env, tt.role)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DefaultGenerators(%s, %s) (-want +got):\n%s", tt.env, tt.role, diff)
			}
			for _, g := range got {
				assert.NoError(t, g.Validate(), g.Name)
			}
		})
	}

	// Each call returns new values: changing one does not change the next.
	first := DefaultGenerators(EnvKubernetes, RoleZone)[0]
	first.Selector.MeshExternalService.MatchLabels["x"] = "y"
	first.Labels["x"] = "y"
	again := DefaultGenerators(EnvKubernetes, RoleZone)[0]
	assert.NotContains(t, again.Selector.MeshExternalService.MatchLabels, "x")
	assert.NotContains(t, again.Labels, "x")
}

// TestOptionalGenerators pins the optional local Kubernetes generators to the
// reference design, MADR 057 (docs/madr/decisions/057-default-hostname-generators.md
// at master 348b6528bc, sections "Local Kubernetes MeshService" and "Local
// Headless Kubernetes MeshService"): same names, selectors and ".svc.mesh.local"
// templates; the MADR says no default is needed and the zone "could" create
// them. They render for the MeshServices the controller makes, and select
// neither synced nor Universal services.
func TestOptionalGenerators(t *testing.T) {
	want := []Generator{
		{
			Name:   "local-kube-mesh-service",
			Labels: map[string]string{LabelOrigin: "zone"},
			Selector: Selector{MeshService: &LabelSelector{MatchLabels: map[string]string{
				"kuma.io/env": "kubernetes", "kuma.io/origin": "zone", "k8s.kuma.io/is-headless-service": "false",
			}}},
			Template: `{{ label "k8s.kuma.io/service-name" }}.{{ .Namespace }}.svc.mesh.local`,
		},
		{
			Name:   "local-headless-kube-mesh-service",
			Labels: map[string]string{LabelOrigin: "zone"},
			Selector: Selector{MeshService: &LabelSelector{MatchLabels: map[string]string{
				"kuma.io/env": "kubernetes", "kuma.io/origin": "zone", "k8s.kuma.io/is-headless-service": "true",
			}}},
			Template: `{{ label "statefulset.kubernetes.io/pod-name" }}.{{ label "k8s.kuma.io/service-name" }}.{{ .Namespace }}.svc.mesh.local`,
		},
	}
	got := OptionalGenerators(EnvKubernetes)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OptionalGenerators(EnvKubernetes) (-want +got):\n%s", diff)
	}
	assert.Equal(t, LocalKubernetesGenerator, got[0].Name)
	assert.Equal(t, TemplateLocalKubernetes, got[0].Template)
	assert.Equal(t, LocalHeadlessKubernetesGenerator, got[1].Name)
	assert.Equal(t, TemplateLocalHeadlessKubernetes, got[1].Template)
	assert.Nil(t, OptionalGenerators(EnvUniversal), "the Universal local generator is a default")
	assert.Nil(t, OptionalGenerators("openshift"))
	got[0].Selector.MeshService.MatchLabels["x"] = "y"
	assert.NotContains(t, OptionalGenerators(EnvKubernetes)[0].Selector.MeshService.MatchLabels, "x")

	backend := controllerMeshService("backend", "kuma-demo", "false", nil)
	db0 := controllerMeshService("db-0-5f6d7c8b9a", "kuma-demo", "true", map[string]string{
		"k8s.kuma.io/service-name": "db", "statefulset.kubernetes.io/pod-name": "db-0",
	})
	synced := controllerMeshService("web", "kuma-demo", "false", map[string]string{LabelOrigin: "global", LabelZone: "zone-2"})
	universal := ServiceFromLabels(MeshService, "default", "redis", map[string]string{LabelOrigin: "zone", LabelEnv: "universal"}, "zone-1")
	gens := append(DefaultGenerators(EnvKubernetes, RoleZone), OptionalGenerators(EnvKubernetes)...)
	res := Generate(gens, []Service{backend, db0, synced, universal})
	require.Empty(t, res.Invalid)
	hosts := func(s Service) []string {
		var out []string
		for _, a := range res.For(s.Kind, s.Mesh, s.ID()).Addresses {
			out = append(out, a.Hostname+" ("+a.Generator+")")
		}
		return out
	}
	assert.Equal(t, []string{"backend.kuma-demo.svc.mesh.local (local-kube-mesh-service)"}, hosts(backend))
	assert.Equal(t, []string{"db-0.db.kuma-demo.svc.mesh.local (local-headless-kube-mesh-service)"}, hosts(db0))
	assert.Empty(t, hosts(synced), "a service synced from another zone cannot take a local name")
	assert.Empty(t, hosts(universal))
}
