package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		yaml    string
		wantErr string // substring; empty: no error
	}{
		{name: "empty", yaml: ``},
		{name: "meshes only", yaml: `meshes: [aa, aa.a]`},
		{
			name: "universal MES with hostname and secrets",
			yaml: `
meshes: [aa]
meshExternalServices:
- type: MeshExternalService
  mesh: aa
  name: api
  labels: {kuma.io/display-name: api}
  hostname: api.example
  spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}
secrets: {aa: {ca: "-----BEGIN CERTIFICATE-----"}}`,
		},
		{name: "yaml syntax", yaml: "meshes: [aa", wantErr: "xds: invalid config: "},
		{name: "unknown top-level field", yaml: "meshes: [aa]\nmesh: aa", wantErr: `unknown field "mesh"`},
		{name: "unknown spec field", yaml: "meshes: [aa]\nmeshExternalServices: [{mesh: aa, name: x, spec: {endpoint: []}}]", wantErr: `unknown field "endpoint"`},
		{name: "empty mesh name", yaml: `meshes: [aa, ""]`, wantErr: `xds: invalid config: meshes[1]: mesh name is empty`},
		{name: "duplicate mesh", yaml: `meshes: [aa, aa.a, aa]`, wantErr: `xds: invalid config: meshes[2]: mesh "aa" is listed twice (also meshes[0])`},
		{name: "secrets of an unknown mesh", yaml: "meshes: [aa]\nsecrets: {aa.a: {x: y}}", wantErr: `xds: invalid config: secrets: mesh "aa.a" is not in meshes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.yaml))
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, cfg)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Nil(t, cfg)
		})
	}
}

func TestParseConfigDecodesMES(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
meshes: [aa.a]
meshExternalServices:
- type: MeshExternalService
  mesh: aa.a
  name: api
  hostname: api.example
  spec:
    match: {port: 443, protocol: grpc}
    endpoints: [{address: api.example.com, port: 443}]
    tls:
      enabled: true
      verification: {mode: SkipCA, clientCert: {secret: c}, clientKey: {inlineString: k}}
secrets: {aa.a: {c: PEM}}`))
	require.NoError(t, err)
	require.Len(t, cfg.MeshExternalServices, 1)
	s := cfg.MeshExternalServices[0]
	assert.Equal(t, "MeshExternalService", s.Type)
	assert.Equal(t, "aa.a", s.Mesh)
	assert.Equal(t, "api.example", s.Hostname)
	assert.Equal(t, uint32(443), s.Spec.Match.Port)
	assert.Equal(t, "grpc", s.Spec.Match.Protocol)
	assert.Equal(t, "api.example.com", s.Spec.Endpoints[0].Address)
	assert.Equal(t, "c", s.Spec.TLS.Verification.ClientCert.Secret)
	assert.Equal(t, "k", s.Spec.TLS.Verification.ClientKey.InlineString)
	assert.Equal(t, []byte("PEM"), cfg.secrets()["aa.a"]["c"])
}

// Without a hostname, the zone's default HostnameGenerator names a service
// {displayName}.extsvc.mesh.local: hostname generation decides, not the
// server.
func TestConfigHostnamesFromGenerators(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
meshes: [aa.a]
meshExternalServices:
- {mesh: aa.a, name: api, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}}
- {mesh: aa.a, name: web, labels: {kuma.io/display-name: shown}, spec: {match: {port: 81}, endpoints: [{address: 10.0.0.2, port: 81}]}}
- {mesh: aa.a, name: db, hostname: db.example, spec: {match: {port: 82}, endpoints: [{address: 10.0.0.3, port: 82}]}}
`))
	require.NoError(t, err)
	_, report, err := build(t.Context(), cfg)
	require.NoError(t, err)
	m, _ := report.Mesh("aa.a")
	assert.Equal(t, []Host{
		{Hostname: "api.extsvc.mesh.local", Service: "api", Cluster: "aa.a_api___extsvc_80"},
		{Hostname: "db.example", Service: "db", Cluster: "aa.a_db___extsvc_82"},
		{Hostname: "shown.extsvc.mesh.local", Service: "web", Cluster: "aa.a_shown___extsvc_81"},
	}, m.Hosts)
}

// A service's own hostname meets the rule every generated hostname meets
// (naming.CheckHostname: labels of at most 63 bytes); a generator that fails
// to name a service reports it as ErrHostname, a collision it loses as
// ErrHostnameConflict.
func TestConfigHostnameFaults(t *testing.T) {
	long := strings.Repeat("a", 64)
	cfg, err := ParseConfig([]byte(`
meshes: [aa.a]
meshExternalServices:
- {mesh: aa.a, name: long, hostname: ` + long + `.example, spec: {match: {port: 80}, endpoints: [{address: 10.0.0.1, port: 80}]}}
- {mesh: aa.a, name: first, labels: {kuma.io/display-name: same}, spec: {match: {port: 81}, endpoints: [{address: 10.0.0.2, port: 81}]}}
- {mesh: aa.a, name: second, labels: {kuma.io/display-name: same}, spec: {match: {port: 82}, endpoints: [{address: 10.0.0.3, port: 82}]}}
- {mesh: aa.a, name: upper, labels: {kuma.io/display-name: Upper}, spec: {match: {port: 83}, endpoints: [{address: 10.0.0.4, port: 83}]}}
`))
	require.NoError(t, err)
	_, report, err := build(t.Context(), cfg)
	require.NoError(t, err)

	var got []string
	for _, e := range report.Errors {
		switch {
		case errors.Is(e, ErrHostname):
			got = append(got, e.Name+": ErrHostname")
		case errors.Is(e, ErrHostnameConflict):
			got = append(got, e.Name+": ErrHostnameConflict")
		default:
			got = append(got, e.Name+": "+e.Error())
		}
	}
	assert.Equal(t, []string{"long: ErrHostname", "second: ErrHostnameConflict", "upper: ErrHostname"}, got)
	assert.Contains(t, report.Errors[0].Error(), `label 1 ("`+long+`") must be no more than 63 characters`)

	m, _ := report.Mesh("aa.a")
	assert.Equal(t, []Host{{Hostname: "same.extsvc.mesh.local", Service: "first", Cluster: "aa.a_same___extsvc_81"}}, m.Hosts)
}

func TestLoadConfig(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	assert.Equal(t, []string{"aa", "aa.a"}, cfg.Meshes)

	_, err = LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.False(t, errors.Is(err, ErrConfig))

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("meshes: {"), 0o600))
	_, err = LoadConfig(bad)
	assert.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), bad)
}
