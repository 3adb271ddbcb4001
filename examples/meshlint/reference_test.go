package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/naming"
)

// clusterOf reads doc and builds the cluster the rules see.
func clusterOf(t *testing.T, doc string, opts options) (*cluster, []finding) {
	t.Helper()
	var d manifest.Decoder
	objs, problems := readObjects(input{Name: "t.yaml", Data: []byte(doc)}, &d)
	require.Empty(t, problems)
	ptrs := make([]*object, len(objs))
	for i := range objs {
		ptrs[i] = &objs[i]
	}
	r := reporter{}
	c := newCluster(ptrs, opts.withDefaults(), &d, &r)
	return c, r.findings
}

// TestMeshServiceController pins, case by case, which Services the
// reference's MeshService controller makes MeshServices for and in which
// mesh. Facts, from Kuma 2.14.3 (git show v2.14.3:<path>):
//
//   - pkg/plugins/runtime/k8s/controllers/meshservice_controller.go,
//     Reconcile: nothing when the Namespace is not found or its
//     kuma.io/sidecar-injection label does not parse; nothing unless the
//     Service has the kuma.io/mesh label key (any value) or the Namespace
//     enables injection; the mesh from util.MeshOfByLabelOrAnnotation;
//     nothing when that Mesh is not found or MeshServicesMode() is Disabled;
//     nothing for kuma.io/ignore (GetBoolean: "true"/"yes"), the
//     kuma.io/gateway annotation (any value), the kuma.io/zone-proxy-type
//     label (any value), a Service whose endpoint pods carry kuma.io/gateway
//     (isServiceForGateway), or an empty ClusterIP (ExternalName); one
//     MeshService whose VIP is the ClusterIP (setFromClusterIPSvc), or one per
//     pod endpoint of a headless Service.
//   - pkg/plugins/runtime/k8s/util/util.go, MeshOfByLabelOrAnnotation: the
//     object's kuma.io/mesh label, its annotation, the Namespace's label, its
//     annotation, else "default"; empty values count as absent. (Master,
//     toward 3.0, reads labels only: util.MeshOfByLabel.)
//   - pkg/plugins/runtime/k8s/metadata/annotations.go, GetEnabled: "enabled",
//     "true", "yes" are true; "disabled", "false", "no" false; other values an
//     error.
//   - pkg/plugins/runtime/k8s/plugin.go, addMeshServiceReconciler: the
//     controller does not run on a global control plane.
func TestMeshServiceController(t *testing.T) {
	const mesh = "apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: %s}\nspec: {meshServices: {mode: %s}}\n---\n"
	ns := func(labels, annotations string) string {
		return "apiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {" + labels + "}, annotations: {" + annotations + "}}\n---\n"
	}
	svc := func(labels, annotations, spec string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: app, labels: {" + labels + "}, annotations: {" + annotations + "}}\nspec: {selector: {app: web}" + spec + "}\n---\n"
	}
	pods := func(annotations string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: app}\nspec: {template: {metadata: {labels: {app: web}, annotations: {" + annotations + "}}}}\n"
	}
	meshes := strings.Replace(strings.Replace(mesh, "%s", "default", 1), "%s", "Exclusive", 1) +
		strings.Replace(strings.Replace(mesh, "%s", "poc", 1), "%s", "Exclusive", 1) +
		strings.Replace(strings.Replace(mesh, "%s", "off", 1), "%s", "Disabled", 1)
	injected := ns("kuma.io/sidecar-injection: enabled", "")

	tests := []struct {
		name string
		doc  string
		opts options
		made bool
		mesh string
		// none is a part of the reason, when none is made.
		none       string
		deliberate bool
	}{
		{name: "injected Namespace", doc: meshes + injected + svc("", "", "") + pods(""), made: true, mesh: "default"},
		{name: "injection spelled yes", doc: meshes + ns("kuma.io/sidecar-injection: 'yes'", "") + svc("", "", "") + pods(""), made: true, mesh: "default"},
		{name: "Namespace without injection", doc: meshes + ns("", "") + svc("", "", "") + pods(""), mesh: "default", none: "does not enable sidecar injection"},
		{name: "injection disabled", doc: meshes + ns("kuma.io/sidecar-injection: disabled", "") + svc("", "", "") + pods(""), mesh: "default", none: "does not enable sidecar injection"},
		{name: "the mesh label key alone, even empty", doc: meshes + ns("", "") + svc("kuma.io/mesh: ''", "", "") + pods(""), made: true, mesh: "default"},
		{name: "an injection label the controller cannot read", doc: meshes + ns("kuma.io/sidecar-injection: 'on'", "") + svc("", "", "") + pods(""), mesh: "default", none: "cannot read"},
		{name: "mesh from the Service label", doc: meshes + injected + svc("kuma.io/mesh: poc", "", "") + pods(""), made: true, mesh: "poc"},
		{name: "mesh from the Service annotation", doc: meshes + injected + svc("", "kuma.io/mesh: poc", "") + pods(""), made: true, mesh: "poc"},
		{name: "the label wins over the annotation", doc: meshes + injected + svc("kuma.io/mesh: default", "kuma.io/mesh: poc", "") + pods(""), made: true, mesh: "default"},
		{name: "mesh from the Namespace label", doc: meshes + ns("kuma.io/sidecar-injection: enabled, kuma.io/mesh: poc", "") + svc("", "", "") + pods(""), made: true, mesh: "poc"},
		{name: "mesh from the Namespace annotation", doc: meshes + ns("kuma.io/sidecar-injection: enabled", "kuma.io/mesh: poc") + svc("", "", "") + pods(""), made: true, mesh: "poc"},
		{name: "mesh Disabled", doc: meshes + injected + svc("kuma.io/mesh: 'off'", "", "") + pods(""), none: "Disabled", mesh: "off"},
		{name: "a Mesh not among the inputs may exist", doc: injected + svc("kuma.io/mesh: other", "", "") + pods(""), made: true, mesh: "other"},
		{name: "a Mesh not among complete inputs does not", doc: injected + svc("kuma.io/mesh: other", "", "") + pods(""), opts: options{Complete: true}, none: `Mesh "other" does not exist`, mesh: "other"},
		{name: "a Namespace not among complete inputs does not exist", doc: meshes + svc("kuma.io/mesh: poc", "", "") + pods(""), opts: options{Complete: true}, none: `Namespace "app" does not exist`, mesh: "poc"},
		{name: "kuma.io/ignore", doc: meshes + injected + svc("", "kuma.io/ignore: 'true'", "") + pods(""), none: "kuma.io/ignore", deliberate: true, mesh: "default"},
		{name: "kuma.io/ignore false", doc: meshes + injected + svc("", "kuma.io/ignore: 'false'", "") + pods(""), made: true, mesh: "default"},
		{name: "a gateway Service", doc: meshes + injected + svc("", "kuma.io/gateway: enabled", "") + pods(""), none: "kuma.io/gateway", deliberate: true, mesh: "default"},
		{name: "a Service over gateway pods", doc: meshes + injected + svc("", "", "") + pods("kuma.io/gateway: enabled"), none: "gateway pods", deliberate: true, mesh: "default"},
		{name: "a zone proxy Service", doc: meshes + injected + svc("kuma.io/zone-proxy-type: ingress", "", "") + pods(""), none: "kuma.io/zone-proxy-type", deliberate: true, mesh: "default"},
		{name: "no ClusterIP", doc: meshes + injected + svc("", "", ", type: ExternalName, externalName: example.com") + pods(""), none: "no ClusterIP", deliberate: true, mesh: "default"},
		{name: "headless", doc: meshes + injected + svc("", "", ", clusterIP: None") + pods(""), made: true, mesh: "default"},
		{name: "on a global control plane", doc: meshes + injected + svc("", "", "") + pods(""), opts: options{Role: hostname.RoleGlobal}, none: "global", deliberate: true, mesh: "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := clusterOf(t, tt.doc, tt.opts)
			require.Len(t, c.services, 1)
			s := c.services[0]
			assert.Equal(t, tt.made, s.made, "made; none: %q", s.none)
			assert.Equal(t, tt.mesh, s.mesh)
			if !tt.made {
				assert.Contains(t, s.none, tt.none)
				assert.Equal(t, tt.deliberate, s.deliberate)
			}
			var derived int
			for _, h := range c.hostnames {
				if h.derived {
					derived++
				}
			}
			want := 0
			if tt.made && !s.headless() {
				want = 1
			}
			assert.Equal(t, want, derived, "non-headless MeshServices join hostname generation")
		})
	}
}

