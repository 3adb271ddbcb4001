package hostname

import (
	"iter"
	"maps"
	"slices"
)

// Index is the incremental form of [Generate]: it holds a set of generators
// and services and keeps their [Result] current as they change, one at a
// time, reporting with each change what it changed.
//
// After any sequence of calls, Result equals Generate over the current
// generators and services, and the [Changes] each call returns is exactly
// the difference between the results before and after it. The cost of a
// call is the size of what it changes, not of the index:
//
//   - a service change renders the generators of its kind that select it and
//     re-decides the hostnames it held or claims now (a pass over each one's
//     claimants, usually one or two); the other services whose status that
//     changes are the other claimants of a hostname whose holder changed;
//   - a generator change reaches the services it selected before or selects
//     now through an index from (kind, label key and value) to services: the
//     smallest set among its matchLabels entries is read, or every service of
//     its kind for a selector without labels. The holders of the hostnames
//     those services held or claim are re-decided as for a service.
//
// Generators are identified by name, services by kind, mesh and
// [Service.ID]; putting one again replaces it. The index keeps its own copy
// of the labels of a service and of the selector of a generator, so the
// caller may reuse or modify what it put. Per service it holds that copy,
// an entry per label in the label index, the outcome of each generator that
// selects it and its status.
//
// Statuses, addresses, conditions and conflicts in a returned [Changes] or
// [Result] are never modified by the index afterwards; the caller must not
// modify them either, as the index keeps them.
//
// An Index is not safe for concurrent use: a call that changes it needs
// exclusive access. Result only reads, so calls of Result may run together,
// and a returned Result or Changes may be read while the index changes (a
// sync.RWMutex, locked for changes and read-locked for Result, is enough).
type Index struct {
	gens    map[string]*genEntry
	runs    map[Kind][]*genEntry // generators with a valid selector, by kind
	invalid []*genEntry          // the others, in generation order

	svcs    map[serviceKey]*svcEntry
	byKind  map[Kind]*svcSet
	byLabel map[labelKey]*svcSet

	// hosts has the claimants of each hostname, in claim order (by generator
	// rank, then service rank): the first holds it.
	hosts     map[claimKey][]claimant
	conflicts map[meshHost]Conflict
}

// ServiceRef identifies a service in an [Index]: Name is its [Service.ID].
type ServiceRef struct {
	Kind Kind
	Mesh string
	Name string
}

// Changes is what one call changed in an [Index]'s [Result].
type Changes struct {
	// Services are the services added, or whose status changed, with their
	// status now, sorted as Result.Services.
	Services []ServiceStatus
	// Removed are the services deleted, in the same order.
	Removed []ServiceRef
	// Conflicts is true when Result().Conflicts changed.
	Conflicts bool
	// Invalid is true when Result().Invalid changed.
	Invalid bool
}

type genEntry struct {
	run
	rank    generatorRank
	invalid *SelectorError // skipped: run is empty
}

// svcEntry is a service in the index: the service (its labels copied), the
// outcome of each generator that selects it, and its status as last
// reported.
type svcEntry struct {
	svc    Service
	id     string
	pairs  []pair
	status Status
}

func (s *svcEntry) rank() serviceRank { return serviceRank{s.svc.Created, s.id, &s.svc} }

// pair is what a generator that selects a service gives it.
type pair struct {
	gen *genEntry
	outcome
}

// claimant is a claim of a hostname by a service through a generator.
type claimant struct {
	gen *genEntry
	svc *svcEntry
}

// compareClaimants orders claims as Generate makes them: by generator, then
// by service.
func compareClaimants(a, b claimant) int {
	if c := a.gen.rank.compare(&b.gen.rank); c != 0 {
		return c
	}
	ra, rb := a.svc.rank(), b.svc.rank()
	return ra.compare(&rb)
}

type labelKey struct {
	kind       Kind
	key, value string
}

