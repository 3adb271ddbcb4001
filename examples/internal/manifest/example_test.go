package manifest_test

import (
	"fmt"

	"github.com/meshcore/meshcore/examples/internal/manifest"
)

func ExampleRead() {
	objs, problems := manifest.Read("mesh.yaml", []byte(`
apiVersion: kuma.io/v1alpha1
kind: MeshExternalService
metadata: {name: api, namespace: kuma-system, labels: {kuma.io/mesh: aa.a}}
spec: {match: {port: 80}}
---
type: Mesh
name: aa.a
---
replicas: 3
`), new(manifest.Decoder))
	for _, o := range objs {
		fmt.Printf("line %d: %s %q (form %d)\n", o.At.Line, o.Kind, o.Name, o.Form)
	}
	for _, p := range problems {
		fmt.Printf("line %d: warning=%t %s\n", p.Line, p.Warning, p.Message)
	}
	// Output:
	// line 2: MeshExternalService "api" (form 1)
	// line 7: Mesh "aa.a" (form 2)
	// line 10: warning=true not a manifest (no kind, as in the Kubernetes form, or type, as in the Universal form): skipped
}
