package topology

import (
	"cmp"
	"context"
	"iter"
	"maps"
	"slices"
	"sync"
)

// Egress is the incremental form of [BuildEgressEndpointMap] for one mesh:
// it holds the current MeshExternalServices and their endpoint map, and
// applies each change at the cost of the services it touches, plus those
// that share a destination name or egress SNI with them, never a rebuild of
// the whole mesh.
//
// After any sequence of writes, with [Egress.SecretsChanged] called for every
// secret whose bytes changed, [Egress.Map] and [Egress.Errors] equal
// BuildEgressEndpointMap of the current services with the same mesh, local
// zone, [Secrets] and [Host], and each write returns the [Delta] between the
// map before and after it.
//
// An Egress is safe for concurrent use. Writes ([Egress.Upsert],
// [Egress.Delete], [Egress.SecretsChanged], [Egress.SetHost]) run one at a
// time. Reads ([Egress.Lookup], [Egress.All], [Egress.Map], [Egress.Errors],
// [Egress.Version]) run concurrently with each other and with a write; each
// read sees the state before or after a write, never part of one (two reads
// may see different states). A write loads and builds without blocking
// readers, and publishes its result at once.
// Secrets and Host are called from the writing goroutine, and must not call
// the Egress's writes.
//
// Make one with [NewEgress]; the zero Egress is not usable.
type Egress struct {
	mesh, zone string

	// w serializes writes and guards the write-side state below.
	w sync.Mutex
	b builder
	// services holds the current services by name.
	services map[string]*egressService
	// byDest and bySNI index the built services by destination name and by
	// egress SNI: a key with more than one is a conflict.
	byDest, bySNI map[string][]*candidate
	// bySecret and byHost index the services by the Secrets and by the File
	// and EnvVar sources their TLS settings name.
	bySecret, byHost map[sourceKey]map[string]struct{}

	// mu guards what readers see; only a write, holding w, changes it.
	mu sync.RWMutex
	// out is the endpoint map: destination name → its service.
	out map[string]published
	// errs holds the current errors of each failing service, by name.
	errs map[string]Errors
}

// egressService is a service of an [Egress]: as given, and its candidate
// when it built (indexed in byDest and bySNI).
type egressService struct {
	svc  MeshExternalService
	cand *candidate
}

// published is a destination of the map: the candidate that owns it and the
// Version of its endpoints.
type published struct {
	cand    *candidate
	version string
}

// Delta is what one write to an [Egress] changed; each list is sorted and nil
// when empty.
type Delta struct {
	// Changed are the destination names added to the map or whose endpoints
	// changed.
	Changed []string
	// Removed are the destination names no longer in the map.
	Removed []string
	// Failed are the names of the MeshExternalServices whose errors changed:
	// new, different or gone. [Egress.Errors] has the current ones.
	Failed []string
}

// NewEgress returns an empty Egress of mesh for the zone egress of localZone,
// loading Secret data sources from secrets (nil means no secrets exist) and
// File and EnvVar data sources from no [Host] until [Egress.SetHost].
//
// mesh must be non-empty: an Egress serves one mesh. (With an empty mesh it
// accepts only services without a mesh, and reports each as an error, as
// BuildEgressEndpointMap does.)
func NewEgress(mesh, localZone string, secrets Secrets) *Egress {
	return &Egress{
		mesh:     mesh,
		zone:     localZone,
		b:        builder{ms: materials{secrets: secrets, forgets: true}},
		services: make(map[string]*egressService),
		byDest:   make(map[string][]*candidate),
		bySNI:    make(map[string][]*candidate),
		bySecret: make(map[sourceKey]map[string]struct{}),
		byHost:   make(map[sourceKey]map[string]struct{}),
		out:      make(map[string]published),
		errs:     make(map[string]Errors),
	}
}

