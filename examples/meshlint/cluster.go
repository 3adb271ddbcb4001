package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// Kinds the linter reads. Objects of other kinds, and Kubernetes-form objects
// of these kinds under another apiVersion, are skipped.
const (
	kindNamespace            = "Namespace"
	kindService              = "Service"
	kindDeployment           = "Deployment"
	kindStatefulSet          = "StatefulSet"
	kindPod                  = "Pod"
	kindSecret               = "Secret"
	kindMesh                 = "Mesh"
	kindHostnameGenerator    = "HostnameGenerator"
	kindMeshService          = "MeshService"
	kindMeshExternalService  = "MeshExternalService"
	kindMeshMultiZoneService = "MeshMultiZoneService"
)

// apiVersion returns the apiVersion of a Kubernetes-form object of kind, and
// false for a kind the linter does not read. Universal-form documents have no
// apiVersion and may only be control-plane kinds.
func apiVersion(kind string) (string, bool) {
	switch kind {
	case kindNamespace, kindService, kindPod, kindSecret:
		return "v1", true
	case kindDeployment, kindStatefulSet:
		return "apps/v1", true
	case kindMesh, kindHostnameGenerator, kindMeshService, kindMeshExternalService, kindMeshMultiZoneService:
		return kumaAPIVersion, true
	}
	return "", false
}

// kumaAPIVersion is the apiVersion of the control plane's resources on
// Kubernetes.
const kumaAPIVersion = "kuma.io/v1alpha1"

// isKumaKind reports whether kind is a control-plane resource (as opposed to a
// Kubernetes one), which the Universal form can express. Secrets are both.
func isKumaKind(kind string) bool {
	v, _ := apiVersion(kind)
	return v == kumaAPIVersion || kind == kindSecret
}

// Labels and values the control plane reads or sets, besides those of the
// hostname and topology packages.
const (
	labelSidecarInjection = "kuma.io/sidecar-injection"
	labelServiceName      = "k8s.kuma.io/service-name"
	labelManagedBy        = "kuma.io/managed-by"
	labelStatefulSetPod   = "statefulset.kubernetes.io/pod-name"
	// kumaSecretType is the type of the Kubernetes Secrets the control plane
	// reads as mesh secrets; other Secrets are invisible to it.
	kumaSecretType = "system.kuma.io/secret"
)

// Kubernetes Service fields the rules read.
const (
	serviceTypeLoadBalancer = "LoadBalancer"
	serviceTypeExternalName = "ExternalName"
	trafficPolicyLocal      = "Local"
	clusterIPNone           = "None"
	meshModeExclusive       = "Exclusive"
)

// serviceSpec is the part of a Kubernetes Service spec the rules read.
type serviceSpec struct {
	Type                  string            `json:"type"`
	ClusterIP             string            `json:"clusterIP"`
	ExternalTrafficPolicy string            `json:"externalTrafficPolicy"`
	Selector              map[string]string `json:"selector"`
}

// podMeta is the metadata of a pod template.
type podMeta struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// workloadSpec is the part of a Deployment or StatefulSet spec the rules read.
type workloadSpec struct {
	Template struct {
		Metadata podMeta `json:"metadata"`
	} `json:"template"`
}

// meshSpec is the part of a Mesh spec the rules read.
type meshSpec struct {
	MeshServices struct {
		Mode string `json:"mode"`
	} `json:"meshServices"`
}

// kubeService is a Kubernetes Service with what the MeshService controller
// would make of it.
type kubeService struct {
	obj  *object
	spec serviceSpec
	// meshed is true when the controller creates a MeshService for it: the
	// Service has the kuma.io/mesh label key, or its Namespace enables
	// sidecar injection, or its Namespace is not among the manifests (the
	// linter cannot tell, and assumes it does).
	meshed bool
	// mesh is the MeshService's mesh: topology.MeshOf(Service, Namespace).
	mesh string
	// labels are the MeshService's labels.
	labels map[string]string
	// pods are the pod groups the selector picks, sorted.
	pods []*workload
}

