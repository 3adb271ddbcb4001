package hostname

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"
)

// The condition type and reasons of a service's status, as the control plane
// writes them.
const (
	// ConditionGenerated is the type of every condition.
	ConditionGenerated = "Generated"
	// ReasonGenerated: the generator's hostname is the service's.
	ReasonGenerated = "Generated"
	// ReasonTemplateError: the template failed for this service.
	ReasonTemplateError = "TemplateError"
	// ReasonCollision: another service of the same kind and mesh claimed
	// the hostname first.
	ReasonCollision = "Collision"
)

// Address is a hostname of a service and the generator that produced it.
type Address struct {
	// Hostname is the generated DNS name.
	Hostname string
	// Generator is the name of the generator that claimed it.
	Generator string
}

// Condition is the outcome of one generator for one service.
type Condition struct {
	// Generator is the generator's name.
	Generator string
	// Type is always [ConditionGenerated].
	Type string
	// Status is true when the service has the generator's hostname.
	Status bool
	// Reason is [ReasonGenerated], [ReasonTemplateError] or
	// [ReasonCollision].
	Reason string
	// Message says what went wrong; it is empty for a hostname generated
	// without remark.
	Message string
}

// Status is what generation gives one service: its hostnames and a
// condition per generator that selected it, each sorted by generator name.
type Status struct {
	// Addresses are the service's hostnames, one per hostname.
	Addresses []Address
	// Conditions has one entry per generator that selected the service.
	Conditions []Condition
}

// ServiceStatus is the Status of the service identified by Kind, Mesh and
// Name (the service's [Service.ID]).
type ServiceStatus struct {
	// Kind, Mesh and Name identify the service; Name is its [Service.ID].
	Kind Kind
	Mesh string
	Name string
	// Status is what generation gave it.
	Status Status
}

// Claim is one service's claim on a hostname.
type Claim struct {
	// Kind is the service's kind.
	Kind Kind
	// Service is the service's [Service.ID].
	Service string
	// Generator is the name of the generator that gave it the hostname.
	Generator string
}

// Conflict is a hostname that services of different kinds hold in one mesh.
// Collisions are resolved within a kind only, so each keeps it; DNS answers
// for one of them.
type Conflict struct {
	// Mesh is the mesh of the services.
	Mesh string
	// Hostname is the contested name.
	Hostname string
	// Claims has one entry per kind, sorted by kind.
	Claims []Claim
}

// Result is the outcome of [Generate].
type Result struct {
	// Services has one entry per distinct service given, sorted by kind,
	// mesh and name.
	Services []ServiceStatus
	// Conflicts lists the cross-kind conflicts, sorted by mesh and hostname.
	Conflicts []Conflict
	// Invalid lists the generators skipped because their selector does not
	// name exactly one kind, in generation order.
	Invalid []*SelectorError
}

// For returns the status of the service of the given kind and mesh whose
// [Service.ID] is name, or a zero Status when r has no such service.
func (r Result) For(kind Kind, mesh, name string) Status {
	i, ok := slices.BinarySearchFunc(r.Services, serviceKey{kind, mesh, name}, func(s ServiceStatus, k serviceKey) int {
		return compareKeys(serviceKey{s.Kind, s.Mesh, s.Name}, k)
	})
	if !ok {
		return Status{}
	}
	return r.Services[i].Status
}

type serviceKey struct {
	kind       Kind
	mesh, name string
}

func compareKeys(a, b serviceKey) int {
	if c := cmp.Compare(a.kind, b.kind); c != 0 {
		return c
	}
	if c := cmp.Compare(a.mesh, b.mesh); c != 0 {
		return c
	}
	return cmp.Compare(a.name, b.name)
}

// generatorRank is what orders generators' claims: generators labelled
// kuma.io/origin "zone" first, then by creation time, then by name.
type generatorRank struct {
	zone    bool
	created time.Time
	name    string
}

