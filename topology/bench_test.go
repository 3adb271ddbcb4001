package topology_test

import (
	"context"
	"fmt"
	"runtime"
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
				"kuma.io/origin":          "zone",
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
