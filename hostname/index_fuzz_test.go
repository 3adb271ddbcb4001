package hostname

import (
	"maps"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// indexModel is the state an Index should be in: the current generators and
// services, kept the obvious way, with Generate over them as the result.
type indexModel struct {
	gens map[string]Generator
	svcs map[serviceKey]Service
}

func (m *indexModel) result() Result {
	gens := slices.Collect(maps.Values(m.gens))
	svcs := slices.Collect(maps.Values(m.svcs))
	return Generate(gens, svcs)
}

// diffResults is the Changes that lead from before to after.
func diffResults(before, after Result) Changes {
	var ch Changes
	prev := map[serviceKey]Status{}
	for _, s := range before.Services {
		prev[serviceKey{s.Kind, s.Mesh, s.Name}] = s.Status
	}
	for _, s := range after.Services {
		k := serviceKey{s.Kind, s.Mesh, s.Name}
		st, ok := prev[k]
		if !ok || !sameStatus(st, s.Status) {
			ch.Services = append(ch.Services, s)
		}
		delete(prev, k)
	}
	for _, s := range before.Services {
		if _, gone := prev[serviceKey{s.Kind, s.Mesh, s.Name}]; gone {
			ch.Removed = append(ch.Removed, ServiceRef{s.Kind, s.Mesh, s.Name})
		}
	}
	ch.Conflicts = !slices.EqualFunc(before.Conflicts, after.Conflicts, sameConflict)
	ch.Invalid = !slices.EqualFunc(before.Invalid, after.Invalid, sameSelectorError)
	return ch
}

// The same* functions are cmp.Equal with cmpopts.EquateEmpty for these
// types, many times quicker, so that the fuzzer runs more inputs; a
// difference they find is shown with cmp.Diff.

func sameStatus(a, b Status) bool {
	return slices.Equal(a.Addresses, b.Addresses) && slices.Equal(a.Conditions, b.Conditions)
}

func sameConflict(a, b Conflict) bool {
	return a.Mesh == b.Mesh && a.Hostname == b.Hostname && slices.Equal(a.Claims, b.Claims)
}

func sameServiceStatus(a, b ServiceStatus) bool {
	return a.Kind == b.Kind && a.Mesh == b.Mesh && a.Name == b.Name && sameStatus(a.Status, b.Status)
}

func sameSelectorError(a, b *SelectorError) bool { return *a == *b }

func sameResult(a, b Result) bool {
	return slices.EqualFunc(a.Services, b.Services, sameServiceStatus) &&
		slices.EqualFunc(a.Conflicts, b.Conflicts, sameConflict) &&
		slices.EqualFunc(a.Invalid, b.Invalid, sameSelectorError)
}

func sameChanges(a, b Changes) bool {
	return slices.EqualFunc(a.Services, b.Services, sameServiceStatus) &&
		slices.Equal(a.Removed, b.Removed) && a.Conflicts == b.Conflicts && a.Invalid == b.Invalid
}

// maxIndexOps bounds the operations of one input: 48 services and 12
// generators are reached well within it, and shorter inputs run faster.
const maxIndexOps = 64

// indexOps applies the operations data encodes to x and to a model, and
// calls check after each with a description of the operation, what it
// returned, and the model's result before and after. An operation is a byte
// (modulo 8) and the bytes of its argument:
//
//	0, 1  PutGenerator of a generator named from a pool of twelve
//	2     DeleteGenerator of one of the current generators, or of "none"
//	3, 4  PutService of a service from a pool of 48 identities
//	5     PutService as 3, then the caller changes the labels it put
//	6     DeleteService of one of the current services, or of an absent one
//	7     PutService of a current service with another creation time
func indexOps(x *Index, data []byte, check func(op string, got Changes, before, after Result)) {
	d := fuzzBytes(data)
	m := indexModel{gens: map[string]Generator{}, svcs: map[serviceKey]Service{}}
	before := m.result()
	for n := 0; len(d) > 0 && n < maxIndexOps; n++ {
		var got Changes
		var op string
		kind := d.next() % 8
		switch kind {
		case 0, 1:
			g := fuzzedGenerator(&d, d.next()%4)
			m.gens[g.Name] = g
			op, got = "PutGenerator "+g.Name, x.PutGenerator(g)
		case 2:
			names := slices.Sorted(maps.Keys(m.gens))
			name := "none"
			if i := d.next(); i < len(names) {
				name = names[i]
			}
			delete(m.gens, name)
			op, got = "DeleteGenerator "+name, x.DeleteGenerator(name)
		case 3, 4, 5:
			s := fuzzedService(&d)
			put := s
			put.Labels = maps.Clone(s.Labels)
			m.svcs[serviceKey{s.Kind, s.Mesh, s.ID()}] = s
			op, got = "PutService "+string(s.Kind)+" "+s.Mesh+" "+s.ID(), x.PutService(put)
			if put.Labels != nil && kind == 5 {
				put.Labels["team"] = "changed"
			}
		case 6:
			keys := slices.SortedFunc(maps.Keys(m.svcs), compareKeys)
			k := serviceKey{MeshService, "m9", "absent"}
			if i := d.next(); i < len(keys) {
				k = keys[i]
			}
			delete(m.svcs, k)
			op, got = "DeleteService "+string(k.kind)+" "+k.mesh+" "+k.name, x.DeleteService(k.kind, k.mesh, k.name)
		case 7:
			keys := slices.SortedFunc(maps.Keys(m.svcs), compareKeys)
			if len(keys) == 0 {
				continue
			}
			s := m.svcs[keys[d.next()%len(keys)]]
			s.Created = s.Created.Add(time.Duration(d.next()%5-2) * time.Minute)
			m.svcs[serviceKey{s.Kind, s.Mesh, s.ID()}] = s
			op, got = "PutService (older or newer) "+string(s.Kind)+" "+s.Mesh+" "+s.ID(), x.PutService(s)
		}
		after := m.result()
		check(op, got, before, after)
		before = after
	}
}

// FuzzIndexIncremental applies a sequence of changes to an Index and checks
// after each that Result equals Generate over the current generators and
// services, and that the Changes returned are the difference between the
// results before and after.
func FuzzIndexIncremental(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		x := NewIndex()
		var ops []string
		indexOps(x, data, func(op string, got Changes, before, after Result) {
			ops = append(ops, op)
			if res := x.Result(); !sameResult(after, res) {
				t.Fatalf("after %q: Result differs from Generate (-want +got):\n%s", ops, gocmp.Diff(after, res, cmpopts.EquateEmpty()))
			}
			if want := diffResults(before, after); !sameChanges(want, got) {
				t.Fatalf("after %q: Changes differ from the difference of the results (-want +got):\n%s", ops, gocmp.Diff(want, got, cmpopts.EquateEmpty()))
			}
		})
	})
}
