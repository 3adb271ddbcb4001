package hostname

import (
	"cmp"
	"fmt"
	"slices"
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
	Hostname  string
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
	Addresses  []Address
	Conditions []Condition
}

// ServiceStatus is the Status of the service identified by Kind, Mesh and
// Name (the service's [Service.ID]).
type ServiceStatus struct {
	Kind   Kind
	Mesh   string
	Name   string
	Status Status
}

// Claim is one service's claim on a hostname.
type Claim struct {
	Kind      Kind
	Service   string
	Generator string
}

// Conflict is a hostname that services of different kinds hold in one mesh.
// Collisions are resolved within a kind only, so each keeps it; DNS answers
// for one of them.
type Conflict struct {
	Mesh     string
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
// hostnames: by creation time, then by ID, then by mesh.
func serviceOrder(svcs []Service) []int {
	order := make([]int, len(svcs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &svcs[i], &svcs[j]
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ID(), b.ID()); c != 0 {
			return c
		}
		return cmp.Compare(a.Mesh, b.Mesh)
	})
	return order
}

type claimKey struct {
	kind       Kind
	mesh, host string
}

type claim struct{ svc, gen int }

type svcState struct {
	svc   *Service
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

	states := make([]svcState, 0, len(svcs))
	byKind := map[Kind][]int{}
	seen := make(map[serviceKey]struct{}, len(svcs))
	for _, i := range serviceOrder(svcs) {
		s := &svcs[i]
		k := serviceKey{s.Kind, s.Mesh, s.ID()}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		byKind[s.Kind] = append(byKind[s.Kind], len(states))
		states = append(states, svcState{svc: s})
	}

	claims := map[claimKey]claim{}
	conflicted := map[[2]string]struct{}{}
	for _, gi := range generationOrder(gens) {
		g := &gens[gi]
		kind, sel, ok := g.Selector.Target()
		if !ok {
			res.Invalid = append(res.Invalid, &SelectorError{Generator: g.Name, Defined: g.Selector.defined()})
			continue
		}
		members := byKind[kind]
		if len(members) == 0 {
			continue
		}
		tpl, perr := parseTemplate(g.Template)
		var perrMsg string
		if perr != nil {
			perrMsg = perr.Message()
		}
		for _, si := range members {
			st := &states[si]
			if !sel.Matches(st.svc.Labels) {
				continue
			}
			if perr != nil {
				st.conds = append(st.conds, Condition{Generator: g.Name, Type: ConditionGenerated, Reason: ReasonTemplateError, Message: perrMsg})
				continue
			}
			host, err := tpl.render(st.svc, false)
			if err != nil {
				st.conds = append(st.conds, Condition{Generator: g.Name, Type: ConditionGenerated, Reason: ReasonTemplateError, Message: err.(*TemplateError).Message()})
				continue
			}
			ck := claimKey{kind, st.svc.Mesh, host}
			if c, taken := claims[ck]; taken {
				winner := gens[c.gen].Name
				if c.svc == si {
					st.conds = append(st.conds, Condition{Generator: g.Name, Type: ConditionGenerated, Status: true, Reason: ReasonGenerated,
						Message: fmt.Sprintf("Hostname %q is already generated for this %s by %q", host, kind, winner)})
				} else {
					st.conds = append(st.conds, Condition{Generator: g.Name, Type: ConditionGenerated, Reason: ReasonCollision,
						Message: fmt.Sprintf("Hostname collision with %s: %s (hostname %q generated for it by %q)", kind, states[c.svc].svc.ID(), host, winner)})
				}
				continue
			}
			claims[ck] = claim{svc: si, gen: gi}
			st.addrs = append(st.addrs, Address{Hostname: host, Generator: g.Name})
			st.conds = append(st.conds, Condition{Generator: g.Name, Type: ConditionGenerated, Status: true, Reason: ReasonGenerated})
			for _, other := range kinds() {
				if other == kind {
					continue
				}
				if _, ok := claims[claimKey{other, ck.mesh, host}]; ok {
					conflicted[[2]string{ck.mesh, host}] = struct{}{}
				}
			}
		}
	}

	res.Services = make([]ServiceStatus, len(states))
	for i := range states {
		st := &states[i]
		slices.SortStableFunc(st.addrs, func(a, b Address) int {
			return cmp.Or(cmp.Compare(a.Generator, b.Generator), cmp.Compare(a.Hostname, b.Hostname))
		})
		slices.SortStableFunc(st.conds, func(a, b Condition) int { return cmp.Compare(a.Generator, b.Generator) })
		res.Services[i] = ServiceStatus{Kind: st.svc.Kind, Mesh: st.svc.Mesh, Name: st.svc.ID(), Status: Status{Addresses: st.addrs, Conditions: st.conds}}
	}
	slices.SortFunc(res.Services, func(a, b ServiceStatus) int {
		return compareKeys(serviceKey{a.Kind, a.Mesh, a.Name}, serviceKey{b.Kind, b.Mesh, b.Name})
	})

	for mh := range conflicted {
		c := Conflict{Mesh: mh[0], Hostname: mh[1]}
		for _, k := range kinds() { // already sorted by kind
			if cl, ok := claims[claimKey{k, mh[0], mh[1]}]; ok {
				c.Claims = append(c.Claims, Claim{Kind: k, Service: states[cl.svc].svc.ID(), Generator: gens[cl.gen].Name})
			}
		}
		res.Conflicts = append(res.Conflicts, c)
	}
	slices.SortFunc(res.Conflicts, func(a, b Conflict) int {
		return cmp.Or(cmp.Compare(a.Mesh, b.Mesh), cmp.Compare(a.Hostname, b.Hostname))
	})
	return res
}
