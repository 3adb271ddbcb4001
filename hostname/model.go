package hostname

import (
	"errors"
	"fmt"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/meshcore/meshcore/internal/labels"
)

// Kind is the kind of a service a generator selects.
type Kind string

// The kinds a HostnameGenerator can select.
const (
	MeshService          Kind = "MeshService"
	MeshExternalService  Kind = "MeshExternalService"
	MeshMultiZoneService Kind = "MeshMultiZoneService"
)

// Labels the conventions of this package read. The control plane sets them on
// services; [ServiceFromLabels] and [DefaultGenerators] use them.
const (
	// LabelOrigin is "zone" on resources created in a zone and "global" on
	// resources synced from the global control plane. Generators labelled
	// "zone" run first.
	LabelOrigin = labels.Origin
	// LabelDisplayName is the name the user gave the resource (on Kubernetes,
	// the object name; on a synced resource, the name before hashing).
	LabelDisplayName = labels.DisplayName
	// LabelZone is the zone a resource comes from.
	LabelZone = labels.Zone
	// LabelNamespace is the Kubernetes namespace of the resource.
	LabelNamespace = labels.Namespace
	// LabelName is the Kubernetes object name, without the namespace (the
	// "k8s.kuma.io/name" name extension of the control plane).
	LabelName = labels.Name
	// LabelEnv is "kubernetes" or "universal": where the service was created.
	LabelEnv = labels.Env
	// LabelHeadless is "true" on MeshServices of headless Kubernetes Services
	// (one per pod) and "false" on the others.
	LabelHeadless = labels.Headless
	// LabelMesh is the mesh of a Kubernetes object.
	LabelMesh = labels.Mesh
)

// Generator is a HostnameGenerator: for every service of the selected kind
// whose labels match, it renders Template into a hostname.
//
// Its JSON form is the resource's spec object ({"selector": {"meshService":
// {"matchLabels": {...}}}, "template": "..."}), so the spec of a real manifest
// decodes into it directly; Name, Labels and Created come from the resource's
// metadata, which [DecodeManifest] reads from a whole manifest. The spec's
// optional extension is not modelled.
type Generator struct {
	// Name is the generator's core name: on Kubernetes "name.namespace" (see
	// [DefaultGeneratorsIn] and [DecodeManifest]), on Universal the name. It
	// names the generator in statuses and breaks ties in the generation
	// order.
	Name string `json:"-"`
	// Labels are the generator's own labels. LabelOrigin "zone" puts it
	// before the others in the generation order.
	Labels map[string]string `json:"-"`
	// Created is the creation time; older generators claim hostnames first.
	Created time.Time `json:"-"`
	// Selector says which services the generator applies to.
	Selector Selector `json:"selector"`
	// Template is the hostname template (Go text/template syntax, see
	// [Compile]).
	Template string `json:"template"`
}

// Selector selects services of one kind by their labels. Exactly one field
// must be set.
type Selector struct {
	// MeshService selects MeshServices.
	MeshService *LabelSelector `json:"meshService,omitempty"`
	// MeshExternalService selects MeshExternalServices.
	MeshExternalService *LabelSelector `json:"meshExternalService,omitempty"`
	// MeshMultiZoneService selects MeshMultiZoneServices.
	MeshMultiZoneService *LabelSelector `json:"meshMultiZoneService,omitempty"`
}

