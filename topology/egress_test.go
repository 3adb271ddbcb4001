package topology_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"

	"github.com/meshcore/meshcore/topology"
)

// egressStep is one write to an Egress and what it must return.
type egressStep struct {
	name string
	// do writes to e; s holds the secrets and the host e reads, and the
	// services the batch build is checked against.
	do   func(ctx context.Context, e *topology.Egress, s *egressModel) topology.Delta
	want topology.Delta
	// errs are the errors after the write, when checked.
	errs []string
}

func upsert(svcs ...topology.MeshExternalService) func(context.Context, *topology.Egress, *egressModel) topology.Delta {
	return func(ctx context.Context, e *topology.Egress, s *egressModel) topology.Delta {
		s.upsert(svcs...)
		return e.Upsert(ctx, svcs...)
	}
}

func del(names ...string) func(context.Context, *topology.Egress, *egressModel) topology.Delta {
	return func(_ context.Context, e *topology.Egress, s *egressModel) topology.Delta {
		for _, n := range names {
			delete(s.services, n)
		}
		return e.Delete(names...)
	}
}

// rotate sets secret name to value (nil deletes it) and tells the Egress.
func rotate(name string, value []byte) func(context.Context, *topology.Egress, *egressModel) topology.Delta {
	return func(ctx context.Context, e *topology.Egress, s *egressModel) topology.Delta {
		s.set(name, value)
		return e.SecretsChanged(ctx, name)
	}
}

func setHost(h topology.Host) func(context.Context, *topology.Egress, *egressModel) topology.Delta {
	return func(ctx context.Context, e *topology.Egress, s *egressModel) topology.Delta {
		s.host = h
		return e.SetHost(ctx, h)
	}
}

func changed(dests ...string) topology.Delta { return topology.Delta{Changed: dests} }

func conflictErr(svc, on, value string, with ...string) string {
	refs := ""
	for i, w := range with {
		if i > 0 {
			refs += ","
		}
		refs += ` "` + w + `" in mesh "default"`
	}
	s, end := "", "; neither is built"
	if len(with) > 1 {
		s, end = "s", "; none is built"
	}
	return `topology: MeshExternalService "` + svc + `" in mesh "default": ` +
		on + ` "` + value + `" is also claimed by MeshExternalService` + s + refs + end
}

