package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/meshcore/meshcore/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
)

func mustParse(t *testing.T, yaml string) *Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(yaml))
	require.NoError(t, err)
	return cfg
}

func TestReloadRefusesMeshRemoval(t *testing.T) {
	const onlyAA = `
meshes: [aa]
meshExternalServices:
- {mesh: aa, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}}
`
	for _, tc := range []struct {
		name    string
		allow   bool
		proxies []string
		next    string
		err     string // empty: the reload is applied
	}{
		{
			name: "no meshes", next: "",
			err: `xds: reload refused: the new configuration has no meshes; it would drop every mesh: "aa" (0 connected proxies), "aa.a" (0 connected proxies) (-allow-mesh-removal allows it)`,
		},
		{
			name: "a mesh with connected proxies", proxies: []string{"aa%2Ea.web-1.ns", "aa%2Ea.web-2.ns", "aa.web-3.ns"}, next: onlyAA,
			err: `xds: reload refused: it would drop meshes with connected proxies: "aa.a" (2 connected proxies) (-allow-mesh-removal allows it)`,
		},
		{name: "a mesh without connected proxies", proxies: []string{"aa.web-3.ns"}, next: onlyAA},
		{name: "no meshes, allowed", allow: true, next: ""},
		{name: "a mesh with connected proxies, allowed", allow: true, proxies: []string{"aa%2Ea.web-1.ns"}, next: onlyAA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(t.Context(), mustParse(t, twoMeshes), Options{AllowMeshRemoval: tc.allow})
			require.NoError(t, err)
			t.Cleanup(s.Stop)
			for i, id := range tc.proxies {
				require.NoError(t, s.streamRequest(streamKey{id: int64(i)}, node(id)))
			}
			before := s.Report()
			_, err = s.Reload(t.Context(), mustParse(t, tc.next))
			if tc.err == "" {
				require.NoError(t, err)
				assert.NotEqual(t, before, s.Report())
				return
			}
			require.ErrorIs(t, err, ErrMeshRemoval)
			assert.EqualError(t, err, tc.err)
			assert.Equal(t, before, s.Report(), "the running configuration is kept")
		})
	}
}

func TestRunRefusesEmptyConfigReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(twoMeshes), 0o600))
	sigs := make(chan os.Signal)
	logs, code := startRun(t, sigs, "-config", path)
	waitLog(t, logs, `msg="config loaded" meshes=2`)

	require.NoError(t, os.WriteFile(path, nil, 0o600))
	sigs <- syscall.SIGHUP
	waitLog(t, logs, `level=ERROR msg="reload failed; serving the previous config" why=SIGHUP err="xds: reload refused: the new configuration has no meshes; it would drop every mesh: \"aa\" (0 connected proxies), \"aa.a\" (0 connected proxies) (-allow-mesh-removal allows it)"`)
	sigs <- syscall.SIGTERM
	assert.Equal(t, exitOK, <-code)
}

// twoServices is a mesh with two services; port sets api's endpoint port
// (its load assignment) and proto its protocol (its cluster).
func twoServices(port int, proto string) string {
	return fmt.Sprintf(`
meshes: [aa]
meshExternalServices:
- {mesh: aa, name: api, spec: {match: {port: 80, protocol: %s}, endpoints: [{address: 10.0.0.1, port: %d}]}}
- {mesh: aa, name: db, spec: {match: {port: 5432}, endpoints: [{address: 10.0.0.2, port: 5432}]}}
`, proto, port)
}

func TestNACKIsNotAnsweredWithTheSameVersion(t *testing.T) {
	logs := &syncBuffer{}
	srv, addr := startServerOpts(t, logs, mustParse(t, twoServices(80, "tcp")), Options{})
	ads := openStream(t, dialADS(t, addr).StreamAggregatedResources)

	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{Node: node("aa.web-1.ns"), TypeUrl: resourcev3.ClusterType}))
	cds := recv(t, ads)
	require.Equal(t, resourcev3.ClusterType, cds.GetTypeUrl())
	require.Len(t, cds.GetResources(), 2)

	// The proxy rejects the clusters, twice (Envoy repeats a NACK on its
	// retry timer); then it asks for load assignments.
	nack := &discoveryv3.DiscoveryRequest{
		TypeUrl: resourcev3.ClusterType, ResponseNonce: cds.GetNonce(),
		ErrorDetail: &rpcstatus.Status{Code: int32(codes.InvalidArgument), Message: "cluster aa_api___extsvc_80: bad"},
	}
	require.NoError(t, ads.Send(nack))
	require.NoError(t, ads.Send(nack))
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{TypeUrl: resourcev3.EndpointType}))
	// Responses of one stream arrive in order: a re-sent CDS would come first.
	eds := recv(t, ads)
	require.Equal(t, resourcev3.EndpointType, eds.GetTypeUrl(), "the NACKed clusters were sent again")
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{TypeUrl: resourcev3.EndpointType, VersionInfo: eds.GetVersionInfo(), ResponseNonce: eds.GetNonce()}))

	// Only the load assignments change: they flow, the clusters do not.
	_, err := srv.Reload(t.Context(), mustParse(t, twoServices(81, "tcp")))
	require.NoError(t, err)
	eds2 := recv(t, ads)
	require.Equal(t, resourcev3.EndpointType, eds2.GetTypeUrl(), "the NACKed clusters were sent again")
	assert.NotEqual(t, eds.GetVersionInfo(), eds2.GetVersionInfo())
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{TypeUrl: resourcev3.EndpointType, VersionInfo: eds2.GetVersionInfo(), ResponseNonce: eds2.GetNonce()}))
	// The answer to a later request orders the checks below after the ACK.
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{TypeUrl: resourcev3.ListenerType}))
	require.Equal(t, resourcev3.ListenerType, recv(t, ads).GetTypeUrl())

	// The clusters change: the new version is sent.
	_, err = srv.Reload(t.Context(), mustParse(t, twoServices(81, "grpc")))
	require.NoError(t, err)
	cds2 := recv(t, ads)
	require.Equal(t, resourcev3.ClusterType, cds2.GetTypeUrl())
	assert.NotEqual(t, cds.GetVersionInfo(), cds2.GetVersionInfo())

	line := `level=WARN msg="proxy rejected a response (NACK); that version is not sent to it again" proxy=aa.web-1.ns type=` +
		resourcev3.ClusterType + ` version=` + cds.GetVersionInfo() + ` error_detail="cluster aa_api___extsvc_80: bad"`
	assert.Equal(t, 1, strings.Count(logs.String(), line), "logged once:\n%s", logs)
	p := srv.proxies["aa.web-1.ns"]
	srv.mu.Lock()
	assert.Equal(t, map[string]Nack{resourcev3.ClusterType: {Version: cds.GetVersionInfo(), Error: "cluster aa_api___extsvc_80: bad"}}, p.nacked)
	assert.Equal(t, map[string]string{resourcev3.EndpointType: eds2.GetVersionInfo()}, p.acked)
	srv.mu.Unlock()
}

