package main

import (
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// exclusiveMode replays incident 000: after mesh "poc" switched MeshService
// mode to Exclusive, a gateway answered 502 for backend.kuma-demo. Not for
// want of a hostname: a ClusterIP Service's MeshService carries the ClusterIP
// as its VIP, so the cluster DNS name keeps working with no generator. The
// kuma.io/mesh label sat on the Deployment only, so the MeshService landed in
// mesh "default", and callers in "poc" lost their only outbound for that IP
// when Exclusive removed the kuma.io/service ones.
func exclusiveMode(p *printer) error {
	p.line("3. MeshService mode Exclusive: the gateway answers 502 for backend.kuma-demo")

	// The cause: the mesh label only on the workload.
	namespace := map[string]string{}
	service := map[string]string{"app": "backend"}
	pods := []map[string]string{{"app": "backend", "kuma.io/mesh": "poc"}}
	p.line("   mesh of the Service: %q (labels on the Service and its Namespace, else default)", topology.MeshOf(service, namespace))
	for _, f := range topology.CheckMembership(namespace, service, pods) {
		p.line("   membership: pods in %q, Service in %q; fix: set %v", f.PodMesh, f.ServiceMesh, f.Fix[0])
		p.line("   callers in %q have no outbound for the Service's ClusterIP once Exclusive drops the kuma.io/service ones", f.PodMesh)
	}

	// Not the cause: the hostname. The MeshService the controller makes for
	// Service backend in namespace kuma-demo, labelled as the reference
	// labels it.
	svc := hostname.ServiceFromLabels(hostname.MeshService, "poc", "backend.kuma-demo", map[string]string{
		hostname.LabelName:         "backend",
		hostname.LabelOrigin:       "zone",
		hostname.LabelEnv:          "kubernetes",
		hostname.LabelHeadless:     "false",
		hostname.LabelNamespace:    "kuma-demo",
		hostname.LabelDisplayName:  "backend",
		"k8s.kuma.io/service-name": "backend",
	}, "zone-1")
	p.line("   the MeshService's VIP is the ClusterIP: backend.kuma-demo.svc.cluster.local works in every mode, with no HostnameGenerator")
	shipped := append(hostname.DefaultGenerators(hostname.EnvKubernetes, hostname.RoleGlobal), hostname.DefaultGenerators(hostname.EnvKubernetes, hostname.RoleZone)...)
	for _, c := range []struct {
		label string
		gens  []hostname.Generator
	}{
		{"shipped generators", shipped},
		{"optional generators", append(shipped, hostname.OptionalGenerators(hostname.EnvKubernetes)...)},
	} {
		r := hostname.Generate(c.gens, []hostname.Service{svc})
		st := r.For(svc.Kind, svc.Mesh, svc.ID())
		if len(st.Addresses) == 0 {
			p.line("   %-20s no mesh hostname (none needed)", c.label+":")
		}
		for _, a := range st.Addresses {
			p.line("   %-20s %s as well (generator %s, opt-in)", c.label+":", a.Hostname, a.Generator)
		}
	}
	return nil
}
