package hostname

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const kubeManifest = `
apiVersion: kuma.io/v1alpha1
kind: HostnameGenerator
metadata:
  name: poc-local-kube-mesh-service
  namespace: kuma-system
  creationTimestamp: "2025-03-04T05:06:07Z"
  labels:
    kuma.io/origin: zone
spec:
  selector:
    meshService:
      matchLabels:
        k8s.kuma.io/is-headless-service: "false"
  template: '{{ .Name }}.{{ .Namespace }}.svc.cluster.local'
`

const universalManifest = `
type: HostnameGenerator
name: local-universal-mesh-service
creationTime: "2025-03-04T05:06:07Z"
labels:
  kuma.io/origin: zone
spec:
  selector:
    meshExternalService:
      matchLabels:
        kuma.io/origin: zone
  template: "{{ .DisplayName }}.extsvc.mesh.local"
  extension:
    type: Custom
`

func TestDecodeManifest(t *testing.T) {
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want Generator
		err  string
	}{
		{
			name: "kubernetes",
			in:   kubeManifest,
			want: Generator{
				Name: "poc-local-kube-mesh-service.kuma-system", Labels: map[string]string{LabelOrigin: "zone"}, Created: created,
				Selector: Selector{MeshService: &LabelSelector{MatchLabels: map[string]string{LabelHeadless: "false"}}},
				Template: "{{ .Name }}.{{ .Namespace }}.svc.cluster.local",
			},
		},
		{
			name: "universal",
			in:   universalManifest,
			want: Generator{
				Name: "local-universal-mesh-service", Labels: map[string]string{LabelOrigin: "zone"}, Created: created,
				Selector: Selector{MeshExternalService: &LabelSelector{MatchLabels: map[string]string{LabelOrigin: "zone"}}},
				Template: "{{ .DisplayName }}.extsvc.mesh.local",
			},
		},
		{
			name: "kubernetes without a namespace",
			in:   "apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata: {name: g}\nspec: {selector: {meshService: {}}, template: x.mesh}\n",
			want: Generator{Name: "g", Selector: Selector{MeshService: &LabelSelector{}}, Template: "x.mesh"},
		},
		{
			name: "json",
			in:   `{"type":"HostnameGenerator","name":"g","spec":{"selector":{"meshMultiZoneService":{}},"template":"x.mesh"}}`,
			want: Generator{Name: "g", Selector: Selector{MeshMultiZoneService: &LabelSelector{}}, Template: "x.mesh"},
		},
		{name: "other kind", in: "kind: MeshService\nspec: {}\n", err: `hostname: decode manifest: kind "MeshService" is not HostnameGenerator`},
		{name: "no kind", in: "spec: {}\n", err: `hostname: decode manifest: kind "" is not HostnameGenerator`},
		{name: "no spec", in: "kind: HostnameGenerator\nmetadata: {name: g}\n", err: "hostname: decode manifest: spec is missing"},
		{name: "not yaml", in: "kind: [", err: "hostname: decode manifest: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeManifest([]byte(tt.in))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("generator (-want +got):\n%s", diff)
			}
			require.NoError(t, got.Validate())
		})
	}
}

func TestGeneratorJSONIsTheSpec(t *testing.T) {
	var g Generator
	require.NoError(t, json.Unmarshal([]byte(`{"selector":{"meshService":{"matchLabels":{"a":"b"}}},"template":"{{ .Name }}.mesh"}`), &g))
	assert.Equal(t, Generator{Selector: Selector{MeshService: &LabelSelector{MatchLabels: map[string]string{"a": "b"}}}, Template: "{{ .Name }}.mesh"}, g)

	g.Name, g.Labels, g.Created = "ignored", map[string]string{"x": "y"}, t0
	out, err := json.Marshal(g)
	require.NoError(t, err)
	assert.JSONEq(t, `{"selector":{"meshService":{"matchLabels":{"a":"b"}}},"template":"{{ .Name }}.mesh"}`, string(out))
}

