package main

import (
	"strings"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// exclusiveMode replays incident 000: after switching MeshService mode to
// Exclusive, a gateway answered 502 and pods could not reach each other by
// their Kubernetes DNS names, because only generated hostnames resolve and the
// reference ships no generator for local Kubernetes MeshServices; on top, the
// kuma.io/mesh label sat only on the Deployment, so the MeshService landed in
// mesh "default". Nothing said why.
func exclusiveMode(p *printer) error {
	p.line("3. MeshService mode Exclusive: the gateway answers 502 for backend.kuma-demo")
	// The MeshService the controller makes for Service backend in namespace
	// kuma-demo (core name "backend.kuma-demo"), labelled as the reference
	// labels it, plus the Kubernetes object name.
	svc := hostname.ServiceFromLabels(hostname.MeshService, "poc", "backend.kuma-demo", map[string]string{
		hostname.LabelName:                "backend",
		"kuma.io/origin":                  "zone",
		"kuma.io/env":                     "kubernetes",
		"k8s.kuma.io/is-headless-service": "false",
		"k8s.kuma.io/namespace":           "kuma-demo",
		"kuma.io/display-name":            "backend",
	}, "zone-1")

	all := hostname.DefaultGenerators(hostname.Kubernetes, hostname.Zone)
	var shipped []hostname.Generator // what the reference ships on a Kubernetes zone
	for _, g := range all {
		if g.Name != hostname.LocalKubernetesGenerator {
			shipped = append(shipped, g)
		}
	}
	for _, c := range []struct {
		label string
		gens  []hostname.Generator
	}{
		{"reference defaults", shipped},
		{"meshcore defaults", all},
	} {
		r := hostname.Generate(c.gens, []hostname.Service{svc})
		st := r.For(svc.Kind, svc.Mesh, svc.ID())
		if len(st.Addresses) == 0 {
			p.line("   %-18s no hostname; Explain: %s", c.label+":", strings.Join(hostname.Explain(svc, c.gens, r), "; "))
			continue
		}
		for _, a := range st.Addresses {
			p.line("   %-18s %s (generator %s)", c.label+":", a.Hostname, a.Generator)
		}
	}

	// The second cause: the mesh label only on the workload.
	namespace := map[string]string{}
	service := map[string]string{"app": "backend"}
	pods := []map[string]string{{"app": "backend", "kuma.io/mesh": "poc"}}
	p.line("   mesh of the Service: %q (labels on the Service and its Namespace, else default)", topology.MeshOf(service, namespace))
	for _, f := range topology.CheckMembership(namespace, service, pods) {
		p.line("   membership: pods in %q, Service in %q; fix: set %v", f.PodMesh, f.ServiceMesh, f.Fix[0])
	}
	return nil
}
