package topology_test

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshcore/meshcore/topology"
)

// egressShapes are the identities a fuzzed service may take: chosen so that
// services of different names share destination names (display name
// "shared"), egress SNIs only (same display name, another namespace or the
// local zone spelled out), destination names only (underscores that shift
// between the display name and the namespace), and so that some are of
// another mesh, of another zone or invalid.
var egressShapes = []struct {
	mesh   string
	labels []string
}{
	{"default", nil},
	{"", nil},
	{"default", []string{topology.LabelDisplayName, "shared"}},
	{"default", []string{topology.LabelDisplayName, "shared", topology.LabelNamespace, "ns1"}},
	{"", []string{topology.LabelDisplayName, "shared", topology.LabelZone, "zone-1"}},
	{"default", []string{topology.LabelDisplayName, "shared", topology.LabelZone, "zone-2"}},
	{"default", []string{topology.LabelDisplayName, "p_q", topology.LabelNamespace, "r"}},
	{"default", []string{topology.LabelDisplayName, "p", topology.LabelNamespace, "q_r"}},
	{"other", nil},
	{"default", []string{topology.LabelDisplayName, "bad name"}},
	{"", []string{topology.LabelDisplayName, "shared", topology.LabelNamespace, "ns1", topology.LabelZone, "zone-2"}},
}

// egressSpecs are the specs a fuzzed service may take: valid ones with and
// without TLS material from the mutable secrets, from the host, invalid ones,
// and ones that build nothing.
var egressSpecs = []mesOpt{
	func(*topology.MeshExternalService) {},
	func(m *topology.MeshExternalService) {
		endpoints("10.0.0.2", 443, "10.0.0.1", 443, "10.0.0.2", 443, "db.example.com", 5432)(m)
		priorities(0, 1, 0, 2)(m)
	},
	endpoints(),
	port(0),
	mtls("ca", "cert", "key"),
	withTLS(topology.Verification{Mode: topology.ModeSkipCA, CaCert: secret("ca"), ClientCert: secret("cert2"), ClientKey: secret("key2")}),
	withTLS(topology.Verification{Mode: topology.ModeSkipSAN, CaCert: secret("ca2"), ServerName: "api.example.com"}),
	withTLS(topology.Verification{CaCert: &topology.DataSource{Type: topology.DataSourceFile, File: &topology.File{Path: "/etc/certs/ca.pem"}}}),
	withTLS(topology.Verification{Mode: topology.ModeSkipAll, CaCert: secret("nope"), ClientCert: secret("nope"), ClientKey: secret("nope")}),
	port(80),
	endpoints("bad address", 443),
	withTLS(topology.Verification{CaCert: secret("ca"), SubjectAltNames: []topology.SAN{{Value: "a.example.com"}, {Type: topology.SANPrefix, Value: "10.0."}}}),
	mtls("", "key", "cert"),
	mtls("ca2", "cert", "key2"),
}

var (
	egressNames   = []string{"a", "b", "c", "d", ""}
	egressSecrets = []string{"ca", "ca2", "cert", "key", "cert2", "key2"}
	// egressValues are what a secret may become; nil deletes it.
	egressValues = [][]byte{caPEM, caBPEM, clientPEM, clientKey, clientBPEM, clientBKey, garbageSecrets["garbage"], nil}
)

// fuzzService makes a service from three bytes: name, identity and spec.
func fuzzService(n, shape, spec byte) topology.MeshExternalService {
	sh := egressShapes[int(shape)%len(egressShapes)]
	m := mes(egressNames[int(n)%len(egressNames)], inMesh(sh.mesh), egressSpecs[int(spec)%len(egressSpecs)])
	if sh.labels != nil {
		labels(sh.labels...)(&m)
	}
	return m
}

// egressModel is what an Egress should hold: the services by name, the
// secrets and the host, and the batch result of the last step.
type egressModel struct {
	services map[string]topology.MeshExternalService
	mu       sync.Mutex // guards secrets: Secrets may be read while the model changes
	secrets  map[string][]byte
	host     topology.Host
	m        topology.EndpointMap
	errs     topology.Errors
	versions map[string]string
}

