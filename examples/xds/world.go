package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// world is what the server derives from its inputs: per mesh, the services
// and the egress state; the hostname index over every mesh; and each mesh's
// build. apply takes new inputs and changes only what they change: the
// services that differ are upserted or removed, the secrets that differ are
// announced, the generators and services of hostname generation that differ
// are put or deleted, and only the meshes whose egress or hostnames changed
// are built again. One writer (the server's reload lock).
type world struct {
	zone     string
	env      hostname.Env
	secrets  topology.StaticSecrets
	services map[string]map[string]Service // mesh → name → service
	egress   map[string]meshState
	hosts    hostIndex
	gens     map[string]hostname.Generator
	hsvcs    map[serviceKey]hostname.Service
	views    map[string]hostView // mesh → what hostname generation gave it
	builds   map[string]*meshBuild
	// newEgress makes the state of a mesh seen for the first time, and
	// newHosts the hostname index; a reset keeps both.
	newEgress func(mesh, zone string, secrets topology.Secrets) meshState
	newHosts  func() hostIndex
}

func newWorld() *world { return newWorldOf(newMeshState, newHostIndex) }

// newWorldOf is an empty world whose derived state newEgress and newHosts
// make.
func newWorldOf(newEgress func(mesh, zone string, secrets topology.Secrets) meshState, newHosts func() hostIndex) *world {
	return &world{
		services:  map[string]map[string]Service{},
		egress:    map[string]meshState{},
		hosts:     newHosts(),
		gens:      map[string]hostname.Generator{},
		hsvcs:     map[serviceKey]hostname.Service{},
		views:     map[string]hostView{},
		builds:    map[string]*meshBuild{},
		newEgress: newEgress,
		newHosts:  newHosts,
	}
}

// reset forgets every input and everything derived from them.
func (w *world) reset() { *w = *newWorldOf(w.newEgress, w.newHosts) }

// secretsView reads the world's current secrets, so that each mesh state
// sees a change as soon as it is told of it.
type secretsView struct{ w *world }

func (v secretsView) Secret(ctx context.Context, mesh, name string) ([]byte, error) {
	return v.w.secrets.Secret(ctx, mesh, name)
}

// apply makes in the world's inputs. It returns the builds of every mesh
// (a new map: the old one may still be read), the report, and the meshes
// built again.
func (w *world) apply(ctx context.Context, in Inputs) (map[string]*meshBuild, Report, []string, error) {
	var report Report
	report.Errors = append(report.Errors, in.Errors...)
	if in.Zone != w.zone || in.Env != w.env {
		// Every service's zone labels, and the default generators, change.
		w.reset()
		w.zone, w.env = in.Zone, in.Env
	}

	// Services by mesh, with the faults that leave one out.
	want := make(map[string]map[string]Service, len(in.Meshes))
	for _, m := range in.Meshes {
		want[m] = map[string]Service{}
	}
	for _, s := range in.Services {
		switch _, ok := want[s.Mesh]; {
		case s.Type != "" && s.Type != kindMES:
			report.Errors = append(report.Errors, &topology.ResourceError{Mesh: s.Mesh, Name: s.Name, Field: "type", Err: &topology.ValidationError{Value: s.Type, Detail: "must be " + kindMES}})
		case !ok:
			report.Errors = append(report.Errors, &topology.ResourceError{Mesh: s.Mesh, Name: s.Name, Field: "mesh", Err: fmt.Errorf("%w: %q", ErrUnknownMesh, s.Mesh)})
		default:
			if _, dup := want[s.Mesh][s.Name]; !dup {
				want[s.Mesh][s.Name] = s
			}
		}
	}

	touched := map[string]bool{}
	oldSecrets := w.secrets
	w.secrets = in.Secrets
	for mesh := range w.services {
		if _, ok := want[mesh]; !ok {
			delete(w.services, mesh)
			delete(w.egress, mesh)
		}
	}
	for mesh, svcs := range want {
		st, ok := w.egress[mesh]
		if !ok {
			st = w.newEgress(mesh, w.zone, secretsView{w})
			w.egress[mesh] = st
			w.services[mesh] = map[string]Service{}
			touched[mesh] = true
		}
		have := w.services[mesh]
		var upserts []topology.MeshExternalService
		var removed []string
		for name, s := range svcs {
			if old, ok := have[name]; !ok || !reflect.DeepEqual(old, s) {
				upserts = append(upserts, s.MeshExternalService)
			}
		}
		for name := range have {
			if _, ok := svcs[name]; !ok {
				removed = append(removed, name)
			}
		}
		changedSecrets := changedKeys(oldSecrets[mesh], in.Secrets[mesh])
		if len(upserts) > 0 {
			st.upsert(ctx, upserts...)
		}
		if len(removed) > 0 {
			st.remove(removed...)
		}
		if len(changedSecrets) > 0 {
			st.secretsChanged(ctx, changedSecrets...)
		}
		if len(upserts)+len(removed)+len(changedSecrets) > 0 {
			touched[mesh] = true
		}
		w.services[mesh] = svcs
	}

	w.applyHostnames(in, want)
	all := hostViews(w.hosts.result())
	views := make(map[string]hostView, len(want))
	for mesh := range want {
		v := all[mesh]
		if !v.equal(w.views[mesh]) {
			touched[mesh] = true
		}
		views[mesh] = v
	}
	w.views = views

	builds := make(map[string]*meshBuild, len(want))
	var rebuilt []string
	for _, mesh := range slices.Sorted(maps.Keys(want)) {
		b, ok := w.builds[mesh]
		if !ok || touched[mesh] {
			m, errs := w.egress[mesh].endpoints(ctx)
			var err error
			v := views[mesh]
			b, err = buildMesh(mesh, m, errs, w.services[mesh], v.names, v.conflicts, v.errs)
			if err != nil {
				w.reset() // half applied: the next apply starts over
				return nil, Report{}, nil, err
			}
			rebuilt = append(rebuilt, mesh)
		}
		builds[mesh] = b
		report.Meshes = append(report.Meshes, b.report)
		report.Errors = append(report.Errors, b.report.Errors...)
	}
	w.builds = builds
	slices.SortStableFunc(report.Errors, func(a, b *topology.ResourceError) int {
		return cmp.Or(strings.Compare(a.Mesh, b.Mesh), strings.Compare(a.Name, b.Name))
	})
	return builds, report, rebuilt, nil
}

