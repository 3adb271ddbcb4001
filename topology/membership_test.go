package topology_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"

	"github.com/meshcore/meshcore/topology"
)

func TestMeshOf(t *testing.T) {
	mesh := func(m string) map[string]string { return map[string]string{topology.LabelMesh: m} }
	tests := []struct {
		name              string
		object, namespace map[string]string
		want              string
	}{
		{"object label wins", mesh("poc"), mesh("dev"), "poc"},
		{"namespace label", nil, mesh("dev"), "dev"},
		{"neither: default", map[string]string{"app": "x"}, nil, "default"},
		{"empty object label counts as absent", mesh(""), mesh("dev"), "dev"},
		{"empty everywhere", mesh(""), mesh(""), "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, topology.MeshOf(tt.object, tt.namespace))
		})
	}
}

func TestCheckMembership(t *testing.T) {
	mesh := func(m string) map[string]string { return map[string]string{topology.LabelMesh: m, "app": "web"} }
	plain := map[string]string{"app": "web"}
	tests := []struct {
		name               string
		namespace, service map[string]string
		pods               []map[string]string
		want               []topology.Finding
	}{
		{
			name:    "the incident: only the Deployment's pods carry the label",
			service: plain, namespace: nil,
			pods: []map[string]string{mesh("poc"), mesh("poc")},
			want: []topology.Finding{{
				ServiceMesh: "default", PodMesh: "poc", Pods: []int{0, 1},
				Fix: []topology.LabelFix{
					{Object: "Service", Key: "kuma.io/mesh", Value: "poc"},
					{Object: "Namespace", Key: "kuma.io/mesh", Value: "poc"},
				},
				Message: `Service resolves to mesh "default" (no label on the Service or its Namespace) but 2 pods are in mesh "poc"; ` +
					`the MeshService is made from the Service and Namespace labels only, never the pods'; ` +
					`set kuma.io/mesh=poc on the Service or kuma.io/mesh=poc on the Namespace`,
			}},
		},
		{
			name:    "namespace labelled, pod overrides it",
			service: plain, namespace: mesh("dev"),
			pods: []map[string]string{plain, mesh("prd")},
			want: []topology.Finding{{
				ServiceMesh: "dev", PodMesh: "prd", Pods: []int{1},
				Fix: []topology.LabelFix{{Object: "Service", Key: "kuma.io/mesh", Value: "prd"}},
				Message: `Service resolves to mesh "dev" (its Namespace's label) but 1 pod is in mesh "prd"; ` +
					`the MeshService is made from the Service and Namespace labels only, never the pods'; set kuma.io/mesh=prd on the Service`,
			}},
		},
		{
			name:    "service labelled differently; pods in two meshes, sorted",
			service: mesh("dev"), namespace: nil,
			pods: []map[string]string{mesh("prd"), mesh("dev"), mesh("poc")},
			want: []topology.Finding{
				{
					ServiceMesh: "dev", PodMesh: "poc", Pods: []int{2},
					Fix: []topology.LabelFix{{Object: "Service", Key: "kuma.io/mesh", Value: "poc"}},
					Message: `Service resolves to mesh "dev" (its own label) but 1 pod is in mesh "poc"; ` +
						`the MeshService is made from the Service and Namespace labels only, never the pods'; set kuma.io/mesh=poc on the Service`,
				},
				{
					ServiceMesh: "dev", PodMesh: "prd", Pods: []int{0},
					Fix: []topology.LabelFix{{Object: "Service", Key: "kuma.io/mesh", Value: "prd"}},
					Message: `Service resolves to mesh "dev" (its own label) but 1 pod is in mesh "prd"; ` +
						`the MeshService is made from the Service and Namespace labels only, never the pods'; set kuma.io/mesh=prd on the Service`,
				},
			},
		},
		{name: "agreement", service: mesh("poc"), pods: []map[string]string{mesh("poc"), plain}, namespace: mesh("poc")},
		{name: "no pods", service: plain},
		{name: "all default", service: plain, pods: []map[string]string{plain}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := topology.CheckMembership(tt.namespace, tt.service, tt.pods)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
