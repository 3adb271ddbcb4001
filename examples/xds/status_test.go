package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
)

const statusConfig = `
meshes: [aa, aa.a]
meshExternalServices:
- {mesh: aa.a, name: one, hostname: shared.example, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.6, port: 80}]}}
- {mesh: aa.a, name: two, hostname: shared.example, spec: {match: {port: 81}, endpoints: [{address: 10.0.0.7, port: 81}]}}
- {mesh: aa.a, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}}
- {mesh: aa.a, name: missing-ca, spec: {match: {port: 443}, endpoints: [{address: 10.0.0.10, port: 443}], tls: {enabled: true, verification: {caCert: {secret: nope}}}}}
`

func getStatus(t *testing.T, url string) (Status, map[string]any) {
	t.Helper()
	resp, err := http.Get(url + "/status")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var st Status
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&st))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(body, &raw))
	return st, raw
}

func TestStatusShowsMeshesAndProxies(t *testing.T) {
	srv, addr := startServerOpts(t, &syncBuffer{}, mustParse(t, statusConfig), Options{})
	web := httptest.NewServer(srv.AdminHandler())
	t.Cleanup(web.Close)

	// A proxy accepts the clusters and rejects the load assignments.
	ads := openStream(t, dialADS(t, addr).StreamAggregatedResources)
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{Node: node("aa%2Ea.web-1.ns"), TypeUrl: resourcev3.ClusterType}))
	cds := recv(t, ads)
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{TypeUrl: resourcev3.ClusterType, VersionInfo: cds.GetVersionInfo(), ResponseNonce: cds.GetNonce()}))
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{TypeUrl: resourcev3.EndpointType}))
	eds := recv(t, ads)
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{
		TypeUrl: resourcev3.EndpointType, ResponseNonce: eds.GetNonce(),
		ErrorDetail: &rpcstatus.Status{Message: "no"},
	}))
	// The server records the NACK when it reads it; the answer to a later
	// request on the stream (listeners) comes after that.
	require.NoError(t, ads.Send(&discoveryv3.DiscoveryRequest{TypeUrl: resourcev3.ListenerType}))
	lds := recv(t, ads)
	require.Equal(t, resourcev3.ListenerType, lds.GetTypeUrl())

	st, raw := getStatus(t, web.URL)

	// The proxy is an Envoy; the status lists the mesh's proxyless snapshot,
	// the larger one.
	srv.mu.Lock()
	versions := srv.meshes["aa.a"].proxyless.GetVersionMap
	srv.mu.Unlock()
	var resources []ResourceStatus
	for _, typ := range []string{resourcev3.ClusterType, resourcev3.EndpointType, resourcev3.ListenerType, resourcev3.RouteType} {
		for _, name := range sortedKeys(versions(typ)) {
			resources = append(resources, ResourceStatus{Type: typ, Name: name, Version: versions(typ)[name]})
		}
	}
	require.Len(t, resources, 3+3+1+1) // api, one, two; api's hostname only
	want := Status{
		Meshes: []MeshStatus{
			{Name: "aa", Resources: []ResourceStatus{}, Errors: []ErrorStatus{}, Conflicts: []Conflict{}},
			{
				Name:      "aa.a",
				Resources: sortResources(resources),
				Errors: []ErrorStatus{
					{MES: "missing-ca", Field: "spec.tls.verification.caCert", Message: srv.Report().Errors[0].Err.Error()},
					{MES: "one", Field: "hostname", Message: `xds: hostname conflict: "shared.example" is also claimed by "two"`},
					{MES: "two", Field: "hostname", Message: `xds: hostname conflict: "shared.example" is also claimed by "one"`},
				},
				Conflicts: []Conflict{{Hostname: "shared.example", Claims: []Claim{{"MeshExternalService", "one"}, {"MeshExternalService", "two"}}}},
			},
		},
		Proxies: []ProxyStatus{{
			ID: "aa%2Ea.web-1.ns", Mesh: "aa.a",
			Acked:  map[string]string{resourcev3.ClusterType: cds.GetVersionInfo()},
			Nacked: map[string]Nack{resourcev3.EndpointType: {Version: eds.GetVersionInfo(), Error: "no"}},
		}},
	}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	// The JSON shape: the keys, and empty lists as [] rather than null.
	assert.ElementsMatch(t, []string{"meshes", "proxies"}, keys(raw))
	aa := raw["meshes"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"name": "aa", "resources": []any{}, "errors": []any{}, "conflicts": []any{}}, aa)
	proxy := raw["proxies"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, []string{"id", "mesh", "acked", "nacked"}, keys(proxy))
	assert.Equal(t, map[string]any{"version": eds.GetVersionInfo(), "error": "no"}, proxy["nacked"].(map[string]any)[resourcev3.EndpointType])
}

func TestRunServesStatus(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(twoMeshes), 0o600))
	sigs := make(chan os.Signal)
	_, code, _, admin := startRunAdmin(t, sigs, "-config", path, "-admin", "127.0.0.1:0")
	require.NotNil(t, admin)
	st, _ := getStatus(t, "http://"+admin.String())
	require.Len(t, st.Meshes, 2)
	assert.Equal(t, "aa.a", st.Meshes[1].Name)
	assert.Len(t, st.Meshes[1].Resources, 4)
	assert.Empty(t, st.Proxies)

	resp, err := http.Post("http://"+admin.String()+"/status", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	sigs <- syscall.SIGTERM
	assert.Equal(t, exitOK, <-code)
}

func sortResources(rs []ResourceStatus) []ResourceStatus {
	out := append([]ResourceStatus{}, rs...)
	sortStatusResources(out)
	return out
}

func keys(m map[string]any) []string { return sortedKeys(m) }
