package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/naming"
	"github.com/meshcore/meshcore/topology"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Per-service faults found here rather than by topology. Each is reported
// wrapped in a *topology.ResourceError naming the service and the field. A
// service whose type is neither empty nor MeshExternalService is reported
// as topology reports a malformed field: a *topology.ValidationError
// (topology.ErrInvalid).
var (
	// ErrUnknownMesh: the service names a mesh that is not in Config.Meshes.
	ErrUnknownMesh = errors.New("xds: mesh is not in meshes")
	// ErrHostname: the service gets no hostname: its own hostname is not one
	// by [naming.CheckHostname] (the rule every generated hostname meets), or
	// a generator that selected it failed to render one for it.
	ErrHostname = errors.New("xds: no valid hostname")
	// ErrHostnameConflict: another service of the mesh claims the hostname.
	// Services whose own hostnames collide are all left out of the proxyless
	// routes (their clusters are still served), so that which one a client
	// reaches does not depend on input order; a generated hostname goes to
	// the service that claims it first (oldest, then by name).
	ErrHostnameConflict = errors.New("xds: hostname conflict")
)

// Report says what a load served, per mesh, and which services it did not.
type Report struct {
	// Meshes has one entry per configured mesh, sorted by name.
	Meshes []MeshReport
	// Errors lists every service fault, sorted by mesh, then name: the
	// topology errors of services left out, and the faults above.
	Errors topology.Errors
}

// Mesh returns the report of mesh, if configured.
func (r Report) Mesh(mesh string) (MeshReport, bool) {
	i, ok := slices.BinarySearchFunc(r.Meshes, mesh, func(m MeshReport, name string) int {
		return strings.Compare(m.Mesh, name)
	})
	if !ok {
		return MeshReport{}, false
	}
	return r.Meshes[i], true
}

// MeshReport is what one mesh serves.
type MeshReport struct {
	Mesh string
	// Version identifies the mesh's resources: equal resources, equal version.
	Version string
	// Clusters is the number of clusters served (one per service built).
	Clusters int
	// Hosts are the hostnames proxyless gRPC clients can dial, sorted.
	Hosts []Host
	// EnvoyOnly lists built services that proxyless gRPC clients cannot use,
	// with the reason; Envoy proxies still get their clusters.
	EnvoyOnly []Skipped
	// Errors are the faults of this mesh's services.
	Errors topology.Errors
	// Conflicts are the hostnames claimed by more than one service, sorted
	// by hostname.
	Conflicts []Conflict
}

// Conflict is a hostname claimed by more than one service of a mesh.
type Conflict struct {
	Hostname string  `json:"hostname"`
	Claims   []Claim `json:"claims"` // sorted by kind, then name
}

// Claim is one service claiming a contested hostname.
type Claim struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Host is a hostname routed to a cluster.
type Host struct {
	Hostname string
	Service  string
	Cluster  string
}

// Skipped is a service left out of the proxyless routes, and why.
type Skipped struct {
	Service string
	Reason  string
}

// Reasons of Skipped.
const (
	reasonTLS = "TLS origination: proxyless gRPC clients take TLS material from certificate providers, not inline"
	reasonDNS = "DNS endpoints: the cluster is STRICT_DNS, which proxyless gRPC clients do not support"
	// grpc-go rejects a load assignment that skips a priority ("priority 1
	// missing"): it NACKs the response and the cluster gets no endpoints.
	reasonPriorities = "endpoint priorities are not contiguous from 0: proxyless gRPC clients reject the load assignment"
)

// meshBuild is one mesh's resources, built once per load and shared by every
// proxy of the mesh: the cache holds one pointer per proxy, not a copy.
type meshBuild struct {
	report MeshReport
	// proxyless has clusters, load assignments, one API listener and one
	// route configuration per host: what a proxyless gRPC client follows.
	proxyless *cachev3.Snapshot
	// envoy has the clusters and load assignments only. Envoy accepts API
	// listeners from its bootstrap only, so it would reject them over LDS.
	envoy *cachev3.Snapshot
}

