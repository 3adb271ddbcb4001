package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/naming"
)

// fleet returns manifests of n objects in a realistic mix for one zone: a few
// meshes (one Exclusive) and generators, namespaces of 40 apps each (a Service
// and a Deployment or StatefulSet per app; some headless, some LoadBalancers,
// some with the mesh label on the workload only), hand-made MeshServices, and
// MeshExternalServices, half of them with TLS from shared Secrets. Every rule
// has work to do, and some findings come out.
func fleet(tb testing.TB, n int) []input {
	tb.Helper()
	cert, err := os.ReadFile("testdata/rules/mes-build/negative.yaml")
	require.NoError(tb, err)
	// Reuse the test certificate and key: the "partner" Secrets of that file.
	docs := strings.Split(string(cert), "\n---\n")
	certDoc, keyDoc := docs[0][strings.Index(docs[0], "apiVersion"):], docs[1]

	var b strings.Builder
	count := 0
	emit := func(format string, args ...any) {
		b.WriteString("---\n")
		fmt.Fprintf(&b, format, args...)
		count++
	}
	for i := range 5 {
		mode := "Everywhere"
		if i == 0 {
			mode = "Exclusive"
		}
		emit("apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata:\n  name: mesh-%d\nspec:\n  meshServices:\n    mode: %s\n", i, mode)
	}
	emit("apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata:\n  name: local-kube\n  labels: {kuma.io/origin: zone}\nspec:\n  selector:\n    meshService:\n      matchLabels: {kuma.io/origin: zone, kuma.io/env: kubernetes, k8s.kuma.io/is-headless-service: \"false\"}\n  template: '{{ .Name }}.{{ .Namespace }}.svc.cluster.local'\n")
	emit("apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata:\n  name: headless\nspec:\n  selector:\n    meshService:\n      matchLabels: {k8s.kuma.io/is-headless-service: \"true\"}\n  template: '{{ label \"statefulset.kubernetes.io/pod-name\" }}.{{ label \"k8s.kuma.io/service-name\" }}.{{ .Namespace }}.svc.cluster.local'\n")
	emit("apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata:\n  name: by-team\nspec:\n  selector:\n    meshService:\n      matchLabels: {team: core}\n  template: '{{ .DisplayName }}.{{ label \"team\" }}.mesh.local'\n")
	emit("apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata:\n  name: zonal\nspec:\n  selector:\n    meshService:\n      matchLabels: {kuma.io/origin: zone}\n  template: '{{ .DisplayName }}.{{ .Zone }}.mesh.local'\n")
	emit("apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata:\n  name: external\nspec:\n  selector:\n    meshExternalService:\n      matchLabels: {kuma.io/origin: zone}\n  template: '{{ .DisplayName }}.ext.mesh.local'\n")
	for i := range 50 {
		b.WriteString("---\n")
		b.WriteString(strings.Replace(strings.Replace(certDoc, "partner-cert", fmt.Sprintf("cert-%d", i), 1), "kuma.io/mesh: default", fmt.Sprintf("kuma.io/mesh: mesh-%d", i%5), 1))
		b.WriteString("\n---\n")
		b.WriteString(strings.Replace(strings.Replace(keyDoc, "partner-key", fmt.Sprintf("key-%d", i), 1), "kuma.io/mesh: default", fmt.Sprintf("kuma.io/mesh: mesh-%d", i%5), 1))
		b.WriteString("\n")
		count += 2
	}
	rest := n - count
	mes := rest / 8
	manual := rest / 16
	apps := (rest - mes - manual) * 40 / 81 // a Namespace per 40 apps of two objects each
	namespaces := (apps + 39) / 40
	for ns := range namespaces {
		emit("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-%d\n  labels:\n    kuma.io/sidecar-injection: enabled\n    kuma.io/mesh: mesh-%d\n", ns, ns%5)
	}
	for a := range apps {
		ns := a / 40
		svcSpec, kind, extra := "", "Deployment", ""
		switch {
		case a%50 == 0:
			svcSpec = "  type: LoadBalancer\n  externalTrafficPolicy: Local\n"
		case a%20 == 1:
			svcSpec = "  clusterIP: None\n"
			kind, extra = "StatefulSet", fmt.Sprintf("  serviceName: app-%d\n", a)
		case a%20 == 2:
			svcSpec = "  clusterIP: None\n" // headless over a Deployment: a finding
		}
		podMesh := ""
		if a%25 == 3 {
			podMesh = "        kuma.io/mesh: elsewhere\n" // a membership finding
		}
		emit("apiVersion: v1\nkind: Service\nmetadata:\n  name: app-%d\n  namespace: ns-%d\n  labels:\n    team: core\nspec:\n%s  selector:\n    app: app-%d\n  ports:\n    - port: 8080\n", a, ns, svcSpec, a)
		emit("apiVersion: apps/v1\nkind: %s\nmetadata:\n  name: app-%d\n  namespace: ns-%d\nspec:\n%s  selector:\n    matchLabels:\n      app: app-%d\n  template:\n    metadata:\n      labels:\n        app: app-%d\n        version: v1\n%s    spec:\n      containers:\n        - name: app\n          image: app:1\n", kind, a, ns, extra, a, a, podMesh)
	}
	for i := range manual {
		emit("type: MeshService\nname: manual-%d\nmesh: mesh-%d\nlabels:\n  team: core\nspec: {}\n", i, i%5)
	}
	for i := count; i < n; i++ {
		tls := ""
		if i%2 == 0 {
			s := i % 50
			tls = fmt.Sprintf("  tls:\n    enabled: true\n    verification:\n      clientCert:\n        secret: cert-%d\n      clientKey:\n        secret: key-%d\n", s, s)
		}
		emit("apiVersion: kuma.io/v1alpha1\nkind: MeshExternalService\nmetadata:\n  name: ext-%d\n  namespace: kuma-system\n  labels:\n    kuma.io/mesh: mesh-%d\nspec:\n  match:\n    type: HostnameGenerator\n    port: 443\n    protocol: tcp\n  endpoints:\n    - address: ext-%d.example.com\n      port: 443\n%s", i, (i%50)%5, i, tls)
	}
	require.Equal(tb, n, count)
	return []input{{Name: "fleet.yaml", Data: []byte(b.String())}}
}