func rankGenerator(g *Generator) generatorRank {
	return generatorRank{zone: g.zoneOrigin(), created: g.Created, name: g.Name}
}

func (a *generatorRank) compare(b *generatorRank) int {
	if a.zone != b.zone {
		if a.zone {
			return -1
		}
		return 1
	}
	if c := a.created.Compare(b.created); c != 0 {
		return c
	}
	return cmp.Compare(a.name, b.name)
}

// generationOrder returns the indexes of gens in the order they claim
// hostnames, by rank (input order for equal names).
func generationOrder(gens []Generator) []int {
	ranks := make([]generatorRank, len(gens))
	order := make([]int, len(gens))
	for i := range gens {
		ranks[i], order[i] = rankGenerator(&gens[i]), i
	}
	slices.SortStableFunc(order, func(i, j int) int { return ranks[i].compare(&ranks[j]) })
	return order
}

// serviceRank is what orders services' claims: creation time, then
// [Service.ID], then mesh and kind. Services are identified by kind, mesh
// and ID, so two distinct services never rank equal.
type serviceRank struct {
	created time.Time
	id      string
	svc     *Service // for the mesh and kind, read only on ties
}

func (a *serviceRank) compare(b *serviceRank) int {
	if c := a.created.Compare(b.created); c != 0 {
		return c
	}
	if c := cmp.Compare(a.id, b.id); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.svc.Mesh, b.svc.Mesh), cmp.Compare(a.svc.Kind, b.svc.Kind))
}

