package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/meshcore/meshcore/topology"
)

// checkMembership reports Services whose MeshService lands in another mesh
// than the pods behind it. The MeshService controller reads the mesh from the
// Service and its Namespace only (topology.MeshOf), never from the pods, so a
// kuma.io/mesh label on the workload alone splits them: the pods' proxies
// serve one mesh and the MeshService that routes to them is in another.
func checkMembership(c *cluster, r *reporter) {
	for _, s := range c.services {
		if !s.meshed || len(s.pods) == 0 {
			continue
		}
		var nsLabels map[string]string
		if ns := c.namespaces[s.obj.Namespace]; ns != nil {
			nsLabels = ns.Labels
		}
		pods := make([]map[string]string, len(s.pods))
		for i, w := range s.pods {
			pods[i] = w.labels
		}
		for _, f := range topology.CheckMembership(nsLabels, s.obj.Labels, pods) {
			var why string
			switch {
			case s.obj.Labels[topology.LabelMesh] != "":
				why = "its own kuma.io/mesh label"
			case nsLabels[topology.LabelMesh] != "":
				why = "its Namespace's kuma.io/mesh label"
			default:
				why = "no kuma.io/mesh label on the Service or its Namespace"
			}
			groups := make([]string, len(f.Pods))
			for i, p := range f.Pods {
				groups[i] = s.pods[p].obj.Kind + " " + strconv.Quote(s.pods[p].obj.Name)
			}
			fixes := make([]string, len(f.Fix))
			for i, fix := range f.Fix {
				fixes[i] = fix.String()
			}
			r.addInMesh(s.obj, f.ServiceMesh, severityError,
				"its MeshService lands in mesh %q (%s) but the pods of %s are in mesh %q: the MeshService controller reads the Service and Namespace labels, never the pods'; set %s",
				f.ServiceMesh, why, strings.Join(groups, ", "), f.PodMesh, strings.Join(fixes, " or "))
		}
	}
}

// checkExternalServices builds the egress of the zone with
// topology.BuildEgressEndpointMap, Secrets taken from the manifests, and
// reports every MeshExternalService that fails, each on its own: a missing or
// invisible secret, TLS material that is not valid PEM, an endpoint the
// egress cannot route, two services claiming one destination or SNI. The
// others still build, which is the point of the isolation; the message says
// what a control plane without it does.
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
		var me *topology.MaterialError
		switch {
		case errors.As(re.Err, &me) && errors.Is(me, topology.ErrSecretNotFound):
			b.WriteString(c.secretHint(me))
			b.WriteString("; the egress skips this MeshExternalService and builds the others (a control plane without per-resource isolation stops at it and drops every MeshExternalService after it)")
		case errors.Is(re.Err, topology.ErrConflict):
			// The conflict message already says that none is built.
		default:
			b.WriteString("; the egress skips this MeshExternalService and builds the others")
		}
		r.addInMesh(e.obj, re.Mesh, severityError, "%s", b.String())
	}
}

// secretHint explains a missing secret that the manifests do define, but
// where the control plane does not look: a Kubernetes Secret of another type,
// or a Secret of another mesh.
func (c *cluster) secretHint(me *topology.MaterialError) string {
	var hints []string
	for _, o := range c.secretObjs[me.Secret] {
		switch {
		case o.Form == kubernetesForm && o.Type != kumaSecretType:
			hints = append(hints, fmt.Sprintf("Secret %s/%s has type %q, and only type %q is read", o.Namespace, o.Name, cmp.Or(o.Type, "Opaque"), kumaSecretType))
		case meshOfResource(o) != me.Mesh:
			hints = append(hints, fmt.Sprintf("Secret %q is in mesh %q, and a secret is visible in its own mesh only", o.Name, meshOfResource(o)))
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