// Upsert adds the services, or replaces those of the same name. Services of
// another mesh (a Mesh other than the Egress's, or empty) are ignored, as
// BuildEgressEndpointMap leaves them out; of a name given twice the last
// counts. ctx is passed to Secrets and Host.
//
// The Egress keeps each service and rebuilds it when a secret it names
// changes: the caller must not modify a service, its labels or its spec,
// after passing it.
func (e *Egress) Upsert(ctx context.Context, mes ...MeshExternalService) Delta {
	names := make([]string, 0, len(mes))
	next := make(map[string]*MeshExternalService, len(mes))
	for i := range mes {
		svc := &mes[i]
		if m, ok := meshOf(svc, e.mesh); !ok || m != e.mesh {
			continue
		}
		if _, ok := next[svc.Name]; !ok {
			names = append(names, svc.Name)
		}
		next[svc.Name] = svc
	}
	e.w.Lock()
	defer e.w.Unlock()
	return e.update(ctx, names, func(name string) *MeshExternalService { return next[name] })
}

// Delete removes the services of the given names; a name the Egress does not
// hold is ignored.
func (e *Egress) Delete(names ...string) Delta {
	e.w.Lock()
	defer e.w.Unlock()
	return e.update(context.Background(), names, func(string) *MeshExternalService { return nil })
}

// SecretsChanged forgets what was loaded from the Secrets of the given names
// (in the Egress's mesh) and rebuilds the services that name them. Call it
// for every secret created, updated or deleted, and to retry a secret whose
// loading failed: an Egress loads each secret once and keeps it, error
// included. ctx is passed to Secrets.
func (e *Egress) SecretsChanged(ctx context.Context, names ...string) Delta {
	e.w.Lock()
	defer e.w.Unlock()
	var users []string
	for _, name := range names {
		k := sourceKey{kind: sourceSecret, mesh: e.mesh, name: name}
		e.b.ms.forget(k)
		for user := range e.bySecret[k] {
			users = append(users, user)
		}
	}
	return e.rebuild(ctx, users)
}

// SetHost sets the [Host] that reads File and EnvVar data sources (nil for
// none, as at first) and rebuilds the services that use one. Call it again,
// with the same Host, when such a file or variable changed. ctx is passed to
// Secrets and Host.
func (e *Egress) SetHost(ctx context.Context, h Host) Delta {
	e.w.Lock()
	defer e.w.Unlock()
	e.b.ms.host = h
	var users []string
	for k, names := range e.byHost {
		e.b.ms.forget(k)
		for user := range names {
			users = append(users, user)
		}
	}
	return e.rebuild(ctx, users)
}

// rebuild builds the named services again from what they were given.
func (e *Egress) rebuild(ctx context.Context, names []string) Delta {
	return e.update(ctx, names, func(name string) *MeshExternalService { return &e.services[name].svc })
}

// Lookup returns the endpoints of destination, as [EndpointMap] holds them.
// The slice is the Egress's own: the caller must not modify it or what it
// points to. It stays valid, and unchanged, after later writes, which
// replace entries and never modify them.
func (e *Egress) Lookup(destination string) ([]Endpoint, bool) {
	e.mu.RLock()
	p, ok := e.out[destination]
	e.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return p.cand.eps, true
}

// All iterates over the map in destination-name order, as it was when the
// iteration started. The slices are the Egress's own, as with
// [Egress.Lookup].
func (e *Egress) All() iter.Seq2[string, []Endpoint] {
	return func(yield func(string, []Endpoint) bool) {
		type entry struct {
			dest string
			eps  []Endpoint
		}
		e.mu.RLock()
		entries := make([]entry, 0, len(e.out))
		for dest, p := range e.out {
			entries = append(entries, entry{dest, p.cand.eps})
		}
		e.mu.RUnlock()
		slices.SortFunc(entries, func(x, y entry) int { return cmp.Compare(x.dest, y.dest) })
		for _, en := range entries {
			if !yield(en.dest, en.eps) {
				return
			}
		}
	}
}

// Map returns the map as BuildEgressEndpointMap would build it: a new map,
// made in O(n), whose slices are the Egress's own, as with [Egress.Lookup].
// It is meant for tests and for callers of the batch form; a control plane
// reads [Egress.Lookup] or [Egress.All].
func (e *Egress) Map() EndpointMap {
	e.mu.RLock()
	defer e.mu.RUnlock()
	m := make(EndpointMap, len(e.out))
	for dest, p := range e.out {
		m[dest] = p.cand.eps
	}
	return m
}