// serviceOrder returns the indexes of svcs in the order they claim
// hostnames, by rank (input order for services equal in all four).
func serviceOrder(svcs []Service) []int32 {
	type entry struct {
		serviceRank
		i int32
	}
	es := make([]entry, len(svcs))
	for i := range svcs {
		es[i] = entry{serviceRank{svcs[i].Created, svcs[i].ID(), &svcs[i]}, int32(i)}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := a.compare(&b.serviceRank); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	order := make([]int32, len(es))
	for i, e := range es {
		order[i] = e.i
	}
	return order
}

// kinds returns the selectable kinds in sorted order.
func kinds() [3]Kind { return [...]Kind{MeshExternalService, MeshMultiZoneService, MeshService} }

// Generate computes the hostnames of svcs under gens, as the control plane's
// generator does, and deterministically:
//
//   - generators run in the order zone-origin first (label kuma.io/origin
//     "zone"), then creation time, then name; services in the order creation
//     time, then [Service.ID];
//   - a generator applies to the services of its selector's kind whose labels
//     match; each template is compiled once per call;
//   - a template error (parse, execution, invalid hostname) is a
//     [ReasonTemplateError] condition for that pair only;
//   - within a kind and mesh, the first claim of a hostname wins; a later
//     service gets a [ReasonCollision] condition whose message names the
//     winner and the generator that gave it the hostname (the reference named
//     the losing service itself);
//   - a service that gets the same hostname from two generators has one
//     address (from the first) and a second Generated condition saying so;
//   - a hostname held by services of different kinds in one mesh is a
//     [Conflict]; both keep it (collisions are per kind).
//
// Generators whose selector does not name exactly one kind are skipped and
// listed in Result.Invalid. Services are identified by kind, mesh and
// [Service.ID]; when svcs repeats one, only its first occurrence in service
// order is used. The cost is linear in len(gens) × len(svcs), plus sorting.
func Generate(gens []Generator, svcs []Service) Result {
	d := dedupe(svcs)
	runs, invalid := compileGenerators(gens)
	c := claim(runs, d)
	return collect(d, c, invalid)
}

// distinct is the services of one Generate call, each once, and what they
// get.
type distinct struct {
	states []svcState // in service order, the order of claims
	sorted []int      // state indexes by kind, mesh and ID, the order of the result
	// State indexes by kind, in service order and in input order (usually
	// the order of the services in memory).
	inServiceOrder, inInputOrder map[Kind][]int
}

type svcState struct {
	svc *Service
	// id and mesh are copied from svc: claims read them for every service,
	// in service order, and the services are in memory in input order.
	id, mesh string
	addrs    []Address
	conds    []Condition
}

// dedupe returns the distinct services of svcs, keeping the first in service
// order of those that share a kind, mesh and ID.
func dedupe(svcs []Service) distinct {
	order := serviceOrder(svcs)
	rank := make([]int, len(svcs)) // by input index
	for r, i := range order {
		rank[i] = r
	}
	sorted, repeat := sortByKey(svcs, rank)

	d := distinct{
		states:         make([]svcState, 0, len(sorted)),
		sorted:         make([]int, len(sorted)),
		inServiceOrder: map[Kind][]int{},
		inInputOrder:   map[Kind][]int{},
	}
	perKind := map[Kind]int{}
	for _, r := range sorted {
		perKind[svcs[order[r]].Kind]++
	}
	for kind, n := range perKind {
		d.inServiceOrder[kind], d.inInputOrder[kind] = make([]int, 0, n), make([]int, 0, n)
	}
	stateOf := make([]int, len(svcs)) // by rank
	for r, i := range order {
		if !repeat[r] {
			stateOf[r] = len(d.states)
			d.inServiceOrder[svcs[i].Kind] = append(d.inServiceOrder[svcs[i].Kind], len(d.states))
			d.states = append(d.states, svcState{svc: &svcs[i], id: svcs[i].ID(), mesh: svcs[i].Mesh})
		}
	}
	for j, r := range sorted {
		d.sorted[j] = stateOf[r]
	}
	for i, r := range rank {
		if !repeat[r] {
			d.inInputOrder[svcs[i].Kind] = append(d.inInputOrder[svcs[i].Kind], stateOf[r])
		}
	}
	return d
}

// sortByKey returns the ranks (in service order) of the services sorted by
// kind, mesh and ID, keeping the first of those that share all three, and
// which ranks repeat an earlier one.
func sortByKey(svcs []Service, rank []int) (sorted []int, repeat []bool) {
	// By kind and mesh first, of which there are few, then by ID and rank.
	type keyed struct {
		id   string
		rank int
	}
	groups := map[[2]string][]keyed{}
	for i := range svcs {
		g := [2]string{string(svcs[i].Kind), svcs[i].Mesh}
		groups[g] = append(groups[g], keyed{svcs[i].ID(), rank[i]})
	}
	sorted, repeat = make([]int, 0, len(svcs)), make([]bool, len(svcs))
	for _, g := range slices.SortedFunc(maps.Keys(groups), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	}) {
		ks := groups[g]
		slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.rank, b.rank)) })
		for j, k := range ks {
			if j > 0 && ks[j-1].id == k.id {
				repeat[k.rank] = true
				continue
			}
			sorted = append(sorted, k.rank)
		}
	}
	return sorted, repeat
}

// run is a generator with a valid selector, ready to claim: its selector as
// sorted pairs and its template compiled, or the condition message of its
// parse error.
type run struct {
	name     string
	kind     Kind
	match    []labelPair
	tpl      *Template
	parseErr string
}

// compileGenerators returns the runs of gens in generation order, and the
// generators whose selector does not name exactly one kind.
func compileGenerators(gens []Generator) ([]run, []*SelectorError) {
	var runs []run
	var invalid []*SelectorError
	for _, gi := range generationOrder(gens) {
		r, skip := compile(&gens[gi])
		if skip != nil {
			invalid = append(invalid, skip)
			continue
		}
		runs = append(runs, r)
	}
	return runs, invalid
}

// compile makes g ready to claim, or says why it is skipped: its selector
// does not name exactly one kind.
func compile(g *Generator) (run, *SelectorError) {
	kind, sel, ok := g.Selector.Target()
	if !ok {
		return run{}, g.selectorError()
	}
	r := run{name: g.Name, kind: kind, match: sortedPairs(sel)}
	var err *TemplateError
	if r.tpl, err = parseTemplate(g.Template); err != nil {
		r.parseErr = err.Message()
	}
	return r, nil
}

