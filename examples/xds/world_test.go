package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/testing/protocmp"
)

var (
	worldMeshes = []string{"aa", "aa.a", "b"}
	teamGen     = hostname.Generator{
		Name:     "team",
		Selector: hostname.Selector{MeshExternalService: &hostname.LabelSelector{MatchLabels: map[string]string{"team": "x"}}},
	}
)

// worldConfig is a small world as a configuration file: meshes, services
// (some broken, some sharing hostnames), secrets, and a generator template.
type worldConfig struct {
	cfg      Config
	template string // the team generator's, or none
}

func (c worldConfig) inputs() Inputs {
	in := c.cfg.Inputs()
	if c.template != "" {
		g := teamGen
		g.Template = c.template
		in.Generators = []hostname.Generator{g}
	}
	return in
}

func randomService(r *rand.Rand, name string) Service {
	s := Service{MeshExternalService: topology.MeshExternalService{
		Mesh: worldMeshes[r.IntN(len(worldMeshes))], Name: name,
		Spec: topology.Spec{Match: topology.Match{Port: 80 + uint32(r.IntN(2))}},
	}}
	s.Spec.Endpoints = []topology.ExternalEndpoint{{Address: fmt.Sprintf("10.0.0.%d", r.IntN(3)), Port: 8000 + uint32(r.IntN(2))}}
	if r.IntN(3) == 0 {
		s.Labels = map[string]string{"team": "x"}
	}
	if r.IntN(6) == 0 {
		s.Hostname = "shared.example"
	}
	if r.IntN(5) == 0 {
		s.Spec.TLS = &topology.TLS{Enabled: true, Verification: &topology.Verification{CaCert: &topology.DataSource{Secret: "ca"}}}
	}
	return s
}

// mutate makes one small change to c: what a user's edit does.
func mutate(r *rand.Rand, c worldConfig) worldConfig {
	out := worldConfig{template: c.template, cfg: Config{
		Meshes:               append([]string(nil), c.cfg.Meshes...),
		MeshExternalServices: append([]Service(nil), c.cfg.MeshExternalServices...),
		Secrets:              map[string]map[string]string{},
	}}
	for m, byName := range c.cfg.Secrets {
		out.cfg.Secrets[m] = map[string]string{}
		for k, v := range byName {
			out.cfg.Secrets[m][k] = v
		}
	}
	switch r.IntN(6) {
	case 0: // a mesh comes or goes (and its secrets with it)
		m := worldMeshes[r.IntN(len(worldMeshes))]
		if i := slices.Index(out.cfg.Meshes, m); i >= 0 {
			out.cfg.Meshes = slices.Delete(out.cfg.Meshes, i, i+1)
			delete(out.cfg.Secrets, m)
		} else {
			out.cfg.Meshes = append(out.cfg.Meshes, m)
		}
	case 1: // a service is added or replaced
		out.cfg.MeshExternalServices = append(out.cfg.MeshExternalServices, randomService(r, fmt.Sprintf("svc-%d", r.IntN(5))))
	case 2: // a service is removed
		if n := len(out.cfg.MeshExternalServices); n > 0 {
			i := r.IntN(n)
			out.cfg.MeshExternalServices = slices.Delete(out.cfg.MeshExternalServices, i, i+1)
		}
	case 3: // a service's endpoint moves
		if n := len(out.cfg.MeshExternalServices); n > 0 {
			s := &out.cfg.MeshExternalServices[r.IntN(n)]
			s.Spec.Endpoints = []topology.ExternalEndpoint{{Address: "10.0.1.1", Port: 9000 + uint32(r.IntN(3))}}
		}
	case 4: // a secret changes
		if len(out.cfg.Meshes) > 0 {
			m := out.cfg.Meshes[r.IntN(len(out.cfg.Meshes))]
			out.cfg.Secrets[m] = map[string]string{"ca": fmt.Sprintf("not PEM %d", r.IntN(3))}
		}
	case 5: // the generator changes
		out.template = []string{"", "{{ .DisplayName }}.team.example", "shared.example", "{{ .Name }}.extsvc.mesh.local"}[r.IntN(4)]
	}
	// Secrets only of listed meshes, as the configuration file requires.
	for m := range out.cfg.Secrets {
		if !slices.Contains(out.cfg.Meshes, m) {
			delete(out.cfg.Secrets, m)
		}
	}
	return out
}

// Applying a sequence of inputs to one world gives, at every step, exactly
// what building the last inputs from scratch gives: the incremental path has
// the batch as its oracle.
func TestWorldApplyMatchesAFreshBuild(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for seq := range 50 {
		w := newWorld()
		var c worldConfig
		for step := range 30 {
			c = mutate(r, c)
			in := c.inputs()
			builds, report, _, err := w.apply(t.Context(), in)
			require.NoError(t, err)
			freshBuilds, freshReport, _, err := batchWorld().apply(t.Context(), in)
			require.NoError(t, err)
			if diff := cmp.Diff(freshReport, report, cmp.Comparer(func(a, b error) bool { return a.Error() == b.Error() })); diff != "" {
				t.Fatalf("sequence %d step %d: report (-fresh +incremental):\n%s", seq, step, diff)
			}
			require.Equal(t, len(freshBuilds), len(builds))
			for mesh, fb := range freshBuilds {
				b := builds[mesh]
				require.NotNil(t, b, "mesh %s", mesh)
				if diff := cmp.Diff(fb.proxyless.Resources, b.proxyless.Resources, protocmp.Transform(), cmp.AllowUnexported()); diff != "" {
					t.Fatalf("sequence %d step %d mesh %s: proxyless snapshot (-fresh +incremental):\n%s", seq, step, mesh, diff)
				}
				require.Equal(t, fb.proxyless.VersionMap, b.proxyless.VersionMap)
				require.Equal(t, fb.envoy.VersionMap, b.envoy.VersionMap)
			}
		}
	}
}

// The oracle stays the batch functions through a reset (its first apply, and
// any change of zone or environment): a reset that made the incremental forms
// would compare the incremental world with itself.
func TestBatchWorldKeepsTheBatchFunctionsThroughAReset(t *testing.T) {
	w := batchWorld()
	for _, zone := range []string{"", "zone-1"} {
		_, _, _, err := w.apply(t.Context(), (&Config{Zone: zone, Meshes: []string{"aa"}}).Inputs())
		require.NoError(t, err)
		require.IsType(t, &batchHosts{}, w.hosts, "zone %q", zone)
		require.IsType(t, &batchEgress{}, w.egress["aa"], "zone %q", zone)
	}
}
