package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/topology"
)

// checkMembership reports Services whose pods are in a mesh that has no
// MeshService for them: the MeshService lands in another mesh, or none is
// made. The MeshService controller reads the mesh from the Service and its
// Namespace only (labels, then the deprecated annotation), never from the
// pods, so a kuma.io/mesh label on the workload alone splits them; and it
// makes a MeshService only for a Service with the kuma.io/mesh label key or
// in a Namespace with sidecar injection, so pods injected on their own get
// none. Under MeshService mode Exclusive the callers in the pods' mesh then
// have no outbound for the Service's ClusterIP (the gateway 502 of incident
// 000): an error. Under another mode the kuma.io/service outbounds still
// carry the traffic, so it is a warning of what Exclusive breaks; and one
// when the Service's Namespace is not among the inputs. The rule also warns
// about meshes set by the deprecated annotation, which Kuma 3.0 ignores.
func checkMembership(c *cluster, r *reporter) {
	c.checkMeshAnnotations(r)
	for _, s := range c.services {
		if s.deliberate || len(s.pods) == 0 {
			continue
		}
		for _, g := range c.podGroups(s) {
			if g.mesh == s.mesh && !s.unconsidered {
				continue // the same mesh, or no MeshService by the mesh's own choice
			}
			c.reportMembership(s, g, r)
		}
	}
}

// podGroup is the workloads behind a Service whose pods join one mesh.
type podGroup struct {
	mesh string
	pods []*workload
	// sure is false when a Namespace not among the inputs decides whether
	// the pods are injected.
	sure bool
}

// podGroups groups the injected pods of s by mesh, sorted by mesh.
func (c *cluster) podGroups(s *kubeService) []podGroup {
	var groups []podGroup
	for _, w := range s.pods {
		mesh, injected, sure := c.podMesh(w)
		if !injected {
			continue // not in any mesh
		}
		i := slices.IndexFunc(groups, func(g podGroup) bool { return g.mesh == mesh })
		if i < 0 {
			groups = append(groups, podGroup{mesh: mesh, sure: true})
			i = len(groups) - 1
		}
		groups[i].pods = append(groups[i].pods, w)
		groups[i].sure = groups[i].sure && sure
	}
	slices.SortFunc(groups, func(a, b podGroup) int { return strings.Compare(a.mesh, b.mesh) })
	return groups
}