// Errors returns the errors of the current services, in the order of
// BuildEgressEndpointMap (by name, then in the order the fields were
// checked); nil when every service built.
func (e *Egress) Errors() Errors {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if len(e.errs) == 0 {
		return nil
	}
	var out Errors
	for _, name := range slices.Sorted(maps.Keys(e.errs)) {
		out = append(out, e.errs[name]...)
	}
	return out
}

// Version returns the SHA-256, in hex, of a canonical encoding of the
// endpoints of destination (addresses, weights, tags, localities and the
// service they belong to, TLS material included); "" when destination is not
// in the map. Equal content has an equal Version in every process, so
// replicas agree on it, and any change of content changes it. It versions the
// map entry, not an Envoy resource: a cluster or load assignment rendered
// from it also depends on [ResourceOptions]. It is computed once per change
// of the entry.
func (e *Egress) Version(destination string) string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.out[destination].version
}

// txn is one write in progress: what it touched, and the errors before and
// after, by service name.
type txn struct {
	dests, snis map[string]struct{}
	// orphans are sources that lost a user; those left without one are
	// forgotten at the end.
	orphans   []sourceKey
	before    map[string]Errors
	after     map[string]Errors
	rechecked map[*candidate]struct{}
}

// update replaces each named service by next(name), nil to delete it, then
// settles the conflicts around them and publishes the result.
func (e *Egress) update(ctx context.Context, names []string, next func(string) *MeshExternalService) Delta {
	e.b.ms.ctx = ctx
	defer func() { e.b.ms.ctx = nil }()
	t := txn{
		dests:     make(map[string]struct{}, len(names)),
		snis:      make(map[string]struct{}, len(names)),
		before:    make(map[string]Errors, len(names)),
		after:     make(map[string]Errors, len(names)),
		rechecked: make(map[*candidate]struct{}, len(names)),
	}
	for _, name := range names {
		if _, done := t.after[name]; done {
			continue
		}
		svc := next(name)
		old := e.services[name]
		if old == nil && svc == nil {
			continue
		}
		t.before[name] = e.errs[name]
		if old != nil {
			e.unindex(&t, name, old)
		}
		if svc == nil {
			delete(e.services, name)
			t.after[name] = nil
			continue
		}
		s := &egressService{svc: *svc}
		e.b.errs = nil
		if c, ok := e.b.service(&s.svc, e.mesh, isLocal(&s.svc, e.zone)); ok {
			s.cand = &c
		}
		t.after[name] = e.b.errs
		e.b.errs = nil
		e.services[name] = s
		e.index(&t, name, s)
	}

	// Material no service names any more is not kept.
	for _, k := range t.orphans {
		if _, used := e.sourceIndex(k)[k]; !used {
			e.b.ms.forget(k)
		}
	}

	// Settle the conflicts of every service that shares a destination name
	// or SNI with what changed, and collect the destinations whose owner may
	// have changed.
	for dest := range t.dests {
		for _, c := range e.byDest[dest] {
			e.recheck(&t, c)
		}
	}
	for sni := range t.snis {
		for _, c := range e.bySNI[sni] {
			e.recheck(&t, c)
		}
	}

	var d Delta
	changed := make(map[string]published, len(t.dests))
	for dest := range t.dests {
		old, had := e.out[dest]
		p := published{cand: e.owner(dest)}
		switch {
		case p.cand == nil:
			if had {
				d.Removed = append(d.Removed, dest)
			}
			continue
		case had && old.cand == p.cand:
			continue
		}
		p.version = version(p.cand.eps)
		changed[dest] = p
		if !had || old.version != p.version {
			d.Changed = append(d.Changed, dest)
		}
	}
	for name, errs := range t.after {
		if !sameErrors(t.before[name], errs) {
			d.Failed = append(d.Failed, name)
		}
	}

	e.mu.Lock()
	for _, dest := range d.Removed {
		delete(e.out, dest)
	}
	maps.Copy(e.out, changed)
	for _, name := range d.Failed {
		if errs := t.after[name]; len(errs) > 0 {
			e.errs[name] = errs
		} else {
			delete(e.errs, name)
		}
	}
	e.mu.Unlock()

	slices.Sort(d.Changed)
	slices.Sort(d.Removed)
	slices.Sort(d.Failed)
	return d
}