// build builds every configured mesh from scratch. Its error is a failure of
// the build as a whole; faults of single services are in the report.
func build(ctx context.Context, cfg *Config) (map[string]*meshBuild, Report, error) {
	builds, report, _, err := newWorld().apply(ctx, cfg.Inputs())
	return builds, report, err
}

// buildMesh builds the resources of one mesh from its endpoint map m and
// errors, its services by name, their generated hostnames by service name,
// the mesh's hostname conflicts and the hostname errors of its services.
func buildMesh(mesh string, m topology.EndpointMap, egressErrs topology.Errors, svcs map[string]Service,
	names map[string][]string, conflicts []Conflict, hostErrs topology.Errors) (*meshBuild, error) {
	// grpc-go ignores a locality without a weight.
	res, renderErrs := topology.EgressResources(m, topology.ResourceOptions{EDS: true, LocalityWeight: true})
	// A destination that does not render is its service's fault.
	errs := slices.Concat(egressErrs, renderErrs, hostErrs)

	clusters := make(map[string]*clusterv3.Cluster, len(res.Clusters))
	for _, c := range res.Clusters {
		clusters[c.GetName()] = c
	}
	assignments := make(map[string]*endpointv3.ClusterLoadAssignment, len(res.LoadAssignments))
	for _, cla := range res.LoadAssignments {
		assignments[cla.GetClusterName()] = cla
	}

	report := MeshReport{Mesh: mesh, Clusters: len(res.Clusters), Conflicts: slices.Clone(conflicts)}
	claims := make(map[string][]Host)
	for _, svcName := range sortedKeys(svcs) {
		s := svcs[svcName]
		name := s.DestinationName()
		c, ok := clusters[name]
		if !ok {
			continue // not built: reported by topology, or of another zone
		}
		hosts := names[s.Name]
		if s.Hostname != "" {
			if msgs := naming.CheckHostname(s.Hostname); msgs != nil {
				errs = append(errs, &topology.ResourceError{
					Mesh: mesh, Name: s.Name, Field: "hostname",
					Err: fmt.Errorf("%w: %q: %s", ErrHostname, s.Hostname, strings.Join(msgs, "; ")),
				})
				continue
			}
			hosts = []string{s.Hostname}
		}
		if len(hosts) == 0 {
			continue // no generator names it: Envoy only, by cluster
		}
		switch es := m[name][0].ExternalService; {
		case es != nil && es.TLS != nil:
			report.EnvoyOnly = append(report.EnvoyOnly, Skipped{Service: s.Name, Reason: reasonTLS})
			continue
		case c.GetType() != clusterv3.Cluster_EDS:
			report.EnvoyOnly = append(report.EnvoyOnly, Skipped{Service: s.Name, Reason: reasonDNS})
			continue
		case !contiguousPriorities(assignments[name]):
			report.EnvoyOnly = append(report.EnvoyOnly, Skipped{Service: s.Name, Reason: reasonPriorities})
			continue
		}
		for _, host := range hosts {
			claims[host] = append(claims[host], Host{Hostname: host, Service: s.Name, Cluster: name})
		}
	}
	for _, host := range sortedKeys(claims) {
		hs := claims[host]
		if len(hs) == 1 {
			report.Hosts = append(report.Hosts, hs[0])
			continue
		}
		conflict := Conflict{Hostname: host}
		for _, h := range hs {
			conflict.Claims = append(conflict.Claims, Claim{Kind: string(hostname.MeshExternalService), Name: h.Service})
		}
		report.Conflicts = append(report.Conflicts, conflict)
		for _, h := range hs {
			var others []string
			for _, o := range hs {
				if o.Service != h.Service {
					others = append(others, fmt.Sprintf("%q", o.Service))
				}
			}
			errs = append(errs, &topology.ResourceError{
				Mesh: mesh, Name: h.Service, Field: "hostname",
				Err: fmt.Errorf("%w: %q is also claimed by %s", ErrHostnameConflict, host, strings.Join(others, ", ")),
			})
		}
	}
	slices.SortStableFunc(errs, func(a, b *topology.ResourceError) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(report.Conflicts, func(a, b Conflict) int { return strings.Compare(a.Hostname, b.Hostname) })
	slices.SortFunc(report.EnvoyOnly, func(a, b Skipped) int { return strings.Compare(a.Service, b.Service) })
	report.Errors = errs

	listeners := make([]types.Resource, 0, len(report.Hosts))
	routes := make([]types.Resource, 0, len(report.Hosts))
	for _, h := range report.Hosts {
		l, err := apiListener(h.Hostname)
		if err != nil {
			return nil, fmt.Errorf("xds: mesh %q: listener %q: %w", mesh, h.Hostname, err)
		}
		r := routeConfig(h.Hostname, h.Cluster)
		if err := r.ValidateAll(); err != nil {
			return nil, fmt.Errorf("xds: mesh %q: route %q: %w", mesh, h.Hostname, err)
		}
		listeners = append(listeners, l)
		routes = append(routes, r)
	}

	byType := res.ByType()
	var versions [4]string
	for i, items := range [][]types.Resource{byType[typeURL(types.Cluster)], byType[typeURL(types.Endpoint)], listeners, routes} {
		v, err := version(items)
		if err != nil {
			return nil, fmt.Errorf("xds: mesh %q: %w", mesh, err)
		}
		versions[i] = v
	}
	envoy := &cachev3.Snapshot{}
	envoy.Resources[types.Cluster] = cachev3.NewResources(versions[0], byType[typeURL(types.Cluster)])
	envoy.Resources[types.Endpoint] = cachev3.NewResources(versions[1], byType[typeURL(types.Endpoint)])
	proxyless := &cachev3.Snapshot{Resources: envoy.Resources}
	proxyless.Resources[types.Listener] = cachev3.NewResources(versions[2], listeners)
	proxyless.Resources[types.Route] = cachev3.NewResources(versions[3], routes)
	// The Envoy snapshot still answers LDS and RDS, with nothing.
	none, err := version(nil)
	if err != nil {
		return nil, err
	}
	envoy.Resources[types.Listener] = cachev3.NewResources(none, nil)
	envoy.Resources[types.Route] = cachev3.NewResources(none, nil)
	if err := consistent(envoy); err != nil {
		return nil, fmt.Errorf("xds: mesh %q: %w", mesh, err)
	}
	if err := consistent(proxyless); err != nil {
		return nil, fmt.Errorf("xds: mesh %q: %w", mesh, err)
	}
	// Built here, once, so that the shared snapshots are read-only once
	// published: delta watches and the status page read the per-resource
	// versions.
	for _, snap := range []*cachev3.Snapshot{envoy, proxyless} {
		if err := snap.ConstructVersionMap(); err != nil {
			return nil, fmt.Errorf("xds: mesh %q: %w", mesh, err)
		}
	}
	report.Version = strings.Join(versions[:], ".")
	return &meshBuild{report: report, proxyless: proxyless, envoy: envoy}, nil
}

// contiguousPriorities reports whether the localities of cla have the
// priorities 0 to n-1 with none missing, as grpc-go requires.
func contiguousPriorities(cla *endpointv3.ClusterLoadAssignment) bool {
	seen := make(map[uint32]bool, len(cla.GetEndpoints()))
	for _, lle := range cla.GetEndpoints() {
		seen[lle.GetPriority()] = true
	}
	for p := range uint32(len(seen)) {
		if !seen[p] {
			return false
		}
	}
	return true
}

// apiListener is the listener a proxyless gRPC client looks up for
// xds:///host: an API listener whose HttpConnectionManager takes route
// configuration host over ADS and ends with the router filter.
func apiListener(host string) (*listenerv3.Listener, error) {
	router, err := marshalAny(&routerv3.Router{})
	if err != nil {
		return nil, err
	}
	hcm, err := marshalAny(&hcmv3.HttpConnectionManager{
		StatPrefix: host,
		RouteSpecifier: &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{
			ConfigSource:    adsSource(),
			RouteConfigName: host,
		}},
		HttpFilters: []*hcmv3.HttpFilter{{
			Name:       wellknown.Router,
			ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: router},
		}},
	})
	if err != nil {
		return nil, err
	}
	l := &listenerv3.Listener{Name: host, ApiListener: &listenerv3.ApiListener{ApiListener: hcm}}
	return l, l.ValidateAll()
}

