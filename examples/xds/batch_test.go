package main

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// batchWorld is a world whose derived state is recomputed from scratch by the
// batch functions, topology.BuildEgressEndpointMap and hostname.Generate: the
// oracle of the incremental world.
func batchWorld() *world {
	return newWorldOf(
		func(mesh, zone string, secrets topology.Secrets) meshState {
			return &batchEgress{mesh: mesh, zone: zone, secrets: secrets, mes: map[string]topology.MeshExternalService{}, dirty: true}
		},
		func() hostIndex {
			return &batchHosts{gens: map[string]hostname.Generator{}, svcs: map[serviceKey]hostname.Service{}, dirty: true}
		},
	)
}

// batchEgress recomputes the mesh's map with topology.BuildEgressEndpointMap
// when it is read after a change.
type batchEgress struct {
	mesh, zone string
	secrets    topology.Secrets
	mes        map[string]topology.MeshExternalService
	dirty      bool
	m          topology.EndpointMap
	errs       topology.Errors
}

func (b *batchEgress) upsert(_ context.Context, mes ...topology.MeshExternalService) {
	for _, m := range mes {
		b.mes[m.Name] = m
	}
	b.dirty = true
}

func (b *batchEgress) remove(names ...string) {
	for _, n := range names {
		delete(b.mes, n)
	}
	b.dirty = true
}

func (b *batchEgress) secretsChanged(context.Context, ...string) { b.dirty = true }

func (b *batchEgress) endpoints(ctx context.Context) (topology.EndpointMap, topology.Errors) {
	if b.dirty {
		in := topology.EgressInput{Mesh: b.mesh, LocalZone: b.zone, Secrets: b.secrets}
		for _, name := range slices.Sorted(maps.Keys(b.mes)) {
			in.Services = append(in.Services, b.mes[name])
		}
		b.m, b.errs = topology.BuildEgressEndpointMap(ctx, in)
		b.dirty = false
	}
	return b.m, b.errs
}

// batchHosts recomputes hostname.Generate when read after a change.
type batchHosts struct {
	gens  map[string]hostname.Generator
	svcs  map[serviceKey]hostname.Service
	dirty bool
	res   hostname.Result
}

func (b *batchHosts) putGenerator(g hostname.Generator) { b.gens[g.Name] = g; b.dirty = true }
func (b *batchHosts) deleteGenerator(name string)       { delete(b.gens, name); b.dirty = true }

func (b *batchHosts) putService(s hostname.Service) {
	b.svcs[serviceKey{s.Kind, s.Mesh, s.ID()}] = s
	b.dirty = true
}

func (b *batchHosts) deleteService(kind hostname.Kind, mesh, id string) {
	delete(b.svcs, serviceKey{kind, mesh, id})
	b.dirty = true
}

func (b *batchHosts) result() hostname.Result {
	if b.dirty {
		gens := slices.SortedFunc(maps.Values(b.gens), func(x, y hostname.Generator) int { return cmp.Compare(x.Name, y.Name) })
		svcs := make([]hostname.Service, 0, len(b.svcs))
		for _, k := range slices.SortedFunc(maps.Keys(b.svcs), func(x, y serviceKey) int {
			return cmp.Or(cmp.Compare(x.kind, y.kind), cmp.Compare(x.mesh, y.mesh), cmp.Compare(x.id, y.id))
		}) {
			svcs = append(svcs, b.svcs[k])
		}
		b.res = hostname.Generate(gens, svcs)
		b.dirty = false
	}
	return b.res
}