func TestValidate(t *testing.T) {
	selMsg := "exact one selector (meshService, meshExternalService) must be defined"
	tests := []struct {
		name    string
		gen     Generator
		errs    []string
		defined int
	}{
		{name: "valid", gen: gen("g", 0, allMS(), "{{ .Name }}.mesh")},
		{name: "no selector", gen: gen("g", 0, Selector{}, "{{ .Name }}.mesh"), defined: 0,
			errs: []string{`hostname: generator "g": spec.selector: ` + selMsg}},
		{name: "two selectors", gen: gen("g", 0, Selector{MeshService: &LabelSelector{}, MeshExternalService: &LabelSelector{}}, "{{ .Name }}.mesh"), defined: 2,
			errs: []string{`hostname: generator "g": spec.selector: ` + selMsg}},
		{name: "three selectors", gen: gen("g", 0, Selector{MeshService: &LabelSelector{}, MeshExternalService: &LabelSelector{}, MeshMultiZoneService: &LabelSelector{}}, "x.mesh"), defined: 3,
			errs: []string{`hostname: generator "g": spec.selector: ` + selMsg}},
		{name: "empty template", gen: gen("g", 0, allMS(), ""),
			errs: []string{`hostname: generator "g": spec.template: must not be empty`}},
		{name: "both", gen: gen("g", 0, Selector{}, "{{ nope }}"), defined: 0,
			errs: []string{
				`hostname: generator "g": spec.selector: ` + selMsg,
				`hostname: generator "g": spec.template: couldn't parse template: template: :1: function "nope" not defined`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.gen.Validate()
			if tt.errs == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var got []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				got = append(got, e.Error())
			}
			assert.Equal(t, tt.errs, got)
			var se *SelectorError
			if errors.As(err, &se) {
				assert.Equal(t, tt.defined, se.Defined)
				assert.Equal(t, "g", se.Generator)
			}
		})
	}
}

func TestSelector(t *testing.T) {
	var nilSel *LabelSelector
	assert.True(t, nilSel.Matches(nil))
	assert.True(t, (&LabelSelector{}).Matches(map[string]string{"a": "b"}))
	ls := &LabelSelector{MatchLabels: map[string]string{"a": "b", "c": ""}}
	assert.True(t, ls.Matches(map[string]string{"a": "b", "c": "", "d": "e"}))
	assert.False(t, ls.Matches(map[string]string{"a": "b"}), "an empty value must be present")
	assert.False(t, ls.Matches(map[string]string{"a": "x", "c": ""}))

	for _, tt := range []struct {
		sel  Selector
		kind Kind
		ok   bool
	}{
		{Selector{MeshService: ls}, MeshService, true},
		{Selector{MeshExternalService: ls}, MeshExternalService, true},
		{Selector{MeshMultiZoneService: ls}, MeshMultiZoneService, true},
		{Selector{}, "", false},
		{Selector{MeshService: ls, MeshMultiZoneService: ls}, "", false},
	} {
		kind, got, ok := tt.sel.Target()
		assert.Equal(t, tt.kind, kind)
		assert.Equal(t, tt.ok, ok)
		if ok {
			assert.Same(t, ls, got)
		}
	}
}

