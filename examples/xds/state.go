package main

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// This file is the one place that decides how a change of the inputs becomes
// a change of the derived state: each mesh's egress endpoint map and every
// service's hostnames. The server speaks to it through meshState and
// hostIndex only.
//
// Today both are the batch functions behind a change log:
// topology.BuildEgressEndpointMap over the mesh's services and
// hostname.Generate over every generator and service, recomputed when read
// after a change. The incremental forms, topology.Egress and hostname.Index,
// have these very operations; switching is a change of this file: newMeshState
// returns a *topology.Egress adapter (Upsert, Delete, SecretsChanged; endpoints
// from Map and Errors, or All without a copy), newHostIndex a *hostname.Index
// adapter (PutGenerator, DeleteGenerator, PutService, DeleteService, Result).

// meshState is the egress of one mesh: its MeshExternalServices in, its
// endpoint map and per-service errors out. One writer.
type meshState interface {
	// upsert adds or replaces services, by name.
	upsert(ctx context.Context, mes ...topology.MeshExternalService)
	// remove removes the services of these names.
	remove(names ...string)
	// secretsChanged says the bytes of these secrets of the mesh changed.
	secretsChanged(ctx context.Context, names ...string)
	// endpoints returns the endpoint map and the errors of the current
	// services. The caller does not modify them.
	endpoints(ctx context.Context) (topology.EndpointMap, topology.Errors)
}

// hostIndex is hostname generation over every mesh: generators and services
// in, every service's hostnames out. One writer.
type hostIndex interface {
	putGenerator(g hostname.Generator)
	deleteGenerator(name string)
	putService(s hostname.Service)
	deleteService(kind hostname.Kind, mesh, id string)
	// result is hostname.Generate over the current generators and services.
	result() hostname.Result
}

func newMeshState(mesh, zone string, secrets topology.Secrets) meshState {
	return &batchEgress{mesh: mesh, zone: zone, secrets: secrets, mes: map[string]topology.MeshExternalService{}, dirty: true}
}

func newHostIndex() hostIndex {
	return &batchHosts{gens: map[string]hostname.Generator{}, svcs: map[serviceKey]hostname.Service{}, dirty: true}
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

// serviceKey identifies a service in hostname generation.
type serviceKey struct {
	kind     hostname.Kind
	mesh, id string
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
