package main

import (
	"errors"
	"maps"
	"strconv"

	"github.com/meshcore/meshcore/hostname"
)

// checkLoadBalancerLocal warns about every LoadBalancer Service with
// externalTrafficPolicy: Local. Its load-balancer address is meant for
// clients outside the cluster; in many setups (kube-proxy in IPVS mode,
// several CNIs and cloud load balancers) traffic from inside the cluster to
// that address is handled on the calling node and reaches only backend pods
// on that node, so callers on nodes without one cannot connect. Mesh ingress
// gateways are the usual case.
func checkLoadBalancerLocal(c *cluster, r *reporter) {
	for _, s := range c.services {
		if s.spec.Type != serviceTypeLoadBalancer || s.spec.ExternalTrafficPolicy != trafficPolicyLocal {
			continue
		}
		inCluster := s.obj.Name
		if s.obj.Namespace != "" {
			inCluster += "." + s.obj.Namespace
		}
		r.add(s.obj, severityWarning,
			"type LoadBalancer with externalTrafficPolicy: Local: in-cluster callers of its load-balancer address may reach only backend pods on their own node, so pods on nodes without one cannot connect; call it in-cluster by its ClusterIP or by name (%q), or use externalTrafficPolicy: Cluster if clients' source IPs need not be kept",
			inCluster)
	}
}

// checkHeadlessLabels reports headless Services whose per-pod MeshServices
// get no hostname because a generator's template reads a label they lack.
// The controller makes one MeshService per pod of a headless Service, with
// the Service's labels and, from the pod, only the StatefulSet pod-name label;
// a template such as `{{ label "statefulset.kubernetes.io/pod-name" }}...`
// therefore fails for Deployment pods, which have no such label.
func checkHeadlessLabels(c *cluster, r *reporter) {
	var templates map[string]*hostname.Template // compiled once per generator
	for _, s := range c.services {
		if !s.meshed || !s.headless() {
			continue
		}
		for _, w := range s.pods {
			labels := maps.Clone(s.labels)
			if w.obj.Kind == kindStatefulSet {
				labels[labelStatefulSetPod] = w.podName
			} else if v, ok := w.labels[labelStatefulSetPod]; ok {
				labels[labelStatefulSetPod] = v
			}
			svc := hostname.ServiceFromLabels(hostname.MeshService, s.mesh, w.podName, labels, c.opts.Zone)
			for _, g := range c.generation().gens {
				kind, sel, ok := g.Selector.Target()
				if !ok || kind != hostname.MeshService || !sel.Matches(labels) {
					continue
				}
				if templates == nil {
					templates = map[string]*hostname.Template{}
				}
				t, seen := templates[g.Name]
				if !seen {
					t, _ = hostname.Compile(g.Template) // valid: the generation keeps admitted generators only
					templates[g.Name] = t
				}
				if t == nil {
					continue
				}
				_, err := t.Render(svc)
				var missing *hostname.LabelNotFoundError
				if !errors.As(err, &missing) {
					continue
				}
				pods := "the pods of " + w.obj.Kind + " " + strconv.Quote(w.obj.Name)
				if missing.Key == labelStatefulSetPod {
					r.addInMesh(s.obj, s.mesh, severityError,
						"HostnameGenerator %q reads label %q, which only StatefulSet pods have: the per-pod MeshServices of %s get no hostname (TemplateError); run them as a StatefulSet, or keep this generator to StatefulSet-backed Services",
						g.Name, missing.Key, pods)
					continue
				}
				r.addInMesh(s.obj, s.mesh, severityError,
					"HostnameGenerator %q reads label %q, which the per-pod MeshServices of %s lack (they carry the Service's labels and, from the pod, only %q): they get no hostname (TemplateError)",
					g.Name, missing.Key, pods, labelStatefulSetPod)
			}
		}
	}
}

// checkDuplicates reports every object defined again after its first
// definition in the inputs (same kind and name, and namespace or mesh).
// Applying both keeps whichever comes last, so the result depends on the
// order; the linter uses the first.
func checkDuplicates(c *cluster, r *reporter) {
	first := make(map[identity]*object, len(c.objects))
	for _, o := range c.objects {
		id := identityOf(o)
		f, dup := first[id]
		if !dup {
			first[id] = o
			continue
		}
		r.add(o, severityError, "defined again (first at %s:%d): only one can exist, and applying both keeps the last; the linter uses the first", f.At.File, f.At.Line)
	}
}
