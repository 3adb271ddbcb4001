package topology

import (
	"cmp"
	"context"
	"errors"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshcore/meshcore/internal/labels"
)

// EgressInput is what [BuildEgressEndpointMap] builds from.
type EgressInput struct {
	// Mesh, when set, restricts the build to one mesh: services with an empty
	// Mesh are taken to be in it and services of other meshes are left out.
	// When empty, services of every mesh are built (a zone egress serves them
	// all) and each must name its mesh.
	Mesh string
	// LocalZone is the zone of the egress; services labelled [LabelZone] with
	// another zone are validated, so that their errors are reported, and then
	// left out.
	LocalZone string
	// Services to build, in any order; the result does not depend on it.
	Services []MeshExternalService
	// Secrets resolves Secret data sources; nil means no secrets exist.
	Secrets Secrets
	// Host reads File and EnvVar data sources; nil means the control plane
	// offers none, and a service whose verification uses one fails.
	Host Host
}

// EndpointMap maps a destination name ([MeshExternalService.DestinationName])
// to the endpoints of the service that produced it. Endpoints of one
// destination are sorted by target, then port, without repeats, and share
// their Tags, Locality and ExternalService, which callers must not modify
// (localities, and the Tags of services without labels, are shared across
// destinations too).
type EndpointMap map[string][]Endpoint

// Endpoint is one address traffic to a destination goes to.
type Endpoint struct {
	// Target is an IP address or a DNS name.
	Target string
	// Port is 1–65535.
	Port uint32
	// Weight is the load-balancing weight; always 1 for external services.
	Weight uint32
	// Tags are the service's labels plus [TagMesh] = the mesh.
	Tags map[string]string
	// Locality is the endpoint's failover level: priority p and subZone
	// "priority-p", from [ExternalEndpoint.Priority] (the reference since
	// 2.14). A hand-built map may leave it nil.
	Locality *Locality
	// ExternalService describes the service the endpoint belongs to.
	ExternalService *ExternalService
}

// Locality is where an endpoint is, and its priority. Endpoints with the same
// Locality share one Envoy locality ([EgressResources]).
type Locality struct {
	Zone     string
	SubZone  string
	Priority uint32
}

// ExternalService is what the Envoy output needs to know about the service
// behind a destination.
type ExternalService struct {
	Mesh string
	Name string
	// DestinationName is the map key and the Envoy cluster name.
	DestinationName string
	// KRI is [MeshExternalService.KRI].
	KRI string
	// EgressSNI is [MeshExternalService.EgressSNI].
	EgressSNI string
	// Protocol is spec.match.protocol, [ProtocolTCP] when empty.
	Protocol string
	// TLS is the upstream TLS origination; nil for plain text.
	TLS *UpstreamTLS
}

// UpstreamTLS is TLS origination toward an external service, with the
// verification mode applied:
//
//	mode     CA / system CA  names (SNI + SANs)  client certificate
//	Secured  verified        verified            presented
//	SkipSAN  verified        not verified        presented
//	SkipCA   not verified    not verified        presented
//	SkipAll  not verified    not verified        not presented
//
// The SNI and the version range apply in every mode. (The reference cleared
// the server name under SkipSAN, and dropped the version range under SkipCA;
// neither has anything to do with verification.)
type UpstreamTLS struct {
	// Mode is the verification mode, [ModeSecured] when unset.
	Mode string
	// ServerName is the SNI: the given server name, else the first endpoint's
	// address when that is a DNS name, else empty.
	ServerName string
	// SubjectAltNames are matched besides ServerName; nil when names are not
	// verified or there are none.
	SubjectAltNames []SAN
	// FirstAddress is the address of the service's first endpoint, in spec
	// order. When ServerName is empty (that address is an IP) the server
	// certificate must carry it instead, as the reference verifies.
	FirstAddress string
	// SkipHostnameVerification: names are not verified.
	SkipHostnameVerification bool
	// CACert is the PEM CA bundle; nil for the system CAs or no verification.
	CACert []byte
	// FallbackToSystemCA: verify against the system CAs (no CACert given).
	FallbackToSystemCA bool
	// ClientCert and ClientKey are the PEM client certificate chain and key,
	// nil when none is presented.
	ClientCert []byte
	ClientKey  []byte
	// MinVersion and MaxVersion bound the TLS version; empty means TLSAuto.
	MinVersion string
	MaxVersion string
	// AllowRenegotiation is spec.tls.allowRenegotiation.
	AllowRenegotiation bool
}

// Names returns the destination names of m, sorted.
func (m EndpointMap) Names() []string {
	return slices.Sorted(maps.Keys(m))
}