func TestDeltaNACKIsNotAnsweredWithTheSameVersion(t *testing.T) {
	logs := &syncBuffer{}
	srv, addr := startServerOpts(t, logs, mustParse(t, twoServices(80, "tcp")), Options{})
	ads := openStream(t, dialADS(t, addr).DeltaAggregatedResources)

	require.NoError(t, ads.Send(&discoveryv3.DeltaDiscoveryRequest{Node: node("aa.web-1.ns"), TypeUrl: resourcev3.ClusterType}))
	cds := recv(t, ads)
	require.Equal(t, resourcev3.ClusterType, cds.GetTypeUrl())
	require.Len(t, cds.GetResources(), 2)

	nack := &discoveryv3.DeltaDiscoveryRequest{
		TypeUrl: resourcev3.ClusterType, ResponseNonce: cds.GetNonce(),
		ErrorDetail: &rpcstatus.Status{Code: int32(codes.InvalidArgument), Message: "bad"},
	}
	require.NoError(t, ads.Send(nack))
	require.NoError(t, ads.Send(&discoveryv3.DeltaDiscoveryRequest{TypeUrl: resourcev3.EndpointType}))
	eds := recv(t, ads)
	require.Equal(t, resourcev3.EndpointType, eds.GetTypeUrl(), "the NACKed clusters were sent again")
	require.NoError(t, ads.Send(&discoveryv3.DeltaDiscoveryRequest{TypeUrl: resourcev3.EndpointType, ResponseNonce: eds.GetNonce()}))

	_, err := srv.Reload(t.Context(), mustParse(t, twoServices(81, "tcp")))
	require.NoError(t, err)
	eds2 := recv(t, ads)
	require.Equal(t, resourcev3.EndpointType, eds2.GetTypeUrl(), "the NACKed clusters were sent again")
	require.Len(t, eds2.GetResources(), 1, "only api's load assignment changed")
	assert.Equal(t, "aa_api___extsvc_80", eds2.GetResources()[0].GetName())

	// One cluster changes: only it is sent.
	_, err = srv.Reload(t.Context(), mustParse(t, twoServices(81, "grpc")))
	require.NoError(t, err)
	cds2 := recv(t, ads)
	require.Equal(t, resourcev3.ClusterType, cds2.GetTypeUrl())
	require.Len(t, cds2.GetResources(), 1)
	assert.Equal(t, "aa_api___extsvc_80", cds2.GetResources()[0].GetName())
	assert.Empty(t, cds2.GetRemovedResources())

	assert.Equal(t, 1, strings.Count(logs.String(), `msg="proxy rejected a response (NACK); that version is not sent to it again" proxy=aa.web-1.ns`))
}

// A proxy that connects while a reload is being applied counts: the reload
// that would drop its mesh is refused, and the running configuration kept.
func TestReloadRefusesMeshRemovalOfAProxyConnectedDuringIt(t *testing.T) {
	s, err := New(t.Context(), mustParse(t, twoMeshes), Options{})
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	before := s.Report()
	// The reload adds mesh b; while its state is made, a proxy of aa.a,
	// the mesh the reload drops, connects.
	s.world = newWorldOf(func(mesh, zone string, secrets topology.Secrets) meshState {
		if mesh == "b" {
			require.NoError(t, s.streamRequest(streamKey{id: 1}, node("aa%2Ea.web-1.ns")))
		}
		return newMeshState(mesh, zone, secrets)
	}, newHostIndex)
	_, err = s.Reload(t.Context(), mustParse(t, "meshes: [aa, b]\n"))
	require.ErrorIs(t, err, ErrMeshRemoval)
	assert.EqualError(t, err, `xds: reload refused: it would drop meshes with connected proxies: "aa.a" (1 connected proxies) (-allow-mesh-removal allows it)`)
	assert.Equal(t, before, s.Report(), "the running configuration is kept")
	snap, err := s.cache.GetSnapshot("aa%2Ea.web-1.ns")
	require.NoError(t, err)
	assert.Equal(t, []string{"aa.a_api___extsvc_80"}, sortedKeys(snap.GetResources(typeURL(types.Cluster))))

	// The next reload applies in full what it gives.
	report, err := s.Reload(t.Context(), mustParse(t, twoMeshes))
	require.NoError(t, err)
	assert.Equal(t, before, report)
}