func (s *kubeService) headless() bool { return s.spec.ClusterIP == clusterIPNone }

// workload is a Deployment, a StatefulSet or a Pod: a group of pods with the
// same labels.
type workload struct {
	obj *object
	// labels are the pod labels, plus kuma.io/mesh from the pod annotation of
	// that name when the label is absent (the annotation is the older way to
	// set a pod's mesh, still honoured by the injector).
	labels map[string]string
	// podName is the name of a representative pod: the Pod's own name, the
	// first StatefulSet replica, or the Deployment's name (Deployment pod
	// names are random).
	podName string
}

// generator is a HostnameGenerator from the manifests, or a default one.
type generator struct {
	obj *object // nil for a default generator
	gen hostname.Generator
}

// service is a MeshService, MeshExternalService or MeshMultiZoneService as
// the hostname package sees it, with the object that findings about it are
// reported on (for a MeshService made from a Kubernetes Service, that Service).
type service struct {
	obj *object
	svc hostname.Service
	// derived is true for a MeshService made from a Kubernetes Service.
	derived bool
}

// externalService is a MeshExternalService for the topology package.
type externalService struct {
	obj *object
	mes topology.MeshExternalService
}

// cluster is everything the rules look at: the objects of every input,
// decoded by kind and indexed, plus what the control plane would derive from
// them in the zone being linted.
type cluster struct {
	opts options
	// env is the zone's environment: Kubernetes when any manifest is in the
	// Kubernetes form, else Universal. It picks the default generators.
	env hostname.Env

	objects    []*object
	namespaces map[string]*object
	meshes     map[string]meshSpec
	meshObjs   []*object
	services   []*kubeService
	workloads  []*workload
	// podsByNamespace indexes workloads by namespace, then by each
	// "key=value" pod label, for selector lookups in linear time.
	podsByNamespace map[string]map[string][]*workload

	generators []generator // manifests, then defaults not overridden
	hostnames  []service
	gen        *generation // computed on first use
	external   []externalService
	secrets    topology.StaticSecrets
	// secretObjs lists the Secrets of each name, whatever their type or
	// mesh, to explain a "missing" secret that exists but is not visible.
	secretObjs map[string][]*object
}

// newCluster decodes the kind-specific parts of objs and derives what the
// control plane would. A spec that does not decode is reported (rule
// "schema") and the object is left out of the rules that need it.
func newCluster(objs []*object, opts options, r *reporter) *cluster {
	c := &cluster{
		opts:            opts,
		env:             hostname.Universal,
		namespaces:      map[string]*object{},
		meshes:          map[string]meshSpec{},
		podsByNamespace: map[string]map[string][]*workload{},
		secrets:         topology.StaticSecrets{},
		secretObjs:      map[string][]*object{},
	}
	for _, o := range objs {
		want, known := apiVersion(o.Kind)
		switch {
		case !known:
			continue
		case o.Form == kubernetesForm && o.APIVersion != want:
			continue // same kind name, another API (a Knative Service, say)
		case o.Form == universalForm && !isKumaKind(o.Kind):
			continue
		}
		if o.Form == kubernetesForm {
			c.env = hostname.Kubernetes
		}
		c.objects = append(c.objects, o)
	}
	// Where the inputs define an object twice, the first definition is
	// used throughout (and the duplicate rule reports the others).
	for _, o := range c.objects {
		if _, dup := c.namespaces[o.Name]; o.Kind == kindNamespace && !dup {
			c.namespaces[o.Name] = o
		}
	}
	for _, o := range c.objects {
		var err error
		switch o.Kind {
		case kindMesh:
			err = c.addMesh(o)
		case kindService:
			err = c.addService(o)
		case kindDeployment, kindStatefulSet, kindPod:
			err = c.addWorkload(o)
		case kindSecret:
			err = c.addSecret(o)
		case kindHostnameGenerator:
			err = c.addGenerator(o)
		case kindMeshService:
			c.addMeshResource(o, hostname.MeshService)
		case kindMeshMultiZoneService:
			c.addMeshResource(o, hostname.MeshMultiZoneService)
		case kindMeshExternalService:
			err = c.addExternalService(o)
		}
		if err != nil {
			r.add(o, severityError, "%v", err)
		}
	}
	for _, s := range c.services {
		c.deriveMeshService(s)
	}
	c.addDefaultGenerators()
	return c
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
		id.mesh = meshOfResource(o)
	}
	return id
}

