package main

import (
	"context"

	"github.com/meshcore/meshcore/topology"
)

// missingSecret replays incident 004: one MeshExternalService whose client
// certificate names a Secret that does not exist. The reference builder
// returned out of its loop at the first failure, so every MES after the bad one
// vanished from the zone egress.
func missingSecret(p *printer) error {
	ctx := context.Background()
	mes := func(name, secret string) topology.MeshExternalService {
		m := topology.MeshExternalService{Mesh: "default", Name: name, Spec: topology.Spec{
			Match:     topology.Match{Type: topology.MatchHostnameGenerator, Port: 443, Protocol: topology.ProtocolTCP},
			Endpoints: []topology.ExternalEndpoint{{Address: name + ".example.com", Port: 443}},
		}}
		if secret != "" {
			m.Spec.TLS = &topology.TLS{Enabled: true, Verification: &topology.Verification{
				ClientCert: &topology.DataSource{Secret: secret},
				ClientKey:  &topology.DataSource{Secret: secret + "-key"},
			}}
		}
		return m
	}
	services := []topology.MeshExternalService{mes("billing", ""), mes("payments", "kuma-cert"), mes("geo", ""), mes("mail", "")}
	secrets := topology.StaticSecrets{}
	p.line("4. One MeshExternalService names a missing Secret (4 MES, the 2nd is bad)")

	// The reference through 2.9: build in order, stop at the first failure.
	var old []string
	for _, s := range services {
		m, errs := topology.BuildEgressEndpointMap(ctx, topology.EgressInput{Services: []topology.MeshExternalService{s}, Secrets: secrets})
		if errs != nil {
			break
		}
		old = append(old, m.Names()...)
	}
	p.line("   Kuma 2.9:  %d of %d built %v", len(old), len(services), old)

	m, errs := topology.BuildEgressEndpointMap(ctx, topology.EgressInput{Services: services, Secrets: secrets})
	p.line("   meshcore:  %d of %d built %v", len(m), len(services), m.Names())
	for _, e := range errs {
		p.line("   skipped:   %v", e)
	}
	return nil
}
