package hostname_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/hostname"
)

// TestReferenceEvaluateTemplate holds the cases of the reference's
// EvaluateTemplate test (v2.14.3
// pkg/core/resources/apis/hostnamegenerator/hostname/generator_test.go), run
// through Generate: one generator, one service, and the hostname or the
// condition message it gets. The reference's K8s name component is the label
// k8s.kuma.io/name here ([hostname.LabelName]).
func TestReferenceEvaluateTemplate(t *testing.T) {
	tests := []struct {
		entry     string
		localZone string
		template  string
		coreName  string
		labels    map[string]string
		want      string // the hostname
		wantErr   string // a substring of the condition message
	}{
		{entry: "basic name template", template: "{{ .Name }}.mesh", coreName: "backend", want: "backend.mesh"},
		{
			entry: "name with namespace", template: "{{ .Name }}.{{ .Namespace }}.mesh", coreName: "backend",
			labels: map[string]string{hostname.LabelNamespace: "my-ns"}, want: "backend.my-ns.mesh",
		},
		{
			entry: "uses K8s name component over resource name", template: "{{ .Name }}.mesh", coreName: "backend.my-ns",
			labels: map[string]string{hostname.LabelName: "backend"}, want: "backend.mesh",
		},
		{
			entry: "zone from label", localZone: "local", template: "{{ .Name }}.{{ .Zone }}.mesh", coreName: "backend",
			labels: map[string]string{hostname.LabelZone: "zone-1"}, want: "backend.zone-1.mesh",
		},
		{entry: "zone falls back to localZone", localZone: "local", template: "{{ .Name }}.{{ .Zone }}.mesh", coreName: "backend", want: "backend.local.mesh"},
		{
			// Not a published case: the reference's code tests the zone label
			// for emptiness (`if zone == ""`), so an empty label is the local
			// zone, not "backend..mesh".
			entry: "empty zone label falls back to localZone", localZone: "local", template: "{{ .Name }}.{{ .Zone }}.mesh", coreName: "backend",
			labels: map[string]string{hostname.LabelZone: ""}, want: "backend.local.mesh",
		},
		{
			entry: "display name from label", template: "{{ .DisplayName }}.mesh", coreName: "backend.my-ns",
			labels: map[string]string{hostname.LabelDisplayName: "backend"}, want: "backend.mesh",
		},
		{
			entry: "label function", template: `{{ label "app" }}.mesh`, coreName: "backend",
			labels: map[string]string{"app": "my-app"}, want: "my-app.mesh",
		},
		{entry: "label function missing key", template: `{{ label "missing" }}.mesh`, coreName: "backend", wantErr: "pre evaluation of template with parameters failed"},
		{entry: "invalid template syntax", template: "{{ .Name[0 }}.mesh", coreName: "backend", wantErr: "failed compiling gotemplate error"},
		{entry: "generated hostname starts with dot", template: ".{{ .Name }}.mesh", coreName: "backend", wantErr: "is not a valid DNS name"},
		{entry: "generated hostname has uppercase", template: "{{ .Name }}.Mesh", coreName: "Backend", wantErr: "is not a valid DNS name"},
		{entry: "generated hostname has consecutive dots", template: "{{ .Name }}..mesh", coreName: "backend", wantErr: "is not a valid DNS name"},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			svc := hostname.ServiceFromLabels(hostname.MeshService, "default", tt.coreName, tt.labels, tt.localZone)
			gen := hostname.Generator{Name: "g", Selector: hostname.Selector{MeshService: &hostname.LabelSelector{}}, Template: tt.template}
			st := hostname.Generate([]hostname.Generator{gen}, []hostname.Service{svc}).For(hostname.MeshService, "default", tt.coreName)
			require.Len(t, st.Conditions, 1)
			c := st.Conditions[0]
			if tt.wantErr != "" {
				assert.False(t, c.Status)
				assert.Equal(t, hostname.ReasonTemplateError, c.Reason)
				assert.Contains(t, c.Message, tt.wantErr)
				assert.Empty(t, st.Addresses)
				return
			}
			assert.Equal(t, []hostname.Address{{Hostname: tt.want, Generator: "g"}}, st.Addresses)
			assert.True(t, c.Status)
		})
	}
}

