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

// generationOrder returns the indexes of gens in the order they claim
// hostnames: generators labelled kuma.io/origin "zone" first, then by
// creation time, then by name (input order for equal names).
func generationOrder(gens []Generator) []int {
	order := make([]int, len(gens))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &gens[i], &gens[j]
		if za, zb := a.zoneOrigin(), b.zoneOrigin(); za != zb {
			if za {
				return -1
			}
			return 1
		}
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return order
}

// serviceOrder returns the indexes of svcs in the order they claim
// hostnames: by creation time, then by ID, then by mesh and kind (input order
// for services equal in all four).
func serviceOrder(svcs []Service) []int32 {
	type entry struct {
		created time.Time
		id      string
		i       int32
	}
	es := make([]entry, len(svcs))
	for i := range svcs {
		es[i] = entry{svcs[i].Created, svcs[i].ID(), int32(i)}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		if c := cmp.Compare(a.id, b.id); c != 0 {
			return c
		}
		sa, sb := &svcs[a.i], &svcs[b.i]
		return cmp.Or(cmp.Compare(sa.Mesh, sb.Mesh), cmp.Compare(sa.Kind, sb.Kind), cmp.Compare(a.i, b.i))
	})
	order := make([]int32, len(es))
	for i, e := range es {
		order[i] = e.i
	}
	return order
}

type claimKey struct {
	kind       Kind
	mesh, host string
}

type claim struct{ svc, run int32 }

