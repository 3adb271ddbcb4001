package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/meshcore/meshcore/internal/golden"
	"github.com/meshcore/meshcore/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// faultsConfig has one service per fault the build reports, among good ones.
const faultsConfig = `
meshes: [aa, aa.a]
meshExternalServices:
- {mesh: aa, name: good, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}}
- {mesh: aa, name: typo, type: MeshService, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.2, port: 80}]}}
- {mesh: nowhere, name: lost, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.3, port: 80}]}}
- {name: meshless, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.4, port: 80}]}}
- {mesh: aa.a, name: bad-host, hostname: "Not_A_Host", spec: {match: {port: 80}, endpoints: [{address: 10.0.0.5, port: 80}]}}
- {mesh: aa.a, name: one, hostname: shared.example, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.6, port: 80}]}}
- {mesh: aa.a, name: two, hostname: shared.example, spec: {match: {port: 81}, endpoints: [{address: 10.0.0.7, port: 81}]}}
- {mesh: aa.a, name: dns, spec: {match: {port: 80}, endpoints: [{address: example.com, port: 80}]}}
- {mesh: aa.a, name: tls, spec: {match: {port: 443}, endpoints: [{address: 10.0.0.8, port: 443}], tls: {enabled: true, verification: {mode: SkipAll}}}}
- {mesh: aa.a, name: no-port, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.9, port: 70000}]}}
- {mesh: aa.a, name: missing-ca, spec: {match: {port: 443}, endpoints: [{address: 10.0.0.10, port: 443}], tls: {enabled: true, verification: {caCert: {secret: nope}}}}}
- {mesh: aa.a, name: fine, spec: {match: {port: 80, protocol: grpc}, endpoints: [{address: 10.0.0.11, port: 80}]}}
- {mesh: aa.a, name: gap, spec: {match: {port: 82}, endpoints: [{address: 10.0.0.12, port: 82}, {address: 10.0.0.13, port: 82, priority: 2}]}}
- {mesh: aa.a, name: failover, spec: {match: {port: 83}, endpoints: [{address: 10.0.0.14, port: 83}, {address: 10.0.0.15, port: 83, priority: 1}]}}
`

func TestBuildReportsEachFaultAndServesTheRest(t *testing.T) {
	cfg, err := ParseConfig([]byte(faultsConfig))
	require.NoError(t, err)
	builds, report, err := build(t.Context(), cfg)
	require.NoError(t, err)

	type fault struct {
		Mesh, Name, Field string
		Is                error
	}
	var got []fault
	for _, e := range report.Errors {
		f := fault{Mesh: e.Mesh, Name: e.Name, Field: e.Field}
		for _, target := range []error{ErrUnknownMesh, ErrHostname, ErrHostnameConflict, topology.ErrInvalid, topology.ErrSecretNotFound} {
			if errors.Is(e, target) {
				f.Is = target
			}
		}
		got = append(got, f)
	}
	want := []fault{
		{Mesh: "", Name: "meshless", Field: "mesh", Is: ErrUnknownMesh},
		{Mesh: "aa", Name: "typo", Field: "type", Is: topology.ErrInvalid},
		{Mesh: "aa.a", Name: "bad-host", Field: "hostname", Is: ErrHostname},
		{Mesh: "aa.a", Name: "missing-ca", Field: "spec.tls.verification.caCert", Is: topology.ErrSecretNotFound},
		{Mesh: "aa.a", Name: "no-port", Field: "spec.endpoints[0].port", Is: topology.ErrInvalid},
		{Mesh: "aa.a", Name: "one", Field: "hostname", Is: ErrHostnameConflict},
		{Mesh: "aa.a", Name: "two", Field: "hostname", Is: ErrHostnameConflict},
		{Mesh: "nowhere", Name: "lost", Field: "mesh", Is: ErrUnknownMesh},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("faults (-want +got):\n%s", diff)
	}
	assert.EqualError(t, report.Errors[1], `topology: MeshExternalService "typo" in mesh "aa": type: Invalid value: "MeshService": must be MeshExternalService`)
	assert.EqualError(t, report.Errors[5], `topology: MeshExternalService "one" in mesh "aa.a": hostname: xds: hostname conflict: "shared.example" is also claimed by "two"`)

	aa, ok := report.Mesh("aa")
	require.True(t, ok)
	assert.Equal(t, []Host{{Hostname: "good.extsvc.mesh.local", Service: "good", Cluster: "aa_good___extsvc_80"}}, aa.Hosts)
	aaa, ok := report.Mesh("aa.a")
	require.True(t, ok)
	assert.Equal(t, []Host{
		{Hostname: "failover.extsvc.mesh.local", Service: "failover", Cluster: "aa.a_failover___extsvc_83"},
		{Hostname: "fine.extsvc.mesh.local", Service: "fine", Cluster: "aa.a_fine___extsvc_80"},
	}, aaa.Hosts)
	assert.Equal(t, []Skipped{{Service: "dns", Reason: reasonDNS}, {Service: "gap", Reason: reasonPriorities}, {Service: "tls", Reason: reasonTLS}}, aaa.EnvoyOnly)
	// Built: bad-host, one, two, dns, tls, fine, gap, failover. Their
	// clusters are served (to Envoy); only fine and failover are routed for
	// proxyless clients.
	assert.Equal(t, 8, aaa.Clusters)
	assert.Equal(t, []string{"aa.a_bad-host___extsvc_80", "aa.a_dns___extsvc_80", "aa.a_failover___extsvc_83", "aa.a_fine___extsvc_80", "aa.a_gap___extsvc_82",
		"aa.a_one___extsvc_80", "aa.a_tls___extsvc_443", "aa.a_two___extsvc_81"},
		sortedKeys(builds["aa.a"].envoy.GetResources(typeURL(types.Cluster))))
	assert.Equal(t, []string{"failover.extsvc.mesh.local", "fine.extsvc.mesh.local"}, sortedKeys(builds["aa.a"].proxyless.GetResources(typeURL(types.Listener))))
	assert.Empty(t, builds["aa.a"].envoy.GetResources(typeURL(types.Listener)))
	_, ok = report.Mesh("nowhere")
	assert.False(t, ok)
}