// All iterates over m in destination-name order.
func (m EndpointMap) All() iter.Seq2[string, []Endpoint] {
	return func(yield func(string, []Endpoint) bool) {
		for _, name := range m.Names() {
			if !yield(name, m[name]) {
				return
			}
		}
	}
}

// BuildEgressEndpointMap builds the egress endpoint map of in.Services.
//
// Each service is validated and built on its own; one that fails is left out
// and reported in [Errors] (one or more [*ResourceError]), and every other
// service is still built. Validation runs the spec rules [Admit] runs (not
// the name and label rules: synced services were admitted where they were
// created) and refuses what a zone egress cannot route. Services of another
// mesh (see [EgressInput]) are left out silently; services of another zone
// are validated and then left out. A service without endpoints builds
// nothing and is no error (an extension may serve it). Two services that
// produce the same destination name or egress SNI are both reported as a
// [*Conflict] and both left out. ctx is passed to in.Secrets only.
//
// The map and the errors do not depend on the order of in.Services. Errors is
// nil when every service was built. There is no shared state: concurrent
// calls are safe, and in.Secrets is called from the calling goroutine only.
func BuildEgressEndpointMap(ctx context.Context, in EgressInput) (EndpointMap, Errors) {
	b := &builder{ms: materials{ctx: ctx, secrets: in.Secrets, host: in.Host}}
	cands := make([]candidate, 0, len(in.Services))
	seen := make(map[secretKey]int, len(in.Services))
	dups := false
	for i := range in.Services {
		svc := &in.Services[i]
		mesh, ok := meshOf(svc, in.Mesh)
		if !ok {
			continue
		}
		local := isLocal(svc, in.LocalZone)
		if local {
			k := secretKey{mesh, svc.Name}
			n := seen[k] + 1
			seen[k] = n
			dups = dups || n > 1
		}
		if c, ok := b.service(svc, mesh, local); ok {
			cands = append(cands, c)
		}
	}
	if dups {
		b.duplicates(seen, cands)
	}
	b.conflicts(cands)

	out := make(EndpointMap, len(cands))
	for i := range cands {
		if c := &cands[i]; !c.dropped {
			out[c.dest] = c.eps
		}
	}
	if len(b.errs) == 0 {
		return out, nil
	}
	sortErrors(b.errs)
	return out, b.errs
}

// meshOf returns the mesh of svc, and false when a build restricted to mesh
// (non-empty) leaves it out.
func meshOf(svc *MeshExternalService, mesh string) (string, bool) {
	m := cmp.Or(svc.Mesh, mesh)
	return m, mesh == "" || m == mesh
}

// isLocal reports whether svc is of the local zone. A service of another
// zone is validated, so that its errors are not hidden, and then left out.
func isLocal(svc *MeshExternalService, localZone string) bool {
	return labels.ZoneOr(svc.Labels, localZone) == localZone
}

// candidate is a service that built, before conflicts are looked for.
type candidate struct {
	mesh, name string
	dest, sni  string
	eps        []Endpoint
	dropped    bool
}

// builder validates and builds services one at a time, recording their
// errors. [BuildEgressEndpointMap] uses one per call; an [Egress] keeps one,
// with its material cache and localities, for its lifetime.
type builder struct {
	ms      materials
	errs    Errors
	scratch []fieldError
	// localities holds the Locality of each priority, made on first use and
	// shared by every endpoint of that priority (validation keeps
	// priorities at most MaxPriority).
	localities [MaxPriority + 1]*Locality
	// meshTags holds, per mesh, the Tags of a service without labels, made
	// on first use and shared by all of them.
	meshTags map[string]map[string]string
}

func (b *builder) fail(mesh, name, field string, err error) {
	b.errs = append(b.errs, &ResourceError{Mesh: mesh, Name: name, Field: field, Err: err})
}

// service validates svc and, when it is valid and local, builds it; false
// when nothing was built (an error, another zone, no endpoints).
func (b *builder) service(svc *MeshExternalService, mesh string, local bool) (candidate, bool) {
	if !b.valid(svc, mesh) || !local {
		return candidate{}, false
	}
	return b.build(svc, mesh)
}

// valid validates one service, recording its errors.
func (b *builder) valid(svc *MeshExternalService, mesh string) bool {
	b.scratch = validate(svc, mesh, b.scratch[:0])
	for _, fe := range b.scratch {
		b.fail(mesh, svc.Name, fe.field, fe.err)
	}
	return len(b.scratch) == 0
}