// decodeSpec decodes o.Spec into v. An absent spec decodes to the zero value.
func decodeSpec(o *object, v any) error {
	if len(o.Spec) == 0 {
		return nil
	}
	if err := json.Unmarshal(o.Spec, v); err != nil {
		prefix := "spec"
		if o.Form == universalForm && o.Kind == kindMesh {
			prefix = "" // a Universal Mesh has its spec at the top level
		}
		return decodeError(prefix, err)
	}
	return nil
}

func (c *cluster) addMesh(o *object) error {
	var spec meshSpec
	if err := decodeSpec(o, &spec); err != nil {
		return err
	}
	if _, dup := c.meshes[o.Name]; !dup {
		c.meshes[o.Name] = spec
		c.meshObjs = append(c.meshObjs, o)
	}
	return nil
}

func (c *cluster) addService(o *object) error {
	s := &kubeService{obj: o}
	if err := decodeSpec(o, &s.spec); err != nil {
		return err
	}
	c.services = append(c.services, s)
	return nil
}

func (c *cluster) addWorkload(o *object) error {
	w := &workload{obj: o, podName: o.Name}
	meta := podMeta{Labels: o.Labels, Annotations: o.Annotations}
	if o.Kind != kindPod {
		var spec workloadSpec
		if err := decodeSpec(o, &spec); err != nil {
			return err
		}
		meta = spec.Template.Metadata
		if o.Kind == kindStatefulSet {
			w.podName = o.Name + "-0"
		}
	}
	w.labels = meta.Labels
	if mesh, ok := meta.Annotations[topology.LabelMesh]; ok && w.labels[topology.LabelMesh] == "" {
		w.labels = maps.Clone(w.labels)
		if w.labels == nil {
			w.labels = map[string]string{}
		}
		w.labels[topology.LabelMesh] = mesh
	}
	c.workloads = append(c.workloads, w)
	byLabel := c.podsByNamespace[o.Namespace]
	if byLabel == nil {
		byLabel = map[string][]*workload{}
		c.podsByNamespace[o.Namespace] = byLabel
	}
	for k, v := range w.labels {
		byLabel[k+"="+v] = append(byLabel[k+"="+v], w)
	}
	return nil
}

func (c *cluster) addSecret(o *object) error {
	c.secretObjs[o.Name] = append(c.secretObjs[o.Name], o)
	var value []byte
	mesh := cmp.Or(o.Mesh, topology.DefaultMesh)
	if o.Form == kubernetesForm {
		if o.Type != kumaSecretType {
			return nil // invisible to the control plane
		}
		mesh = topology.MeshOf(o.Labels, nil)
		var data map[string][]byte
		if len(o.Data) > 0 {
			if err := json.Unmarshal(o.Data, &data); err != nil {
				return decodeError("data", err)
			}
		}
		value = data["value"]
		if v, ok := o.StringData["value"]; ok {
			value = []byte(v)
		}
	} else if len(o.Data) > 0 {
		if err := json.Unmarshal(o.Data, &value); err != nil {
			return decodeError("data", err)
		}
	}
	if c.secrets[mesh] == nil {
		c.secrets[mesh] = map[string][]byte{}
	}
	if _, dup := c.secrets[mesh][o.Name]; !dup {
		c.secrets[mesh][o.Name] = value
	}
	return nil
}