type meshHost struct{ mesh, host string }

// holderID is who holds a hostname, as statuses and conflicts name it.
type holderID struct {
	held               bool
	service, generator string
}

func holderOf(cs []claimant) holderID {
	if len(cs) == 0 {
		return holderID{}
	}
	return holderID{true, cs[0].svc.id, cs[0].gen.name}
}

// NewIndex returns an empty Index. The zero Index is empty too, and ready
// to use.
func NewIndex() *Index {
	x := &Index{}
	x.init()
	return x
}

func (x *Index) init() {
	x.gens = map[string]*genEntry{}
	x.runs = map[Kind][]*genEntry{}
	x.svcs = map[serviceKey]*svcEntry{}
	x.byKind = map[Kind]*svcSet{}
	x.byLabel = map[labelKey]*svcSet{}
	x.hosts = map[claimKey][]claimant{}
	x.conflicts = map[meshHost]Conflict{}
}

// PutGenerator adds g, or replaces the generator of the same name.
func (x *Index) PutGenerator(g Generator) Changes {
	r, skip := compile(&g)
	e := &genEntry{run: r, rank: rankGenerator(&g), invalid: skip}
	old := x.gens[g.Name]
	ed := x.edit(x.candidates(e).len() + x.candidates(old).len())
	before := x.invalidErrors()
	if old != nil {
		ed.removeGenerator(old)
	}
	x.gens[g.Name] = e
	if skip != nil {
		i, _ := slices.BinarySearchFunc(x.invalid, e, func(a, b *genEntry) int { return a.rank.compare(&b.rank) })
		x.invalid = slices.Insert(x.invalid, i, e)
	} else {
		x.runs[e.kind] = append(x.runs[e.kind], e)
		for s := range x.candidates(e).all() {
			if o := e.outcome(&s.svc); o.selected {
				ed.claim(s, e, o)
			}
		}
	}
	ed.changes.Invalid = !slices.Equal(before, x.invalidErrors())
	return ed.finish()
}

// DeleteGenerator removes the generator of the given name, if there is one.
func (x *Index) DeleteGenerator(name string) Changes {
	old := x.gens[name]
	if old == nil {
		return Changes{}
	}
	ed := x.edit(x.candidates(old).len())
	ed.changes.Invalid = old.invalid != nil
	ed.removeGenerator(old)
	delete(x.gens, name)
	return ed.finish()
}

// PutService adds s, or replaces the service of the same kind, mesh and
// [Service.ID].
func (x *Index) PutService(s Service) Changes {
	ed := x.edit(1)
	key := serviceKey{s.Kind, s.Mesh, s.ID()}
	e := &svcEntry{svc: s, id: key.name}
	e.svc.Labels = maps.Clone(s.Labels)
	if old := x.svcs[key]; old != nil {
		e.status = old.status
		ed.removeService(old)
	} else {
		ed.added = e
	}
	x.svcs[key] = e
	x.index(e)
	for _, g := range x.runs[s.Kind] {
		if o := g.outcome(&e.svc); o.selected {
			ed.claim(e, g, o)
		}
	}
	ed.mark(e)
	return ed.finish()
}

// DeleteService removes the service of the given kind and mesh whose
// [Service.ID] is id, if there is one.
func (x *Index) DeleteService(kind Kind, mesh, id string) Changes {
	key := serviceKey{kind, mesh, id}
	old := x.svcs[key]
	if old == nil {
		return Changes{}
	}
	ed := x.edit(1)
	ed.removeService(old)
	delete(x.svcs, key)
	ed.changes.Removed = []ServiceRef{{kind, mesh, id}}
	return ed.finish()
}

