package manifest

import (
	"cmp"
	"maps"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// How the control plane reads a resource's identity from its manifest (Kuma
// 2.14.3), for every command that reads manifests.

// KumaSecretType is the type of the Kubernetes Secrets the control plane
// reads as mesh secrets.
const KumaSecretType = "system.kuma.io/secret"

// DefaultSystemNamespace is the control plane's namespace on Kubernetes
// unless it is configured otherwise (pkg/config/plugins/resources/k8s/config.go,
// Kuma 2.14.3): where it reads its mesh secrets (see SecretVisible).
const DefaultSystemNamespace = "kuma-system"

// CoreName is the name of a resource in the control plane's store: on
// Kubernetes "name.namespace" for namespaced objects, else the name.
func (o *Object) CoreName() string {
	if o.Form == Kubernetes && o.Namespace != "" {
		return o.Name + "." + o.Namespace
	}
	return o.Name
}

// ResourceMesh is the mesh of a control-plane resource: the Universal mesh
// field, or on Kubernetes its kuma.io/mesh label, else "default".
func (o *Object) ResourceMesh() string {
	if o.Form == Universal {
		return cmp.Or(o.Mesh, topology.DefaultMesh)
	}
	return topology.MeshOf(o.Labels, nil)
}

// ComputedLabels returns the labels the control plane gives a resource of
// mesh created on a control plane of role in zone, on top of its own
// (labels.Compute, Kuma 2.14.3): the mesh; a MeshMultiZoneService, created
// on the global control plane, arrives with origin "global"; on a zone,
// origin "zone", and with origin "zone" the zone and the environment; on
// Kubernetes the namespace (unless of global origin) and the display name.
func (o *Object) ComputedLabels(mesh string, role hostname.Role, zone string) map[string]string {
	l := maps.Clone(o.Labels)
	if l == nil {
		l = map[string]string{}
	}
	setIfAbsent := func(k, v string) {
		if _, ok := l[k]; !ok {
			l[k] = v
		}
	}
	setIfAbsent(topology.LabelMesh, mesh)
	if o.Kind == string(hostname.MeshMultiZoneService) {
		setIfAbsent(hostname.LabelOrigin, string(hostname.RoleGlobal))
	}
	if role == hostname.RoleZone {
		setIfAbsent(hostname.LabelOrigin, string(hostname.RoleZone))
	}
	if l[hostname.LabelOrigin] == string(hostname.RoleZone) {
		setIfAbsent(hostname.LabelZone, zone)
		env := hostname.EnvUniversal
		if o.Form == Kubernetes {
			env = hostname.EnvKubernetes
		}
		setIfAbsent(hostname.LabelEnv, string(env))
	}
	if o.Form == Kubernetes && o.Namespace != "" && l[hostname.LabelOrigin] != string(hostname.RoleGlobal) {
		setIfAbsent(hostname.LabelNamespace, o.Namespace)
	}
	if o.Form == Kubernetes {
		setIfAbsent(hostname.LabelDisplayName, o.Name)
	}
	return l
}

// SecretVisible reports whether the control plane reads a Secret as a mesh
// secret: every Universal Secret; on Kubernetes one of type
// system.kuma.io/secret in the system namespace (pkg/plugins/secrets/k8s/store.go,
// Kuma 2.14.3). A Secret without a namespace is taken to be applied there.
func (o *Object) SecretVisible(systemNamespace string) bool {
	return o.Form == Universal || (o.Type == KumaSecretType && (o.Namespace == "" || o.Namespace == systemNamespace))
}

// SecretValue decodes a Secret's value: the Universal data (one base64
// string), or the Kubernetes data["value"] (base64), which stringData["value"]
// overrides.
func (o *Object) SecretValue(d *Decoder) ([]byte, []*FieldError) {
	var value []byte
	if o.Form == Universal {
		if problems := d.Decode(o.Data, "data", &value, false); len(problems) > 0 {
			return nil, problems
		}
		return value, nil
	}
	var data map[string][]byte
	if problems := d.Decode(o.Data, "data", &data, false); len(problems) > 0 {
		return nil, problems
	}
	value = data["value"]
	if v, ok := o.StringData["value"]; ok {
		value = []byte(v)
	}
	return value, nil
}

// HostnameService is the service hostname generation sees for a
// MeshService, MeshExternalService or MeshMultiZoneService object of the
// given kind, with its computed labels (see ComputedLabels): on Kubernetes its
// template field .Name is the object name, without the namespace.
func (o *Object) HostnameService(kind hostname.Kind, role hostname.Role, zone string) hostname.Service {
	mesh := o.ResourceMesh()
	svc := hostname.ServiceFromLabels(kind, mesh, o.CoreName(), o.ComputedLabels(mesh, role, zone), zone)
	if o.Form == Kubernetes {
		svc.Name = o.Name
	}
	svc.Created = o.Created
	return svc
}

// AddSecretTo adds a Secret's value to secrets under its mesh and name. The
// first Secret of a name in a mesh wins: it reports false, and adds nothing,
// for a later one.
func (o *Object) AddSecretTo(secrets topology.StaticSecrets, value []byte) bool {
	mesh := o.ResourceMesh()
	if secrets[mesh] == nil {
		secrets[mesh] = map[string][]byte{}
	}
	if _, dup := secrets[mesh][o.Name]; dup {
		return false
	}
	secrets[mesh][o.Name] = value
	return true
}
