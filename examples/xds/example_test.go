package main

import (
	"context"
	"fmt"
)

func ExampleNew() {
	cfg, err := ParseConfig([]byte(`
meshes: [aa, aa.a]
meshExternalServices:
- {mesh: aa, name: api, spec: {match: {port: 8080, protocol: grpc}, endpoints: [{address: 10.0.0.1, port: 8080}]}}
- mesh: aa.a
  name: payments
  spec:
    match: {port: 443, protocol: grpc}
    endpoints: [{address: 10.0.0.9, port: 443}]
    tls: {enabled: true, verification: {clientCert: {secret: missing}, clientKey: {secret: missing-key}}}
- {mesh: aa.a, name: api, spec: {match: {port: 8080, protocol: grpc}, endpoints: [{address: 10.0.0.2, port: 8080}]}}
`))
	if err != nil {
		panic(err)
	}
	srv, err := New(context.Background(), cfg, Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Stop()
	report := srv.Report()
	for _, m := range report.Meshes {
		for _, h := range m.Hosts {
			fmt.Printf("mesh %-4s xds:///%s -> %s\n", m.Mesh, h.Hostname, h.Cluster)
		}
	}
	for _, e := range report.Errors {
		fmt.Println("not served:", e.Mesh, e.Name, e.Field)
	}
	// Output:
	// mesh aa   xds:///api.extsvc.mesh.local -> aa_api___extsvc_8080
	// mesh aa.a xds:///api.extsvc.mesh.local -> aa.a_api___extsvc_8080
	// not served: aa.a payments spec.tls.verification.clientCert
}
