package main

import (
	"path/filepath"
	"testing"

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