func (c *cluster) reportMembership(s *kubeService, g podGroup, r *reporter) {
	o := s.obj
	nsLabels := c.nsLabels(o.Namespace)
	names := make([]string, len(g.pods))
	podLabels := make([]map[string]string, len(g.pods))
	for i, w := range g.pods {
		names[i] = w.obj.Kind + " " + strconv.Quote(w.obj.Name)
		podLabels[i] = w.labels
	}
	pods := "the pods of " + strings.Join(names, ", ")
	fixes := []string{topology.LabelMesh + "=" + g.mesh + " on the Service"}
	switch fs := topology.CheckMembership(nsLabels, withMeshAnnotation(o.Labels, o.Annotations), podLabels); {
	case s.unconsidered:
		// The label key is what the controller looks for on the Service;
		// on the Namespace, injection.
		nsFix := labelSidecarInjection + "=enabled"
		if nsLabels[topology.LabelMesh] != g.mesh {
			nsFix += " and " + topology.LabelMesh + "=" + g.mesh
		}
		fixes = append(fixes, nsFix+" on the Namespace")
	case len(fs) == 1:
		fixes = fixes[:0]
		for _, f := range fs[0].Fix {
			fixes = append(fixes, f.String())
		}
	}
	target := "its ClusterIP"
	if s.headless() {
		target = "its pods' addresses"
	}

	var b strings.Builder
	switch {
	case s.made:
		what := "its MeshService lands"
		if s.headless() {
			what = "its per-pod MeshServices land"
		}
		fmt.Fprintf(&b, "%s in mesh %q (%s) but %s are in mesh %q: the MeshService controller reads the Service and Namespace labels, never the pods'",
			what, s.mesh, c.meshSource(o), pods, g.mesh)
	case s.unconsidered:
		fmt.Fprintf(&b, "the MeshService controller makes no MeshService for it (%s) but %s are injected into mesh %q", s.none, pods, g.mesh)
	default:
		fmt.Fprintf(&b, "the MeshService controller makes no MeshService for it (%s; its mesh is %q, from %s) but %s are in mesh %q",
			s.none, s.mesh, c.meshSource(o), pods, g.mesh)
	}
	fmt.Fprintf(&b, "; callers in mesh %q have no outbound for %s", g.mesh, target)

	sev := severityError
	switch mode, known, set := c.meshMode(g.mesh); {
	case known && set && mode != modeExclusive:
		sev = severityWarning
		fmt.Fprintf(&b, " once it switches to MeshService mode Exclusive (mode %s still routes by kuma.io/service)", mode)
	case known:
		fmt.Fprintf(&b, " (%s)", c.modePhrase(g.mesh))
	default:
		b.WriteString(" under MeshService mode Exclusive")
	}
	fmt.Fprintf(&b, "; set %s", strings.Join(fixes, " or "))
	if s.uncertain || !g.sure {
		sev = severityWarning
		fmt.Fprintf(&b, " (Namespace %q is not among the inputs: its labels may change this; -complete says they are the whole cluster)", o.Namespace)
	}
	r.addInMesh(o, g.mesh, sev, "%s", b.String())
}

// meshSource says where the controller takes a Service's mesh from.
func (c *cluster) meshSource(o *object) string {
	ns := c.namespaces[o.Namespace]
	switch {
	case o.Labels[topology.LabelMesh] != "":
		return "its own " + topology.LabelMesh + " label"
	case o.Annotations[annotationMesh] != "":
		return "its " + annotationMesh + " annotation"
	case ns != nil && ns.obj.Labels[topology.LabelMesh] != "":
		return "its Namespace's " + topology.LabelMesh + " label"
	case ns != nil && ns.obj.Annotations[annotationMesh] != "":
		return "its Namespace's " + annotationMesh + " annotation"
	}
	return "no " + topology.LabelMesh + " label on the Service or its Namespace"
}

// checkMeshAnnotations warns about Namespaces, Services and pod templates
// whose mesh comes from the deprecated kuma.io/mesh annotation: Kuma 2.14
// reads it (util.MeshOfByLabelOrAnnotation, logging a warning), Kuma 3.0 reads
// the label only (util.MeshOfByLabel, master).
func (c *cluster) checkMeshAnnotations(r *reporter) {
	warn := func(o *object, labels, annotations map[string]string, where string) {
		if a := annotations[annotationMesh]; a != "" && labels[topology.LabelMesh] == "" {
			r.add(o, severityWarning, "the mesh of %s comes from the deprecated %s annotation (%q), which Kuma 3.0 ignores (2.14 reads it and logs a warning): set the label %s=%s instead",
				where, annotationMesh, a, topology.LabelMesh, a)
		}
	}
	for _, ns := range c.namespaces {
		warn(ns.obj, ns.obj.Labels, ns.obj.Annotations, "this Namespace")
	}
	for _, s := range c.services {
		warn(s.obj, s.obj.Labels, s.obj.Annotations, "this Service")
	}
	for _, w := range c.workloads {
		warn(w.obj, w.podLabels, w.annotations, "its pods")
	}
}