// build builds one valid service, recording its errors.
func (b *builder) build(svc *MeshExternalService, mesh string) (candidate, bool) {
	spec := &svc.Spec
	if len(spec.Endpoints) == 0 {
		return candidate{}, false // nothing to route to; an extension may serve it
	}
	es := &ExternalService{
		Mesh:            mesh,
		Name:            svc.Name,
		DestinationName: svc.destinationName(mesh),
		KRI:             svc.kri(mesh),
		EgressSNI:       svc.egressSNI(mesh),
		Protocol:        cmp.Or(spec.Match.Protocol, ProtocolTCP),
	}
	if t := spec.TLS; t != nil && t.Enabled {
		u, ok := b.upstreamTLS(svc, mesh)
		if !ok {
			return candidate{}, false
		}
		es.TLS = u
	}

	tags := b.tags(svc.Labels, mesh)
	eps := make([]Endpoint, 0, len(spec.Endpoints))
	for _, ep := range spec.Endpoints {
		eps = append(eps, Endpoint{
			Target:          ep.Address,
			Port:            ep.Port,
			Weight:          1,
			Tags:            tags,
			Locality:        b.locality(ep.Priority),
			ExternalService: es,
		})
	}
	// Sorted by target, then port, without repeats: Envoy and gRPC reject an
	// address listed twice in one assignment.
	slices.SortFunc(eps, compareEndpoints)
	eps = slices.CompactFunc(eps, func(a, b Endpoint) bool { return compareEndpoints(a, b) == 0 })
	return candidate{mesh: mesh, name: svc.Name, dest: es.DestinationName, sni: es.EgressSNI, eps: eps}, true
}

// tags returns the Tags of the endpoints of a service of mesh with labels:
// the labels plus [TagMesh] = mesh. Most services have no labels, and share
// one map per mesh.
func (b *builder) tags(labels map[string]string, mesh string) map[string]string {
	if len(labels) > 0 {
		tags := make(map[string]string, len(labels)+1)
		maps.Copy(tags, labels)
		tags[TagMesh] = mesh
		return tags
	}
	if t, ok := b.meshTags[mesh]; ok {
		return t
	}
	t := map[string]string{TagMesh: mesh}
	if b.meshTags == nil {
		b.meshTags = make(map[string]map[string]string)
	}
	b.meshTags[mesh] = t
	return t
}

// locality returns the shared Locality of priority p.
func (b *builder) locality(p uint32) *Locality {
	if b.localities[p] == nil {
		b.localities[p] = &Locality{Priority: p, SubZone: "priority-" + strconv.FormatUint(uint64(p), 10)}
	}
	return b.localities[p]
}

// upstreamTLS applies the verification mode and loads the material it uses,
// and only that: SkipCA and SkipAll never load the CA, SkipAll never loads
// the client pair.
func (b *builder) upstreamTLS(svc *MeshExternalService, mesh string) (*UpstreamTLS, bool) {
	t := svc.Spec.TLS
	var ver Verification
	if t.Verification != nil {
		ver = *t.Verification
	}
	u := &UpstreamTLS{
		Mode:               cmp.Or(ver.Mode, ModeSecured),
		ServerName:         ver.ServerName,
		AllowRenegotiation: t.AllowRenegotiation,
	}
	if t.Version != nil {
		u.MinVersion, u.MaxVersion = t.Version.Min, t.Version.Max
	}
	u.FirstAddress = svc.Spec.Endpoints[0].Address
	if u.ServerName == "" && !isIP(u.FirstAddress) {
		u.ServerName = strings.TrimSuffix(u.FirstAddress, ".")
	}
	ok := true
	if u.Mode == ModeSecured || u.Mode == ModeSkipSAN {
		if ver.CaCert.IsZero() {
			u.FallbackToSystemCA = true
		} else if ca, err := b.ms.ca(mesh, ver.CaCert); err != nil {
			b.failMaterial(svc, mesh, err)
			ok = false
		} else {
			u.CACert = ca
		}
	}
	if u.Mode != ModeSkipAll && !ver.ClientCert.IsZero() {
		if cert, key, err := b.ms.clientPair(mesh, ver.ClientCert, ver.ClientKey); err != nil {
			b.failMaterial(svc, mesh, err)
			ok = false
		} else {
			u.ClientCert, u.ClientKey = cert, key
		}
	}
	if u.Mode == ModeSecured {
		// nil rather than empty, so that equal content is equal (Version).
		if len(ver.SubjectAltNames) > 0 {
			u.SubjectAltNames = slices.Clone(ver.SubjectAltNames)
		}
	} else {
		u.SkipHostnameVerification = true
	}
	return u, ok
}

func (b *builder) failMaterial(svc *MeshExternalService, mesh string, err error) {
	field := "spec.tls.verification"
	var me *MaterialError
	if errors.As(err, &me) {
		field += "." + me.Material
	}
	b.fail(mesh, svc.Name, field, err)
}