// TestReferenceAdmission holds the HostnameGenerator admission cases of the
// reference (v2.14.3 pkg/core/resources/apis/hostnamegenerator/api/v1alpha1/
// validate_test.go) that concern what this package models: the selector and
// the template. The spec's extension is not modelled.
func TestReferenceAdmission(t *testing.T) {
	const subdomainMsg = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`
	ms := hostname.Selector{MeshService: &hostname.LabelSelector{}}
	tests := []struct {
		entry     string
		gen       hostname.Generator
		wantField string
		want      string // the violation message; empty: valid
	}{
		{"spec.template error", hostname.Generator{Template: "{{ .Name[4 }}.mesh", Selector: ms},
			"spec.template", `couldn't parse template: template: :1: bad character U+005B '['`},
		{"spec.template empty", hostname.Generator{Template: "", Selector: ms}, "spec.template", "must not be empty"},
		{"spec.selector empty", hostname.Generator{Template: "{{ .Name }}.mesh"},
			"spec.selector", "exact one selector (meshService, meshExternalService) must be defined"},
		{"spec.selector has too many selectors", hostname.Generator{Template: "{{ .Name }}.mesh",
			Selector: hostname.Selector{MeshService: &hostname.LabelSelector{}, MeshExternalService: &hostname.LabelSelector{}}},
			"spec.selector", "exact one selector (meshService, meshExternalService) must be defined"},
		{"spec.template renders to uppercase", hostname.Generator{Template: "{{ .Name }}.MESH", Selector: ms},
			"spec.template", `template renders to "name.MESH" which is not a valid DNS name: ` + subdomainMsg},
		{"spec.template renders with leading dot", hostname.Generator{Template: ".{{ .Name }}.mesh", Selector: ms},
			"spec.template", `template renders to ".name.mesh" which is not a valid DNS name: ` + subdomainMsg},
		{"spec.template renders with consecutive dots", hostname.Generator{Template: "{{ .Name }}..mesh", Selector: ms},
			"spec.template", `template renders to "name..mesh" which is not a valid DNS name: ` + subdomainMsg},
		{"spec.template renders with underscore", hostname.Generator{Template: "{{ .Name }}_svc.mesh", Selector: ms},
			"spec.template", `template renders to "name_svc.mesh" which is not a valid DNS name: ` + subdomainMsg},
		{"accepts valid resource", hostname.Generator{Template: "{{ .Name }}.mesh", Selector: ms}, "", ""},
		{"accepts valid resource (meshMultiZoneService)", hostname.Generator{Template: "{{ .Name }}.mesh",
			Selector: hostname.Selector{MeshMultiZoneService: &hostname.LabelSelector{}}}, "", ""},
		{"accepts template using all builtin fields", hostname.Generator{
			Template: "{{ .Name }}.{{ .DisplayName }}.{{ .Namespace }}.{{ .Mesh }}.{{ .Zone }}.mesh", Selector: ms}, "", ""},
		{"accepts template using label function", hostname.Generator{Template: `{{ label "app" }}.mesh`, Selector: ms}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			err := tt.gen.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var field, msg string
			var te *hostname.TemplateError
			var se *hostname.SelectorError
			switch {
			case errors.As(err, &te):
				field, msg = hostname.FieldTemplate, te.Message()
			case errors.As(err, &se):
				field, msg = hostname.FieldSelector, se.Message()
			default:
				t.Fatalf("unexpected error %T: %v", err, err)
			}
			assert.Equal(t, tt.wantField, field)
			assert.Equal(t, tt.want, msg)
		})
	}
}

// TestReferenceDefaultNames: the names the reference gives its default
// generators (v2.14.3 pkg/defaults/hostname_generator_test.go), sorted as
// that test sorts them, and the zone label of the zone defaults.
func TestReferenceDefaultNames(t *testing.T) {
	tests := []struct {
		entry      string
		env        hostname.Env
		role       hostname.Role
		want       []string
		wantLabels map[string]string
	}{
		{"global universal", hostname.EnvUniversal, hostname.RoleGlobal, []string{
			"synced-headless-kube-mesh-service", "synced-kube-mesh-service", "synced-mesh-external-service",
			"synced-mesh-multi-zone-service", "synced-universal-mesh-service",
		}, nil},
		{"global kubernetes", hostname.EnvKubernetes, hostname.RoleGlobal, []string{
			"synced-headless-kube-mesh-service.kuma-system", "synced-kube-mesh-service.kuma-system",
			"synced-mesh-external-service.kuma-system", "synced-mesh-multi-zone-service.kuma-system",
			"synced-universal-mesh-service.kuma-system",
		}, nil},
		{"zone kubernetes", hostname.EnvKubernetes, hostname.RoleZone, []string{"local-mesh-external-service.kuma-system"},
			map[string]string{hostname.LabelOrigin: "zone"}},
		{"zone universal", hostname.EnvUniversal, hostname.RoleZone, []string{"local-mesh-external-service", "local-universal-mesh-service"},
			map[string]string{hostname.LabelOrigin: "zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			var names []string
			for _, g := range hostname.DefaultGeneratorsIn(tt.env, tt.role, "kuma-system") {
				// meshcore may offer an opt-in generator for local Kubernetes
				// MeshServices; the reference's defaults are the others.
				if strings.HasPrefix(g.Name, "local-kube-mesh-service") {
					continue
				}
				names = append(names, g.Name)
				assert.Equal(t, tt.wantLabels, g.Labels, g.Name)
			}
			slices.Sort(names)
			if diff := cmp.Diff(tt.want, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}
