package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/meshcore/meshcore/proxyid"
	"github.com/meshcore/meshcore/topology"
	"github.com/stretchr/testify/require"
)

// The scale measured: 1,000 proxies across 10 meshes, 1,000
// MeshExternalServices (100 per mesh).
const (
	benchMeshes       = 10
	benchMESPerMesh   = 100
	benchProxies      = 1000
	benchEnvoyProxies = 100 // of benchProxies; the rest are proxyless gRPC clients
)

// benchConfig is a realistic mix of perMesh services in each of benchMeshes
// meshes: every other service originates TLS with a CA shared by its mesh,
// and services have 1–4 IP endpoints. variant shifts every endpoint port, so
// that each mesh's load assignments change.
func benchConfig(tb testing.TB, caPEM string, variant uint32, perMesh int) *Config {
	tb.Helper()
	cfg := &Config{Secrets: map[string]map[string]string{}}
	for m := range benchMeshes {
		mesh := fmt.Sprintf("mesh-%d", m)
		if m%2 == 1 {
			mesh = fmt.Sprintf("mesh.%d", m) // dotted meshes too
		}
		cfg.Meshes = append(cfg.Meshes, mesh)
		cfg.Secrets[mesh] = map[string]string{"ca": caPEM}
		for i := range perMesh {
			s := Service{MeshExternalService: topology.MeshExternalService{
				Mesh: mesh,
				Name: fmt.Sprintf("svc-%04d", i),
				Spec: topology.Spec{Match: topology.Match{Port: 8080, Protocol: topology.ProtocolGRPC}},
			}}
			for e := range 1 + i%4 {
				s.Spec.Endpoints = append(s.Spec.Endpoints, topology.ExternalEndpoint{
					Address: fmt.Sprintf("10.%d.%d.%d", m, i/64, (i%64)*4+e),
					Port:    9000 + uint32(e) + variant,
				})
			}
			if i%2 == 1 {
				s.Spec.TLS = &topology.TLS{Enabled: true, Verification: &topology.Verification{
					Mode:       topology.ModeSkipSAN,
					ServerName: fmt.Sprintf("svc-%04d.example.com", i),
					CaCert:     &topology.DataSource{Secret: "ca"},
				}}
			}
			cfg.MeshExternalServices = append(cfg.MeshExternalServices, s)
		}
	}
	return cfg
}

func testCA(tb testing.TB) string {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(tb, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "bench CA"},
		NotBefore:             time.Unix(0, 0),
		NotAfter:              time.Unix(0, 0).AddDate(200, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(tb, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// connect registers n proxies (spread over the meshes, every tenth an Envoy)
// and opens their watches: a proxyless client watches the listener, route,
// cluster and load assignment of one host; an Envoy watches all clusters and
// its mesh's load assignments.
func connect(tb testing.TB, s *Server, n int) []*benchWatch {
	tb.Helper()
	report := s.Report()
	var watches []*benchWatch
	for i := range n {
		mesh := report.Meshes[i%len(report.Meshes)]
		envoy := i%(benchProxies/benchEnvoyProxies) == 0
		id, err := proxyid.New(mesh.Mesh, fmt.Sprintf("proxy-%d.ns", i))
		require.NoError(tb, err)
		node := &corev3.Node{Id: id.String(), UserAgentName: "gRPC Go"}
		if envoy {
			node.UserAgentName = "envoy"
		}
		require.NoError(tb, s.streamRequest(streamKey{id: int64(i)}, node))
		if envoy {
			snap, err := s.cache.GetSnapshot(s.hash.ID(node))
			require.NoError(tb, err)
			watches = append(watches,
				newBenchWatch(node, false, types.Cluster, nil),
				newBenchWatch(node, false, types.Endpoint, sortedKeys(snap.GetResources(typeURL(types.Endpoint)))))
			continue
		}
		h := mesh.Hosts[i%len(mesh.Hosts)]
		watches = append(watches,
			newBenchWatch(node, false, types.Listener, []string{h.Hostname}),
			newBenchWatch(node, false, types.Route, []string{h.Hostname}),
			newBenchWatch(node, false, types.Cluster, []string{h.Cluster}),
			newBenchWatch(node, false, types.Endpoint, []string{h.Cluster}))
	}
	for _, w := range watches {
		w.rearm(tb, s)
		// The first response is the initial state: take it and watch again.
		w.take(tb)
		w.rearm(tb, s)
		if w.pending() {
			tb.Fatalf("watch %s %v answered again at its own version", w.req.TypeUrl, w.req.ResourceNames)
		}
	}
	return watches
}

// BenchmarkBuild is the build of every mesh's snapshot, alone.
func BenchmarkBuild(b *testing.B) {
	cfg := benchConfig(b, testCA(b), 0, benchMESPerMesh)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := build(b.Context(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(benchMeshes*benchMESPerMesh), "ns/MES")
}

// BenchmarkReload is a reload with every proxy connected: build every mesh,
// set the snapshot of 1,000 proxies, and answer each open watch whose version
// changed with its marshalled response (what the server then writes to the
// stream). Each reload moves every endpoint, so every load-assignment watch
// fires. It also reports the heap the server holds: in all (MiB-held), for
// the snapshots of the 10 meshes, shared by their proxies (MiB-snapshots),
// and per connected proxy: cache entry, open watches and the subscription
// state go-control-plane's server keeps per stream (B-held/proxy).
func BenchmarkReload(b *testing.B) {
	ca := testCA(b)
	cfgs := [2]*Config{benchConfig(b, ca, 0, benchMESPerMesh), benchConfig(b, ca, 1, benchMESPerMesh)}

	h0 := heapInUse()
	s, err := New(b.Context(), cfgs[0], Options{})
	require.NoError(b, err)
	defer s.Stop()
	h1 := heapInUse()
	watches := connect(b, s, benchProxies)
	h2 := heapInUse()

	b.ReportAllocs()
	fired, _ := reloadLoop(b, s, cfgs, watches, benchProxies)
	b.ReportMetric(float64(fired)/float64(b.N), "pushes/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchProxies, "ns/proxy")
	b.ReportMetric((h2-h0)/(1<<20), "MiB-held")
	b.ReportMetric((h1-h0)/(1<<20), "MiB-snapshots")
	b.ReportMetric((h2-h1)/benchProxies, "B-held/proxy")
}
