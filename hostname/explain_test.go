package hostname

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
)

// TestExplainLocalKubernetes: with the shipped defaults of a Kubernetes zone
// (its own and those synced from global) a local ClusterIP MeshService has
// no hostname, which is the reference's design (its ClusterIP is its VIP, so
// the cluster DNS name serves it); Explain says which generators miss it and
// on which labels. With the optional generators it also gets its
// .svc.mesh.local name.
func TestExplainLocalKubernetes(t *testing.T) {
	backend := controllerMeshService("backend", "kuma-demo", "false", nil)
	shipped := append(DefaultGenerators(EnvKubernetes, RoleGlobal), DefaultGenerators(EnvKubernetes, RoleZone)...)

	got := lines(Explain(backend, shipped, Generate(shipped, []Service{backend})))
	want := []string{
		`MeshService "backend.kuma-demo" in mesh "default" has no hostname`,
		`generator "synced-headless-kube-mesh-service": does not select it: label "k8s.kuma.io/is-headless-service" is "false" (wants "true"), label "kuma.io/origin" is "zone" (wants "global")`,
		`generator "synced-kube-mesh-service": does not select it: label "kuma.io/origin" is "zone" (wants "global")`,
		`generator "synced-universal-mesh-service": does not select it: label "kuma.io/env" is "kubernetes" (wants "universal"), label "kuma.io/origin" is "zone" (wants "global")`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shipped defaults (-want +got):\n%s", diff)
	}

	withOptional := append(shipped, OptionalGenerators(EnvKubernetes)...)
	got = lines(Explain(backend, withOptional, Generate(withOptional, []Service{backend})))
	want = []string{
		`MeshService "backend.kuma-demo" in mesh "default" has hostname "backend.kuma-demo.svc.mesh.local"`,
		`generator "local-headless-kube-mesh-service": does not select it: label "k8s.kuma.io/is-headless-service" is "false" (wants "true")`,
		`generator "local-kube-mesh-service": generated "backend.kuma-demo.svc.mesh.local"`,
		`generator "synced-headless-kube-mesh-service": does not select it: label "k8s.kuma.io/is-headless-service" is "false" (wants "true"), label "kuma.io/origin" is "zone" (wants "global")`,
		`generator "synced-kube-mesh-service": does not select it: label "kuma.io/origin" is "zone" (wants "global")`,
		`generator "synced-universal-mesh-service": does not select it: label "kuma.io/env" is "kubernetes" (wants "universal"), label "kuma.io/origin" is "zone" (wants "global")`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with the optional generators (-want +got):\n%s", diff)
	}
}

