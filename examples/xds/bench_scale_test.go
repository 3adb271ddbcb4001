package main

import (
	"fmt"
	"runtime"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	streamv3 "github.com/envoyproxy/go-control-plane/pkg/server/stream/v3"
	"github.com/meshcore/meshcore/proxyid"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// The scale run: 10 meshes, 10,000 MeshExternalServices (1,000 per mesh),
// 1,000 connected proxies (100 per mesh), each following every cluster and
// every load assignment of its mesh, as an Envoy does. go-control-plane's
// SnapshotCache compares every open watch of every proxy whose snapshot is
// set, resource by resource, so the figures are totals for the whole
// change, not a per-resource cost.
const (
	scaleMESPerMesh = 1000
	scaleProxies    = 1000
)

// benchWatch is one open watch of a connected proxy, state of the world or
// delta, as the xDS server holds it between a request and the response.
type benchWatch struct {
	delta  bool
	req    *cachev3.Request
	dreq   *cachev3.DeltaRequest
	sub    streamv3.Subscription
	ch     chan cachev3.Response
	dch    chan cachev3.DeltaResponse
	cancel func()
}

// scaleConnect registers n proxies spread over the meshes and opens, for
// each, a wildcard watch of clusters and of load assignments.
func scaleConnect(tb testing.TB, s *Server, n int, delta bool) []*benchWatch {
	tb.Helper()
	report := s.Report()
	var watches []*benchWatch
	for i := range n {
		id, err := proxyid.New(report.Meshes[i%len(report.Meshes)].Mesh, fmt.Sprintf("proxy-%d.ns", i))
		require.NoError(tb, err)
		node := &corev3.Node{Id: id.String(), UserAgentName: "envoy"}
		require.NoError(tb, s.streamRequest(streamKey{delta: delta, id: int64(i)}, node))
		watches = append(watches, newBenchWatch(node, delta, types.Cluster, nil), newBenchWatch(node, delta, types.Endpoint, nil))
	}
	for _, w := range watches {
		w.rearm(tb, s)
		w.take(tb) // the initial state
		w.rearm(tb, s)
	}
	return watches
}

// newBenchWatch is a watch of node for resources of type t: names, or every
// one when names is nil.
func newBenchWatch(node *corev3.Node, delta bool, t types.ResponseType, names []string) *benchWatch {
	w := &benchWatch{delta: delta}
	if delta {
		w.dreq = &discoveryv3.DeltaDiscoveryRequest{Node: node, TypeUrl: typeURL(t), ResourceNamesSubscribe: names}
		w.sub = streamv3.NewDeltaSubscription(names, nil, nil, true)
	} else {
		w.req = &discoveryv3.DiscoveryRequest{Node: node, TypeUrl: typeURL(t), ResourceNames: names}
		w.sub = streamv3.NewSotwSubscription(names, true)
	}
	return w
}

func (w *benchWatch) rearm(tb testing.TB, s *Server) {
	tb.Helper()
	if w.cancel != nil {
		w.cancel()
	}
	var (
		cancel func()
		err    error
	)
	if w.delta {
		w.dch = make(chan cachev3.DeltaResponse, 1)
		cancel, err = s.cache.CreateDeltaWatch(w.dreq, w.sub, w.dch)
	} else {
		w.ch = make(chan cachev3.Response, 1)
		cancel, err = s.cache.CreateWatch(w.req, w.sub, w.ch)
	}
	require.NoError(tb, err)
	w.cancel = cancel
}

func (w *benchWatch) pending() bool {
	if w.delta {
		return len(w.dch) > 0
	}
	return len(w.ch) > 0
}

// take receives w's response, builds the message the server sends, and
// records what the proxy now has. It returns the message's size in bytes.
func (w *benchWatch) take(tb testing.TB) int {
	if w.delta {
		resp := <-w.dch
		out, err := resp.GetDeltaDiscoveryResponse()
		if err != nil {
			tb.Fatal(err)
		}
		w.sub.SetReturnedResources(resp.GetNextVersionMap())
		w.dreq.ResponseNonce = "acked" // past the first request of the stream
		return proto.Size(out)
	}
	resp := <-w.ch
	out, err := resp.GetDiscoveryResponse()
	if err != nil {
		tb.Fatal(err)
	}
	w.req.VersionInfo = resp.GetResponseVersion()
	w.sub.SetReturnedResources(resp.GetReturnedResources())
	return proto.Size(out)
}

func heapInUse() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

// BenchmarkScale is one MeshExternalService edited (its endpoint port) with
// 1,000 proxies connected over state of the world and over delta: the reload
// (applying the one change, building its mesh again, setting the snapshots of
// that mesh's proxies) and every response it causes, marshalled. It reports
// the bytes sent per change (B-sent/op), the responses (pushes/op) and the
// heap held per connected proxy. full-reload moves every endpoint of every
// mesh with the state-of-the-world proxies connected; full-build builds
// every mesh from scratch.
func BenchmarkScale(b *testing.B) {
	ca := testCA(b)
	base := benchConfig(b, ca, 0, scaleMESPerMesh)
	edited := benchConfig(b, ca, 0, scaleMESPerMesh)
	edited.MeshExternalServices[0].Spec.Endpoints[0].Port++
	all := benchConfig(b, ca, 1, scaleMESPerMesh)

	run := func(b *testing.B, delta bool, cfgs [2]*Config, wantPushes int) {
		s, err := New(b.Context(), cfgs[0], Options{})
		require.NoError(b, err)
		defer s.Stop()
		h0 := heapInUse()
		watches := scaleConnect(b, s, scaleProxies, delta)
		h1 := heapInUse()

		b.ReportAllocs()
		pushes, sent := reloadLoop(b, s, cfgs, watches, wantPushes)
		b.ReportMetric(float64(sent)/float64(b.N), "B-sent/op")
		b.ReportMetric(float64(pushes)/float64(b.N), "pushes/op")
		b.ReportMetric((h1-h0)/scaleProxies, "B-held/proxy")
	}
	perMesh := scaleProxies / benchMeshes
	b.Run("one-MES/sotw", func(b *testing.B) { run(b, false, [2]*Config{base, edited}, perMesh) })
	b.Run("one-MES/delta", func(b *testing.B) { run(b, true, [2]*Config{base, edited}, perMesh) })
	b.Run("full-reload/sotw", func(b *testing.B) { run(b, false, [2]*Config{base, all}, scaleProxies) })
	// The build of every mesh from scratch, no proxy connected: start-up.
	b.Run("full-build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := build(b.Context(), base); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reloadLoop is the body of a reload benchmark: reload s alternately to
// cfgs[1] and cfgs[0], and take every response the reload causes (at least
// wantPushes), as the server would send it. Re-opening the watches is not
// timed. It returns the responses and their bytes, in all.
func reloadLoop(b *testing.B, s *Server, cfgs [2]*Config, watches []*benchWatch, wantPushes int) (pushes, sent int) {
	i := 0
	for b.Loop() {
		i++
		if _, err := s.Reload(b.Context(), cfgs[i%2]); err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, w := range watches {
			if w.pending() {
				sent += w.take(b)
				n++
			}
		}
		if n < wantPushes {
			b.Fatalf("%d responses, want %d at least", n, wantPushes)
		}
		pushes += n
		b.StopTimer()
		for _, w := range watches {
			w.rearm(b, s)
		}
		b.StartTimer()
	}
	return pushes, sent
}