func TestEgressDelta(t *testing.T) {
	shared := labels(topology.LabelDisplayName, "shared")
	sharedDest := dest("shared")
	sharedNS := labels(topology.LabelDisplayName, "shared", topology.LabelNamespace, "ns1")
	sharedNSDest := "default_shared_ns1__extsvc_443"
	x := mes("x", shared)
	sharedSNI := x.EgressSNI()
	tls := mtls("ca", "cert", "key")
	fileCA := withTLS(topology.Verification{CaCert: &topology.DataSource{Type: topology.DataSourceFile, File: &topology.File{Path: "/etc/certs/ca.pem"}}})
	for _, tc := range []struct {
		name  string
		steps []egressStep
	}{{
		name: "add, replace, delete",
		steps: []egressStep{
			{name: "add", do: upsert(mes("a")), want: changed(dest("a"))},
			{name: "same content", do: upsert(mes("a"))},
			{name: "new endpoints", do: upsert(mes("a", endpoints("10.0.0.1", 443))), want: changed(dest("a"))},
			{name: "new port", do: upsert(mes("a", port(80))), want: topology.Delta{Changed: []string{"default_a___extsvc_80"}, Removed: []string{dest("a")}}},
			{name: "delete", do: del("a"), want: topology.Delta{Removed: []string{"default_a___extsvc_80"}}},
			{name: "delete unknown", do: del("a", "zz")},
		},
	}, {
		name: "conflict on the destination name",
		steps: []egressStep{
			{name: "first", do: upsert(mes("a", shared)), want: changed(sharedDest)},
			{name: "second", do: upsert(mes("b", shared)), want: topology.Delta{Removed: []string{sharedDest}, Failed: []string{"a", "b"}},
				errs: []string{conflictErr("a", topology.ConflictDestination, sharedDest, "b"), conflictErr("b", topology.ConflictDestination, sharedDest, "a")}},
			{name: "third", do: upsert(mes("c", shared)), want: topology.Delta{Failed: []string{"a", "b", "c"}},
				errs: []string{
					conflictErr("a", topology.ConflictDestination, sharedDest, "b", "c"),
					conflictErr("b", topology.ConflictDestination, sharedDest, "a", "c"),
					conflictErr("c", topology.ConflictDestination, sharedDest, "a", "b"),
				}},
			{name: "one of three leaves", do: del("c"), want: topology.Delta{Failed: []string{"a", "b", "c"}}},
			{name: "one of two leaves: the other is back", do: del("a"), want: topology.Delta{Changed: []string{sharedDest}, Failed: []string{"a", "b"}}},
			{name: "renamed away", do: upsert(mes("d", shared), mes("b")), want: topology.Delta{Changed: []string{dest("b"), sharedDest}}},
		},
	}, {
		name: "conflict on the egress SNI",
		steps: []egressStep{
			{name: "both at once", do: upsert(mes("a", shared), mes("b", sharedNS)), want: topology.Delta{Failed: []string{"a", "b"}},
				errs: []string{conflictErr("a", topology.ConflictSNI, sharedSNI, "b"), conflictErr("b", topology.ConflictSNI, sharedSNI, "a")}},
			{name: "one leaves", do: del("a"), want: topology.Delta{Changed: []string{sharedNSDest}, Failed: []string{"a", "b"}}},
			{name: "comes back on its destination only", do: upsert(mes("a", shared, port(80))), want: changed("default_shared___extsvc_80")},
			{name: "and on its SNI again", do: upsert(mes("a", shared)), want: topology.Delta{Removed: []string{"default_shared___extsvc_80", sharedNSDest}, Failed: []string{"a", "b"}}},
			{name: "the other made invalid", do: upsert(mes("b", sharedNS, endpoints("bad address", 443))), want: topology.Delta{Changed: []string{sharedDest}, Failed: []string{"a", "b"}},
				errs: []string{fieldErr("b", "spec.endpoints[0].address", `Invalid value: "bad address": address has to be a valid IP or hostname`)}},
		},
	}, {
		name: "a name twice in one call takes the last",
		steps: []egressStep{
			{name: "upsert", do: upsert(mes("a", port(80)), mes("a")), want: changed(dest("a"))},
			{name: "the other way", do: upsert(mes("a"), mes("a", port(0))), want: topology.Delta{Removed: []string{dest("a")}, Failed: []string{"a"}},
				errs: []string{fieldErr("a", "spec.match.port", "Invalid value: 0: port must be a valid (1-65535)")}},
		},
	}, {
		name: "another mesh is ignored",
		steps: []egressStep{
			{name: "alone", do: upsert(mes("a", inMesh("other")))},
			{name: "after the same name", do: upsert(mes("a"), mes("a", inMesh("other"))), want: changed(dest("a"))},
			{name: "empty mesh is this mesh", do: upsert(mes("a", inMesh(""), port(80))), want: topology.Delta{Changed: []string{"default_a___extsvc_80"}, Removed: []string{dest("a")}}},
		},
	}, {
		name: "another zone is validated and left out",
		steps: []egressStep{
			{name: "valid", do: upsert(mes("a", labels(topology.LabelZone, "zone-2")))},
			{name: "invalid", do: upsert(mes("a", labels(topology.LabelZone, "zone-2"), port(0))), want: topology.Delta{Failed: []string{"a"}}},
			{name: "moved to the local zone", do: upsert(mes("a", labels(topology.LabelZone, "zone-1"))), want: topology.Delta{Changed: []string{"default_a__zone-1_extsvc_443"}, Failed: []string{"a"}}},
		},
	}, {
		name: "secrets",
		steps: []egressStep{
			{name: "built", do: upsert(mes("a", tls), mes("b", tls), mes("c")), want: changed(dest("a"), dest("b"), dest("c"))},
			{name: "same bytes", do: rotate("ca", caPEM)},
			{name: "rotated", do: rotate("ca", caBPEM), want: changed(dest("a"), dest("b"))},
			{name: "removed", do: rotate("key", nil), want: topology.Delta{Removed: []string{dest("a"), dest("b")}, Failed: []string{"a", "b"}},
				errs: []string{missing("default", "a", "clientKey", "key"), missing("default", "b", "clientKey", "key")}},
			{name: "added back", do: rotate("key", clientKey), want: topology.Delta{Changed: []string{dest("a"), dest("b")}, Failed: []string{"a", "b"}}},
			{name: "unused", do: rotate("ca2", clientKey)},
			{name: "garbage", do: rotate("cert", garbageSecrets["garbage"]), want: topology.Delta{Removed: []string{dest("a"), dest("b")}, Failed: []string{"a", "b"}}},
			{name: "one user leaves", do: upsert(mes("a")), want: topology.Delta{Changed: []string{dest("a")}, Failed: []string{"a"}}},
			{name: "fixed", do: rotate("cert", clientPEM), want: topology.Delta{Changed: []string{dest("b")}, Failed: []string{"b"}}},
		},
	}, {
		name: "host sources",
		steps: []egressStep{
			{name: "no host", do: upsert(mes("a", fileCA)), want: topology.Delta{Failed: []string{"a"}},
				errs: []string{fieldErr("a", "spec.tls.verification.caCert", "could not load caCert: datasource type: File is not supported on MeshExternalService")}},
			{name: "host set", do: setHost(testHost()), want: topology.Delta{Changed: []string{dest("a")}, Failed: []string{"a"}}},
			{name: "host unset", do: setHost(nil), want: topology.Delta{Removed: []string{dest("a")}, Failed: []string{"a"}}},
		},
	}, {
		name: "a bad service is isolated",
		steps: []egressStep{
			{name: "with good ones", do: upsert(mes("a"), mes("b", port(70000)), mes("c", mtls("nope", "", ""))), want: topology.Delta{Changed: []string{dest("a")}, Failed: []string{"b", "c"}},
				errs: []string{
					fieldErr("b", "spec.match.port", "Invalid value: 70000: port must be a valid (1-65535)"),
					missing("default", "c", "caCert", "nope"),
				}},
			{name: "fixed", do: upsert(mes("b")), want: topology.Delta{Changed: []string{dest("b")}, Failed: []string{"b"}}},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newEgressModel()
			s.m = topology.EndpointMap{}
			e := topology.NewEgress("default", "zone-1", s)
			for _, st := range tc.steps {
				handedOut := e.Map()
				d := st.do(ctx, e, s)
				if diff := cmp.Diff(st.want, d); diff != "" {
					t.Fatalf("%s: Delta (-want +got):\n%s", st.name, diff)
				}
				if st.errs != nil {
					if diff := cmp.Diff(st.errs, errStrings(e.Errors())); diff != "" {
						t.Fatalf("%s: Errors (-want +got):\n%s", st.name, diff)
					}
				}
				s.check(t, e, d, handedOut)
			}
		})
	}
}

