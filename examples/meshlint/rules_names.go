package main

import (
	"cmp"
	"errors"
	"strconv"
	"strings"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/naming"
	"github.com/meshcore/meshcore/proxyid"
	"github.com/meshcore/meshcore/topology"
)

// sampleProxy is the proxy name used to show a mesh's proxy IDs when the
// manifests hold no pod of the mesh.
const sampleProxy = "backend-1"

// checkProxyID reports Mesh names that the legacy proxy ID (mesh + "." +
// name, split at the first dot) cannot carry. A "." breaks every proxy of the
// mesh on a control plane with the legacy codec: an error. A "%" works there,
// but meshcore's codec escapes it, so proxies bootstrapped before an upgrade
// present an ID that must be resolved: a warning.
func checkProxyID(c *cluster, r *reporter) {
	meshes := map[string]bool{}
	for _, o := range c.meshObjs {
		meshes[o.Name] = true
	}
	exists := func(id proxyid.ID) bool { return meshes[id.Mesh()] }
	for _, o := range c.meshObjs {
		mesh := o.Name
		if mesh == "" || !strings.ContainsAny(mesh, ".%") {
			continue
		}
		proxy := c.sampleProxy(mesh)
		id, err := proxyid.New(mesh, proxy)
		if err != nil {
			continue // unreachable: both are non-empty
		}
		legacy := mesh + "." + proxy
		if strings.Contains(mesh, ".") {
			legacyMesh, legacyName, _ := strings.Cut(legacy, ".")
			msg := "mesh name contains \".\": the legacy proxy ID " + strconv.Quote(legacy) + " of proxy " + strconv.Quote(proxy) +
				" splits at the first dot into mesh " + strconv.Quote(legacyMesh) + " and proxy " + strconv.Quote(legacyName) +
				", so the control plane finds no Dataplane and the proxies of this mesh never get their configuration;" +
				" meshcore's proxy ID is " + strconv.Quote(id.String())
			switch got, err := proxyid.Resolve(legacy, exists); {
			case err == nil && got == id:
				msg += ", and proxyid.Resolve recovers the legacy one"
			case errors.Is(err, proxyid.ErrAmbiguous):
				msg += "; the legacy ID is ambiguous even for proxyid.Resolve, since mesh " + strconv.Quote(legacyMesh) + " exists too"
			}
			r.addInMesh(o, mesh, severityError, "%s", msg)
			continue
		}
		msg := "mesh name contains \"%\": the legacy proxy ID " + strconv.Quote(legacy) + " works on the legacy control plane, but meshcore's is " +
			strconv.Quote(id.String())
		if parsed, err := proxyid.Parse(legacy); err != nil {
			msg += " and meshcore rejects the legacy one (" + err.Error() + ")"
		} else if parsed != id {
			msg += " and meshcore reads the legacy one as mesh " + strconv.Quote(parsed.Mesh())
		}
		msg += "; proxies bootstrapped before an upgrade must be looked up with proxyid.Resolve"
		r.addInMesh(o, mesh, severityWarning, "%s", msg)
	}
}

// sampleProxy returns the Dataplane name of a pod of mesh from the manifests
// (pod + "." + namespace; for a Deployment, whose pod names are random, the
// Deployment's name stands in), or sampleProxy.
func (c *cluster) sampleProxy(mesh string) string {
	var best *workload
	for _, w := range c.workloads {
		if topology.MeshOf(w.labels, c.nsLabels(w.obj.Namespace)) != mesh || w.obj.Namespace == "" {
			continue
		}
		if best == nil || workloadRank(w) < workloadRank(best) ||
			(workloadRank(w) == workloadRank(best) && w.podName+"."+w.obj.Namespace < best.podName+"."+best.obj.Namespace) {
			best = w
		}
	}
	if best == nil {
		return sampleProxy
	}
	return best.podName + "." + best.obj.Namespace
}

// workloadRank prefers real pod names: Pods, then StatefulSet replicas, then
// Deployments.
func workloadRank(w *workload) int {
	switch w.obj.Kind {
	case kindPod:
		return 0
	case kindStatefulSet:
		return 1
	}
	return 2
}

// displayName is the name naming rules check: for control-plane kinds the
// kuma.io/display-name label when set (fromLabel), else the object name.
func displayName(o *object) (name string, fromLabel bool) {
	if isKumaKind(o.Kind) {
		if v := o.Labels[hostname.LabelDisplayName]; v != "" {
			return v, true
		}
	}
	return o.Name, false
}

// checkNaming validates every name under naming.DefaultPolicy(-mode), as a
// create (the manifests are about to be applied): a name the mode accepts
// with a deprecation warning is a warning, a rejected name an error. Each
// carries a compliant suggestion from naming.Audit, which keeps suggestions
// unique among the names linted. The zone name from -zone is checked too.
func checkNaming(c *cluster, r *reporter) {
	policy := naming.DefaultPolicy(c.opts.Mode)
	type entry struct {
		obj       *object
		kind      naming.Kind
		name      string
		fromLabel bool
	}
	entries := make([]entry, 0, len(c.objects)+1)
	for _, o := range c.objects {
		name, fromLabel := displayName(o)
		entries = append(entries, entry{o, naming.Kind(o.Kind), name, fromLabel})
	}
	zone := &object{Object: manifest.Object{Kind: string(naming.KindZone), Name: c.opts.Zone}}
	entries = append(entries, entry{obj: zone, kind: naming.KindZone, name: zone.Name})

	// Audit sees every distinct name, compliant ones included, so that no
	// suggestion repeats another or takes an existing name.
	var flagged []entry
	var results []naming.Result
	seen := make(map[naming.Named]bool, len(entries))
	var named []naming.Named
	for _, e := range entries {
		k := naming.Named{Kind: e.kind, Name: e.name}
		if !seen[k] {
			seen[k] = true
			named = append(named, k)
		}
		res := policy.Validate(e.kind, e.name, naming.Create)
		if res.Err != nil || len(res.Warnings) > 0 {
			flagged = append(flagged, e)
			results = append(results, res)
		}
	}
	if len(flagged) == 0 {
		return
	}
	suggestions := map[naming.Named]string{}
	for _, f := range naming.Audit(policy, named).Findings {
		suggestions[naming.Named{Kind: f.Kind, Name: f.Name}] = f.Suggestion
	}
	for i, e := range flagged {
		suggestion := cmp.Or(suggestions[naming.Named{Kind: e.kind, Name: e.name}], naming.Suggest(policy.Rule(e.kind), e.name))
		res := results[i]
		if res.Err != nil {
			var list *naming.ErrorList
			detail := res.Err.Error()
			if errors.As(res.Err, &list) {
				detail = strings.Join(list.Details(), "; ")
			}
			when := "under -mode " + c.opts.Mode.String()
			if !naming.BaseRule.Allows(e.name) {
				when = "in every mode" // the base rule applies to every kind, Off included
			}
			what := "name"
			if e.fromLabel {
				what = "display name (label " + hostname.LabelDisplayName + ")"
			}
			r.add(e.obj, severityError, "%s %q is rejected %s: %s; suggested name: %q", what, e.name, when, detail, suggestion)
			continue
		}
		msg := strings.Join(res.Warnings, "; ")
		if e.fromLabel {
			msg = "label " + hostname.LabelDisplayName + ": " + msg
		}
		r.add(e.obj, severityWarning, "%s; suggested name: %q", msg, suggestion)
	}
}