// applyHostnames puts into the hostname index the generators and services
// that changed, and deletes those that are gone.
func (w *world) applyHostnames(in Inputs, want map[string]map[string]Service) {
	gens := map[string]hostname.Generator{}
	for _, g := range hostname.DefaultGenerators(w.env, hostname.RoleZone) {
		gens[g.Name] = g
	}
	for _, g := range in.Generators {
		gens[g.Name] = g
	}
	for name, g := range gens {
		if old, ok := w.gens[name]; !ok || !reflect.DeepEqual(old, g) {
			w.hosts.putGenerator(g)
		}
	}
	for name := range w.gens {
		if _, ok := gens[name]; !ok {
			w.hosts.deleteGenerator(name)
		}
	}
	w.gens = gens

	svcs := map[serviceKey]hostname.Service{}
	for _, s := range in.MeshServices {
		svcs[serviceKey{s.Kind, s.Mesh, s.ID()}] = s
	}
	for _, byName := range want {
		for _, s := range byName {
			svcs[serviceKey{s.host.Kind, s.host.Mesh, s.host.ID()}] = s.host
		}
	}
	for k, s := range svcs {
		if old, ok := w.hsvcs[k]; !ok || !reflect.DeepEqual(old, s) {
			w.hosts.putService(s)
		}
	}
	for k := range w.hsvcs {
		if _, ok := svcs[k]; !ok {
			w.hosts.deleteService(k.kind, k.mesh, k.id)
		}
	}
	w.hsvcs = svcs
}

// hostView is what hostname generation gives one mesh's services.
type hostView struct {
	names     map[string][]string // service → hostnames
	conflicts []Conflict
	errs      topology.Errors
}

func (v hostView) equal(o hostView) bool {
	if !reflect.DeepEqual(v.names, o.names) || !reflect.DeepEqual(v.conflicts, o.conflicts) || len(v.errs) != len(o.errs) {
		return false
	}
	for i, e := range v.errs {
		if e.Error() != o.errs[i].Error() {
			return false
		}
	}
	return true
}

// hostViews returns, per mesh, what hostname generation gave it: each
// MeshExternalService's generated hostnames, the cross-kind conflicts, and
// the MeshExternalServices a generator selected but could not name: a
// template error ([ErrHostname]), or a collision lost
// ([ErrHostnameConflict]).
func hostViews(res hostname.Result) map[string]hostView {
	views := map[string]hostView{}
	for _, s := range res.Services {
		if s.Kind != hostname.MeshExternalService {
			continue
		}
		v := views[s.Mesh]
		for _, a := range s.Status.Addresses {
			if v.names == nil {
				v.names = map[string][]string{}
			}
			v.names[s.Name] = append(v.names[s.Name], a.Hostname)
		}
		for _, c := range s.Status.Conditions {
			if c.Status {
				continue
			}
			sentinel := ErrHostname
			if c.Reason == hostname.ReasonCollision {
				sentinel = ErrHostnameConflict
			}
			v.errs = append(v.errs, &topology.ResourceError{
				Mesh: s.Mesh, Name: s.Name, Field: "hostname",
				Err: fmt.Errorf("%w: generator %q: %s: %s", sentinel, c.Generator, c.Reason, c.Message),
			})
		}
		views[s.Mesh] = v
	}
	for _, c := range res.Conflicts {
		conflict := Conflict{Hostname: c.Hostname}
		for _, cl := range c.Claims {
			conflict.Claims = append(conflict.Claims, Claim{Kind: string(cl.Kind), Name: cl.Service})
		}
		v := views[c.Mesh]
		v.conflicts = append(v.conflicts, conflict)
		views[c.Mesh] = v
	}
	return views
}

// changedKeys returns the keys whose values differ between a and b, sorted.
func changedKeys(a, b map[string][]byte) []string {
	var out []string
	for k, v := range b {
		if old, ok := a[k]; !ok || !bytes.Equal(old, v) {
			out = append(out, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