// TestFleet checks the benchmark's input: n objects, read without error,
// with findings from the rules it is meant to exercise.
func TestFleet(t *testing.T) {
	res := lint(fleet(t, 2000), options{Mode: naming.Warn, Zone: "zone-1"})
	require.False(t, res.unreadable())
	require.Equal(t, 2000, res.Objects)
	got := map[string]int{}
	for _, f := range res.Findings {
		got[f.Rule]++
	}
	for _, rule := range []string{"lb-local-traffic", "headless-pod-labels", "mesh-membership"} {
		require.Positive(t, got[rule], "rule %s: %v", rule, got)
	}
	require.Zero(t, got["mes-build"], "%v", got)
}

// BenchmarkLint lints 10,000 objects (the target: under a second on
// the project machine), from bytes to sorted findings, and 1,000 for scale.
func BenchmarkLint(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		in := fleet(b, n)
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in[0].Data)))
			for b.Loop() {
				lint(in, options{Mode: naming.Warn, Zone: "zone-1"})
			}
		})
	}
}

// BenchmarkRead measures the share of BenchmarkLint spent reading the YAML
// (parsing into nodes with go.yaml.in/yaml/v3 and decoding each object's
// metadata), for 10,000 objects.
func BenchmarkRead(b *testing.B) {
	in := fleet(b, 10000)
	b.ReportAllocs()
	b.SetBytes(int64(len(in[0].Data)))
	for b.Loop() {
		readObjects(in[0], new(manifest.Decoder))
	}
}