// TestMeshServiceModes pins how a Mesh's MeshService mode is read, and that
// the mode decides only for meshes among the inputs.
//
// Facts: api/mesh/v1alpha1/mesh.proto (Kuma 2.14.3) has enum Mode {Disabled
// = 0, Everywhere, ReachableBackends, Exclusive}; mesh_helpers.go
// MeshServicesMode returns Disabled for an absent meshServices block, so 2.14
// reads a Mesh without a mode as Disabled. On master (toward 3.0) commit
// a841cee6f5 made an absent block Exclusive, and d77ee0d820 then removed the
// field ("reserved 9; // formerly meshServices"; UPGRADE.md: a spec that
// still sets it applies, the field is ignored), so 3.0 behaves as Exclusive
// for every Mesh. meshlint lints an absent mode as Exclusive and says so.
// The Kubernetes Mesh spec is decoded by pkg/util/proto FromJSON, a jsonpb
// Unmarshaler with AllowUnknownFields: unknown fields pass, an unknown enum
// name fails.
func TestMeshServiceModes(t *testing.T) {
	doc := "apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: explicit}\nspec: {meshServices: {mode: ReachableBackends}}\n---\n" +
		"apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: absent}\nspec: {mtls: {enabledBackend: ca-1}}\n---\n" +
		"apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: empty}\n---\n" +
		"type: Mesh\nname: universal\nmesh_services: {mode: Disabled}\n---\n" +
		"apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: wrong}\nspec: {meshServices: {mode: exclusive}}\n"
	c, findings := clusterOf(t, doc, options{})
	type mode struct {
		Mode       meshServicesMode
		Known, Set bool
	}
	for name, want := range map[string]mode{
		"explicit":  {modeReachableBackends, true, true},
		"absent":    {modeExclusive, true, false},
		"empty":     {modeExclusive, true, false},
		"universal": {modeDisabled, true, true},
		"wrong":     {"", false, false}, // refused: not among the meshes
		"elsewhere": {"", false, false},
	} {
		m, known, set := c.meshMode(name)
		assert.Equal(t, want, mode{m, known, set}, name)
	}
	require.Len(t, findings, 1)
	assert.Equal(t, `spec.meshServices.mode: "exclusive" is not one of "Disabled", "Everywhere", "ReachableBackends", "Exclusive"`, findings[0].Message)
	assert.Equal(t, severityError, findings[0].Severity)
	assert.Contains(t, c.modePhrase("absent"), "Kuma 3.0 always runs as Exclusive (Kuma 2.14 reads it as Disabled)")
}

