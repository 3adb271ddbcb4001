package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/meshcore/meshcore/proxyid"
	"github.com/meshcore/meshcore/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/xds" // registers the xds:/// resolver and the xDS balancers
)

// The end-to-end test runs grpc-go's own xDS client against the server, on
// 127.0.0.1 only. Two backends answer the standard health service and say who
// they are in a response header. Meshes "aa" and "aa.a" both have a service
// "api" with the same hostname, pointing at different backends, so a proxy of
// "aa.a" read as mesh "aa" (the legacy first-dot split) would reach the wrong
// one.

const backendHeader = "x-backend"

// Env of the child process TestHelperClient (see TestE2E).
const (
	envTarget    = "XDS_E2E_TARGET"
	envBootstrap = "GRPC_XDS_BOOTSTRAP_CONFIG" // read by grpc-go itself
)

func TestE2E(t *testing.T) {
	var ports []string
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		// Runs last: every listener is closed and every goroutine gone.
		for _, addr := range ports {
			lis, err := net.Listen("tcp", addr)
			if assert.NoError(t, err, "port %s still bound", addr) {
				lis.Close()
			}
		}
		goleak.VerifyNone(t, before)
	})
	ctx := t.Context()

	a, b := startBackend(t, "a"), startBackend(t, "b")
	logs := &syncBuffer{}
	srv, addr := startServer(t, logs, e2eConfig(t, a, b, false))
	ports = append(ports, a, b, addr)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	// The broken service is reported and logged; the good ones of its mesh
	// are built.
	report := srv.Report()
	require.Len(t, report.Errors, 1, "errors: %v", report.Errors)
	broken := report.Errors[0]
	assert.Equal(t, "aa.a", broken.Mesh)
	assert.Equal(t, "payments", broken.Name)
	assert.ErrorIs(t, broken, topology.ErrSecretNotFound)
	assert.Contains(t, logs.String(), `msg="MeshExternalService not served" mesh=aa.a name=payments`)
	meshAA, _ := report.Mesh("aa")
	meshAAa, _ := report.Mesh("aa.a")
	assert.Equal(t, []string{"api.extsvc.mesh.local"}, hostnames(meshAA.Hosts))
	assert.Equal(t, []string{"api.extsvc.mesh.local", "audit.extsvc.mesh.local"}, hostnames(meshAAa.Hosts))

	// Each proxy reaches its own mesh's backend.
	web1 := bootstrap(t, addr, "aa.a", "web-1.ns")
	web2 := bootstrap(t, addr, "aa", "web-2.ns")
	apiAAa := dialXDS(t, web1, "api.extsvc.mesh.local")
	apiAA := dialXDS(t, web2, "api.extsvc.mesh.local")
	auditAAa := dialXDS(t, web1, "audit.extsvc.mesh.local")
	paymentsAAa := dialXDS(t, web1, "payments.extsvc.mesh.local")

	assert.Equal(t, "b", mustWhoami(t, apiAAa), "proxy web-1.ns of mesh aa.a")
	assert.Equal(t, "a", mustWhoami(t, apiAA), "proxy web-2.ns of mesh aa")
	assert.Equal(t, "a", mustWhoami(t, auditAAa), "audit, in the mesh of the broken service")
	assert.Equal(t, []string{"aa%2Ea.web-1.ns", "aa.web-2.ns"}, srv.Proxies())

	// Under the legacy ID, mesh + "." + name, proxy web-1.ns of mesh aa.a is
	// "aa.a.web-1.ns", which also reads as proxy a.web-1.ns of mesh aa. Both
	// meshes are configured: the stream is refused, with both readings.
	legacy := openStream(t, dialADS(t, addr).StreamAggregatedResources)
	require.NoError(t, legacy.Send(&discoveryv3.DiscoveryRequest{Node: node("aa.a.web-1.ns"), TypeUrl: resourcev3.ClusterType}))
	_, err := legacy.Recv()
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
	assert.Contains(t, status.Convert(err).Message(), `mesh "aa" name "a.web-1.ns", mesh "aa.a" name "web-1.ns"`)

	// The broken service has no listener in the
	// snapshot of web-1.ns, so its hostname never resolves (grpc-go says so
	// only when its 15 s resource timer fires; the RPC gives up before); the
	// good ones of the mesh keep serving.
	snap, err := srv.cache.GetSnapshot("aa%2Ea.web-1.ns")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"api.extsvc.mesh.local", "audit.extsvc.mesh.local"},
		slices.Collect(maps.Keys(snap.GetResources(resourcev3.ListenerType))))
	rctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	_, err = whoami(rctx, paymentsAAa)
	cancel()
	assert.Equal(t, codes.DeadlineExceeded, status.Code(err), "%v", err)
	assert.Equal(t, "a", mustWhoami(t, auditAAa))

	// The same through grpc-go's process-wide bootstrap, as a deployment uses
	// it: GRPC_XDS_BOOTSTRAP_CONFIG in the environment of a child process.
	t.Run("bootstrap from env", func(t *testing.T) {
		var wg sync.WaitGroup
		for _, c := range []struct {
			bootstrap []byte
			want      string
		}{{web1, "b"}, {web2, "a"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := runHelperClient(ctx, c.bootstrap, "xds:///api.extsvc.mesh.local")
				if assert.NoError(t, err) {
					assert.Equal(t, "backend="+c.want, got)
				}
			}()
		}
		wg.Wait()
	})

	// Move aa.a's api to the other backend; the next RPCs follow.
	report2, err := srv.Reload(ctx, e2eConfig(t, a, b, true))
	require.NoError(t, err)
	m2AA, _ := report2.Mesh("aa")
	m2AAa, _ := report2.Mesh("aa.a")
	assert.Equal(t, meshAA.Version, m2AA.Version, "mesh aa did not change")
	assert.NotEqual(t, meshAAa.Version, m2AAa.Version, "mesh aa.a changed")
	require.Eventually(t, func() bool { return whoamiOnce(ctx, apiAAa) == "a" }, 10*time.Second, 10*time.Millisecond,
		"aa.a's api never moved to backend a")
	assert.Equal(t, "a", mustWhoami(t, apiAA))
	assert.Equal(t, "a", mustWhoami(t, auditAAa))
	require.Len(t, report2.Errors, 1)
	assert.Equal(t, "payments", report2.Errors[0].Name)
}

