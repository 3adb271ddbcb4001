package main

import (
	"context"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// This file is the one place that decides how a change of the inputs becomes
// a change of the derived state: each mesh's egress endpoint map and every
// service's hostnames. The server speaks to it through meshState and
// hostIndex only.
//
// Both are the incremental forms: a topology.Egress per mesh and one
// hostname.Index, so a change costs the services it touches, not the mesh.
// Their batch oracles, topology.BuildEgressEndpointMap and hostname.Generate,
// stand behind the same interfaces in batch_test.go, where
// TestWorldApplyMatchesAFreshBuild compares the two worlds.

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
	return egress{topology.NewEgress(mesh, zone, secrets)}
}

func newHostIndex() hostIndex { return hosts{hostname.NewIndex()} }

// egress is a meshState on a topology.Egress. The server reads the whole map
// when it renders a touched mesh, so endpoints copies it (Map).
type egress struct{ e *topology.Egress }

func (x egress) upsert(ctx context.Context, mes ...topology.MeshExternalService) {
	x.e.Upsert(ctx, mes...)
}
func (x egress) remove(names ...string) { x.e.Delete(names...) }
func (x egress) secretsChanged(ctx context.Context, names ...string) {
	x.e.SecretsChanged(ctx, names...)
}
func (x egress) endpoints(context.Context) (topology.EndpointMap, topology.Errors) {
	return x.e.Map(), x.e.Errors()
}

// hosts is a hostIndex on a hostname.Index.
type hosts struct{ x *hostname.Index }

func (h hosts) putGenerator(g hostname.Generator) { h.x.PutGenerator(g) }
func (h hosts) deleteGenerator(name string)       { h.x.DeleteGenerator(name) }
func (h hosts) putService(s hostname.Service)     { h.x.PutService(s) }
func (h hosts) deleteService(kind hostname.Kind, mesh, id string) {
	h.x.DeleteService(kind, mesh, id)
}
func (h hosts) result() hostname.Result { return h.x.Result() }

// serviceKey identifies a service in hostname generation: its kind, mesh and
// ID, as hostname.Index keys it.
type serviceKey struct {
	kind     hostname.Kind
	mesh, id string
}