// LabelSelector matches labels by equality: every entry of MatchLabels must
// be present with the same value. An empty selector matches every service.
type LabelSelector struct {
	// MatchLabels are the labels a service must have, with these values.
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// Matches reports whether labels has every key of s.MatchLabels with the same
// value. A nil or empty selector matches everything.
func (s *LabelSelector) Matches(labels map[string]string) bool {
	if s == nil {
		return true
	}
	for k, want := range s.MatchLabels {
		if !hasLabel(labels, k, want) {
			return false
		}
	}
	return true
}

// hasLabel reports whether labels has key with the value want: what one
// matchLabels entry requires (an empty value must be present too).
func hasLabel(labels map[string]string, key, want string) bool {
	got, ok := labels[key]
	return ok && got == want
}

// defined returns how many kinds s selects.
func (s Selector) defined() int {
	n := 0
	for _, ls := range [...]*LabelSelector{s.MeshService, s.MeshExternalService, s.MeshMultiZoneService} {
		if ls != nil {
			n++
		}
	}
	return n
}

// Target returns the kind s selects and its label selector. ok is false
// unless exactly one kind is set.
func (s Selector) Target() (kind Kind, ls *LabelSelector, ok bool) {
	if s.defined() != 1 {
		return "", nil, false
	}
	switch {
	case s.MeshService != nil:
		return MeshService, s.MeshService, true
	case s.MeshExternalService != nil:
		return MeshExternalService, s.MeshExternalService, true
	default:
		return MeshMultiZoneService, s.MeshMultiZoneService, true
	}
}

// Validate checks g as admission does: the selector sets exactly one kind
// ([SelectorError]), and the template passes [Compile] ([TemplateError]).
// When both fail, the error joins both (see [errors.Join]); each carries
// g.Name.
func (g Generator) Validate() error {
	var errs []error
	if err := g.selectorError(); err != nil {
		errs = append(errs, err)
	}
	if _, err := Compile(g.Template); err != nil {
		var te *TemplateError
		if errors.As(err, &te) {
			te.Generator = g.Name
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// selectorError returns the error of g's selector, or nil when it names
// exactly one kind.
func (g *Generator) selectorError() *SelectorError {
	if n := g.Selector.defined(); n != 1 {
		return &SelectorError{Generator: g.Name, Defined: n}
	}
	return nil
}

func (g Generator) zoneOrigin() bool { return g.Labels[LabelOrigin] == labels.OriginZone }

// Service is what a template sees of a MeshService, MeshExternalService or
// MeshMultiZoneService, plus what generation needs to order and identify it.
type Service struct {
	// Kind is the service's kind.
	Kind Kind
	// Mesh is the service's mesh (template field .Mesh).
	Mesh string
	// Name is the template field .Name: the Kubernetes object name without
	// the namespace when known, else the core name (for synced resources, the
	// hashed name).
	Name string
	// CoreName is the resource's name in the control plane's store (on
	// Kubernetes "name.namespace"), unique within a kind and mesh. It
	// identifies the service in a [Result]; when empty, Name does.
	CoreName string
	// DisplayName is the template field .DisplayName.
	DisplayName string
	// Namespace is the template field .Namespace.
	Namespace string
	// Zone is the template field .Zone.
	Zone string
	// Labels are the service's labels: what selectors match and what the
	// template function label reads.
	Labels map[string]string
	// Created is the creation time; older services claim hostnames first.
	Created time.Time
}

// ID returns the name that identifies s within its kind and mesh: CoreName,
// or Name when CoreName is empty.
func (s *Service) ID() string {
	if s.CoreName != "" {
		return s.CoreName
	}
	return s.Name
}

// ServiceFromLabels builds the Service the control plane's conventions give a
// resource of the given kind, mesh, core name and labels l:
//
//   - Name: label [LabelName] (the Kubernetes object name) when not empty,
//     else coreName;
//   - DisplayName: label [LabelDisplayName], else Name;
//   - Namespace: label [LabelNamespace], else empty;
//   - Zone: label [LabelZone] when not empty, else localZone.
//
// The two empty cases differ as in the reference: a present but empty
// display-name label renders an empty .DisplayName, while an empty zone
// label counts as absent (the reference treats such a resource as local).
//
// CoreName is coreName and Labels is l (not copied). Created is left
// zero for the caller to set.
func ServiceFromLabels(kind Kind, mesh, coreName string, l map[string]string, localZone string) Service {
	name := coreName
	if v := l[LabelName]; v != "" {
		name = v
	}
	return Service{
		Kind:        kind,
		Mesh:        mesh,
		Name:        name,
		CoreName:    coreName,
		DisplayName: labels.TemplateDisplayName(l, name),
		Namespace:   l[LabelNamespace],
		Zone:        labels.ZoneOr(l, localZone),
		Labels:      l,
	}
}

// coreName is the name the control plane's store gives a Kubernetes object:
// "name.namespace", or name for an object without a namespace.
func coreName(name, namespace string) string {
	if namespace == "" {
		return name
	}
	return name + "." + namespace
}

// manifest is a HostnameGenerator resource in either of its forms:
// Kubernetes (apiVersion, kind, metadata) or Universal (type, name, labels).
type manifest struct {
	Kind     string `json:"kind"`
	Type     string `json:"type"`
	Metadata struct {
		Name              string            `json:"name"`
		Namespace         string            `json:"namespace"`
		Labels            map[string]string `json:"labels"`
		CreationTimestamp time.Time         `json:"creationTimestamp"`
	} `json:"metadata"`
	Name         string            `json:"name"`
	Labels       map[string]string `json:"labels"`
	CreationTime time.Time         `json:"creationTime"`
	Spec         *Generator        `json:"spec"`
}

// DecodeManifest decodes one HostnameGenerator resource, YAML or JSON, in its
// Kubernetes form (kind, metadata.name, metadata.labels,
// metadata.creationTimestamp, spec) or its Universal form (type, name,
// labels, creationTime, spec). It does not validate the generator; call
// [Generator.Validate] for that.
//
// On Kubernetes the generator gets its core name, "name.namespace" from
// metadata.name and metadata.namespace (just the name when the manifest has
// no namespace), as the control plane's store names it.
func DecodeManifest(data []byte) (Generator, error) {
	var m manifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		return Generator{}, fmt.Errorf("hostname: decode manifest: %w", err)
	}
	kind := m.Kind
	if kind == "" {
		kind = m.Type
	}
	if kind != "HostnameGenerator" {
		return Generator{}, fmt.Errorf("hostname: decode manifest: kind %q is not HostnameGenerator", kind)
	}
	if m.Spec == nil {
		return Generator{}, errors.New("hostname: decode manifest: spec is missing")
	}
	g := *m.Spec
	if m.Kind != "" {
		g.Name, g.Labels, g.Created = coreName(m.Metadata.Name, m.Metadata.Namespace), m.Metadata.Labels, m.Metadata.CreationTimestamp
	} else {
		g.Name, g.Labels, g.Created = m.Name, m.Labels, m.CreationTime
	}
	return g, nil
}