// outcome is what a run gives a service it selects: a hostname, or the
// condition message of a template error.
type outcome struct {
	selected bool
	host     string
	errMsg   string
}

func (r *run) outcome(svc *Service) outcome {
	switch {
	case !matches(r.match, svc.Labels):
		return outcome{}
	case r.tpl == nil:
		return outcome{selected: true, errMsg: r.parseErr}
	}
	host, err := r.tpl.render(svc, serviceLabel)
	if err != nil {
		return outcome{selected: true, errMsg: err.Message()}
	}
	return outcome{selected: true, host: host}
}

// claimKey is a hostname within a kind and mesh: what a service claims.
type claimKey struct {
	kind       Kind
	mesh, host string
}

// holder is the service (a state index) that claimed a hostname, and the
// generator that gave it.
type holder struct {
	state     int
	generator string
}

// claimed is who holds each hostname, and the hostnames that services of
// more than one kind hold in a mesh (the conflicts), each once.
type claimed struct {
	held       map[claimKey]holder
	conflicted []meshHost
}

// claim runs each generator, in generation order, over the services of its
// kind, and records on each service it selects, in service order, the
// hostname it claims or why it gets none. It returns who holds each
// hostname, and the conflicts, found as they arise rather than by going
// through every hostname afterwards.
func claim(runs []run, d distinct) *claimed {
	outcomes := make([]outcome, len(d.states))
	c := &claimed{held: make(map[claimKey]holder, len(d.states))} // about one hostname a service

	for ri := range runs {
		r := &runs[ri]
		// Selecting and rendering reads the services and their labels: in
		// input order, that is in the order they are in memory.
		for _, si := range d.inInputOrder[r.kind] {
			outcomes[si] = r.outcome(d.states[si].svc)
		}
		for _, si := range d.inServiceOrder[r.kind] {
			if o := &outcomes[si]; o.selected {
				c.take(r, d.states, si, o)
			}
		}
	}
	return c
}

// take records on service si the outcome o of run r: a template error, the
// hostname if no service of its kind holds it yet (a conflict when this
// makes two kinds that do), or the collision.
func (c *claimed) take(r *run, states []svcState, si int, o *outcome) {
	st := &states[si]
	first, by := false, heldBy{}
	if o.errMsg == "" {
		k := claimKey{r.kind, st.mesh, o.host}
		if h, taken := c.held[k]; taken {
			by = heldBy{self: h.state == si, service: states[h.state].id, generator: h.generator}
		} else {
			c.held[k] = holder{state: si, generator: r.name}
			st.addrs = append(st.addrs, Address{Hostname: o.host, Generator: r.name})
			first = true
			if c.otherKinds(k) == 1 { // this claim makes it a conflict
				c.conflicted = append(c.conflicted, meshHost{k.mesh, k.host})
			}
		}
	}
	st.conds = append(st.conds, pairCondition(r.name, r.kind, o, first, by))
}

// otherKinds returns how many kinds other than k's hold k's hostname in its
// mesh.
func (c *claimed) otherKinds(k claimKey) int {
	n := 0
	for _, kind := range kinds() {
		if kind == k.kind {
			continue
		}
		if _, ok := c.held[claimKey{kind, k.mesh, k.host}]; ok {
			n++
		}
	}
	return n
}

// heldBy is the claim that holds a hostname a later claim wants.
type heldBy struct {
	self      bool   // the same service holds it, by another generator
	service   string // the holder's ID
	generator string // the generator that gave it
}