// recheck recomputes the conflicts of c, once per write.
func (e *Egress) recheck(t *txn, c *candidate) {
	if _, done := t.rechecked[c]; done {
		return
	}
	t.rechecked[c] = struct{}{}
	if _, ok := t.before[c.name]; !ok {
		t.before[c.name] = e.errs[c.name]
	}
	t.after[c.name] = appendConflicts(nil, c, e.byDest[c.dest], e.bySNI[c.sni])
	t.dests[c.dest] = struct{}{}
}

// owner returns the candidate that dest maps to: the only one that claims
// it, unless it is left out by a conflict; nil when there is none.
func (e *Egress) owner(dest string) *candidate {
	g := e.byDest[dest]
	if len(g) == 0 {
		return nil
	}
	if c := g[0]; !leftOut(len(g), len(e.bySNI[c.sni])) {
		return c
	}
	return nil
}

// index adds the service s of name to the indexes.
func (e *Egress) index(t *txn, name string, s *egressService) {
	if c := s.cand; c != nil {
		e.byDest[c.dest] = append(e.byDest[c.dest], c)
		e.bySNI[c.sni] = append(e.bySNI[c.sni], c)
		t.dests[c.dest] = struct{}{}
		t.snis[c.sni] = struct{}{}
	}
	for k := range sourcesOf(&s.svc, e.mesh) {
		idx := e.sourceIndex(k)
		users := idx[k]
		if users == nil {
			users = make(map[string]struct{})
			idx[k] = users
		}
		users[name] = struct{}{}
	}
}

// unindex removes the service s of name from the indexes.
func (e *Egress) unindex(t *txn, name string, s *egressService) {
	if c := s.cand; c != nil {
		removeCandidate(e.byDest, c.dest, c)
		removeCandidate(e.bySNI, c.sni, c)
		t.dests[c.dest] = struct{}{}
		t.snis[c.sni] = struct{}{}
	}
	for k := range sourcesOf(&s.svc, e.mesh) {
		idx := e.sourceIndex(k)
		users := idx[k]
		delete(users, name)
		if len(users) == 0 {
			delete(idx, k)
			t.orphans = append(t.orphans, k)
		}
	}
}

// sourceIndex returns the index of the users of k's kind of source.
func (e *Egress) sourceIndex(k sourceKey) map[sourceKey]map[string]struct{} {
	if k.kind == sourceSecret {
		return e.bySecret
	}
	return e.byHost
}

func removeCandidate(idx map[string][]*candidate, key string, c *candidate) {
	g := slices.DeleteFunc(idx[key], func(x *candidate) bool { return x == c })
	if len(g) == 0 {
		delete(idx, key)
	} else {
		idx[key] = g
	}
}

// sourcesOf returns the Secret, File and EnvVar sources the TLS settings of
// svc name, whether or not they are enabled or used.
func sourcesOf(svc *MeshExternalService, mesh string) iter.Seq[sourceKey] {
	return func(yield func(sourceKey) bool) {
		t := svc.Spec.TLS
		if t == nil || t.Verification == nil {
			return
		}
		v := t.Verification
		for _, d := range [...]*DataSource{v.CaCert, v.ClientCert, v.ClientKey} {
			if d == nil {
				continue
			}
			k, _ := sourceOf(mesh, d)
			if k.kind == sourceInline {
				continue
			}
			if !yield(k) {
				return
			}
		}
	}
}

// sameErrors reports whether x and y read the same, in the same order.
func sameErrors(x, y Errors) bool {
	return slices.EqualFunc(x, y, func(a, b *ResourceError) bool { return a.Error() == b.Error() })
}
