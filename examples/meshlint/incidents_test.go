package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshcore/meshcore/naming"
)

// rootCause is a finding an incident's manifests must produce: its rule, its
// object and the words that name the cause.
type rootCause struct {
	rule     string
	severity severity
	object   string
	says     []string
}

// TestIncidents replays the incidents of ../shared/seeds as manifests and
// checks that meshlint names each root cause, and that the manifests fixed
// as the write-ups say are clean.
func TestIncidents(t *testing.T) {
	warn := options{Mode: naming.Warn}
	tests := []struct {
		name string
		opts options
		// want are the root causes, all of which must be reported.
		want []rootCause
		// only: the run reports nothing but want.
		only bool
	}{
		{
			name: "000-gateway-exclusive",
			opts: warn,
			// Only the mesh label: the Kong gateway's Service is kept out of
			// the mesh (its pods are gateway pods), and a ClusterIP Service
			// needs no hostname.
			want: []rootCause{
				{"mesh-membership", severityError, "Service/poc-apps/aspnet", []string{
					`its MeshService lands in mesh "default"`,
					`the pods of Deployment "aspnet" are in mesh "poc"`,
					`callers in mesh "poc" have no outbound for its ClusterIP (mesh "poc" has MeshService mode Exclusive)`,
					"set kuma.io/mesh=poc on the Service or kuma.io/mesh=poc on the Namespace",
				}},
			},
			only: true,
		},
		{
			name: "001-dotted-mesh",
			opts: warn,
			want: []rootCause{
				{"proxy-id", severityError, "Mesh/aa.a", []string{
					`the legacy proxy ID "aa.a.2048-app-7c5f756499-l9p2m.kuma-demo"`,
					`splits at the first dot into mesh "aa" and proxy "a.2048-app-7c5f756499-l9p2m.kuma-demo"`,
					`meshcore's proxy ID is "aa%2Ea.2048-app-7c5f756499-l9p2m.kuma-demo"`,
				}},
				{"naming", severityWarning, "Mesh/aa.a", []string{
					"Invalid Mesh resource name: 'aa.a'. It does not conform to the DNS format (RFC 1035). This is deprecated.",
					`suggested name: "aa-a"`,
				}},
			},
			only: true,
		},
		{
			name: "002-lb-local",
			opts: warn,
			want: []rootCause{
				{"lb-local-traffic", severityWarning, "Service/istio-system/istio-ingressgateway", []string{
					"externalTrafficPolicy: Local",
					"those on nodes without one cannot connect, under kube-proxy in IPVS mode",
					`"istio-ingressgateway.istio-system"`,
				}},
			},
			only: true,
		},
		{
			name: "003-headless",
			opts: warn,
			want: []rootCause{
				{"headless-pod-labels", severityError, "Service/db/cassandra", []string{
					`reads label "statefulset.kubernetes.io/pod-name", which only StatefulSet pods have`,
					`Deployment "cassandra"`,
				}},
			},
			only: true,
		},
		{
			name: "004-missing-secret",
			// The manifests are the whole setup: the Secret does not exist.
			opts: options{Mode: naming.Warn, Complete: true},
			want: []rootCause{
				{"mes-build", severityError, "MeshExternalService/mes-broken", []string{
					`could not load clientCert: could not load data: Resource not found: type="Secret" name="kuma-cert" mesh="default"`,
					"builds the others",
				}},
			},
			only: true, // mes-good is not reported: it builds
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := lintFiles(t, tt.opts, filepath.Join("incidents", tt.name+".yaml"))
			for _, want := range tt.want {
				assert.True(t, reported(res, want), "root cause not reported: %+v\ngot:\n%s", want, textOf(res))
			}
			if tt.only {
				assert.Len(t, res.Findings, len(tt.want), "findings beyond the root causes:\n%s", textOf(res))
			}
			checkGolden(t, filepath.Join("incidents", tt.name), res)

			fixed := lintFiles(t, tt.opts, filepath.Join("incidents-fixed", tt.name+".yaml"))
			assert.Empty(t, fixed.Findings, "the fixed manifests must be clean:\n%s", textOf(fixed))
			assert.Equal(t, 0, fixed.exitCode())
		})
	}
}

func reported(res result, want rootCause) bool {
	for _, f := range res.Findings {
		if f.Rule != want.rule || f.Severity != want.severity || f.object() != want.object {
			continue
		}
		all := true
		for _, s := range want.says {
			all = all && strings.Contains(f.Message, s)
		}
		if all {
			return true
		}
	}
	return false
}

func textOf(res result) string {
	var b strings.Builder
	_ = writeText(&b, res.Findings)
	return b.String()
}

// TestIncidentsTogether lints every incident at once, as one would lint a
// repository: the findings are the union of each incident's, since the
// manifests share no objects, except that 004's missing Secret is a warning
// without -complete.
func TestIncidentsTogether(t *testing.T) {
	names := []string{"000-gateway-exclusive", "001-dotted-mesh", "002-lb-local", "003-headless", "004-missing-secret"}
	var files []string
	total := 0
	for _, n := range names {
		files = append(files, filepath.Join("incidents", n+".yaml"))
		total += len(lintFiles(t, options{Mode: naming.Warn}, files[len(files)-1]).Findings)
	}
	res := lintFiles(t, options{Mode: naming.Warn}, files...)
	assert.Len(t, res.Findings, total)
	assert.Equal(t, 1, res.exitCode())
	checkGolden(t, "incidents/all", res)
}