type svcState struct {
	svc   *Service
	row   int32 // its row in the outcome table of its kind
	id    string
	mesh  string
	addrs []Address
	conds []Condition
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
	var res Result

	// States in service order (the order of claims, so that the loops over
	// pairs walk them sequentially), keeping the first in service order of
	// services that repeat an identity; keys in output order (kind, mesh,
	// ID). byKind lists state indexes, increasing.
	order := serviceOrder(svcs)
	rank := make([]int32, len(svcs))
	for r, i := range order {
		rank[i] = int32(r)
	}
	// The sort compares a number standing for (kind, mesh), of which there
	// are few, instead of two strings.
	type keyed struct {
		group int32 // the rank of (kind, mesh)
		rank  int32
		key   serviceKey
	}
	groups := map[[2]string]int32{}
	for i := range svcs {
		groups[[2]string{string(svcs[i].Kind), svcs[i].Mesh}] = 0
	}
	sortedGroups := slices.SortedFunc(maps.Keys(groups), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	for g, km := range sortedGroups {
		groups[km] = int32(g)
	}
	keys := make([]keyed, len(svcs))
	for i := range svcs {
		s := &svcs[i]
		keys[i] = keyed{group: groups[[2]string{string(s.Kind), s.Mesh}], rank: rank[i], key: serviceKey{s.Kind, s.Mesh, s.ID()}}
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.key.name, b.key.name), cmp.Compare(a.rank, b.rank))
	})
	dup := make([]bool, len(svcs)) // by rank
	out := keys[:0]
	for j, k := range keys {
		if j > 0 && keys[j-1].key == k.key {
			dup[k.rank] = true
			continue
		}
		out = append(out, k)
	}
	keys = out
	stateOf := make([]int32, len(svcs)) // by rank
	states := make([]svcState, 0, len(keys))
	byKind := map[Kind][]int32{}
	for r, i := range order {
		if dup[r] {
			continue
		}
		s := &svcs[i]
		stateOf[r] = int32(len(states))
		row := int32(len(byKind[s.Kind]))
		byKind[s.Kind] = append(byKind[s.Kind], int32(len(states)))
		states = append(states, svcState{svc: s, id: s.ID(), mesh: s.Mesh, row: row})
	}

	// Compile each generator once, in generation order.
	var runs []genRun
	for _, gi := range generationOrder(gens) {
		g := &gens[gi]
		kind, sel, ok := g.Selector.Target()
		if !ok {
			res.Invalid = append(res.Invalid, &SelectorError{Generator: g.Name, Defined: g.Selector.defined()})
			continue
		}
		if len(byKind[kind]) == 0 {
			continue
		}
		r := genRun{gen: g, kind: kind, match: sortedPairs(sel)}
		var perr *TemplateError
		if r.tpl, perr = parseTemplate(g.Template); perr != nil {
			r.parseErr = perr.Message()
		}
		runs = append(runs, r)
	}

	// Render every selected pair. Services are visited in input order, which
	// is usually their order in memory, one at a time so that their labels
	// stay in cache across generators; the outcomes go to a table per kind,
	// a row per service in service order and a column per generator, which
	// the claims then read in service order.
	inputOrder := map[Kind][]int32{}
	for i := range svcs {
		if r := rank[i]; !dup[r] {
			inputOrder[svcs[i].Kind] = append(inputOrder[svcs[i].Kind], stateOf[r])
		}
	}
	total := 0
	for _, kind := range kinds() {
		var mine []int
		for ri := range runs {
			if runs[ri].kind == kind {
				mine = append(mine, ri)
			}
		}
		if len(mine) == 0 {
			continue
		}
		table := make([]pair, len(byKind[kind])*len(mine))
		for col, ri := range mine {
			runs[ri].table, runs[ri].stride, runs[ri].col = table, len(mine), col
		}
		for _, si := range inputOrder[kind] {
			st := &states[si]
			row := table[int(st.row)*len(mine):][:len(mine)]
			for col, ri := range mine {
				r := &runs[ri]
				if !matches(r.match, st.svc.Labels) {
					continue
				}
				p := &row[col]
				p.svc, p.set = si, true
				total++
				if r.tpl == nil {
					p.err = r.parseErr
				} else if host, err := r.tpl.render(st.svc, serviceLabel); err != nil {
					p.err = err.Message()
				} else {
					p.host = host
				}
			}
		}
	}

	// Claim hostnames in generation order, then service order.
	claims := make(map[claimKey]claim, total)
	conflicted := map[[2]string]struct{}{}
	for ri := range runs {
		r := &runs[ri]
		name := r.gen.Name
		for i := r.col; i < len(r.table); i += r.stride {
			p := &r.table[i]
			if !p.set {
				continue
			}
			st := &states[p.svc]
			if p.err != "" {
				st.conds = append(st.conds, Condition{Generator: name, Type: ConditionGenerated, Reason: ReasonTemplateError, Message: p.err})
				continue
			}
			ck := claimKey{r.kind, st.mesh, p.host}
			if c, taken := claims[ck]; taken {
				winner := runs[c.run].gen.Name
				if c.svc == p.svc {
					st.conds = append(st.conds, Condition{Generator: name, Type: ConditionGenerated, Status: true, Reason: ReasonGenerated,
						Message: fmt.Sprintf("Hostname %q is already generated for this %s by %q", p.host, r.kind, winner)})
				} else {
					st.conds = append(st.conds, Condition{Generator: name, Type: ConditionGenerated, Reason: ReasonCollision,
						Message: fmt.Sprintf("Hostname collision with %s: %s (hostname %q generated for it by %q)", r.kind, states[c.svc].id, p.host, winner)})
				}
				continue
			}
			claims[ck] = claim{svc: p.svc, run: int32(ri)}
			st.addrs = append(st.addrs, Address{Hostname: p.host, Generator: name})
			st.conds = append(st.conds, Condition{Generator: name, Type: ConditionGenerated, Status: true, Reason: ReasonGenerated})
			for _, other := range kinds() {
				if other == r.kind {
					continue
				}
				if _, ok := claims[claimKey{other, ck.mesh, p.host}]; ok {
					conflicted[[2]string{ck.mesh, p.host}] = struct{}{}
				}
			}
		}
	}

	res.Services = make([]ServiceStatus, len(keys))
	for i, k := range keys {
		st := &states[stateOf[k.rank]]
		if len(st.addrs) > 1 {
			slices.SortStableFunc(st.addrs, func(a, b Address) int {
				return cmp.Or(cmp.Compare(a.Generator, b.Generator), cmp.Compare(a.Hostname, b.Hostname))
			})
		}
		if len(st.conds) > 1 {
			slices.SortStableFunc(st.conds, func(a, b Condition) int { return cmp.Compare(a.Generator, b.Generator) })
		}
		res.Services[i] = ServiceStatus{Kind: k.key.kind, Mesh: k.key.mesh, Name: k.key.name, Status: Status{Addresses: st.addrs, Conditions: st.conds}}
	}

	for mh := range conflicted {
		c := Conflict{Mesh: mh[0], Hostname: mh[1]}
		for _, k := range kinds() {
			if cl, ok := claims[claimKey{k, mh[0], mh[1]}]; ok {
				c.Claims = append(c.Claims, Claim{Kind: k, Service: states[cl.svc].id, Generator: runs[cl.run].gen.Name})
			}
		}
		res.Conflicts = append(res.Conflicts, c)
	}
	slices.SortFunc(res.Conflicts, func(a, b Conflict) int {
		return cmp.Or(cmp.Compare(a.Mesh, b.Mesh), cmp.Compare(a.Hostname, b.Hostname))
	})
	return res
}

// genRun is one valid generator during Generate: its compiled template (or
// parse error message), its selector as sorted pairs, and where its
// outcomes are: column col of table, whose rows are stride pairs long.
type genRun struct {
	gen      *Generator
	kind     Kind
	match    []labelPair
	tpl      *Template
	parseErr string
	table    []pair
	stride   int
	col      int
}

// pair is the outcome of one (generator, service) pair: a hostname, or the
// condition message of its template error. set is false when the generator
// does not select the service.
type pair struct {
	svc  int32
	set  bool
	host string
	err  string
}

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
		if v, ok := labels[p.key]; !ok || v != p.value {
			return false
		}
	}
	return true
}
