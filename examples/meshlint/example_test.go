package main

import (
	"fmt"
	"os"

	"github.com/meshcore/meshcore/naming"
)

// Example_lint lints manifests held in memory, as a tool built on meshlint's
// rules would: a Mesh whose name breaks its proxies' IDs, and a
// MeshExternalService that names a Secret the inputs lack, which Complete
// (the inputs are the whole setup) makes an error. The second one builds.
func Example_lint() {
	manifests := `
type: Mesh
name: prod.eu
---
type: MeshExternalService
name: payments
mesh: default
spec:
  match: {port: 443}
  endpoints: [{address: api.payments.example.com, port: 443}]
  tls:
    enabled: true
    verification:
      caCert: {secret: payments-ca}
---
type: MeshExternalService
name: search
mesh: default
spec:
  match: {port: 443}
  endpoints: [{address: search.example.com, port: 443}]
  tls: {enabled: true}
`
	res := lint([]input{{Name: "prod.yaml", Data: []byte(manifests)}}, options{Mode: naming.Enforce, Zone: "eu-1", Complete: true})
	for _, f := range res.Findings {
		fmt.Printf("%s %s (%s) line %d\n", f.Severity, f.object(), f.Rule, f.Line)
	}
	fmt.Println("exit status", res.exitCode())
	_ = writeText(os.Stdout, res.Findings[2:])
	// Output:
	// error Mesh/prod.eu (naming) line 2
	// error Mesh/prod.eu (proxy-id) line 2
	// error MeshExternalService/payments (mes-build) line 5
	// exit status 1
	// ERROR    MeshExternalService/payments  spec.tls.verification.caCert: could not load caCert: could not load data: Resource not found: type="Secret" name="payments-ca" mesh="default"; the egress skips this MeshExternalService and builds the others (Kuma 2.9 and earlier stopped at it and dropped every MeshExternalService after it)  (mes-build)  prod.yaml:5
}