// Result returns the result of [Generate] over the index's generators and
// services. It assembles and sorts every status, so its cost is O(n log n)
// in the number of services: it is the batch view, for a start or a check;
// follow updates with the Changes of each call.
func (x *Index) Result() Result {
	res := Result{Services: make([]ServiceStatus, 0, len(x.svcs))}
	for _, s := range x.svcs {
		res.Services = append(res.Services, ServiceStatus{Kind: s.svc.Kind, Mesh: s.svc.Mesh, Name: s.id, Status: s.status})
	}
	slices.SortFunc(res.Services, compareStatuses)
	for _, c := range x.conflicts {
		res.Conflicts = append(res.Conflicts, c)
	}
	slices.SortFunc(res.Conflicts, compareConflicts)
	for _, e := range x.invalidErrors() {
		res.Invalid = append(res.Invalid, &e)
	}
	return res
}

func compareStatuses(a, b ServiceStatus) int {
	return compareKeys(serviceKey{a.Kind, a.Mesh, a.Name}, serviceKey{b.Kind, b.Mesh, b.Name})
}

func (x *Index) invalidErrors() []SelectorError {
	if len(x.invalid) == 0 {
		return nil
	}
	errs := make([]SelectorError, len(x.invalid))
	for i, e := range x.invalid {
		errs[i] = *e.invalid
	}
	return errs
}

// index adds s to the label index.
func (x *Index) index(s *svcEntry) {
	addTo(x.byKind, s.svc.Kind, s)
	for k, v := range s.svc.Labels {
		addTo(x.byLabel, labelKey{s.svc.Kind, k, v}, s)
	}
}

func (x *Index) unindex(s *svcEntry) {
	removeFrom(x.byKind, s.svc.Kind, s)
	for k, v := range s.svc.Labels {
		removeFrom(x.byLabel, labelKey{s.svc.Kind, k, v}, s)
	}
}

func addTo[K comparable](m map[K]*svcSet, k K, s *svcEntry) {
	set := m[k]
	if set == nil {
		set = &svcSet{}
		m[k] = set
	}
	set.add(s)
}

func removeFrom[K comparable](m map[K]*svcSet, k K, s *svcEntry) {
	if set := m[k]; set != nil {
		if set.remove(s); set.len() == 0 {
			delete(m, k)
		}
	}
}

// svcSet is a set of services: a slice while it is small, as most label
// values (names, display names, pod names) are, and a map beyond, so that
// the label index costs tens of bytes a label, not a map each.
type svcSet struct {
	few  []*svcEntry
	many map[*svcEntry]struct{}
}

// fewServices is the most services a svcSet holds in a slice.
const fewServices = 8

func (set *svcSet) add(s *svcEntry) {
	switch {
	case set.many != nil:
		set.many[s] = struct{}{}
	case len(set.few) < fewServices:
		set.few = append(set.few, s)
	default:
		set.many = make(map[*svcEntry]struct{}, 2*fewServices)
		for _, f := range set.few {
			set.many[f] = struct{}{}
		}
		set.many[s] = struct{}{}
		set.few = nil
	}
}

func (set *svcSet) remove(s *svcEntry) {
	if set.many != nil {
		delete(set.many, s)
	} else if i := slices.Index(set.few, s); i >= 0 {
		set.few = slices.Delete(set.few, i, i+1)
	}
}

// len returns the size of set; a nil set is empty.
func (set *svcSet) len() int {
	switch {
	case set == nil:
		return 0
	case set.many != nil:
		return len(set.many)
	}
	return len(set.few)
}

// all yields the services of set, in no particular order; a nil set is
// empty.
func (set *svcSet) all() iter.Seq[*svcEntry] {
	return func(yield func(*svcEntry) bool) {
		switch {
		case set == nil:
		case set.many != nil:
			for s := range set.many {
				if !yield(s) {
					return
				}
			}
		default:
			for _, s := range set.few {
				if !yield(s) {
					return
				}
			}
		}
	}
}