// duplicates reports every service whose (mesh, name) appears more than once
// in the input (seen counts them), and drops all copies: which copy is meant
// cannot be known, so their own errors are dropped too (keeping them would
// make the result depend on input order).
func (b *builder) duplicates(seen map[secretKey]int, cands []candidate) {
	counts := make(map[secretKey]int)
	for k, n := range seen {
		if n > 1 {
			counts[k] = n
		}
	}
	b.errs = slices.DeleteFunc(b.errs, func(e *ResourceError) bool { return counts[secretKey{e.Mesh, e.Name}] > 0 })
	for _, k := range slices.SortedFunc(maps.Keys(counts), compareKeys) {
		n := counts[k]
		with := make([]ResourceRef, n-1)
		for i := range with {
			with[i] = ResourceRef{Mesh: k.mesh, Name: k.name}
		}
		// One error per copy in the input, whether or not the copy built.
		for range n {
			b.fail(k.mesh, k.name, "", &Conflict{On: ConflictDuplicate, Value: k.name, With: with})
		}
	}
	for i := range cands {
		c := &cands[i]
		if counts[secretKey{c.mesh, c.name}] > 0 {
			c.dropped = true
		}
	}
}

func compareKeys(x, y secretKey) int {
	return cmp.Or(strings.Compare(x.mesh, y.mesh), strings.Compare(x.name, y.name))
}

// conflicts reports the candidates that share a destination name or an
// egress SNI with another ([appendConflicts]) and drops them ([leftOut]).
func (b *builder) conflicts(cands []candidate) {
	byDest := groups(cands, func(c *candidate) string { return c.dest })
	bySNI := groups(cands, func(c *candidate) string { return c.sni })
	var in []*candidate
	for _, g := range byDest {
		in = append(in, g...)
	}
	for _, g := range bySNI {
		in = append(in, g...)
	}
	// Sorted and without repeats, so that each is reported once and errors
	// come in the same order whatever the map order.
	slices.SortFunc(in, func(x, y *candidate) int {
		return compareRefs(ResourceRef{x.mesh, x.name}, ResourceRef{y.mesh, y.name})
	})
	in = slices.Compact(in)
	for _, c := range in {
		b.errs = appendConflicts(b.errs, c, byDest[c.dest], bySNI[c.sni])
		c.dropped = leftOut(len(byDest[c.dest]), len(bySNI[c.sni]))
	}
}

// leftOut reports whether a candidate whose destination name is claimed by
// nDest candidates and whose egress SNI by nSNI (itself included) is left
// out of the map: the winner would depend on input order, and could get the
// other's client certificate.
func leftOut(nDest, nSNI int) bool { return nDest > 1 || nSNI > 1 }

// appendConflicts appends the conflicts of c, given the candidates that
// claim its destination name (byDest) and its egress SNI (bySNI), itself
// included (nil when it is the only one): one naming the others of byDest,
// then one naming those of bySNI with another destination name (the others
// are named by the first).
func appendConflicts(errs Errors, c *candidate, byDest, bySNI []*candidate) Errors {
	if with := refs(byDest, func(o *candidate) bool { return o != c }); with != nil {
		errs = append(errs, &ResourceError{Mesh: c.mesh, Name: c.name, Err: &Conflict{On: ConflictDestination, Value: c.dest, With: with}})
	}
	if with := refs(bySNI, func(o *candidate) bool { return o.dest != c.dest }); with != nil {
		errs = append(errs, &ResourceError{Mesh: c.mesh, Name: c.name, Err: &Conflict{On: ConflictSNI, Value: c.sni, With: with}})
	}
	return errs
}

// refs returns the services of the candidates of group that other selects,
// sorted; nil when there are none.
func refs(group []*candidate, other func(*candidate) bool) []ResourceRef {
	var with []ResourceRef
	for _, o := range group {
		if other(o) {
			with = append(with, ResourceRef{Mesh: o.mesh, Name: o.name})
		}
	}
	slices.SortFunc(with, compareRefs)
	return with
}

// groups returns the candidates (not already dropped) that share a key with
// another, by key; nil when none do. One map lookup per candidate.
func groups(cands []candidate, key func(*candidate) string) map[string][]*candidate {
	first := make(map[string]*candidate, len(cands))
	var groups map[string][]*candidate
	for i := range cands {
		c := &cands[i]
		if c.dropped {
			continue
		}
		k := key(c)
		f, ok := first[k]
		if !ok {
			first[k] = c
			continue
		}
		if groups == nil {
			groups = make(map[string][]*candidate)
		}
		g := groups[k]
		if g == nil {
			g = []*candidate{f}
		}
		groups[k] = append(g, c)
	}
	return groups
}