func (c *cluster) addGenerator(o *object) error {
	// The Generator's JSON form is the HostnameGenerator spec, so the spec
	// decodes into it directly (hostname.DecodeManifest does the same from a
	// whole manifest; the document is already decoded here).
	var g hostname.Generator
	if err := decodeSpec(o, &g); err != nil {
		return err
	}
	g.Name, g.Labels, g.Created = o.Name, o.Labels, o.Created
	c.generators = append(c.generators, generator{obj: o, gen: g})
	return nil
}

// coreName is the name of a resource in the control plane's store: on
// Kubernetes "name.namespace" for namespaced objects.
func coreName(o *object) string {
	if o.Form == kubernetesForm && o.Namespace != "" {
		return o.Name + "." + o.Namespace
	}
	return o.Name
}

// computedLabels returns the labels a zone control plane gives a resource
// created in it, on top of its own: the mesh (mesh-scoped kinds), origin
// "zone", the zone and the environment, and on Kubernetes the namespace and
// the display name. A MeshMultiZoneService is created on the global control
// plane, so it arrives with origin "global" and keeps only its own labels.
func (c *cluster) computedLabels(o *object, mesh string) map[string]string {
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
	if o.Kind == kindMeshMultiZoneService {
		setIfAbsent(hostname.LabelOrigin, string(hostname.Global))
	}
	setIfAbsent(hostname.LabelOrigin, string(hostname.Zone))
	if l[hostname.LabelOrigin] == string(hostname.Zone) {
		setIfAbsent(hostname.LabelZone, c.opts.Zone)
		env := hostname.Universal
		if o.Form == kubernetesForm {
			env = hostname.Kubernetes
		}
		setIfAbsent(hostname.LabelEnv, string(env))
		if o.Form == kubernetesForm && o.Namespace != "" {
			setIfAbsent(hostname.LabelNamespace, o.Namespace)
		}
	}
	if o.Form == kubernetesForm {
		setIfAbsent(hostname.LabelDisplayName, o.Name)
	}
	return l
}

// meshOfResource is the mesh of a control-plane resource: the Universal mesh
// field, or on Kubernetes its kuma.io/mesh label, else "default".
func meshOfResource(o *object) string {
	if o.Form == universalForm {
		return cmp.Or(o.Mesh, topology.DefaultMesh)
	}
	return topology.MeshOf(o.Labels, nil)
}

func (c *cluster) addMeshResource(o *object, kind hostname.Kind) {
	mesh := meshOfResource(o)
	svc := hostname.ServiceFromLabels(kind, mesh, coreName(o), c.computedLabels(o, mesh), c.opts.Zone)
	if o.Form == kubernetesForm {
		svc.Name = o.Name // the template's .Name is the object name without the namespace
	}
	svc.Created = o.Created
	c.hostnames = append(c.hostnames, service{obj: o, svc: svc})
}

func (c *cluster) addExternalService(o *object) error {
	mesh := meshOfResource(o)
	mes := topology.MeshExternalService{Mesh: mesh, Name: coreName(o), Labels: c.computedLabels(o, mesh)}
	if err := decodeSpec(o, &mes.Spec); err != nil {
		return err
	}
	c.external = append(c.external, externalService{obj: o, mes: mes})
	svc := hostname.ServiceFromLabels(hostname.MeshExternalService, mesh, mes.Name, mes.Labels, c.opts.Zone)
	if o.Form == kubernetesForm {
		svc.Name = o.Name
	}
	svc.Created = o.Created
	c.hostnames = append(c.hostnames, service{obj: o, svc: svc})
	return nil
}