// TestBuildIsDeterministic: the order of services, and map iteration, do not
// change a byte of the output, so versions are stable across reloads.
func TestBuildIsDeterministic(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	_, want, err := build(t.Context(), cfg)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		r.Shuffle(len(cfg.MeshExternalServices), func(i, j int) {
			cfg.MeshExternalServices[i], cfg.MeshExternalServices[j] = cfg.MeshExternalServices[j], cfg.MeshExternalServices[i]
		})
		_, got, err := build(t.Context(), cfg)
		require.NoError(t, err)
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a.Error() == b.Error() })); diff != "" {
			t.Fatalf("report (-want +got):\n%s", diff)
		}
	}
}

// TestBuildGolden pins the resources of the sample configuration.
func TestBuildGolden(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	builds, report, err := build(t.Context(), cfg)
	require.NoError(t, err)

	var out bytes.Buffer
	for _, m := range report.Meshes {
		fmt.Fprintf(&out, "# mesh %q version %s\n", m.Mesh, m.Version)
		for _, h := range m.Hosts {
			fmt.Fprintf(&out, "host %s -> %s\n", h.Hostname, h.Cluster)
		}
		for _, s := range m.EnvoyOnly {
			fmt.Fprintf(&out, "envoy only %s: %s\n", s.Service, s.Reason)
		}
		for _, e := range m.Errors {
			fmt.Fprintf(&out, "error %v\n", e)
		}
		snap := builds[m.Mesh].proxyless
		for _, typ := range []types.ResponseType{types.Cluster, types.Endpoint, types.Listener, types.Route} {
			items := snap.GetResources(typeURL(typ))
			for _, name := range sortedKeys(items) {
				fmt.Fprintf(&out, "## %s %s\n%s\n", typeURL(typ), name, protoJSON(t, items[name]))
			}
		}
	}
	golden.Check(t, filepath.Join("testdata", "config.golden"), out.Bytes())
}

// protoJSON renders m as indented JSON. protojson's own spacing is
// deliberately unstable, so it is normalized through encoding/json.
func protoJSON(t *testing.T, m types.Resource) string {
	t.Helper()
	b, err := protojson.Marshal(m)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, b, "", "  "))
	return out.String()
}

func TestConsistent(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
meshes: [m]
meshExternalServices: [{mesh: m, name: a, hostname: a.example, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}}]`))
	require.NoError(t, err)
	builds, _, err := build(t.Context(), cfg)
	require.NoError(t, err)
	good := builds["m"].proxyless
	require.NoError(t, consistent(good))
	// go-control-plane's own check does not see routes referenced by API
	// listeners; this is why consistent exists.
	require.Error(t, good.Consistent())

	with := func(typ types.ResponseType, items ...types.Resource) *cachev3.Snapshot {
		s := &cachev3.Snapshot{Resources: good.Resources}
		s.Resources[typ] = cachev3.NewResources("v", items)
		return s
	}
	for _, tc := range []struct {
		name string
		snap *cachev3.Snapshot
		want string
	}{
		{"route not referenced", with(types.Listener), "1 routes for 0 route references"},
		{"route missing", with(types.Route), "0 routes for 1 route references"},
		{"other route", with(types.Route, routeConfig("b.example", "m_a___extsvc_80")), `route "b.example" is not referenced by a listener`},
		{"unknown cluster", with(types.Route, routeConfig("a.example", "nope")), `route "a.example" names cluster "nope", which is not served`},
		{"endpoints missing", with(types.Endpoint), "mismatched"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := consistent(tc.snap)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestVersion(t *testing.T) {
	a := routeConfig("a.example", "c1")
	b := routeConfig("b.example", "c1")
	va, err := version([]types.Resource{a, b})
	require.NoError(t, err)
	vb, err := version([]types.Resource{a, routeConfig("b.example", "c2")})
	require.NoError(t, err)
	vc, err := version([]types.Resource{proto.Clone(a), proto.Clone(b)})
	require.NoError(t, err)
	none, err := version(nil)
	require.NoError(t, err)
	assert.NotEqual(t, va, vb)
	assert.Equal(t, va, vc)
	assert.Len(t, va, 16)
	assert.False(t, slices.Contains([]string{va, vb}, none))
	assert.True(t, strings.Trim(va, "0123456789abcdef") == "")
}