// TestHelperClient is the child process of TestE2E's "bootstrap from env": a
// plain grpc-go client that takes its bootstrap from the environment.
func TestHelperClient(t *testing.T) {
	target := os.Getenv(envTarget)
	if target == "" {
		t.Skip("child process of TestE2E")
	}
	cc, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer cc.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	got, err := whoami(ctx, cc, grpc.WaitForReady(true))
	require.NoError(t, err)
	fmt.Printf("backend=%s\n", got)
}

func runHelperClient(ctx context.Context, bootstrap []byte, target string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperClient$", "-test.count=1")
	cmd.Env = append(os.Environ(), envBootstrap+"="+string(bootstrap), envTarget+"="+target)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("child: %w\n%s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "backend=") {
			return strings.TrimSpace(line), nil
		}
	}
	return "", fmt.Errorf("child printed no backend:\n%s", out)
}

// e2eConfig is the test's configuration file. aa.a's broken service comes
// first: the reference control plane dropped every service after it.
func e2eConfig(t *testing.T, a, b string, moved bool) *Config {
	t.Helper()
	apiAAa := b
	if moved {
		apiAAa = a
	}
	cfg, err := ParseConfig(fmt.Appendf(nil, `
meshes: [aa, aa.a]
meshExternalServices:
- {mesh: aa, name: api, spec: {match: {port: 8080, protocol: grpc}, endpoints: [%s]}}
- mesh: aa.a
  name: payments
  spec:
    match: {port: 8080, protocol: grpc}
    endpoints: [%s]
    tls:
      enabled: true
      verification:
        mode: SkipCA
        clientCert: {secret: payments-cert}
        clientKey: {secret: payments-key}
- {mesh: aa.a, name: api, spec: {match: {port: 8080, protocol: grpc}, endpoints: [%s]}}
- {mesh: aa.a, name: audit, spec: {match: {port: 8080, protocol: grpc}, endpoints: [%s]}}
`, endpoint(t, a), endpoint(t, b), endpoint(t, apiAAa), endpoint(t, a)))
	require.NoError(t, err)
	return cfg
}

