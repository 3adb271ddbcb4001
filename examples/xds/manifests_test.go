package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"go.uber.org/goleak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadManifests(t *testing.T) {
	in, warnings, err := ReadManifests(filepath.Join("testdata", "manifests"), "zone-1")
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, []string{"aa", "aa.a"}, in.Meshes)
	var names []string
	for _, s := range in.Services {
		names = append(names, s.Mesh+"/"+s.Name)
	}
	assert.Equal(t, []string{"aa.a/api.kuma-system", "aa.a/audit.kuma-system", "aa.a/payments.kuma-system", "aa/api"}, names)
	require.Len(t, in.Generators, 1)
	assert.Equal(t, "audit.kuma-system", in.Generators[0].Name)
	require.Len(t, in.MeshServices, 1)
	assert.Equal(t, "web", in.MeshServices[0].Name)
	assert.Equal(t, []byte("not a certificate"), in.Secrets["aa.a"]["payments-ca"])
	assert.Empty(t, in.Errors)

	_, report, _, err := newWorld().apply(t.Context(), in)
	require.NoError(t, err)
	aa, _ := report.Mesh("aa")
	aaa, _ := report.Mesh("aa.a")
	assert.Equal(t, []Host{{Hostname: "api.extsvc.mesh.local", Service: "api", Cluster: "aa_api__zone-1_extsvc_8080"}}, aa.Hosts)
	assert.Equal(t, []Host{
		{Hostname: "api.extsvc.mesh.local", Service: "api.kuma-system", Cluster: "aa.a_api_kuma-system_zone-1_extsvc_8080"},
		{Hostname: "audit.extsvc.mesh.local", Service: "audit.kuma-system", Cluster: "aa.a_audit_kuma-system_zone-1_extsvc_8080"},
		{Hostname: "audit.internal.example", Service: "audit.kuma-system", Cluster: "aa.a_audit_kuma-system_zone-1_extsvc_8080"},
	}, aaa.Hosts)
	// payments: the CA secret is read (and is not PEM), the client
	// certificate's secret does not exist.
	require.Len(t, report.Errors, 2, "%v", report.Errors)
	for i, field := range []string{"spec.tls.verification.caCert", "spec.tls.verification.clientCert"} {
		assert.Equal(t, "payments.kuma-system", report.Errors[i].Name)
		assert.Equal(t, field, report.Errors[i].Field)
	}
}

// copyManifests copies testdata/manifests into a new directory.
func copyManifests(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(filepath.Join("testdata", "manifests"))
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", "manifests", e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600))
	}
	return dir
}

// edit replaces old by new in file, atomically (a write to a hidden file,
// then a rename), as editors and kubectl-style tools save.
func edit(t *testing.T, dir, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, file))
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	tmp := filepath.Join(dir, ".edit-"+file)
	require.NoError(t, os.WriteFile(tmp, []byte(strings.Replace(string(data), old, new, 1)), 0o600))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, file)))
}

func TestRunManifestsPushesOnlyTheEdit(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) }) // runs last
	dir := copyManifests(t)
	sigs := make(chan os.Signal)
	logs, code, ads, admin := startRunAdmin(t, sigs, "-manifests", dir, "-zone", "zone-1", "-admin", "127.0.0.1:0")
	c := newDeltaClient(t, ads.String(), "aa%2Ea.web-1.ns", nil)
	first := c.recvAll()
	assert.Len(t, first[resourcev3.ClusterType].Changed, 2, "api and audit; payments does not build")

	// api's endpoint moves: its load assignment is pushed, nothing else.
	const api = "aa.a_api_kuma-system_zone-1_extsvc_8080"
	edit(t, dir, "aa.a.yaml", "port: 50052", "port: 50054")
	got := c.recv()
	assert.Equal(t, resourcev3.EndpointType, got.Type)
	assert.Equal(t, []string{api}, sortedKeys(got.Changed))
	assert.Empty(t, got.Removed)

	// audit's moves next: had the first edit pushed more, it would come
	// first (one stream's responses are ordered).
	edit(t, dir, "aa.a.yaml", "port: 50051", "port: 50055")
	got = c.recv()
	assert.Equal(t, resourcev3.EndpointType, got.Type)
	assert.Equal(t, []string{"aa.a_audit_kuma-system_zone-1_extsvc_8080"}, sortedKeys(got.Changed))

	// An edit of mesh aa rebuilds mesh aa only.
	built := strings.Count(logs.String(), `msg="mesh built" mesh=aa.a `)
	edit(t, dir, "aa.yaml", "port: 50051", "port: 50056")
	waitLog(t, logs, `msg="mesh built" mesh=aa version=`)
	waitLog(t, logs, `rebuilt=1 proxies=1 pushed=0`)
	assert.Equal(t, built, strings.Count(logs.String(), `msg="mesh built" mesh=aa.a `))

	// Emptying the directory would drop both meshes: refused.
	for _, f := range []string{"aa.yaml", "aa.a.yaml", "generators.yaml", "meshes.yaml"} {
		require.NoError(t, os.Remove(filepath.Join(dir, f)))
	}
	waitLog(t, logs, `level=ERROR msg="reload failed; serving the previous config" why="manifests changed" err="xds: reload refused: the new configuration has no meshes; it would drop every mesh: \"aa\" (0 connected proxies), \"aa.a\" (1 connected proxies)`)
	st, _ := getStatus(t, "http://"+admin.String())
	require.Len(t, st.Meshes, 2)
	require.Len(t, st.Proxies, 1)
	assert.Equal(t, "aa.a", st.Proxies[0].Mesh)

	sigs <- syscall.SIGTERM
	assert.Equal(t, exitOK, <-code)
}

// A directory read again parses only the files whose content changed, and
// gives what a first read of it gives.
func TestManifestDirParsesOnlyChangedFiles(t *testing.T) {
	dir := copyManifests(t)
	md := newManifestDir(dir, "zone-1")
	_, _, err := md.read()
	require.NoError(t, err)
	assert.Equal(t, 4, md.parsed)

	edit(t, dir, "aa.a.yaml", "port: 50052", "port: 50054")
	require.NoError(t, os.Remove(filepath.Join(dir, "generators.yaml")))
	got, _, err := md.read()
	require.NoError(t, err)
	assert.Equal(t, 5, md.parsed, "one file parsed again")
	want, _, err := ReadManifests(dir, "zone-1")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Empty(t, got.Generators)
}
