package hostname

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func collision(gen string, kind Kind, winner, host, by string) Condition {
	return Condition{Generator: gen, Type: ConditionGenerated, Reason: ReasonCollision,
		Message: fmt.Sprintf("Hostname collision with %s: %s (hostname %q generated for it by %q)", kind, winner, host, by)}
}

func holds(host, gen string) Status {
	return Status{Addresses: []Address{{host, gen}}, Conditions: []Condition{generated(gen)}}
}

func msStatus(name string, st Status) ServiceStatus {
	return ServiceStatus{Kind: MeshService, Mesh: "default", Name: name, Status: st}
}

// TestIndexChanges: what one change to an index reports, from a state built
// by putting gens and svcs.
func TestIndexChanges(t *testing.T) {
	web := "{{ .DisplayName }}.mesh"
	withDisplay := func(s Service, display string) Service { s.DisplayName = display; return s }
	webSvc := func(name string, created int) Service { return withDisplay(svc(name, created, nil), "web") }
	team := func(v string) map[string]string { return map[string]string{"team": v} }
	byTeam := func(v string) Selector { return Selector{MeshService: &LabelSelector{MatchLabels: team(v)}} }
	ext := Service{Kind: MeshExternalService, Mesh: "default", Name: "e", Created: t0}
	parseMsg := `failed compiling gotemplate error="template: :1: function \"foo\" not defined"`
	labelMsg := `pre evaluation of template with parameters failed with error="template: :1:3: executing \"\" at <label \"app\">: error calling label: label app not found"`

	tests := []struct {
		name   string
		gens   []Generator
		svcs   []Service
		change func(*Index) Changes
		want   Changes
	}{
		{
			name:   "a service added into an empty index",
			change: func(x *Index) Changes { return x.PutService(svc("a", 0, nil)) },
			want:   Changes{Services: []ServiceStatus{msStatus("a", Status{})}},
		},
		{
			name:   "a service of a kind no generator can select",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			change: func(x *Index) Changes { return x.PutService(Service{Kind: "Other", Mesh: "default", Name: "o"}) },
			want:   Changes{Services: []ServiceStatus{{Kind: "Other", Mesh: "default", Name: "o"}}},
		},
		{
			name:   "a newer service collides: only it changes",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			svcs:   []Service{webSvc("a", 1)},
			change: func(x *Index) Changes { return x.PutService(webSvc("b", 2)) },
			want: Changes{Services: []ServiceStatus{
				msStatus("b", Status{Conditions: []Condition{collision("g", MeshService, "a", "web.mesh", "g")}}),
			}},
		},
		{
			name:   "an older service takes the hostname from the holder",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			svcs:   []Service{webSvc("a", 1), webSvc("b", 2)},
			change: func(x *Index) Changes { return x.PutService(webSvc("c", 0)) },
			want: Changes{Services: []ServiceStatus{
				msStatus("a", Status{Conditions: []Condition{collision("g", MeshService, "c", "web.mesh", "g")}}),
				msStatus("b", Status{Conditions: []Condition{collision("g", MeshService, "c", "web.mesh", "g")}}),
				msStatus("c", holds("web.mesh", "g")),
			}},
		},
		{
			name:   "deleting the holder gives the next claimant the hostname",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			svcs:   []Service{webSvc("a", 1), webSvc("b", 2), webSvc("c", 3)},
			change: func(x *Index) Changes { return x.DeleteService(MeshService, "default", "a") },
			want: Changes{
				Services: []ServiceStatus{
					msStatus("b", holds("web.mesh", "g")),
					msStatus("c", Status{Conditions: []Condition{collision("g", MeshService, "b", "web.mesh", "g")}}),
				},
				Removed: []ServiceRef{{MeshService, "default", "a"}},
			},
		},
		{
			name:   "the holder made newer than its rival loses the hostname",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			svcs:   []Service{webSvc("a", 1), webSvc("b", 2)},
			change: func(x *Index) Changes { return x.PutService(webSvc("a", 3)) },
			want: Changes{Services: []ServiceStatus{
				msStatus("a", Status{Conditions: []Condition{collision("g", MeshService, "b", "web.mesh", "g")}}),
				msStatus("b", holds("web.mesh", "g")),
			}},
		},
		{
			name:   "equal creation times: the smaller ID takes the hostname",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			svcs:   []Service{webSvc("b", 1)},
			change: func(x *Index) Changes { return x.PutService(webSvc("a", 1)) },
			want: Changes{Services: []ServiceStatus{
				msStatus("a", holds("web.mesh", "g")),
				msStatus("b", Status{Conditions: []Condition{collision("g", MeshService, "a", "web.mesh", "g")}}),
			}},
		},
		{
			name:   "equal creation times: the generator of the smaller name gives the address",
			gens:   []Generator{gen("g-b", 0, allMS(), "{{ .Name }}.mesh")},
			svcs:   []Service{svc("a", 0, nil)},
			change: func(x *Index) Changes { return x.PutGenerator(gen("g-a", 0, allMS(), "{{ .DisplayName }}.mesh")) },
			want: Changes{Services: []ServiceStatus{msStatus("a", Status{
				Addresses: []Address{{"a.mesh", "g-a"}},
				Conditions: []Condition{
					generated("g-a"),
					{Generator: "g-b", Type: ConditionGenerated, Status: true, Reason: ReasonGenerated, Message: `Hostname "a.mesh" is already generated for this MeshService by "g-a"`},
				},
			})}},
		},
		{
			name: "a generator added changes the services it selects only",
			gens: []Generator{gen("g", 0, allMS(), web)},
			svcs: []Service{withDisplay(svc("a", 0, team("x")), "a"), withDisplay(svc("b", 0, team("y")), "b")},
			change: func(x *Index) Changes {
				return x.PutGenerator(gen("by-team", 0, byTeam("x"), `{{ label "team" }}.team.mesh`))
			},
			want: Changes{Services: []ServiceStatus{msStatus("a", Status{
				Addresses:  []Address{{"x.team.mesh", "by-team"}, {"a.mesh", "g"}},
				Conditions: []Condition{generated("by-team"), generated("g")},
			})}},
		},
		{
			name: "a generator replaced with another selector moves its hostnames",
			gens: []Generator{gen("by-team", 0, byTeam("x"), "{{ .Name }}.team.mesh")},
			svcs: []Service{svc("a", 0, team("x")), svc("b", 0, team("y")), svc("c", 0, nil)},
			change: func(x *Index) Changes {
				return x.PutGenerator(gen("by-team", 0, byTeam("y"), "{{ .Name }}.team.mesh"))
			},
			want: Changes{Services: []ServiceStatus{
				msStatus("a", Status{}),
				msStatus("b", holds("b.team.mesh", "by-team")),
			}},
		},
		{
			name:   "a generator replaced with a template that fails to parse",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			svcs:   []Service{webSvc("a", 0)},
			change: func(x *Index) Changes { return x.PutGenerator(gen("g", 0, allMS(), "{{ foo }}.mesh")) },
			want: Changes{Services: []ServiceStatus{msStatus("a", Status{Conditions: []Condition{
				{Generator: "g", Type: ConditionGenerated, Reason: ReasonTemplateError, Message: parseMsg},
			}})}},
		},
		{
			name:   "a template that fails for one service only",
			gens:   []Generator{gen("g", 0, allMS(), `{{ label "app" }}.app.mesh`)},
			svcs:   []Service{svc("a", 0, map[string]string{"app": "shop"})},
			change: func(x *Index) Changes { return x.PutService(svc("b", 0, nil)) },
			want: Changes{Services: []ServiceStatus{msStatus("b", Status{Conditions: []Condition{
				{Generator: "g", Type: ConditionGenerated, Reason: ReasonTemplateError, Message: labelMsg},
			}})}},
		},
		{
			name:   "a zone-origin generator replaced by a global one gives up the hostname",
			gens:   []Generator{gen("g-global", 0, byTeam("a"), "shared.mesh"), withOrigin(gen("g-zone", 5, byTeam("b"), "shared.mesh"), "zone")},
			svcs:   []Service{svc("a", 0, team("a")), svc("b", 9, team("b"))},
			change: func(x *Index) Changes { return x.PutGenerator(gen("g-zone", 5, byTeam("b"), "shared.mesh")) },
			want: Changes{Services: []ServiceStatus{
				msStatus("a", holds("shared.mesh", "g-global")),
				msStatus("b", Status{Conditions: []Condition{collision("g-zone", MeshService, "a", "shared.mesh", "g-global")}}),
			}},
		},
		{
			name:   "a generator deleted takes its hostnames with it; the other claimant gets one",
			gens:   []Generator{gen("g1", 0, allMS(), web), gen("g2", 1, allMS(), "{{ .Name }}.mesh")},
			svcs:   []Service{webSvc("a", 0), webSvc("b", 1)},
			change: func(x *Index) Changes { return x.DeleteGenerator("g1") },
			want: Changes{Services: []ServiceStatus{
				msStatus("a", holds("a.mesh", "g2")),
				msStatus("b", holds("b.mesh", "g2")),
			}},
		},
		{
			name:   "a cross-kind conflict appears",
			gens:   []Generator{gen("g-ms", 0, allMS(), "x.mesh"), gen("g-mes", 0, allMES(), "x.mesh")},
			svcs:   []Service{svc("a", 0, nil)},
			change: func(x *Index) Changes { return x.PutService(ext) },
			want: Changes{
				Services:  []ServiceStatus{{Kind: MeshExternalService, Mesh: "default", Name: "e", Status: holds("x.mesh", "g-mes")}},
				Conflicts: true,
			},
		},
		{
			name:   "a cross-kind conflict disappears",
			gens:   []Generator{gen("g-ms", 0, allMS(), "x.mesh"), gen("g-mes", 0, allMES(), "x.mesh")},
			svcs:   []Service{svc("a", 0, nil), ext},
			change: func(x *Index) Changes { return x.DeleteGenerator("g-ms") },
			want:   Changes{Services: []ServiceStatus{msStatus("a", Status{})}, Conflicts: true},
		},
		{
			name:   "a cross-kind conflict changes holder",
			gens:   []Generator{gen("g-ms", 0, allMS(), "x.mesh"), gen("g-mes", 0, allMES(), "x.mesh")},
			svcs:   []Service{svc("a", 1, nil), ext},
			change: func(x *Index) Changes { return x.PutService(svc("b", 0, nil)) },
			want: Changes{
				Services: []ServiceStatus{
					msStatus("a", Status{Conditions: []Condition{collision("g-ms", MeshService, "b", "x.mesh", "g-ms")}}),
					msStatus("b", holds("x.mesh", "g-ms")),
				},
				Conflicts: true,
			},
		},
		{
			name:   "an invalid selector is listed",
			svcs:   []Service{svc("a", 0, nil)},
			change: func(x *Index) Changes { return x.PutGenerator(gen("bad", 0, Selector{}, web)) },
			want:   Changes{Invalid: true},
		},
		{
			name:   "an invalid selector made valid",
			gens:   []Generator{gen("bad", 0, Selector{}, web)},
			svcs:   []Service{webSvc("a", 0)},
			change: func(x *Index) Changes { return x.PutGenerator(gen("bad", 0, allMS(), web)) },
			want:   Changes{Services: []ServiceStatus{msStatus("a", holds("web.mesh", "bad"))}, Invalid: true},
		},
		{
			name: "invalid generators reordered",
			gens: []Generator{gen("bad-1", 0, Selector{}, web), gen("bad-2", 1, Selector{}, web)},
			change: func(x *Index) Changes {
				return x.PutGenerator(gen("bad-1", 2, Selector{}, web))
			},
			want: Changes{Invalid: true},
		},
		{
			name:   "an invalid generator replaced by an equal one",
			gens:   []Generator{gen("bad", 0, Selector{}, web)},
			change: func(x *Index) Changes { return x.PutGenerator(gen("bad", 0, Selector{}, "other.mesh")) },
			want:   Changes{},
		},
		{
			name:   "an invalid generator deleted",
			gens:   []Generator{gen("bad", 0, Selector{}, web)},
			change: func(x *Index) Changes { return x.DeleteGenerator("bad") },
			want:   Changes{Invalid: true},
		},
		{
			name:   "a service put again unchanged",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			svcs:   []Service{webSvc("a", 1), webSvc("b", 2)},
			change: func(x *Index) Changes { return x.PutService(webSvc("a", 1)) },
			want:   Changes{},
		},
		{
			name:   "a generator put again unchanged",
			gens:   []Generator{gen("g", 0, allMS(), web)},
			svcs:   []Service{webSvc("a", 1), webSvc("b", 2)},
			change: func(x *Index) Changes { return x.PutGenerator(gen("g", 0, allMS(), web)) },
			want:   Changes{},
		},
		{
			name: "deleting what is absent",
			gens: []Generator{gen("g", 0, allMS(), web)},
			svcs: []Service{webSvc("a", 1)},
			change: func(x *Index) Changes {
				return merge(x.DeleteService(MeshService, "default", "b"), x.DeleteGenerator("h"))
			},
			want: Changes{},
		},
		{
			name: "the same name in another mesh or kind is another service",
			gens: []Generator{gen("g", 0, allMS(), web)},
			svcs: []Service{webSvc("a", 1)},
			change: func(x *Index) Changes {
				other := webSvc("a", 0)
				other.Mesh = "other"
				return merge(x.PutService(other), x.DeleteService(MeshExternalService, "default", "a"))
			},
			want: Changes{Services: []ServiceStatus{{Kind: MeshService, Mesh: "other", Name: "a", Status: holds("web.mesh", "g")}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := NewIndex()
			for _, g := range tt.gens {
				x.PutGenerator(g)
			}
			for _, s := range tt.svcs {
				x.PutService(s)
			}
			before := x.Result()
			if diff := cmp.Diff(Generate(tt.gens, tt.svcs), before, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("result before the change differs from Generate (-want +got):\n%s", diff)
			}
			got := tt.change(x)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(diffResults(before, x.Result()), got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("changes differ from the difference of the results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIndexZeroValue(t *testing.T) {
	var x Index
	assert.Empty(t, cmp.Diff(Result{}, x.Result(), cmpopts.EquateEmpty()))
	assert.Equal(t, Changes{}, x.DeleteService(MeshService, "default", "a"))
	assert.Equal(t, Changes{}, x.DeleteGenerator("g"))
	x.PutGenerator(gen("g", 0, allMS(), "{{ .Name }}.mesh"))
	ch := x.PutService(svc("a", 0, nil))
	assert.Equal(t, []ServiceStatus{msStatus("a", holds("a.mesh", "g"))}, ch.Services)
}

func withOrigin(g Generator, origin string) Generator {
	g.Labels = map[string]string{LabelOrigin: origin}
	return g
}

// merge joins the Changes of two calls that change different things.
func merge(a, b Changes) Changes {
	return Changes{
		Services:  append(a.Services, b.Services...),
		Removed:   append(a.Removed, b.Removed...),
		Conflicts: a.Conflicts || b.Conflicts,
		Invalid:   a.Invalid || b.Invalid,
	}
}

// TestIndexCopiesInputs: changing a service's labels or a generator's
// selector after putting it changes nothing in the index.
func TestIndexCopiesInputs(t *testing.T) {
	g := gen("g", 0, Selector{MeshService: &LabelSelector{MatchLabels: map[string]string{"team": "x"}}}, `{{ label "team" }}.mesh`)
	s := svc("a", 0, map[string]string{"team": "x"})
	x := NewIndex()
	x.PutGenerator(g)
	x.PutService(s)
	want := x.Result()
	g.Selector.MeshService.MatchLabels["team"] = "y"
	s.Labels["team"] = "y"
	assert.Equal(t, want, x.Result())
	// Putting the changed service again replaces the one the index holds.
	ch := x.PutService(s)
	assert.Equal(t, []ServiceStatus{msStatus("a", Status{})}, ch.Services)
	assert.Empty(t, x.DeleteService(MeshService, "default", "a").Services)
}

// TestIndexResultsAreSnapshots: a Result or Changes returned earlier does not
// change as the index does, and Result may be called by several goroutines
// at once, also while one goroutine reads an earlier Result and another
// changes the index under a write lock. Run with -race.
func TestIndexResultsAreSnapshots(t *testing.T) {
	gens := append(DefaultGenerators(EnvKubernetes, RoleGlobal), gen("collider", 0, allMS(), "{{ .DisplayName }}.svc.mesh.local"))
	svcs := benchServices(200)
	x := NewIndex()
	for _, g := range gens {
		x.PutGenerator(g)
	}
	var first Changes
	for i, s := range svcs {
		if ch := x.PutService(s); i == 0 {
			first = ch
		}
	}
	firstCopy := cloneChanges(first)
	snap := x.Result()
	snapCopy := Generate(gens, svcs)
	require.Empty(t, cmp.Diff(snapCopy, snap, cmpopts.EquateEmpty()))

	var mu sync.RWMutex
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				mu.RLock()
				// The writer only puts services again, so every read sees
				// all of them, whatever it interleaves with.
				assert.Len(t, x.Result().Services, len(svcs))
				mu.RUnlock()
				assert.Empty(t, cmp.Diff(snapCopy, snap, cmpopts.EquateEmpty()))
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, s := range svcs {
			s.Created = s.Created.Add(-time.Duration(i) * time.Hour)
			mu.Lock()
			x.PutService(s)
			mu.Unlock()
		}
	}()
	wg.Wait()
	assert.Empty(t, cmp.Diff(snapCopy, snap, cmpopts.EquateEmpty()), "an earlier Result changed")
	assert.Empty(t, cmp.Diff(firstCopy, first, cmpopts.EquateEmpty()), "an earlier Changes changed")
}

func cloneChanges(c Changes) Changes {
	out := Changes{Services: slices.Clone(c.Services), Removed: slices.Clone(c.Removed), Conflicts: c.Conflicts, Invalid: c.Invalid}
	for i := range out.Services {
		st := &out.Services[i].Status
		st.Addresses, st.Conditions = slices.Clone(st.Addresses), slices.Clone(st.Conditions)
	}
	return out
}

// TestIndexCandidates: a generator reaches the services of the rarest of its
// label pairs through the label index, not every service of its kind, and
// small and large sets of services answer alike.
func TestIndexCandidates(t *testing.T) {
	x := NewIndex()
	for i := range 100 {
		labels := map[string]string{"tier": "web", "team": fmt.Sprint("t", i%20), "name": fmt.Sprint("s", i)}
		x.PutService(svc(fmt.Sprint("s", i), i, labels))
	}
	x.PutService(Service{Kind: MeshExternalService, Mesh: "default", Name: "e", Labels: map[string]string{"team": "t0"}})
	tests := []struct {
		name  string
		match map[string]string
		want  int
	}{
		{"every service of the kind", nil, 100},
		{"a label all have", map[string]string{"tier": "web"}, 100},
		{"the rarest of three pairs", map[string]string{"tier": "web", "team": "t3", "name": "s3"}, 1},
		{"a pair of five services", map[string]string{"tier": "web", "team": "t3"}, 5},
		{"a pair no service has", map[string]string{"tier": "web", "team": "t99"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, skip := compile(&Generator{Name: "g", Selector: Selector{MeshService: &LabelSelector{MatchLabels: tt.match}}, Template: "x.mesh"})
			require.Nil(t, skip)
			set := x.candidates(&genEntry{run: r})
			assert.Equal(t, tt.want, set.len())
			n := 0
			for s := range set.all() {
				assert.Equal(t, MeshService, s.svc.Kind)
				n++
			}
			assert.Equal(t, tt.want, n)
		})
	}

	// Sets shrink back to nothing as their services go.
	for i := range 100 {
		x.DeleteService(MeshService, "default", fmt.Sprint("s", i))
	}
	assert.Len(t, x.byLabel, 1, "only the external service's label is left")
	assert.Len(t, x.byKind, 1)
}

// TestIndexForgets: deleting every service and generator leaves nothing
// behind.
func TestIndexForgets(t *testing.T) {
	gens := append(DefaultGenerators(EnvKubernetes, RoleGlobal), gen("collider", 0, allMS(), "{{ .DisplayName }}.svc.mesh.local"),
		gen("mes-collider", 0, allMES(), "{{ .DisplayName }}.svc.mesh.local"), gen("bad", 0, Selector{}, "x"))
	svcs := benchServices(300)
	x := NewIndex()
	for _, g := range gens {
		x.PutGenerator(g)
	}
	for _, s := range svcs {
		x.PutService(s)
	}
	require.NotEmpty(t, x.Result().Conflicts)
	for _, s := range svcs {
		x.DeleteService(s.Kind, s.Mesh, s.ID())
	}
	for _, g := range gens {
		x.DeleteGenerator(g.Name)
	}
	assert.Empty(t, x.gens)
	assert.Empty(t, x.invalid)
	for kind, runs := range x.runs {
		assert.Empty(t, runs, kind)
	}
	assert.Empty(t, x.svcs)
	assert.Empty(t, x.byKind)
	assert.Empty(t, x.byLabel)
	assert.Empty(t, x.hosts)
	assert.Empty(t, x.conflicts)
}
