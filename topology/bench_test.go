package topology_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/meshcore/meshcore/topology"
)

// benchSecretSets is how many distinct CA secrets and client pairs the TLS
// half of the benchmark services share.
const benchSecretSets = 8

// benchInput is a realistic egress: half the services with TLS whose CA and
// client pair come from a few shared secrets (Secured, SkipSAN, SkipCA in
// turn), 1–4 endpoints each (IPs and DNS names), a third labelled the
// Kubernetes way.
func benchInput(n int) topology.EgressInput {
	def := map[string][]byte{}
	for i := range benchSecretSets {
		ca, cert, key := caPEM, clientPEM, clientKey
		if i%2 == 1 {
			ca, cert, key = caBPEM, clientBPEM, clientBKey
		}
		def[fmt.Sprintf("ca-%d", i)] = ca
		def[fmt.Sprintf("cert-%d", i)] = cert
		def[fmt.Sprintf("key-%d", i)] = key
	}
	svcs := make([]topology.MeshExternalService, n)
	modes := []string{topology.ModeSecured, topology.ModeSkipSAN, topology.ModeSkipCA}
	for i := range svcs {
		name := fmt.Sprintf("svc-%d", i)
		s := topology.MeshExternalService{
			Mesh: "default",
			Name: name,
			Spec: topology.Spec{Match: topology.Match{Type: topology.MatchHostnameGenerator, Port: 443, Protocol: []string{"tcp", "http", "http2", "grpc"}[i%4]}},
		}
		if i%3 == 0 {
			s.Name = name + ".payments"
			s.Labels = map[string]string{
				topology.LabelDisplayName: name,
				topology.LabelNamespace:   "payments",
				topology.LabelZone:        "zone-1",
				topology.LabelOrigin:      string(topology.RoleZone),
			}
		}
		for e := range 1 + i%4 {
			addr := fmt.Sprintf("%s-%d.example.com", name, e)
			if (i+e)%2 == 0 {
				addr = fmt.Sprintf("10.%d.%d.%d", (i>>16)&0xff, (i>>8)&0xff, e*64+i&0x3f)
			}
			s.Spec.Endpoints = append(s.Spec.Endpoints, topology.ExternalEndpoint{Address: addr, Port: 443})
		}
		if i%2 == 0 {
			set := (i / 2) % benchSecretSets
			s.Spec.TLS = &topology.TLS{Enabled: true, Verification: &topology.Verification{
				Mode:       modes[(i/2)%len(modes)],
				CaCert:     secret(fmt.Sprintf("ca-%d", set)),
				ClientCert: secret(fmt.Sprintf("cert-%d", set)),
				ClientKey:  secret(fmt.Sprintf("key-%d", set)),
			}}
		}
		svcs[i] = s
	}
	return topology.EgressInput{
		LocalZone: "zone-1",
		Services:  svcs,
		Secrets:   topology.StaticSecrets{"default": def},
	}
}

var benchSizes = []int{1_000, 10_000, 100_000}

// reportPerMES adds ns/MES and allocs/MES to a benchmark whose op handles n
// services; mallocs is the allocation count over the whole b.Loop.
func reportPerMES(b *testing.B, n int, mallocs uint64) {
	per := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/MES")
	b.ReportMetric(float64(mallocs)/per, "allocs/MES")
}

func BenchmarkBuildEgressEndpointMap(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("mes=%d", n), func(b *testing.B) {
			in := benchInput(n)
			if m, errs := topology.BuildEgressEndpointMap(ctx, in); errs != nil || len(m) != n {
				b.Fatalf("built %d of %d: %v", len(m), n, errs)
			}
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				topology.BuildEgressEndpointMap(ctx, in)
			}
			runtime.ReadMemStats(&after)
			reportPerMES(b, n, after.Mallocs-before.Mallocs)
		})
	}
}

func BenchmarkEgressResources(b *testing.B) {
	for _, eds := range []bool{false, true} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("eds=%v/mes=%d", eds, n), func(b *testing.B) {
				m, errs := topology.BuildEgressEndpointMap(context.Background(), benchInput(n))
				if errs != nil {
					b.Fatal(errs)
				}
				opts := topology.ResourceOptions{EDS: eds}
				b.ReportAllocs()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for b.Loop() {
					if _, errs := topology.EgressResources(m, opts); errs != nil {
						b.Fatal(errs.Err())
					}
				}
				runtime.ReadMemStats(&after)
				reportPerMES(b, n, after.Mallocs-before.Mallocs)
			})
		}
	}
}

// benchEgress is an Egress of the services of benchInput(n).
func benchEgress(b *testing.B, n int) (*topology.Egress, topology.EgressInput) {
	in := benchInput(n)
	e := topology.NewEgress("default", in.LocalZone, in.Secrets)
	if d := e.Upsert(context.Background(), in.Services...); len(d.Changed) != n || d.Failed != nil {
		b.Fatalf("built %d of %d: %v", len(d.Changed), n, e.Errors())
	}
	return e, in
}

// BenchmarkEgressUpsert replaces one service (with TLS from shared secrets)
// by one with another endpoint address, and back, in an Egress of n
// services: the cost of the change, not of the mesh.
func BenchmarkEgressUpsert(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("mes=%d", n), func(b *testing.B) {
			e, in := benchEgress(b, n)
			svc := in.Services[n/2]
			moved := svc
			moved.Spec.Endpoints = slices.Clone(svc.Spec.Endpoints)
			moved.Spec.Endpoints[0].Address = "moved.example.com"
			versions := [2]topology.MeshExternalService{moved, svc}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if d := e.Upsert(ctx, versions[i%2]); len(d.Changed) != 1 {
					b.Fatalf("Delta %+v", d)
				}
				i++
			}
		})
	}
}

// BenchmarkEgressMemory builds an Egress of n services (ns/op is the first
// load) and reports the heap it holds per service, B/MES, besides the input,
// and for comparison map-B/MES, what the map of BuildEgressEndpointMap holds.
func BenchmarkEgressMemory(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("mes=%d", n), func(b *testing.B) {
			in := benchInput(n)
			heap := func() uint64 {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				return ms.HeapAlloc
			}
			before := heap()
			e := topology.NewEgress("default", in.LocalZone, in.Secrets)
			e.Upsert(ctx, in.Services...)
			held := heap() - before
			runtime.KeepAlive(e)
			e = nil

			before = heap()
			m, _ := topology.BuildEgressEndpointMap(ctx, in)
			mapHeld := heap() - before
			runtime.KeepAlive(m)
			m = nil

			b.ReportAllocs()
			for b.Loop() {
				e := topology.NewEgress("default", in.LocalZone, in.Secrets)
				e.Upsert(ctx, in.Services...)
			}
			b.ReportMetric(float64(held)/float64(n), "B/MES")
			b.ReportMetric(float64(mapHeld)/float64(n), "map-B/MES")
		})
	}
}