// TestSchemaStrictness pins which unknown fields are errors: the Kubernetes
// form is refused by the CRDs (deployments/charts/kuma/crds/kuma.io_*.yaml,
// Kuma 2.14.3, applied by kubectl with server-side field validation); the
// Universal form is decoded by pkg/core/resources/model/rest/unmarshaller.go
// with sigs.k8s.io/yaml.Unmarshal, which drops unknown fields; a Mesh spec is
// lenient in both (see TestMeshServiceModes).
func TestSchemaStrictness(t *testing.T) {
	for doc, want := range map[string]string{
		"apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata: {name: a, namespace: shop}\nspec: {portz: []}\n": "error",
		"type: MeshService\nname: b\nmesh: default\nspec: {portz: []}\n":                                             "warning",
		"apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: default}\nspec: {portz: []}\n":                   "warning",
		"type: Mesh\nname: default\nportz: []\n":                                                                     "warning",
	} {
		res := lint([]input{{Name: "t.yaml", Data: []byte(doc)}}, options{Mode: naming.Warn})
		require.Len(t, res.Findings, 1, doc)
		assert.Equal(t, want, string(res.Findings[0].Severity), doc)
		assert.Equal(t, ruleSchema, res.Findings[0].Rule, doc)
		assert.Contains(t, res.Findings[0].Message, "portz: unknown field", doc)
	}
}

