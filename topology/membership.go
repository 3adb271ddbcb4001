package topology

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/meshcore/meshcore/internal/labels"
)

// MeshOf returns the mesh of a Kubernetes object from its labels and those of
// its Namespace: the object's [LabelMesh], else the Namespace's, else
// [DefaultMesh]. An empty label value counts as absent.
func MeshOf(object, namespace map[string]string) string {
	return cmp.Or(labels.MeshOf(object), labels.MeshOf(namespace), DefaultMesh)
}

// Finding reports pods in a different mesh from the one their Service (and so
// its MeshService) resolves to.
type Finding struct {
	// ServiceMesh is the mesh the Service resolves to, from the Service and
	// Namespace labels.
	ServiceMesh string
	// PodMesh is the mesh of the pods in Pods.
	PodMesh string
	// Pods are the indices, in the pods passed to [CheckMembership], of the
	// pods in PodMesh.
	Pods []int
	// Fix lists the labels to set, any one of which puts the Service in
	// PodMesh; the first is the narrowest.
	Fix []LabelFix
	// Message explains the finding and the fix.
	Message string
}

// LabelFix is a label to set on an object.
type LabelFix struct {
	// Object is "Service" or "Namespace".
	Object string
	Key    string
	Value  string
}

// String reads `kuma.io/mesh=poc on the Service`.
func (f LabelFix) String() string { return f.Key + "=" + f.Value + " on the " + f.Object }

// CheckMembership compares the mesh of a Service (from its labels and its
// Namespace's, see [MeshOf]) with the mesh of each pod behind it (from the
// pod's labels and the Namespace's). The MeshService controller reads only
// the Service and the Namespace, so a [LabelMesh] on the workload alone leaves
// the MeshService in another mesh than its pods, and traffic to it fails (the
// gateway 502 of the Exclusive-mode incident). It returns one Finding per pod
// mesh that differs from the Service's, sorted by pod mesh; nil when all agree.
func CheckMembership(namespace, service map[string]string, pods []map[string]string) []Finding {
	svcMesh := MeshOf(service, namespace)
	var findings []Finding
	for i, pod := range pods {
		pm := MeshOf(pod, namespace)
		if pm == svcMesh {
			continue
		}
		j := slices.IndexFunc(findings, func(f Finding) bool { return f.PodMesh == pm })
		if j < 0 {
			findings = append(findings, Finding{ServiceMesh: svcMesh, PodMesh: pm})
			j = len(findings) - 1
		}
		findings[j].Pods = append(findings[j].Pods, i)
	}
	slices.SortFunc(findings, func(a, b Finding) int { return strings.Compare(a.PodMesh, b.PodMesh) })
	svcLabelled, nsLabelled := labels.MeshOf(service) != "", labels.MeshOf(namespace) != ""
	for i := range findings {
		f := &findings[i]
		f.Fix = []LabelFix{{Object: "Service", Key: LabelMesh, Value: f.PodMesh}}
		if !svcLabelled && !nsLabelled {
			f.Fix = append(f.Fix, LabelFix{Object: "Namespace", Key: LabelMesh, Value: f.PodMesh})
		}
		f.Message = membershipMessage(f, svcLabelled, nsLabelled)
	}
	return findings
}

func membershipMessage(f *Finding, svcLabelled, nsLabelled bool) string {
	var b strings.Builder
	b.WriteString("Service resolves to mesh ")
	b.WriteString(strconv.Quote(f.ServiceMesh))
	switch {
	case svcLabelled:
		b.WriteString(" (its own label)")
	case nsLabelled:
		b.WriteString(" (its Namespace's label)")
	default:
		b.WriteString(" (no label on the Service or its Namespace)")
	}
	b.WriteString(" but ")
	b.WriteString(strconv.Itoa(len(f.Pods)))
	if len(f.Pods) == 1 {
		b.WriteString(" pod is in mesh ")
	} else {
		b.WriteString(" pods are in mesh ")
	}
	b.WriteString(strconv.Quote(f.PodMesh))
	b.WriteString("; the MeshService is made from the Service and Namespace labels only, never the pods'; set ")
	for i, fix := range f.Fix {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString(fix.String())
	}
	return b.String()
}
