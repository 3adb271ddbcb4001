package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/internal/labels"
	"github.com/meshcore/meshcore/topology"
)

// Kinds the linter reads. Objects of other kinds, and Kubernetes-form objects
// of these kinds under another apiVersion, are skipped.
const (
	kindNamespace            = "Namespace"
	kindService              = "Service"
	kindDeployment           = "Deployment"
	kindStatefulSet          = "StatefulSet"
	kindDaemonSet            = "DaemonSet"
	kindReplicaSet           = "ReplicaSet"
	kindJob                  = "Job"
	kindCronJob              = "CronJob"
	kindPod                  = "Pod"
	kindSecret               = manifest.KindSecret
	kindMesh                 = manifest.KindMesh
	kindHostnameGenerator    = manifest.KindHostnameGenerator
	kindMeshService          = string(hostname.MeshService)
	kindMeshExternalService  = string(hostname.MeshExternalService)
	kindMeshMultiZoneService = string(hostname.MeshMultiZoneService)
)

// apiVersion returns the apiVersion of a Kubernetes-form object of kind, and
// false for a kind the linter does not read. Universal-form documents have no
// apiVersion and may only be control-plane kinds.
func apiVersion(kind string) (string, bool) {
	switch kind {
	case kindNamespace, kindService, kindPod, kindSecret:
		return "v1", true
	case kindDeployment, kindStatefulSet, kindDaemonSet, kindReplicaSet:
		return "apps/v1", true
	case kindJob, kindCronJob:
		return "batch/v1", true
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

// isWorkload reports whether kind runs pods.
func isWorkload(kind string) bool {
	switch kind {
	case kindDeployment, kindStatefulSet, kindDaemonSet, kindReplicaSet, kindJob, kindCronJob, kindPod:
		return true
	}
	return false
}

// Labels, annotations and values the control plane reads or sets, besides
// those of the hostname and topology packages (names from
// pkg/plugins/runtime/k8s/metadata, Kuma 2.14.3).
const (
	// labelSidecarInjection enables injection on a Namespace or a pod.
	labelSidecarInjection = "kuma.io/sidecar-injection"
	labelManagedBy        = "kuma.io/managed-by"
	labelStatefulSetPod   = "statefulset.kubernetes.io/pod-name"
	// labelZoneProxyType marks the Services of zone proxies.
	labelZoneProxyType = "kuma.io/zone-proxy-type"
	// annotationMesh is the deprecated way to set the mesh of an object.
	annotationMesh = "kuma.io/mesh"
	// annotationIgnore, "true", keeps a Service out of the mesh.
	annotationIgnore = "kuma.io/ignore"
	// annotationGateway marks gateway Services and pods.
	annotationGateway = "kuma.io/gateway"
)

// Kubernetes Service fields the rules read.
const (
	serviceTypeLoadBalancer = "LoadBalancer"
	serviceTypeExternalName = "ExternalName"
	trafficPolicyLocal      = "Local"
	clusterIPNone           = "None"
)

// isBuiltinNamespace reports whether a namespace exists in every cluster,
// whether or not the inputs hold it.
func isBuiltinNamespace(name string) bool {
	switch name {
	case "default", "kube-system", "kube-public", "kube-node-lease":
		return true
	}
	return false
}

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

// podTemplate is the pod template of a workload.
type podTemplate struct {
	Template struct {
		Metadata podMeta `json:"metadata"`
	} `json:"template"`
}

// cronJobSpec is the part of a CronJob spec the rules read.
type cronJobSpec struct {
	JobTemplate struct {
		Spec podTemplate `json:"spec"`
	} `json:"jobTemplate"`
}

// truth reads a boolean label or annotation as the control plane does
// (metadata.Annotations.GetEnabled / GetBoolean, Kuma 2.14.3): "true", "yes"
// and, where enabledAllowed, "enabled" are true; "false", "no", "disabled"
// false. set is false when the key is absent; valid is false for any other
// value, which the control plane refuses.
func truth(m map[string]string, key string, enabledAllowed bool) (value, set, valid bool) {
	v, ok := m[key]
	if !ok {
		return false, false, true
	}
	switch v {
	case "true", "yes":
		return true, true, true
	case "false", "no":
		return false, true, true
	case "enabled":
		return true, true, enabledAllowed
	case "disabled":
		return false, true, enabledAllowed
	}
	return false, true, false
}

// withMeshAnnotation returns labels with kuma.io/mesh taken from the
// deprecated annotation of that name when the label is empty, as Kuma 2.14
// reads an object's mesh (util.MeshOfByLabelOrAnnotation; 3.0 reads the
// label only). It returns labels itself when there is nothing to add.
func withMeshAnnotation(labels, annotations map[string]string) map[string]string {
	a := annotations[annotationMesh]
	if a == "" || labels[topology.LabelMesh] != "" {
		return labels
	}
	l := maps.Clone(labels)
	if l == nil {
		l = map[string]string{}
	}
	l[topology.LabelMesh] = a
	return l
}

// namespace is a Namespace of the inputs.
type namespace struct {
	obj *object
	// labels are its labels, kuma.io/mesh from the annotation included.
	labels map[string]string
	// injection is true when its label enables sidecar injection;
	// injectionValid is false for a label value the control plane refuses.
	injection, injectionValid bool
}

// meshInfo is a Mesh of the inputs.
type meshInfo struct {
	obj *object
	// mode is the MeshService mode; modeSet is false when the spec sets none
	// (linted as Exclusive, see meshMode).
	mode    meshServicesMode
	modeSet bool
}

// kubeService is a Kubernetes Service with what the MeshService controller
// would make of it (see deriveMeshService).
type kubeService struct {
	obj  *object
	spec serviceSpec
	// mesh is the mesh the controller reads from the Service and its
	// Namespace (the MeshServices' mesh when made).
	mesh string
	// made is true when the controller makes MeshServices for it: one, or
	// one per pod for a headless Service.
	made bool
	// none says why it makes none, when it does not; deliberate is true
	// when the Service is kept out of the mesh on purpose (ignored, a
	// gateway, a zone proxy, no ClusterIP, a global control plane), and
	// unconsidered when the controller does not consider it in a mesh (no
	// kuma.io/mesh label key, no sidecar injection on its Namespace).
	none                     string
	deliberate, unconsidered bool
	// uncertain is true when its Namespace is not among the inputs: its
	// labels may change the outcome.
	uncertain bool
	// labels are the MeshService's labels, when made.
	labels map[string]string
	// pods are the pod groups the selector picks, sorted.
	pods []*workload
}

func (s *kubeService) headless() bool { return s.spec.ClusterIP == clusterIPNone }

// workload is a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob
// or Pod: a group of pods with the same labels.
type workload struct {
	obj *object
	// labels are the pod labels, kuma.io/mesh from the pod annotation of
	// that name included; podLabels and annotations are as written.
	labels      map[string]string
	podLabels   map[string]string
	annotations map[string]string
	// podName is the name of a representative pod: the Pod's own name, the
	// first StatefulSet replica, or the workload's name (other pod names are
	// random).
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
// them in the zone (or on the global control plane) being linted.
type cluster struct {
	opts options
	// env is the zone's environment: Kubernetes when any manifest is in the
	// Kubernetes form, else Universal. It picks the default generators.
	env hostname.Env

	objects    []*object
	namespaces map[string]*namespace
	meshes     map[string]*meshInfo
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
	// secretObjs lists the Secrets of each name, whatever their type, mesh
	// or namespace, to explain a "missing" secret that exists but is not
	// visible.
	secretObjs map[string][]*object
}

// newCluster decodes the kind-specific parts of objs and derives what the
// control plane would. Objects the control plane would refuse (a spec that
// does not decode, a resource outside the system namespace) are reported and
// left out of the rules.
func newCluster(objs []*object, opts options, d *manifest.Decoder, r *reporter) *cluster {
	c := &cluster{
		opts:            opts,
		env:             hostname.EnvUniversal,
		namespaces:      map[string]*namespace{},
		meshes:          map[string]*meshInfo{},
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
		if !c.decodeEnvelope(o, r) {
			continue
		}
		if o.Form == kubernetesForm {
			c.env = hostname.EnvKubernetes
		}
		c.objects = append(c.objects, o)
		for _, rule := range o.disabled {
			if !isRule(rule) {
				r.addAs(ruleSchema, o, severityWarning, "%s names %q, which is not a rule (meshlint -rules lists them)", disableKey, rule)
			}
		}
	}
	// Where the inputs define an object twice, the first definition is
	// used throughout (and the duplicate rule reports the others).
	for _, o := range c.objects {
		if _, dup := c.namespaces[o.Name]; o.Kind == kindNamespace && !dup {
			c.addNamespace(o, r)
		}
	}
	for _, o := range c.objects {
		if o.Kind == kindNamespace || !c.admitted(o, r) {
			continue
		}
		switch o.Kind {
		case kindMesh:
			c.addMesh(o, d, r)
		case kindService:
			c.addService(o, d, r)
		case kindSecret:
			c.addSecret(o, d, r)
		case kindHostnameGenerator:
			c.addGenerator(o, d, r)
		case kindMeshService:
			c.addMeshResource(o, hostname.MeshService, d, r)
		case kindMeshMultiZoneService:
			c.addMeshResource(o, hostname.MeshMultiZoneService, d, r)
		case kindMeshExternalService:
			c.addExternalService(o, d, r)
		default:
			if isWorkload(o.Kind) {
				c.addWorkload(o, d, r)
			}
		}
	}
	for _, s := range c.services {
		c.deriveMeshService(s)
	}
	c.addDefaultGenerators()
	return c
}

// decodeEnvelope reports the fields of o's metadata (or Universal resource
// fields) that did not decode; false leaves o out.
func (c *cluster) decodeEnvelope(o *object, r *reporter) bool {
	for _, p := range o.Problems {
		r.addAt(ruleSchema, o, p.Line, severityError, "%s", p.Error())
	}
	return len(o.Problems) == 0
}

// admitted applies the admission webhook's namespace rule to a control-plane
// resource in the Kubernetes form (pkg/plugins/runtime/k8s/webhooks,
// resourceadmissionchecker.go, Kuma 2.14.3): on a zone, HostnameGenerators
// and MeshExternalServices only in the system namespace; on a global control
// plane, every namespaced resource. A refused object is reported and left
// out.
func (c *cluster) admitted(o *object, r *reporter) bool {
	if o.Form != kubernetesForm || !isKumaKind(o.Kind) || o.Kind == kindSecret || o.Kind == kindMesh {
		return true // a Mesh is cluster-scoped
	}
	ns := c.opts.SystemNamespace
	var msg string
	switch {
	case c.opts.Role == hostname.RoleGlobal:
		msg = "on Global CP the policy can be created only in the system namespace:" + ns
	case o.Kind == kindHostnameGenerator || o.Kind == kindMeshExternalService:
		msg = fmt.Sprintf("resource type %v can be created only in the system namespace:%s", o.Kind, ns)
	default:
		return true
	}
	switch o.Namespace {
	case ns:
		return true
	case "":
		r.addAs(ruleSystemNamespace, o, severityWarning, "has no metadata.namespace: apply it in %q (kubectl apply -n %s); the control plane's webhook refuses it anywhere else (%q)", ns, ns, msg)
		return true
	}
	r.addAs(ruleSystemNamespace, o, severityError, "the control plane's webhook refuses it in namespace %q (403 Forbidden: %q); move it to %q", o.Namespace, msg, ns)
	return false
}

// decodeSpec decodes o.Spec into v, reporting what does not fit (rule
// schema). strict reports unknown fields too. It returns false when o has an
// error that makes the control plane refuse it.
func (c *cluster) decodeSpec(o *object, v any, strict bool, d *manifest.Decoder, r *reporter) bool {
	path := "spec"
	if o.Form == universalForm && o.Kind == kindMesh {
		path = "" // a Universal Mesh has its spec at the top level
	}
	ok := true
	for _, p := range d.Decode(o.Spec, path, v, strict) {
		if !p.Unknown {
			r.addAt(ruleSchema, o, p.Line, severityError, "%s", p.Error())
			ok = false
			continue
		}
		switch {
		case o.Kind == kindMesh:
			r.addAt(ruleSchema, o, p.Line, severityWarning, "%s: the control plane decodes Mesh specs leniently and ignores it", p.Error())
		case o.Form == universalForm:
			r.addAt(ruleSchema, o, p.Line, severityWarning, "%s: the %s schema (Kuma 2.14.3) has no such field; the Universal API accepts it and drops it", p.Error(), o.Kind)
		default:
			r.addAt(ruleSchema, o, p.Line, severityError, "%s: the %s CRD (Kuma 2.14.3) has no such field, so kubectl apply refuses it", p.Error(), o.Kind)
			ok = false
		}
	}
	return ok
}

func (c *cluster) addNamespace(o *object, r *reporter) {
	ns := &namespace{obj: o, labels: withMeshAnnotation(o.Labels, o.Annotations)}
	var set bool
	ns.injection, set, ns.injectionValid = truth(o.Labels, labelSidecarInjection, true)
	if set && !ns.injectionValid {
		r.addAs("mesh-membership", o, severityError, "label %s is %q: the control plane reads only enabled, disabled, true, false, yes or no, and fails to reconcile the Services of this Namespace (no MeshService is made)",
			labelSidecarInjection, o.Labels[labelSidecarInjection])
	}
	c.namespaces[o.Name] = ns
}

func (c *cluster) addMesh(o *object, d *manifest.Decoder, r *reporter) {
	var spec *meshSpec
	var ok bool
	if o.Form == universalForm {
		var u universalMesh
		ok = c.decodeSpec(o, &u, true, d, r)
		spec = &u.meshSpec
	} else {
		spec = new(meshSpec)
		ok = c.decodeSpec(o, spec, true, d, r)
	}
	if !ok {
		return
	}
	if _, dup := c.meshes[o.Name]; !dup {
		mode, set := spec.mode()
		c.meshes[o.Name] = &meshInfo{obj: o, mode: mode, modeSet: set}
		c.meshObjs = append(c.meshObjs, o)
	}
}

func (c *cluster) addService(o *object, d *manifest.Decoder, r *reporter) {
	s := &kubeService{obj: o}
	if c.decodeSpec(o, &s.spec, false, d, r) {
		c.services = append(c.services, s)
	}
}

func (c *cluster) addWorkload(o *object, d *manifest.Decoder, r *reporter) {
	w := &workload{obj: o, podName: o.Name}
	meta := podMeta{Labels: o.Labels, Annotations: o.Annotations}
	switch o.Kind {
	case kindPod:
	case kindCronJob:
		var spec cronJobSpec
		if !c.decodeSpec(o, &spec, false, d, r) {
			return
		}
		meta = spec.JobTemplate.Spec.Template.Metadata
	default:
		var spec podTemplate
		if !c.decodeSpec(o, &spec, false, d, r) {
			return
		}
		meta = spec.Template.Metadata
		if o.Kind == kindStatefulSet {
			w.podName = o.Name + "-0"
		}
	}
	w.labels = withMeshAnnotation(meta.Labels, meta.Annotations)
	w.podLabels, w.annotations = meta.Labels, meta.Annotations
	c.workloads = append(c.workloads, w)
	byLabel := c.podsByNamespace[o.Namespace]
	if byLabel == nil {
		byLabel = map[string][]*workload{}
		c.podsByNamespace[o.Namespace] = byLabel
	}
	for k, v := range w.labels {
		byLabel[k+"="+v] = append(byLabel[k+"="+v], w)
	}
}

func (c *cluster) addSecret(o *object, d *manifest.Decoder, r *reporter) {
	c.secretObjs[o.Name] = append(c.secretObjs[o.Name], o)
	if !o.SecretVisible(c.opts.SystemNamespace) {
		return
	}
	value, problems := o.SecretValue(d)
	if len(problems) > 0 {
		r.addAt(ruleSchema, o, problems[0].Line, severityError, "%s", problems[0].Error())
		return
	}
	o.AddSecretTo(c.secrets, value)
}

func (c *cluster) addGenerator(o *object, d *manifest.Decoder, r *reporter) {
	var spec hostnameGeneratorSpec
	if !c.decodeSpec(o, &spec, true, d, r) {
		return
	}
	g := spec.Generator
	g.Name, g.Labels, g.Created = o.Name, o.Labels, o.Created
	c.generators = append(c.generators, generator{obj: o, gen: g})
}

func (c *cluster) addMeshResource(o *object, kind hostname.Kind, d *manifest.Decoder, r *reporter) {
	spec, strict, _ := specSchema(o.Kind)
	if !c.decodeSpec(o, spec, strict, d, r) {
		return
	}
	c.hostnames = append(c.hostnames, service{obj: o, svc: o.HostnameService(kind, c.opts.Role, c.opts.Zone)})
}

func (c *cluster) addExternalService(o *object, d *manifest.Decoder, r *reporter) {
	// Topology and hostname generation see the same computed labels.
	svc := o.HostnameService(hostname.MeshExternalService, c.opts.Role, c.opts.Zone)
	mes := topology.MeshExternalService{Mesh: svc.Mesh, Name: svc.CoreName, Labels: svc.Labels}
	if !c.decodeSpec(o, &mes.Spec, true, d, r) {
		return
	}
	c.external = append(c.external, externalService{obj: o, mes: mes})
	c.hostnames = append(c.hostnames, service{obj: o, svc: svc})
}

// nsLabels returns the labels of namespace name (kuma.io/mesh from its
// annotation included), nil when it is not among the inputs.
func (c *cluster) nsLabels(name string) map[string]string {
	if ns := c.namespaces[name]; ns != nil {
		return ns.labels
	}
	return nil
}

// nsKnown reports whether the labels of namespace name are known: it is
// among the inputs, or -complete says the inputs are the whole cluster (then
// a built-in namespace has no labels, and any other does not exist).
func (c *cluster) nsKnown(name string) bool {
	return c.namespaces[name] != nil || c.opts.Complete
}

// nsExists reports whether namespace name exists, as far as the inputs tell.
func (c *cluster) nsExists(name string) bool {
	return c.namespaces[name] != nil || !c.opts.Complete || isBuiltinNamespace(name)
}

// deriveMeshService applies the MeshService controller's rules to a
// Kubernetes Service (pkg/plugins/runtime/k8s/controllers/meshservice_controller.go,
// Kuma 2.14.3), in its order: none on a global control plane, when the
// Namespace does not exist or its injection label cannot be read, unless the
// Service has the kuma.io/mesh label key or its Namespace enables sidecar
// injection; the mesh from the Service, then its Namespace (label, then the
// deprecated annotation), else "default"; none when that Mesh does not exist
// or its mode is Disabled, for a Service annotated kuma.io/ignore: "true" or
// kuma.io/gateway, labelled kuma.io/zone-proxy-type, whose pods are gateway
// pods (delegated gateways carry the annotation on the pod), or without a
// ClusterIP (ExternalName); else one MeshService carrying the ClusterIP as
// its VIP, or one per pod for a headless Service. Only non-headless
// MeshServices join hostname generation here; the per-pod ones are checked
// by the headless rule (their names are known at run time).
func (c *cluster) deriveMeshService(s *kubeService) {
	o := s.obj
	s.pods = c.selectPods(o.Namespace, s.spec.Selector)
	s.mesh = topology.MeshOf(withMeshAnnotation(o.Labels, o.Annotations), c.nsLabels(o.Namespace))
	none := func(deliberate bool, format string, args ...any) {
		s.none, s.deliberate = fmt.Sprintf(format, args...), deliberate
	}
	if c.opts.Role == hostname.RoleGlobal {
		none(true, "a global control plane makes no MeshServices")
		return
	}
	if !c.nsExists(o.Namespace) {
		none(false, "its Namespace %q does not exist", o.Namespace)
		return
	}
	ns := c.namespaces[o.Namespace]
	s.uncertain = !c.nsKnown(o.Namespace)
	if ns != nil && !ns.injectionValid {
		none(false, "the controller cannot read the %s label of Namespace %q", labelSidecarInjection, o.Namespace)
		return
	}
	_, hasMeshKey := o.Labels[topology.LabelMesh]
	if !hasMeshKey && !s.uncertain && (ns == nil || !ns.injection) {
		none(false, "it has no %s label and Namespace %q does not enable sidecar injection", topology.LabelMesh, o.Namespace)
		s.unconsidered = true
		return
	}
	if m, known := c.meshes[s.mesh]; known && m.mode == modeDisabled {
		none(false, "mesh %q has MeshService mode Disabled", s.mesh)
		return
	} else if !known && c.opts.Complete {
		none(false, "Mesh %q does not exist", s.mesh)
		return
	}
	if ignored, _, _ := truth(o.Annotations, annotationIgnore, false); ignored {
		none(true, "it is annotated %s", annotationIgnore)
		return
	}
	if _, ok := o.Annotations[annotationGateway]; ok {
		none(true, "it is annotated %s", annotationGateway)
		return
	}
	if _, ok := o.Labels[labelZoneProxyType]; ok {
		none(true, "it is labelled %s", labelZoneProxyType)
		return
	}
	for _, w := range s.pods {
		if _, ok := w.annotations[annotationGateway]; ok {
			none(true, "its pods (%s %q) are gateway pods", w.obj.Kind, w.obj.Name)
			return
		}
	}
	if s.spec.Type == serviceTypeExternalName {
		none(true, "it has no ClusterIP (type ExternalName)")
		return
	}
	s.made = true
	l := maps.Clone(o.Labels)
	if l == nil {
		l = map[string]string{}
	}
	l[topology.LabelMesh] = s.mesh
	l[labels.ServiceName] = o.Name
	l[labelManagedBy] = "k8s-controller"
	l[hostname.LabelEnv] = string(hostname.EnvKubernetes)
	l[hostname.LabelHeadless] = fmt.Sprint(s.headless())
	l[hostname.LabelDisplayName] = o.Name
	l[hostname.LabelOrigin] = string(hostname.RoleZone)
	l[hostname.LabelZone] = c.opts.Zone
	l[hostname.LabelNamespace] = o.Namespace
	s.labels = l
	if s.headless() {
		return
	}
	svc := hostname.ServiceFromLabels(hostname.MeshService, s.mesh, o.CoreName(), l, c.opts.Zone)
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

// podMesh returns the mesh the pods of w join, and whether they are injected
// at all: the pod label kuma.io/sidecar-injection, else the Namespace's. When
// neither says, sure is false (the Namespace is not among the inputs).
func (c *cluster) podMesh(w *workload) (mesh string, injected, sure bool) {
	mesh = topology.MeshOf(w.labels, c.nsLabels(w.obj.Namespace))
	if v, set, valid := truth(w.labels, labelSidecarInjection, true); set {
		return mesh, v && valid, true
	}
	if ns := c.namespaces[w.obj.Namespace]; ns != nil {
		return mesh, ns.injection, true
	}
	if c.opts.Complete {
		return mesh, false, true // a built-in Namespace, without labels
	}
	return mesh, true, false
}

// addDefaultGenerators adds the generators the reference control plane
// ships (hostname.DefaultGenerators) unless a manifest defines one of the
// same name, which replaces it: on a zone, the zone's own, plus the ones the
// global control plane syncs when some service came from global (they select
// only those); on a global control plane, the global ones.
func (c *cluster) addDefaultGenerators() {
	var defaults []hostname.Generator
	if c.opts.Role == hostname.RoleGlobal {
		defaults = hostname.DefaultGenerators(c.env, hostname.RoleGlobal)
	} else {
		defaults = hostname.DefaultGenerators(c.env, hostname.RoleZone)
		for _, s := range c.hostnames {
			if s.svc.Labels[hostname.LabelOrigin] == string(hostname.RoleGlobal) {
				defaults = append(defaults, hostname.DefaultGenerators(c.env, hostname.RoleGlobal)...)
				break
			}
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

// meshMode returns the MeshService mode of mesh, whether the mesh is among
// the inputs, and whether its spec sets the mode. A Mesh that sets no mode is
// linted as Exclusive: Kuma 3.0 removed the field and always behaves so
// (Kuma 2.14 reads an absent mode as Disabled, api/mesh/v1alpha1/mesh_helpers.go).
func (c *cluster) meshMode(mesh string) (mode meshServicesMode, known, set bool) {
	m, ok := c.meshes[mesh]
	if !ok {
		return "", false, false
	}
	if !m.modeSet {
		return modeExclusive, true, false
	}
	return m.mode, true, true
}