// checkExternalServices builds the egress of the zone with
// topology.BuildEgressEndpointMap, Secrets taken from the manifests, and
// reports every MeshExternalService that fails, each on its own: a missing or
// invisible secret, TLS material that is not valid PEM, an endpoint the
// egress cannot route, two services claiming one destination or SNI. The
// others still build, which is the point of the isolation; the message says
// what a control plane without it does. A secret that is not among the
// inputs at all may well exist in the cluster: a warning, unless -complete.
// A MeshExternalService without endpoints (and no extension) is accepted by
// the reference but routes nowhere: a warning.
func checkExternalServices(c *cluster, r *reporter) {
	if len(c.external) == 0 {
		return
	}
	in := topology.EgressInput{LocalZone: c.opts.Zone, Secrets: c.secrets, Services: make([]topology.MeshExternalService, len(c.external))}
	byRef := make(map[topology.ResourceRef]*externalService, len(c.external))
	for i := range c.external {
		e := &c.external[i]
		in.Services[i] = e.mes
		ref := topology.ResourceRef{Mesh: e.mes.Mesh, Name: e.mes.Name}
		if _, dup := byRef[ref]; !dup {
			byRef[ref] = e
		}
		if len(e.mes.Spec.Endpoints) == 0 && e.mes.Spec.Extension == nil {
			r.addInMesh(e.obj, e.mes.Mesh, severityWarning, "spec.endpoints: none: the control plane accepts a MeshExternalService without endpoints, but it routes nowhere (no destination is built for it)")
		}
	}
	_, errs := topology.BuildEgressEndpointMap(context.Background(), in)
	for _, re := range errs {
		e := byRef[topology.ResourceRef{Mesh: re.Mesh, Name: re.Name}]
		if e == nil {
			continue
		}
		var b strings.Builder
		if re.Field != "" {
			b.WriteString(re.Field)
			b.WriteString(": ")
		}
		b.WriteString(errText(re.Err))
		sev := severityError
		var me *topology.MaterialError
		switch {
		case errors.As(re.Err, &me) && errors.Is(me, topology.ErrSecretNotFound):
			if hint := c.secretHint(me); hint != "" {
				b.WriteString(hint)
			} else if !c.opts.Complete {
				sev = severityWarning
				fmt.Fprintf(&b, " (Secret %q is not among the inputs: if the cluster has it, this builds; -complete says the inputs are the whole cluster)", me.Secret)
			}
			b.WriteString("; the egress skips this MeshExternalService and builds the others (Kuma 2.9 and earlier stopped at it and dropped every MeshExternalService after it)")
		case errors.Is(re.Err, topology.ErrConflict):
			// The conflict message already says that none is built.
		default:
			b.WriteString("; the egress skips this MeshExternalService and builds the others")
		}
		r.addInMesh(e.obj, re.Mesh, sev, "%s", b.String())
	}
}

// secretHint explains a missing secret that the manifests do define, but
// where the control plane does not look: a Kubernetes Secret of another type
// or outside the system namespace, or a Secret of another mesh.
func (c *cluster) secretHint(me *topology.MaterialError) string {
	var hints []string
	for _, o := range c.secretObjs[me.Secret] {
		switch {
		case o.Form == kubernetesForm && o.Type != manifest.KumaSecretType:
			hints = append(hints, fmt.Sprintf("Secret %s/%s has type %q, and only type %q is read", o.Namespace, o.Name, cmp.Or(o.Type, "Opaque"), manifest.KumaSecretType))
		case o.Form == kubernetesForm && !o.SecretVisible(c.opts.SystemNamespace):
			hints = append(hints, fmt.Sprintf("Secret %s/%s is in namespace %q, and the control plane reads mesh secrets from %q only", o.Namespace, o.Name, o.Namespace, c.opts.SystemNamespace))
		case o.ResourceMesh() != me.Mesh:
			hints = append(hints, fmt.Sprintf("Secret %q is in mesh %q, and a secret is visible in its own mesh only", o.Name, o.ResourceMesh()))
		}
	}
	if len(hints) == 0 {
		return ""
	}
	return " (" + strings.Join(hints, "; ") + ")"
}

func errText(err error) string {
	if err == nil {
		return "failed"
	}
	return err.Error()
}