func endpoint(t *testing.T, addr string) string {
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return fmt.Sprintf("{address: %s, port: %s}", host, port)
}

// startBackend serves the health service on 127.0.0.1; every response carries
// the backend's name in a header.
func startBackend(t *testing.T, name string) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := grpc.NewServer(grpc.UnaryInterceptor(
		func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			if err := grpc.SetHeader(ctx, metadata.Pairs(backendHeader, name)); err != nil {
				return nil, err
			}
			return handler(ctx, req)
		}))
	healthpb.RegisterHealthServer(s, health.NewServer())
	done := make(chan error, 1)
	go func() { done <- s.Serve(lis) }()
	t.Cleanup(func() {
		s.Stop()
		assert.NoError(t, <-done)
	})
	return lis.Addr().String()
}

// startServer starts the xDS server in-process on 127.0.0.1.
func startServer(t *testing.T, logs *syncBuffer, cfg *Config) (*Server, string) {
	t.Helper()
	return startServerOpts(t, logs, cfg, Options{})
}

// startServerOpts is startServer with opts; opts.Logger is set to write to logs.
func startServerOpts(t *testing.T, logs *syncBuffer, cfg *Config, opts Options) (*Server, string) {
	t.Helper()
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(t.Context(), cfg, opts)
	require.NoError(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		assert.NoError(t, <-done)
	})
	return srv, lis.Addr().String()
}

// bootstrap is grpc-go's bootstrap JSON for a proxy of mesh with name name.
func bootstrap(t *testing.T, server, mesh, name string) []byte {
	t.Helper()
	id, err := proxyid.New(mesh, name)
	require.NoError(t, err)
	return bootstrapID(t, server, id.String())
}

// bootstrapID is grpc-go's bootstrap JSON for node ID id.
func bootstrapID(t *testing.T, server, id string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"xds_servers": []any{map[string]any{
			"server_uri":      server,
			"channel_creds":   []any{map[string]any{"type": "insecure"}},
			"server_features": []string{"xds_v3"},
		}},
		"node": map[string]any{"id": id},
	})
	require.NoError(t, err)
	return b
}

// dialXDS opens a channel to xds:///host whose xDS client has its own
// bootstrap (grpc-go's xds.NewXDSResolverWithConfigForTesting), so one
// process holds proxies of two meshes.
func dialXDS(t *testing.T, bootstrap []byte, host string) *grpc.ClientConn {
	t.Helper()
	resolver, err := xds.NewXDSResolverWithConfigForTesting(bootstrap)
	require.NoError(t, err)
	cc, err := grpc.NewClient("xds:///"+host,
		grpc.WithResolvers(resolver),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, cc.Close()) })
	return cc
}

// whoami calls the health service and returns the backend that answered.
func whoami(ctx context.Context, cc *grpc.ClientConn, opts ...grpc.CallOption) (string, error) {
	var md metadata.MD
	_, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{}, append(opts, grpc.Header(&md))...)
	if err != nil {
		return "", err
	}
	if v := md.Get(backendHeader); len(v) == 1 {
		return v[0], nil
	}
	return "", errors.New("response without " + backendHeader)
}

func mustWhoami(t *testing.T, cc *grpc.ClientConn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := whoami(ctx, cc, grpc.WaitForReady(true))
	require.NoError(t, err)
	return got
}

func whoamiOnce(ctx context.Context, cc *grpc.ClientConn) string {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	got, _ := whoami(ctx, cc)
	return got
}

func hostnames(hs []Host) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Hostname
	}
	return out
}

// syncBuffer is a log sink that goroutines of the server may write to while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
