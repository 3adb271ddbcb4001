package hostname

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// svc returns a service of kind MeshService in mesh "default" created at
// minute created, with Name and DisplayName name.
func svc(name string, created int, labels map[string]string) Service {
	return Service{Kind: MeshService, Mesh: "default", Name: name, DisplayName: name, Labels: labels, Created: t0.Add(time.Duration(created) * time.Minute)}
}

func gen(name string, created int, sel Selector, template string) Generator {
	return Generator{Name: name, Created: t0.Add(time.Duration(created) * time.Minute), Selector: sel, Template: template}
}

func allMS() Selector  { return Selector{MeshService: &LabelSelector{}} }
func allMES() Selector { return Selector{MeshExternalService: &LabelSelector{}} }

func generated(g string) Condition {
	return Condition{Generator: g, Type: ConditionGenerated, Status: true, Reason: ReasonGenerated}
}

func TestSelection(t *testing.T) {
	local := func(name string, headless string) Service {
		return ServiceFromLabels(MeshService, "default", name+".kuma-demo", map[string]string{
			LabelName: name, LabelDisplayName: name, LabelNamespace: "kuma-demo", LabelOrigin: "zone",
			LabelEnv: "kubernetes", LabelHeadless: headless,
		}, "zone-1")
	}
	synced := func(name, headless string, extra map[string]string) Service {
		labels := map[string]string{
			LabelDisplayName: name, LabelNamespace: "kuma-demo", LabelOrigin: "global", LabelZone: "zone-2",
			LabelEnv: "kubernetes", LabelHeadless: headless,
		}
		for k, v := range extra {
			labels[k] = v
		}
		return ServiceFromLabels(MeshService, "default", name+"-5d9b4c7f6c8b7d2x", labels, "zone-1")
	}
	universal := ServiceFromLabels(MeshService, "default", "redis", map[string]string{LabelOrigin: "zone", LabelEnv: "universal"}, "zone-1")
	ext := ServiceFromLabels(MeshExternalService, "default", "httpbin", map[string]string{LabelOrigin: "zone"}, "zone-1")

	gens := append(DefaultGenerators(EnvKubernetes, RoleGlobal), DefaultGenerators(EnvKubernetes, RoleZone)...)
	svcs := []Service{
		local("backend", "false"),
		local("db", "true"),
		synced("web", "false", nil),
		synced("db-0", "true", map[string]string{"statefulset.kubernetes.io/pod-name": "db-0", "k8s.kuma.io/service-name": "db"}),
		universal,
		ext,
	}
	res := Generate(gens, svcs)
	require.Empty(t, res.Invalid)
	require.Empty(t, res.Conflicts)

	tests := []struct {
		name string
		svc  Service
		want Status
	}{
		{name: "local non-headless: no generator (its ClusterIP is its VIP)", svc: svcs[0], want: Status{}},
		{name: "local headless: no generator", svc: svcs[1], want: Status{}},
		{
			name: "synced non-headless", svc: svcs[2],
			want: Status{
				Addresses:  []Address{{Hostname: "web.kuma-demo.svc.zone-2.mesh.local", Generator: "synced-kube-mesh-service"}},
				Conditions: []Condition{generated("synced-kube-mesh-service")},
			},
		},
		{
			name: "synced headless", svc: svcs[3],
			want: Status{
				Addresses:  []Address{{Hostname: "db-0.db.kuma-demo.svc.zone-2.mesh.local", Generator: "synced-headless-kube-mesh-service"}},
				Conditions: []Condition{generated("synced-headless-kube-mesh-service")},
			},
		},
		{name: "local universal in a Kubernetes zone", svc: universal, want: Status{}},
		{
			name: "local external service", svc: ext,
			want: Status{
				Addresses:  []Address{{Hostname: "httpbin.extsvc.mesh.local", Generator: "local-mesh-external-service"}},
				Conditions: []Condition{generated("local-mesh-external-service")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := res.For(tt.svc.Kind, tt.svc.Mesh, tt.svc.ID())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("empty selector matches every service of its kind only", func(t *testing.T) {
		res := Generate([]Generator{gen("all", 0, allMS(), "{{ .Name }}.all")}, []Service{
			svc("a", 0, nil), svc("b", 0, map[string]string{"x": "y"}), {Kind: MeshExternalService, Mesh: "default", Name: "e"},
		})
		assert.Len(t, res.For(MeshService, "default", "a").Addresses, 1)
		assert.Len(t, res.For(MeshService, "default", "b").Addresses, 1)
		assert.Equal(t, Status{}, res.For(MeshExternalService, "default", "e"))
	})
}

func TestCollisions(t *testing.T) {
	web := "{{ .DisplayName }}.mesh"
	withDisplay := func(s Service, display string) Service { s.DisplayName = display; return s }
	inMesh := func(s Service, mesh string) Service { s.Mesh = mesh; return s }
	team := func(v string) map[string]string { return map[string]string{"team": v} }
	byTeam := func(v string) Selector { return Selector{MeshService: &LabelSelector{MatchLabels: team(v)}} }
	zoneGen := gen("g-zone", 5, byTeam("b"), "shared.mesh")
	zoneGen.Labels = map[string]string{LabelOrigin: "zone"}

	type want struct {
		kind   Kind
		mesh   string
		name   string
		status Status
	}
	tests := []struct {
		name      string
		gens      []Generator
		svcs      []Service
		want      []want
		conflicts []Conflict
	}{
		{
			name: "older service wins",
			gens: []Generator{gen("g", 0, allMS(), web)},
			svcs: []Service{withDisplay(svc("a", 2, nil), "web"), withDisplay(svc("b", 1, nil), "web")},
			want: []want{
				{MeshService, "default", "a", Status{Conditions: []Condition{{
					Generator: "g", Type: ConditionGenerated, Reason: ReasonCollision,
					Message: `Hostname collision with MeshService: b (hostname "web.mesh" generated for it by "g")`,
				}}}},
				{MeshService, "default", "b", Status{Addresses: []Address{{"web.mesh", "g"}}, Conditions: []Condition{generated("g")}}},
			},
		},
		{
			name: "equal creation times: name order",
			gens: []Generator{gen("g", 0, allMS(), web)},
			svcs: []Service{withDisplay(svc("b", 1, nil), "web"), withDisplay(svc("a", 1, nil), "web")},
			want: []want{
				{MeshService, "default", "a", Status{Addresses: []Address{{"web.mesh", "g"}}, Conditions: []Condition{generated("g")}}},
				{MeshService, "default", "b", Status{Conditions: []Condition{{
					Generator: "g", Type: ConditionGenerated, Reason: ReasonCollision,
					Message: `Hostname collision with MeshService: a (hostname "web.mesh" generated for it by "g")`,
				}}}},
			},
		},
		{
			name: "different meshes do not collide",
			gens: []Generator{gen("g", 0, allMS(), web)},
			svcs: []Service{inMesh(withDisplay(svc("a", 1, nil), "web"), "m1"), inMesh(withDisplay(svc("b", 0, nil), "web"), "m2")},
			want: []want{
				{MeshService, "m1", "a", Status{Addresses: []Address{{"web.mesh", "g"}}, Conditions: []Condition{generated("g")}}},
				{MeshService, "m2", "b", Status{Addresses: []Address{{"web.mesh", "g"}}, Conditions: []Condition{generated("g")}}},
			},
		},
		{
			name: "zone-origin generator claims first, although newer",
			gens: []Generator{gen("g-global", 0, byTeam("a"), "shared.mesh"), zoneGen},
			svcs: []Service{svc("a", 0, team("a")), svc("b", 9, team("b"))},
			want: []want{
				{MeshService, "default", "a", Status{Conditions: []Condition{{
					Generator: "g-global", Type: ConditionGenerated, Reason: ReasonCollision,
					Message: `Hostname collision with MeshService: b (hostname "shared.mesh" generated for it by "g-zone")`,
				}}}},
				{MeshService, "default", "b", Status{Addresses: []Address{{"shared.mesh", "g-zone"}}, Conditions: []Condition{generated("g-zone")}}},
			},
		},
		{
			name: "same service twice: one address, from the first generator",
			gens: []Generator{gen("g-a", 1, allMS(), "{{ .Name }}.mesh"), gen("g-b", 0, allMS(), "{{ .DisplayName }}.mesh")},
			svcs: []Service{svc("a", 0, nil)},
			want: []want{
				{MeshService, "default", "a", Status{
					Addresses: []Address{{"a.mesh", "g-b"}},
					Conditions: []Condition{
						{Generator: "g-a", Type: ConditionGenerated, Status: true, Reason: ReasonGenerated, Message: `Hostname "a.mesh" is already generated for this MeshService by "g-b"`},
						generated("g-b"),
					},
				}},
			},
		},
		{
			name: "cross-kind conflict",
			gens: []Generator{gen("g-ms", 0, allMS(), "x.mesh"), gen("g-mes", 0, allMES(), "x.mesh")},
			svcs: []Service{svc("a", 0, nil), {Kind: MeshExternalService, Mesh: "default", Name: "e"}},
			want: []want{
				{MeshExternalService, "default", "e", Status{Addresses: []Address{{"x.mesh", "g-mes"}}, Conditions: []Condition{generated("g-mes")}}},
				{MeshService, "default", "a", Status{Addresses: []Address{{"x.mesh", "g-ms"}}, Conditions: []Condition{generated("g-ms")}}},
			},
			conflicts: []Conflict{{Mesh: "default", Hostname: "x.mesh", Claims: []Claim{
				{Kind: MeshExternalService, Service: "e", Generator: "g-mes"},
				{Kind: MeshService, Service: "a", Generator: "g-ms"},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Generate(tt.gens, tt.svcs)
			var got []want
			for _, s := range res.Services {
				got = append(got, want{s.Kind, s.Mesh, s.Name, s.Status})
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("services (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.conflicts, res.Conflicts); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIsolation: a template that fails to parse, one that fails for one
// service, and a generator with an invalid selector change nothing else.
func TestIsolation(t *testing.T) {
	gens := []Generator{
		gen("good", 0, allMS(), "{{ .Name }}.mesh"),
		gen("bad-parse", 0, allMS(), "{{ foo }}.mesh"),
		gen("bad-label", 0, allMS(), `{{ label "app" }}.app.mesh`),
		gen("bad-selector", 0, Selector{MeshService: &LabelSelector{}, MeshExternalService: &LabelSelector{}}, "{{ .Name }}.x"),
		gen("no-selector", 0, Selector{}, "{{ .Name }}.y"),
	}
	svcs := []Service{svc("a", 0, map[string]string{"app": "shop"}), svc("b", 1, nil)}
	parseMsg := `failed compiling gotemplate error="template: :1: function \"foo\" not defined"`
	labelMsg := `pre evaluation of template with parameters failed with error="template: :1:3: executing \"\" at <label \"app\">: error calling label: label app not found"`
	want := Result{
		Services: []ServiceStatus{
			{Kind: MeshService, Mesh: "default", Name: "a", Status: Status{
				Addresses: []Address{{"shop.app.mesh", "bad-label"}, {"a.mesh", "good"}},
				Conditions: []Condition{
					generated("bad-label"),
					{Generator: "bad-parse", Type: ConditionGenerated, Reason: ReasonTemplateError, Message: parseMsg},
					generated("good"),
				},
			}},
			{Kind: MeshService, Mesh: "default", Name: "b", Status: Status{
				Addresses: []Address{{"b.mesh", "good"}},
				Conditions: []Condition{
					{Generator: "bad-label", Type: ConditionGenerated, Reason: ReasonTemplateError, Message: labelMsg},
					{Generator: "bad-parse", Type: ConditionGenerated, Reason: ReasonTemplateError, Message: parseMsg},
					generated("good"),
				},
			}},
		},
		Invalid: []*SelectorError{{Generator: "bad-selector", Defined: 2}, {Generator: "no-selector", Defined: 0}},
	}
	got := Generate(gens, svcs)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	assert.Equal(t, `hostname: generator "bad-selector": spec.selector: exact one selector (meshService, meshExternalService) must be defined`, got.Invalid[0].Error())
}

// TestGenerateDeterministic: the result does not depend on input order.
func TestGenerateDeterministic(t *testing.T) {
	gens := append(DefaultGenerators(EnvKubernetes, RoleGlobal), DefaultGenerators(EnvKubernetes, RoleZone)...)
	gens = append(gens, gen("collider", 0, allMS(), "{{ .DisplayName }}.svc.mesh.local"), gen("mes-collider", 0, allMES(), "{{ .DisplayName }}.svc.mesh.local"))
	svcs := benchServices(300)
	want := Generate(gens, svcs)
	require.NotEmpty(t, want.Conflicts)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		g, s := slices.Clone(gens), slices.Clone(svcs)
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		if diff := cmp.Diff(want, Generate(g, s)); diff != "" {
			t.Fatalf("result depends on input order (-want +got):\n%s", diff)
		}
	}
}

func TestGenerateDuplicatesAndLookups(t *testing.T) {
	a := svc("a", 0, nil)
	later := a
	later.Created = t0.Add(time.Hour)
	later.DisplayName = "other"
	res := Generate([]Generator{gen("g", 0, allMS(), "{{ .DisplayName }}.mesh")}, []Service{later, a})
	require.Len(t, res.Services, 1)
	assert.Equal(t, []Address{{"a.mesh", "g"}}, res.For(MeshService, "default", "a").Addresses)
	assert.Equal(t, Status{}, res.For(MeshService, "default", "zzz"))
	assert.Equal(t, Status{}, res.For(MeshExternalService, "default", "a"))
	assert.Equal(t, Status{}, Result{}.For(MeshService, "default", "a"))

	core := Service{Kind: MeshService, Mesh: "default", Name: "backend", CoreName: "backend.kuma-demo"}
	res = Generate([]Generator{gen("g", 0, allMS(), "{{ .Name }}.mesh")}, []Service{core})
	assert.Equal(t, "backend.kuma-demo", res.Services[0].Name, "identified by core name")
	assert.Len(t, res.For(MeshService, "default", "backend.kuma-demo").Addresses, 1)
}