// TestAdmission pins the webhook's namespace rule. Facts:
// pkg/plugins/runtime/k8s/webhooks/resourceadmissionchecker.go (Kuma 2.14.3),
// isNamespaceAllowed: on a zone, resource types with
// AllowedOnSystemNamespaceOnly (HostnameGenerator, MeshExternalService, per
// their zz_generated.resource.go) only in the system namespace; on global,
// every namespaced resource; the messages are those of the webhook's
// testdata/validation/cli-user_create_{hg,mes}_custom-ns.*.golden.yaml.
// Mesh secrets are read from the system namespace only
// (pkg/plugins/secrets/k8s/store.go).
func TestAdmission(t *testing.T) {
	doc := "apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata: {name: g, namespace: ops}\nspec: {selector: {meshService: {}}, template: '{{ .Name }}.mesh'}\n---\n" +
		"apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata: {name: s, namespace: ops}\nspec: {}\n"
	for _, tt := range []struct {
		opts options
		want []string
	}{
		{options{}, []string{`"resource type HostnameGenerator can be created only in the system namespace:kuma-system"`}},
		{options{SystemNamespace: "ops"}, nil},
		{options{Role: hostname.RoleGlobal}, []string{
			`"on Global CP the policy can be created only in the system namespace:kuma-system"`,
			`"on Global CP the policy can be created only in the system namespace:kuma-system"`,
		}},
	} {
		c, findings := clusterOf(t, doc, tt.opts)
		var got []string
		for _, f := range findings {
			require.Equal(t, ruleSystemNamespace, f.Rule)
			_, q, _ := strings.Cut(f.Message, "403 Forbidden: ")
			q, _, _ = strings.Cut(q, ")")
			got = append(got, q)
		}
		assert.Equal(t, tt.want, got, "%+v", tt.opts)
		admitted := slices.ContainsFunc(c.generators, func(g generator) bool { return g.obj != nil })
		assert.Equal(t, len(tt.want) == 0, admitted, "a refused generator takes no part")
	}
}

// TestCounterDemoShape lints manifests of the reference's counter demo's
// shape (testdata/counter-demo): an Exclusive mesh, ClusterIP Services,
// callers on cluster DNS names, correct labels. Nothing is wrong with them.
func TestCounterDemoShape(t *testing.T) {
	res := lintFiles(t, options{Mode: naming.Warn}, "counter-demo/demo.yaml")
	assert.Empty(t, res.Findings)
	assert.Equal(t, 0, res.exitCode())
	assert.Equal(t, 6, res.Objects, "the MeshTrafficPermission is skipped")
}

// TestExternalServiceWithoutEndpoints checks the warning for a
// MeshExternalService without endpoints: the reference accepts it (no
// admission error) and builds nothing for it.
func TestExternalServiceWithoutEndpoints(t *testing.T) {
	doc := "type: MeshExternalService\nname: nowhere\nmesh: default\nspec:\n  match: {port: 443}\n"
	res := lint([]input{{Name: "t.yaml", Data: []byte(doc)}}, options{Mode: naming.Warn})
	var warned bool
	for _, f := range res.Findings {
		if f.Rule == "mes-build" && f.Severity == severityWarning && strings.Contains(f.Message, "routes nowhere") {
			warned = true
		}
	}
	assert.True(t, warned, "%+v", res.Findings)
	assert.Zero(t, res.count(severityError), "the reference admits and builds it without error: %+v", res.Findings)
	assert.Equal(t, 0, res.exitCode())
}