func newEgressModel() *egressModel {
	return &egressModel{
		services: map[string]topology.MeshExternalService{},
		secrets: map[string][]byte{
			"ca": caPEM, "ca2": caBPEM, "cert": clientPEM, "key": clientKey, "cert2": clientBPEM, "key2": clientBKey,
		},
	}
}

// Secret serves the model's secrets of mesh "default".
func (s *egressModel) Secret(_ context.Context, mesh, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.secrets[name]; ok && mesh == "default" {
		return b, nil
	}
	return topology.StaticSecrets{}.Secret(context.Background(), mesh, name)
}

func (s *egressModel) set(name string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		delete(s.secrets, name)
	} else {
		s.secrets[name] = value
	}
}

// upsert records what Upsert keeps: the services of mesh "default" (empty
// meaning it), the last of a name counting.
func (s *egressModel) upsert(svcs ...topology.MeshExternalService) {
	for _, svc := range svcs {
		if svc.Mesh == "" || svc.Mesh == "default" {
			s.services[svc.Name] = svc
		}
	}
}

func (s *egressModel) list() []topology.MeshExternalService {
	return slices.Collect(maps.Values(s.services))
}

// oracle is BuildEgressEndpointMap of the model.
func (s *egressModel) oracle() (topology.EndpointMap, topology.Errors) {
	return topology.BuildEgressEndpointMap(context.Background(), topology.EgressInput{
		Mesh: "default", LocalZone: "zone-1", Services: s.list(), Secrets: s, Host: s.host,
	})
}

// check compares e, and d, the Delta of the write just made, with the batch
// build of the model, and moves the model to the new result.
func (s *egressModel) check(t *testing.T, e *topology.Egress, d topology.Delta, handedOut topology.EndpointMap) {
	t.Helper()
	want, wantErrs := s.oracle()
	got := e.Map()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("Map differs from the batch (-batch +egress):\n%s", cmp.Diff(want, got))
	}
	if diff := cmp.Diff(errStrings(wantErrs), errStrings(e.Errors())); diff != "" {
		t.Fatalf("Errors differ from the batch (-batch +egress):\n%s", diff)
	}

	// The Delta is the difference between the batch results.
	var wantDelta topology.Delta
	for dest, eps := range want {
		if old, ok := s.m[dest]; !ok || !reflect.DeepEqual(old, eps) {
			wantDelta.Changed = append(wantDelta.Changed, dest)
		}
	}
	for dest := range s.m {
		if _, ok := want[dest]; !ok {
			wantDelta.Removed = append(wantDelta.Removed, dest)
		}
	}
	before, after := errsByName(s.errs), errsByName(wantErrs)
	for name := range mergeKeys(before, after) {
		if !slices.Equal(before[name], after[name]) {
			wantDelta.Failed = append(wantDelta.Failed, name)
		}
	}
	slices.Sort(wantDelta.Changed)
	slices.Sort(wantDelta.Removed)
	slices.Sort(wantDelta.Failed)
	if diff := cmp.Diff(wantDelta, d); diff != "" {
		t.Fatalf("Delta (-want +got):\n%s", diff)
	}

	// What was handed out before the write is unchanged.
	if !reflect.DeepEqual(s.m, handedOut) {
		t.Fatalf("a slice handed out changed (-was +now):\n%s", cmp.Diff(s.m, handedOut))
	}

	// Readers agree with Map; Version is that of a fresh Egress of the same
	// services, and changes exactly with the content.
	fresh := topology.NewEgress("default", "zone-1", s)
	fresh.SetHost(context.Background(), s.host)
	fresh.Upsert(context.Background(), s.list()...)
	versions := map[string]string{}
	var order []string
	for dest, eps := range e.All() {
		order = append(order, dest)
		if l, ok := e.Lookup(dest); !ok || !reflect.DeepEqual(l, eps) || !reflect.DeepEqual(want[dest], eps) {
			t.Fatalf("All and Lookup disagree on %q", dest)
		}
		v := e.Version(dest)
		if v == "" || v != fresh.Version(dest) {
			t.Fatalf("Version(%q) = %q, a fresh Egress has %q", dest, v, fresh.Version(dest))
		}
		if old, ok := s.versions[dest]; ok && (old == v) != !slices.Contains(d.Changed, dest) {
			t.Fatalf("Version(%q) went from %q to %q, Changed = %v", dest, old, v, d.Changed)
		}
		versions[dest] = v
	}
	if !slices.IsSorted(order) || len(order) != len(want) {
		t.Fatalf("All yields %v", order)
	}
	for _, dest := range wantDelta.Removed {
		if _, ok := e.Lookup(dest); ok || e.Version(dest) != "" {
			t.Fatalf("removed %q still found", dest)
		}
	}
	s.m, s.errs, s.versions = want, wantErrs, versions
}

