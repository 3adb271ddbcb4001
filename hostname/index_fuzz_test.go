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
		if !ok || !gocmp.Equal(st, s.Status, cmpopts.EquateEmpty()) {
			ch.Services = append(ch.Services, s)
		}
		delete(prev, k)
	}
	for _, s := range before.Services {
		if _, gone := prev[serviceKey{s.Kind, s.Mesh, s.Name}]; gone {
			ch.Removed = append(ch.Removed, ServiceRef{s.Kind, s.Mesh, s.Name})
		}
	}
	ch.Conflicts = !gocmp.Equal(before.Conflicts, after.Conflicts, cmpopts.EquateEmpty())
	ch.Invalid = !gocmp.Equal(before.Invalid, after.Invalid, cmpopts.EquateEmpty())
	return ch
}

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
	for len(d) > 0 {
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
			if diff := gocmp.Diff(after, x.Result(), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("after %q: Result differs from Generate (-want +got):\n%s", ops, diff)
			}
			if diff := gocmp.Diff(diffResults(before, after), got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("after %q: Changes differ from the difference of the results (-want +got):\n%s", ops, diff)
			}
		})
	})
}