// candidates returns a set of services that holds every service g selects:
// those of the rarest of its label pairs, or every service of its kind.
// A nil or invalid generator selects nothing.
func (x *Index) candidates(g *genEntry) *svcSet {
	if g == nil || g.invalid != nil {
		return nil
	}
	set := x.byKind[g.kind]
	for _, p := range g.match {
		if s := x.byLabel[labelKey{g.kind, p.key, p.value}]; s.len() < set.len() {
			set = s
		}
	}
	return set
}

// edit is one call's change of an index: the hostnames it touches, the
// entry whose claims it removes, and the services whose status may change.
type edit struct {
	x       *Index
	keys    map[claimKey]int // index in hosts
	hosts   []hostEdit
	goneSvc *svcEntry
	goneGen *genEntry
	marked  map[*svcEntry]struct{}
	added   *svcEntry
	changes Changes
}

// hostEdit is a hostname an edit touches, who held it before, and the
// claims the edit adds.
type hostEdit struct {
	key     claimKey
	before  holderID
	adds    []claimant
	changed bool // its holder changed
}

// edit starts a change of x that touches about n services.
func (x *Index) edit(n int) *edit {
	if x.gens == nil {
		x.init()
	}
	return &edit{x: x, keys: make(map[claimKey]int, n), hosts: make([]hostEdit, 0, n), marked: make(map[*svcEntry]struct{}, n)}
}

func (ed *edit) touch(k claimKey) *hostEdit {
	i, ok := ed.keys[k]
	if !ok {
		i = len(ed.hosts)
		ed.keys[k] = i
		ed.hosts = append(ed.hosts, hostEdit{key: k, before: holderOf(ed.x.hosts[k])})
	}
	return &ed.hosts[i]
}

func (ed *edit) mark(s *svcEntry) { ed.marked[s] = struct{}{} }

// claim records that g gives s the outcome o, and the claim of its hostname.
func (ed *edit) claim(s *svcEntry, g *genEntry, o outcome) {
	s.pairs = append(s.pairs, pair{g, o})
	ed.mark(s)
	if o.errMsg == "" {
		k := claimKey{g.kind, s.svc.Mesh, o.host}
		h := ed.touch(k)
		h.adds = append(h.adds, claimant{g, s})
	}
}

// removeService takes s out of the index's label index and its claims out
// of the hostnames it claims.
func (ed *edit) removeService(s *svcEntry) {
	ed.x.unindex(s)
	for _, p := range s.pairs {
		if p.errMsg == "" {
			ed.touch(claimKey{p.gen.kind, s.svc.Mesh, p.host})
		}
	}
	ed.goneSvc = s
}

// removeGenerator takes g out of the index, its outcomes out of the
// services it selects and its claims out of their hostnames.
func (ed *edit) removeGenerator(g *genEntry) {
	x := ed.x
	ed.goneGen = g
	if g.invalid != nil {
		x.invalid = slices.DeleteFunc(x.invalid, func(e *genEntry) bool { return e == g })
		return
	}
	x.runs[g.kind] = slices.DeleteFunc(x.runs[g.kind], func(e *genEntry) bool { return e == g })
	for s := range x.candidates(g).all() {
		i := slices.IndexFunc(s.pairs, func(p pair) bool { return p.gen == g })
		if i < 0 {
			continue
		}
		if p := &s.pairs[i]; p.errMsg == "" {
			ed.touch(claimKey{g.kind, s.svc.Mesh, p.host})
		}
		s.pairs = slices.Delete(s.pairs, i, i+1)
		ed.mark(s)
	}
}