// lines returns the String of each reason.
func lines(rs []Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// TestExplainReasons: the summary and the remarks about the service as a
// whole have no Generator; the others name theirs, which String puts first.
func TestExplainReasons(t *testing.T) {
	a := svc("a", 0, nil)
	ext := Service{Kind: MeshExternalService, Mesh: "default", Name: "e"}
	gens := []Generator{
		gen("ms", 0, allMS(), "x.mesh"),
		gen("mes", 0, allMES(), "x.mesh"),
		gen("both", 1, Selector{}, "y.mesh"),
	}
	got := Explain(a, gens, Generate(gens, []Service{a, ext}))
	want := []Reason{
		{Text: `MeshService "a" in mesh "default" has hostname "x.mesh"`},
		{Generator: "ms", Text: `generated "x.mesh"`},
		{Generator: "both", Text: "ignored: spec.selector: exact one selector (meshService, meshExternalService) must be defined"},
		{Text: `hostname "x.mesh" is also held by MeshExternalService "e" (generator "mes"): DNS answers for only one of them`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Explain (-want +got):\n%s", diff)
	}
	assert.Equal(t, `generator "ms": generated "x.mesh"`, got[1].String())
	assert.Equal(t, want[0].Text, got[0].String())

	got = Explain(Service{Kind: MeshMultiZoneService, Mesh: "default", Name: "mz"}, gens, Generate(gens, nil))
	assert.Equal(t, Reason{Text: "no HostnameGenerator selects MeshMultiZoneService"}, got[1])
}

func TestExplain(t *testing.T) {
	a := svc("a", 0, map[string]string{"team": "x"})
	b := svc("b", 1, map[string]string{"team": "x"})
	ext := Service{Kind: MeshExternalService, Mesh: "default", Name: "e", DisplayName: "e"}
	gens := []Generator{
		gen("by-name", 0, allMS(), "{{ .Name }}.mesh"),
		gen("shared", 1, allMS(), "shared.mesh"),
		gen("again", 2, allMS(), "{{ .DisplayName }}.mesh"),
		gen("broken", 3, allMS(), `{{ label "missing" }}.mesh`),
		gen("team-y", 4, Selector{MeshService: &LabelSelector{MatchLabels: map[string]string{"team": "y", "tier": "web"}}}, "y.mesh"),
		gen("two-kinds", 5, Selector{MeshService: &LabelSelector{}, MeshMultiZoneService: &LabelSelector{}}, "z.mesh"),
		gen("ext", 6, allMES(), "b.mesh"),
	}
	res := Generate(gens, []Service{a, b, ext})

	tests := []struct {
		name string
		svc  Service
		want []string
	}{
		{
			name: "collision loser with a cross-kind conflict",
			svc:  b,
			want: []string{
				`MeshService "b" in mesh "default" has hostname "b.mesh"`,
				`generator "by-name": generated "b.mesh"`,
				`generator "shared": lost a collision: Hostname collision with MeshService: a (hostname "shared.mesh" generated for it by "shared")`,
				`generator "again": generated: Hostname "b.mesh" is already generated for this MeshService by "by-name"`,
				`generator "broken": template error: pre evaluation of template with parameters failed with error="template: :1:3: executing \"\" at <label \"missing\">: error calling label: label missing not found"`,
				`generator "team-y": does not select it: label "team" is "x" (wants "y"), label "tier" is missing (wants "web")`,
				`generator "two-kinds": ignored: spec.selector: exact one selector (meshService, meshExternalService) must be defined`,
				`hostname "b.mesh" is also held by MeshExternalService "e" (generator "ext"): DNS answers for only one of them`,
			},
		},
		{
			name: "no generator of its kind",
			svc:  Service{Kind: MeshMultiZoneService, Mesh: "default", Name: "mz"},
			want: []string{
				`MeshMultiZoneService "mz" in mesh "default" has no hostname`,
				`no HostnameGenerator selects MeshMultiZoneService`,
				`generator "two-kinds": ignored: spec.selector: exact one selector (meshService, meshExternalService) must be defined`,
			},
		},
		{
			name: "service missing from the result",
			svc:  svc("c", 0, nil),
			want: []string{
				`MeshService "c" in mesh "default" has no hostname`,
				`generator "by-name": selects it, but the result has no condition from it (was the result computed from these generators and services?)`,
				`generator "shared": selects it, but the result has no condition from it (was the result computed from these generators and services?)`,
				`generator "again": selects it, but the result has no condition from it (was the result computed from these generators and services?)`,
				`generator "broken": selects it, but the result has no condition from it (was the result computed from these generators and services?)`,
				`generator "team-y": does not select it: label "team" is missing (wants "y"), label "tier" is missing (wants "web")`,
				`generator "two-kinds": ignored: spec.selector: exact one selector (meshService, meshExternalService) must be defined`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lines(Explain(tt.svc, gens, res))); diff != "" {
				t.Errorf("Explain (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("several hostnames", func(t *testing.T) {
		gens := []Generator{gen("g1", 0, allMS(), "{{ .Name }}.one"), gen("g2", 0, allMS(), "{{ .Name }}.two")}
		got := lines(Explain(a, gens, Generate(gens, []Service{a})))
		want := []string{
			`MeshService "a" in mesh "default" has hostnames "a.one", "a.two"`,
			`generator "g1": generated "a.one"`,
			`generator "g2": generated "a.two"`,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Explain (-want +got):\n%s", diff)
		}
	})
}
