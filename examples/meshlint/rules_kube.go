package main

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/hostname"
)

// checkLoadBalancerLocal warns about every LoadBalancer Service with
// externalTrafficPolicy: Local. Its load-balancer address is meant for
// clients outside the cluster. Pods that call it from inside may reach only
// the backend pods of their own node, so those on nodes without one cannot
// connect: under kube-proxy in IPVS mode, and wherever in-cluster traffic to
// the address is not detected as local. kube-proxy in iptables mode with
// local-traffic detection sends such traffic to every backend, so there it is
// harmless; hence a warning, which the operator can turn off.
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
			"type LoadBalancer with externalTrafficPolicy: Local: pods that call its load-balancer address may reach only backend pods on their own node, so those on nodes without one cannot connect, under kube-proxy in IPVS mode or wherever in-cluster traffic to that address is not detected as local (kube-proxy in iptables mode with local-traffic detection sends it to every backend); call it in-cluster by name (%q) or ClusterIP, or use externalTrafficPolicy: Cluster if clients' source IPs need not be kept; where it does not apply, turn it off with -disable %s or the annotation %s: %s",
			inCluster, r.rule, disableKey, r.rule)
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
		if !s.made || !s.headless() {
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

// identity is what makes an object unique where it is applied: kind,
// namespace and name on Kubernetes; kind, mesh and name in Universal (a Mesh,
// a HostnameGenerator: kind and name).
type identity struct {
	form                  form
	kind, namespace, name string
	mesh                  string
}

func identityOf(o *object) identity {
	id := identity{form: o.Form, kind: o.Kind, name: o.Name}
	if o.Form == kubernetesForm {
		id.namespace = o.Namespace
	} else if o.Kind != kindMesh && o.Kind != kindHostnameGenerator {
		id.mesh = o.ResourceMesh()
	}
	return id
}

// checkDuplicates reports, once per object, every object defined more than
// once in the inputs (same kind and name, and namespace or mesh), naming
// every place. Applying them all keeps whichever comes last, so the result
// depends on the order: an error when the definitions differ, a warning when
// they are identical. The linter uses the first. Inputs that are variants of
// one setup are meant for -each.
func checkDuplicates(c *cluster, r *reporter) {
	groups := make(map[identity][]*object, len(c.objects))
	var order []identity
	for _, o := range c.objects {
		id := identityOf(o)
		if groups[id] == nil {
			order = append(order, id)
		}
		groups[id] = append(groups[id], o)
	}
	for _, id := range order {
		defs := groups[id]
		if len(defs) < 2 {
			continue
		}
		places := make([]string, len(defs))
		files := map[string]bool{}
		identical := true
		first, _ := manifest.NodeJSON(defs[0].Root)
		for i, o := range defs {
			places[i] = fmt.Sprintf("line %d", o.At.Line)
			if o.At.File != defs[1].At.File {
				places[i] = fmt.Sprintf("%s:%d", o.At.File, o.At.Line)
			}
			files[o.At.File] = true
			if js, err := manifest.NodeJSON(o.Root); i > 0 && (err != nil || string(js) != string(first)) {
				identical = false
			}
		}
		var hint string
		if len(files) > 1 {
			hint = "; if these files are alternatives, lint each on its own with -each"
		}
		if identical {
			r.add(defs[1], severityWarning, "defined %d times, identically (%s): harmless when applied together, but one is enough%s",
				len(defs), strings.Join(places, ", "), hint)
			continue
		}
		r.add(defs[1], severityError, "defined %d times, differently (%s): only one can exist, and applying them all keeps the last; the linter uses the first%s",
			len(defs), strings.Join(places, ", "), hint)
	}
}