func errsByName(errs topology.Errors) map[string][]string {
	out := map[string][]string{}
	for _, e := range errs {
		out[e.Name] = append(out[e.Name], e.Error())
	}
	return out
}

func mergeKeys(x, y map[string][]string) map[string]bool {
	out := map[string]bool{}
	for k := range x {
		out[k] = true
	}
	for k := range y {
		out[k] = true
	}
	return out
}

// FuzzEgressIncremental: after every write of a random sequence (upserts of
// one to three services, a name given twice, deletes, secrets changed or
// removed, the host set or unset), the Egress equals the batch build of its
// services, its Delta is the difference between the batch results before
// and after, slices it handed out are unchanged, and Version is that of a
// fresh Egress.
func FuzzEgressIncremental(f *testing.F) {
	for _, seed := range []string{
		"\x00\x00\x00\x00",
		"\x00\x00\x02\x00\x00\x01\x02\x00\x02\x00",                     // a conflict, then one side deleted
		"\x00\x00\x03\x04\x00\x01\x04\x04\x03\x00\x06",                 // an SNI conflict over TLS, then the CA rotated
		"\x01\x00\x06\x00\x01\x07\x00\x00\x02\x03\x00",                 // destination names equal through underscores
		"\x04\x00\x00\x00\x02\x00\x00\x03\x02\x07\x01\x00\x00\x07",     // duplicate name, host source set
		"\x00\x00\x08\x00\x00\x01\x09\x03\x03\x00\x07\x02\x00\x01",     // other mesh, invalid, secret deleted
		"\x00\x00\x05\x04\x00\x04\x00\x00\x00\x02\x02\x01\x01\x02\x01", // other zone, bad spec, delete unknown
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		s := newEgressModel()
		e := topology.NewEgress("default", "zone-1", s)
		s.m = topology.EndpointMap{}
		next := func() byte {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return b
		}
		for steps := 0; len(data) > 0 && steps < 32; steps++ {
			handedOut := e.Map()
			var d topology.Delta
			switch op := next() % 5; op {
			case 0, 1: // upsert one service, or one to three whose names may repeat
				n := 1
				if op == 1 {
					n += int(next() % 3)
				}
				var svcs []topology.MeshExternalService
				for range n {
					svcs = append(svcs, fuzzService(next(), next(), next()))
				}
				s.upsert(svcs...)
				d = e.Upsert(ctx, svcs...)
			case 2: // delete one or two names
				names := []string{egressNames[int(next())%len(egressNames)]}
				if b := next(); b%2 == 1 {
					names = append(names, egressNames[int(b/2)%len(egressNames)])
				}
				for _, n := range names {
					delete(s.services, n)
				}
				d = e.Delete(names...)
			case 3: // change a secret, or two
				var names []string
				for range 1 + next()%2 {
					name := egressSecrets[int(next())%len(egressSecrets)]
					s.set(name, egressValues[int(next())%len(egressValues)])
					names = append(names, name)
				}
				d = e.SecretsChanged(ctx, names...)
			case 4: // set or unset the host
				s.host = nil
				if next()%2 == 0 {
					s.host = testHost()
				}
				d = e.SetHost(ctx, s.host)
			}
			s.check(t, e, d, handedOut)
		}
	})
}