func TestServiceFromLabels(t *testing.T) {
	tests := []struct {
		name     string
		coreName string
		labels   map[string]string
		want     Service
	}{
		{
			name: "kubernetes local", coreName: "backend.kuma-demo",
			labels: map[string]string{LabelName: "backend", LabelDisplayName: "backend", LabelNamespace: "kuma-demo"},
			want:   Service{Name: "backend", CoreName: "backend.kuma-demo", DisplayName: "backend", Namespace: "kuma-demo", Zone: "zone-1"},
		},
		{
			name: "synced from another zone", coreName: "backend-7cb6b4c9d8zx4f5w.kuma-system",
			labels: map[string]string{LabelName: "backend-7cb6b4c9d8zx4f5w", LabelDisplayName: "backend", LabelNamespace: "kuma-demo", LabelZone: "zone-2"},
			want:   Service{Name: "backend-7cb6b4c9d8zx4f5w", CoreName: "backend-7cb6b4c9d8zx4f5w.kuma-system", DisplayName: "backend", Namespace: "kuma-demo", Zone: "zone-2"},
		},
		{
			name: "universal", coreName: "redis", labels: map[string]string{},
			want: Service{Name: "redis", CoreName: "redis", DisplayName: "redis", Zone: "zone-1"},
		},
		{
			// The reference's EvaluateTemplate tests the display-name label
			// for presence and the zone label for emptiness.
			name: "empty display-name label renders empty, empty zone label is the local zone", coreName: "redis",
			labels: map[string]string{LabelDisplayName: "", LabelZone: ""},
			want:   Service{Name: "redis", CoreName: "redis", Zone: "zone-1"},
		},
		{
			name: "nil labels", coreName: "redis",
			want: Service{Name: "redis", CoreName: "redis", DisplayName: "redis", Zone: "zone-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ServiceFromLabels(MeshService, "default", tt.coreName, tt.labels, "zone-1")
			tt.want.Kind, tt.want.Mesh, tt.want.Labels = MeshService, "default", tt.labels
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("service (-want +got):\n%s", diff)
			}
			assert.Equal(t, tt.coreName, got.ID())
		})
	}
	assert.Equal(t, "n", (&Service{Name: "n"}).ID())
}

// TestDefaultGeneratorsIn: on Kubernetes the defaults live in the system
// namespace and are named "name.namespace", as the reference's store names
// them (v2.14.3 pkg/defaults/hostname_generator_test.go); on Universal, or
// without a namespace, the names are bare.
func TestDefaultGeneratorsIn(t *testing.T) {
	for _, env := range []Env{EnvKubernetes, EnvUniversal} {
		for _, role := range []Role{RoleGlobal, RoleZone} {
			bare := DefaultGenerators(env, role)
			require.NotEmpty(t, bare)
			for _, ns := range []string{"kuma-system", ""} {
				got := DefaultGeneratorsIn(env, role, ns)
				require.Len(t, got, len(bare))
				for i, g := range got {
					want := bare[i]
					if env == EnvKubernetes && ns != "" {
						want.Name += "." + ns
					}
					if diff := cmp.Diff(want, g); diff != "" {
						t.Errorf("%s/%s/%q: generator %d (-want +got):\n%s", env, role, ns, i, diff)
					}
				}
			}
		}
	}
	assert.Nil(t, DefaultGeneratorsIn("openshift", RoleZone, "kuma-system"))
}

// TestKubernetesCoreNamesOrderGenerators: with equal creation times, the
// generation order breaks ties on the core name, "name.namespace" on
// Kubernetes, and statuses carry it. "a-b.kuma-system" sorts before
// "a.kuma-system" ('-' < '.'), while the bare "a" sorts before "a-b".
func TestKubernetesCoreNamesOrderGenerators(t *testing.T) {
	manifest := func(name string) []byte {
		return []byte("apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata: {name: " + name +
			", namespace: kuma-system}\nspec: {selector: {meshService: {}}, template: x.mesh}\n")
	}
	var gens []Generator
	for _, n := range []string{"a", "a-b"} {
		g, err := DecodeManifest(manifest(n))
		require.NoError(t, err)
		gens = append(gens, g)
	}
	svc := Service{Kind: MeshService, Mesh: "default", Name: "backend", CoreName: "backend.kuma-demo"}
	st := Generate(gens, []Service{svc}).For(MeshService, "default", "backend.kuma-demo")
	assert.Equal(t, []Address{{Hostname: "x.mesh", Generator: "a-b.kuma-system"}}, st.Addresses)
	require.Len(t, st.Conditions, 2)
	assert.Equal(t, "a-b.kuma-system", st.Conditions[0].Generator)
	assert.Equal(t, "a.kuma-system", st.Conditions[1].Generator)
	assert.Equal(t, ReasonGenerated, st.Conditions[1].Reason, "the same hostname again for the same service")

	// Bare names (Universal) order the other way.
	gens[0].Name, gens[1].Name = "a", "a-b"
	st = Generate(gens, []Service{svc}).For(MeshService, "default", "backend.kuma-demo")
	assert.Equal(t, []Address{{Hostname: "x.mesh", Generator: "a"}}, st.Addresses)
}