// pairCondition is the condition generator gen gives a service of kind it
// selects, given the outcome: a template error; the hostname, when this
// claim was the first (then the service gets the address); or else what the
// holder of the hostname, by, makes of it.
func pairCondition(gen string, kind Kind, o *outcome, first bool, by heldBy) Condition {
	c := Condition{Generator: gen, Type: ConditionGenerated}
	switch {
	case o.errMsg != "":
		c.Reason, c.Message = ReasonTemplateError, o.errMsg
	case first:
		c.Status, c.Reason = true, ReasonGenerated
	case by.self:
		c.Status, c.Reason = true, ReasonGenerated
		c.Message = fmt.Sprintf("Hostname %q is already generated for this %s by %q", o.host, kind, by.generator)
	default:
		c.Reason = ReasonCollision
		c.Message = fmt.Sprintf("Hostname collision with %s: %s (hostname %q generated for it by %q)", kind, by.service, o.host, by.generator)
	}
	return c
}

// sortStatus sorts a service's addresses and conditions by generator name
// (addresses then by hostname), keeping generation order among equals.
func sortStatus(addrs []Address, conds []Condition) {
	if len(conds) < 2 {
		return
	}
	slices.SortStableFunc(addrs, func(a, b Address) int {
		return cmp.Or(cmp.Compare(a.Generator, b.Generator), cmp.Compare(a.Hostname, b.Hostname))
	})
	slices.SortStableFunc(conds, func(a, b Condition) int { return cmp.Compare(a.Generator, b.Generator) })
}

// collect assembles the result: the status of each service, in sorted
// order, with its addresses and conditions sorted by generator, and the
// cross-kind conflicts sorted by mesh and hostname.
func collect(d distinct, c *claimed, invalid []*SelectorError) Result {
	res := Result{Services: make([]ServiceStatus, len(d.sorted)), Invalid: invalid}
	for i, si := range d.sorted {
		st := &d.states[si]
		sortStatus(st.addrs, st.conds)
		res.Services[i] = ServiceStatus{Kind: st.svc.Kind, Mesh: st.svc.Mesh, Name: st.id, Status: Status{Addresses: st.addrs, Conditions: st.conds}}
	}

	for _, mh := range c.conflicted {
		conflict, _ := conflictOf(mh.mesh, mh.host, func(kind Kind) holderID {
			h, ok := c.held[claimKey{kind, mh.mesh, mh.host}]
			if !ok {
				return holderID{}
			}
			return holderID{true, d.states[h.state].id, h.generator}
		})
		res.Conflicts = append(res.Conflicts, conflict)
	}
	slices.SortFunc(res.Conflicts, compareConflicts)
	return res
}

// conflictOf returns the conflict over host in mesh, given who holds it in
// each kind; ok is false when fewer than two kinds hold it.
func conflictOf(mesh, host string, holderIn func(Kind) holderID) (c Conflict, ok bool) {
	var buf [3]Claim
	claims := buf[:0]
	for _, kind := range kinds() {
		if h := holderIn(kind); h.held {
			claims = append(claims, Claim{Kind: kind, Service: h.service, Generator: h.generator})
		}
	}
	if len(claims) < 2 {
		return Conflict{}, false
	}
	return Conflict{Mesh: mesh, Hostname: host, Claims: slices.Clone(claims)}, true
}

func compareConflicts(a, b Conflict) int {
	return cmp.Or(cmp.Compare(a.Mesh, b.Mesh), cmp.Compare(a.Hostname, b.Hostname))
}

// labelPair is a matchLabels entry. Generate matches every service of a kind
// against the selector of every generator of that kind, and a sorted slice
// is quicker to walk than the map.
type labelPair struct{ key, value string }

func sortedPairs(sel *LabelSelector) []labelPair {
	if sel == nil {
		return nil
	}
	ps := make([]labelPair, 0, len(sel.MatchLabels))
	for k, v := range sel.MatchLabels {
		ps = append(ps, labelPair{k, v})
	}
	slices.SortFunc(ps, func(a, b labelPair) int { return cmp.Compare(a.key, b.key) })
	return ps
}

func matches(ps []labelPair, labels map[string]string) bool {
	for _, p := range ps {
		if !hasLabel(labels, p.key, p.value) {
			return false
		}
	}
	return true
}