// routeConfig routes every request for host to cluster.
func routeConfig(host, cluster string) *routev3.RouteConfiguration {
	return &routev3.RouteConfiguration{
		Name: host,
		VirtualHosts: []*routev3.VirtualHost{{
			Name:    host,
			Domains: []string{host},
			Routes: []*routev3.Route{{
				Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
				Action: &routev3.Route_Route{Route: &routev3.RouteAction{
					ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: cluster},
				}},
			}},
		}},
	}
}

func adsSource() *corev3.ConfigSource {
	return &corev3.ConfigSource{
		ResourceApiVersion:    corev3.ApiVersion_V3,
		ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
	}
}

// consistent is Snapshot.Consistent plus what it does not follow. In
// go-control-plane v0.14 Consistent collects route names from listener filter
// chains only, not from API listeners, so it would count every route of a
// proxyless snapshot as unreferenced. It runs here on the snapshot without
// routes, and the API listeners' references are checked below: the routes are
// exactly the ones referenced, and every cluster a route names is served.
func consistent(s *cachev3.Snapshot) error {
	withoutRoutes := *s
	withoutRoutes.Resources[types.Route] = cachev3.Resources{}
	if err := withoutRoutes.Consistent(); err != nil {
		return err
	}
	referenced := make(map[string]bool)
	for name, r := range s.Resources[types.Listener].Items {
		l, ok := r.Resource.(*listenerv3.Listener)
		if !ok || l.GetApiListener() == nil {
			continue
		}
		var hcm hcmv3.HttpConnectionManager
		if err := l.GetApiListener().GetApiListener().UnmarshalTo(&hcm); err != nil {
			return fmt.Errorf("listener %q: %w", name, err)
		}
		referenced[hcm.GetRds().GetRouteConfigName()] = true
	}
	routes := s.Resources[types.Route].Items
	if len(routes) != len(referenced) {
		return fmt.Errorf("%d routes for %d route references", len(routes), len(referenced))
	}
	clusters := s.Resources[types.Cluster].Items
	for name, r := range routes {
		if !referenced[name] {
			return fmt.Errorf("route %q is not referenced by a listener", name)
		}
		rc, ok := r.Resource.(*routev3.RouteConfiguration)
		if !ok {
			return fmt.Errorf("route %q is a %T", name, r.Resource)
		}
		for _, vh := range rc.GetVirtualHosts() {
			for _, rt := range vh.GetRoutes() {
				if c := rt.GetRoute().GetCluster(); c != "" {
					if _, ok := clusters[c]; !ok {
						return fmt.Errorf("route %q names cluster %q, which is not served", name, c)
					}
				}
			}
		}
	}
	return nil
}

// version hashes the deterministic encoding of items, in order, so that the
// same resources give the same version and a proxy that has them is not sent
// them again.
func version(items []types.Resource) (string, error) {
	h := sha256.New()
	opts := proto.MarshalOptions{Deterministic: true}
	var buf []byte
	var n [binary.MaxVarintLen64]byte
	for _, r := range items {
		var err error
		buf, err = opts.MarshalAppend(buf[:0], r)
		if err != nil {
			return "", fmt.Errorf("marshal %s: %w", cachev3.GetResourceName(r), err)
		}
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(buf)))])
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
}

func marshalAny(m proto.Message) (*anypb.Any, error) {
	a := &anypb.Any{}
	if err := anypb.MarshalFrom(a, m, proto.MarshalOptions{Deterministic: true}); err != nil {
		return nil, err
	}
	return a, nil
}

func typeURL(t types.ResponseType) string {
	u, _ := cachev3.GetResponseTypeURL(t)
	return u
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