// finish applies the claims removed and added to the hostnames touched,
// re-decides the statuses of the services marked and of every claimant of a
// hostname whose holder changed, and the conflicts over those hostnames, and
// returns what changed.
func (ed *edit) finish() Changes {
	x := ed.x
	for i := range ed.hosts {
		h := &ed.hosts[i]
		cs := x.hosts[h.key]
		if ed.goneSvc != nil || ed.goneGen != nil {
			cs = slices.DeleteFunc(cs, func(c claimant) bool { return c.svc == ed.goneSvc || c.gen == ed.goneGen })
		}
		cs = mergeClaimants(cs, h.adds)
		if len(cs) == 0 {
			delete(x.hosts, h.key)
		} else {
			x.hosts[h.key] = cs
		}
		if h.changed = holderOf(cs) != h.before; h.changed {
			for _, c := range cs {
				ed.mark(c.svc)
			}
		}
	}

	// A conflict depends on the holders only. Once every hostname is
	// settled: a hostname touched in two kinds is looked at twice, and the
	// second look finds nothing new.
	for i := range ed.hosts {
		if !ed.hosts[i].changed {
			continue
		}
		mh := meshHost{ed.hosts[i].key.mesh, ed.hosts[i].key.host}
		c, ok := x.conflictAt(mh)
		old, had := x.conflicts[mh]
		if ok != had || ok && !slices.Equal(c.Claims, old.Claims) {
			ed.changes.Conflicts = true
		}
		if ok {
			x.conflicts[mh] = c
		} else {
			delete(x.conflicts, mh)
		}
	}

	for s := range ed.marked {
		st := x.status(s)
		if s == ed.added || !equalStatus(st, s.status) {
			s.status = st
			ed.changes.Services = append(ed.changes.Services, ServiceStatus{Kind: s.svc.Kind, Mesh: s.svc.Mesh, Name: s.id, Status: st})
		}
	}
	slices.SortFunc(ed.changes.Services, compareStatuses)
	return ed.changes
}

// mergeClaimants adds the claims adds to cs, keeping claim order.
func mergeClaimants(cs, adds []claimant) []claimant {
	if len(adds) == 1 {
		i, _ := slices.BinarySearchFunc(cs, adds[0], compareClaimants)
		return slices.Insert(cs, i, adds[0])
	}
	if len(adds) == 0 {
		return cs
	}
	slices.SortFunc(adds, compareClaimants)
	n := len(cs)
	cs = slices.Grow(cs, len(adds))[:n+len(adds)]
	for i, j, k := n-1, len(adds)-1, len(cs)-1; j >= 0; k-- {
		if i >= 0 && compareClaimants(cs[i], adds[j]) > 0 {
			cs[k], i = cs[i], i-1
		} else {
			cs[k], j = adds[j], j-1
		}
	}
	return cs
}

// conflictAt returns the conflict over a hostname in a mesh, if services of
// more than one kind hold it.
func (x *Index) conflictAt(mh meshHost) (Conflict, bool) {
	return conflictOf(mh.mesh, mh.host, func(kind Kind) holderID {
		return holderOf(x.hosts[claimKey{kind, mh.mesh, mh.host}])
	})
}

// status derives the status of s from the outcomes of the generators that
// select it and the holders of the hostnames they give it.
func (x *Index) status(s *svcEntry) Status {
	if len(s.pairs) == 0 {
		return Status{}
	}
	var addrs []Address
	conds := make([]Condition, 0, len(s.pairs))
	for i := range s.pairs {
		p := &s.pairs[i]
		first, by := false, heldBy{}
		if p.errMsg == "" {
			h := x.hosts[claimKey{p.gen.kind, s.svc.Mesh, p.host}][0]
			first = h.gen == p.gen && h.svc == s
			by = heldBy{self: h.svc == s, service: h.svc.id, generator: h.gen.name}
			if first {
				addrs = append(addrs, Address{Hostname: p.host, Generator: p.gen.name})
			}
		}
		conds = append(conds, pairCondition(p.gen.name, p.gen.kind, &p.outcome, first, by))
	}
	sortStatus(addrs, conds)
	return Status{Addresses: addrs, Conditions: conds}
}

func equalStatus(a, b Status) bool {
	return slices.Equal(a.Addresses, b.Addresses) && slices.Equal(a.Conditions, b.Conditions)
}