// deriveMeshService works out the MeshService the controller makes from a
// Kubernetes Service: whether it makes one, its mesh, its labels, and the
// pods behind it. Headless Services get one MeshService per pod; those are
// checked by the headless rule only (pod names are known at run time), so
// only non-headless Services join hostname generation here.
func (c *cluster) deriveMeshService(s *kubeService) {
	o := s.obj
	ns := c.namespaces[o.Namespace]
	var nsLabels map[string]string
	if ns != nil {
		nsLabels = ns.Labels
	}
	_, hasMeshLabel := o.Labels[topology.LabelMesh]
	injected := ns == nil || nsLabels[labelSidecarInjection] == "enabled" || nsLabels[labelSidecarInjection] == "true"
	s.meshed = s.spec.Type != serviceTypeExternalName && (hasMeshLabel || injected)
	s.mesh = topology.MeshOf(o.Labels, nsLabels)
	s.pods = c.selectPods(o.Namespace, s.spec.Selector)
	if !s.meshed {
		return
	}
	l := maps.Clone(o.Labels)
	if l == nil {
		l = map[string]string{}
	}
	l[topology.LabelMesh] = s.mesh
	l[labelServiceName] = o.Name
	l[labelManagedBy] = "k8s-controller"
	l[hostname.LabelEnv] = string(hostname.Kubernetes)
	l[hostname.LabelHeadless] = fmt.Sprint(s.headless())
	l[hostname.LabelDisplayName] = o.Name
	l[hostname.LabelOrigin] = string(hostname.Zone)
	l[hostname.LabelZone] = c.opts.Zone
	l[hostname.LabelNamespace] = o.Namespace
	s.labels = l
	if s.headless() {
		return
	}
	svc := hostname.ServiceFromLabels(hostname.MeshService, s.mesh, coreName(o), l, c.opts.Zone)
	svc.Name = o.Name
	svc.Created = o.Created
	c.hostnames = append(c.hostnames, service{obj: o, svc: svc, derived: true})
}

// selectPods returns the workloads of namespace whose pod labels match
// selector, sorted by kind and name. A Service without a selector selects
// nothing (its endpoints are managed by hand).
func (c *cluster) selectPods(namespace string, selector map[string]string) []*workload {
	if len(selector) == 0 {
		return nil
	}
	byLabel := c.podsByNamespace[namespace]
	// Start from the rarest selector entry, then filter by the others.
	var candidates []*workload
	first := true
	for k, v := range selector {
		ws := byLabel[k+"="+v]
		if first || len(ws) < len(candidates) {
			candidates, first = ws, false
		}
	}
	var out []*workload
	sel := &hostname.LabelSelector{MatchLabels: selector}
	for _, w := range candidates {
		if sel.Matches(w.labels) {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b *workload) int {
		return cmp.Or(strings.Compare(a.obj.Kind, b.obj.Kind), strings.Compare(a.obj.Name, b.obj.Name))
	})
	return out
}

// addDefaultGenerators adds the generators the reference control plane
// ships for a zone of c.env, unless a manifest defines a generator of the
// same name (which replaces it). meshcore's local Kubernetes generator is not
// among them: the linter reports what the reference does, and a local
// Kubernetes MeshService left without a hostname is exactly its finding. The
// generators the global control plane syncs to zones are added when some
// service came from global (they select only those).
func (c *cluster) addDefaultGenerators() {
	defaults := hostname.DefaultGenerators(c.env, hostname.Zone)
	for _, s := range c.hostnames {
		if s.svc.Labels[hostname.LabelOrigin] == string(hostname.Global) {
			defaults = append(defaults, hostname.DefaultGenerators(c.env, hostname.Global)...)
			break
		}
	}
	defined := map[string]bool{}
	for _, g := range c.generators {
		defined[g.gen.Name] = true
	}
	for _, g := range defaults {
		if !defined[g.Name] {
			c.generators = append(c.generators, generator{gen: g})
		}
	}
}

// meshMode returns the MeshService mode of mesh, and false when the mesh is
// not among the manifests.
func (c *cluster) meshMode(mesh string) (string, bool) {
	spec, ok := c.meshes[mesh]
	return spec.MeshServices.Mode, ok
}