func TestNewEgressWithoutMesh(t *testing.T) {
	e := topology.NewEgress("", "", nil)
	d := e.Upsert(context.Background(), mes("a", inMesh("")), mes("b"))
	assert.Equal(t, topology.Delta{Failed: []string{"a"}}, d)
	assert.Equal(t, []string{`topology: MeshExternalService "a" in mesh "": mesh: must not be empty`}, errStrings(e.Errors()))
	assert.Empty(t, e.Map())
}

// Secrets are loaded once and kept: a write loads only what its services
// name that is not loaded yet, and SecretsChanged loads again what it names.
func TestEgressLoadsSecretsOnce(t *testing.T) {
	ctx := context.Background()
	secrets := &countingSecrets{inner: testSecrets()}
	e := topology.NewEgress("default", "", secrets)
	e.Upsert(ctx, mes("a", mtls("ca", "kuma-cert-1", "kuma-key-1")), mes("b", mtls("ca", "kuma-cert-1", "kuma-key-1")))
	e.Upsert(ctx, mes("c", mtls("ca", "", "")), mes("a", mtls("ca", "kuma-cert-1", "kuma-key-1"), port(80)))
	assert.Equal(t, map[string]int{"default/ca": 1, "default/kuma-cert-1": 1, "default/kuma-key-1": 1}, secrets.counts)

	e.SecretsChanged(ctx, "ca")
	assert.Equal(t, 2, secrets.counts["default/ca"])
	assert.Equal(t, 1, secrets.counts["default/kuma-cert-1"])

	// Material no service names any more is not kept.
	e.Delete("a", "b", "c")
	e.Upsert(ctx, mes("a", mtls("ca", "", "")))
	assert.Equal(t, 3, secrets.counts["default/ca"])
	assert.Nil(t, e.Errors())
}

// Readers running during writes see a consistent map, in order, and the
// slices they hold never change. Run with -race.
func TestEgressConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	s := newEgressModel()
	e := topology.NewEgress("default", "zone-1", s)
	var wg sync.WaitGroup
	done := make(chan struct{})
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var held, copies [][]topology.Endpoint
			for {
				select {
				case <-done:
					assert.Equal(t, copies, held, "a slice handed out changed")
					return
				default:
				}
				prev := ""
				for dest, eps := range e.All() {
					if !assert.Less(t, prev, dest) || !assert.Equal(t, dest, eps[0].ExternalService.DestinationName) {
						return
					}
					prev = dest
				}
				dest := fmt.Sprintf("default_svc-%d___extsvc_443", r)
				if eps, ok := e.Lookup(dest); ok && len(held) < 100 {
					held = append(held, eps)
					copies = append(copies, slices.Clone(eps))
				}
				e.Version(dest)
				e.Errors()
				e.Map()
			}
		}()
	}
	for i := range 200 {
		name := fmt.Sprintf("svc-%d", i%8)
		switch i % 4 {
		case 0, 1:
			e.Upsert(ctx, mes(name, endpoints(fmt.Sprintf("10.0.0.%d", i%250+1), 443)), mes("x", labels(topology.LabelDisplayName, name)))
		case 2:
			e.Delete(name, "x")
		case 3:
			s.set("ca", [][]byte{caPEM, caBPEM}[i%2])
			e.Upsert(ctx, mes("tls", mtls("ca", "", "")))
			e.SecretsChanged(ctx, "ca")
		}
	}
	close(done)
	wg.Wait()
}
