package main

import (
	"encoding/json"
	"fmt"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// The schemas the specs of control-plane kinds are checked against: Kuma
// 2.14.3's CRDs (deployments/charts/kuma/crds/kuma.io_*.yaml) and, for the
// Mesh, its protobuf (api/mesh/v1alpha1/mesh.proto). A schema is the Go type
// a spec decodes into; manifest.Decoder reports the fields it lacks and the values of
// the wrong kind, and manifest.Enum types the values a CRD enum refuses.
//
// HostnameGenerator and MeshExternalService decode into the library's own
// types (hostname.Generator, topology.Spec), so a field those types gain is
// accepted here with no change; the enums of a MeshExternalService are
// checked where the library checks them (topology, with the admission
// messages).

// specSchema returns a new value of the schema of kind's spec, and whether
// unknown fields are errors (a CRD refuses them) or warnings (the control
// plane ignores them). Kinds without a schema here are decoded only for what
// the rules read.
func specSchema(kind string) (spec any, strict, ok bool) {
	switch kind {
	case kindHostnameGenerator:
		return new(hostnameGeneratorSpec), true, true
	case kindMeshExternalService:
		return new(topology.Spec), true, true
	case kindMeshService:
		return new(meshServiceSpec), true, true
	case kindMeshMultiZoneService:
		return new(meshMultiZoneServiceSpec), true, true
	case kindMesh:
		return new(meshSpec), false, true
	}
	return nil, false, false
}

// hostnameGeneratorSpec is the HostnameGenerator spec: the library's
// Generator (selector, template) plus the extension it does not model.
type hostnameGeneratorSpec struct {
	hostname.Generator
	Extension *extensionSpec `json:"extension"`
}

// extensionSpec is the extension of a HostnameGenerator, whose config the
// CRD leaves open.
type extensionSpec struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config"`
}

// meshServiceSpec is the MeshService spec (kuma.io_meshservices.yaml).
type meshServiceSpec struct {
	Selector   *meshServiceSelector  `json:"selector"`
	Ports      []meshServicePort     `json:"ports"`
	Identities []meshServiceIdentity `json:"identities"`
	State      meshServiceState      `json:"state"`
}

type meshServiceSelector struct {
	DataplaneTags map[string]string `json:"dataplaneTags"`
	DataplaneRef  *struct {
		Name string `json:"name"`
	} `json:"dataplaneRef"`
	DataplaneLabels *labelSelector `json:"dataplaneLabels"`
}

type labelSelector struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type meshServicePort struct {
	Name        string      `json:"name"`
	Port        int32       `json:"port"`
	TargetPort  intOrString `json:"targetPort"`
	AppProtocol string      `json:"appProtocol"`
}

type meshServiceIdentity struct {
	Type  meshServiceIdentityType `json:"type"`
	Value string                  `json:"value"`
}

// meshServiceIdentityType is the CRD enum of spec.identities[].type.
type meshServiceIdentityType string

// Values implements manifest.Enum.
func (meshServiceIdentityType) Values() []string { return []string{"ServiceTag", "SpiffeID"} }

// meshServiceState is the CRD enum of spec.state.
type meshServiceState string

// Values implements manifest.Enum.
func (meshServiceState) Values() []string { return []string{"Available", "Unavailable"} }

// intOrString is a Kubernetes int-or-string value (a port number or name).
type intOrString struct{}

// UnmarshalJSON accepts a number or a string.
func (*intOrString) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v.(type) {
	case float64, string:
		return nil
	}
	return fmt.Errorf("got %s, want an integer or a string", jsonKindOf(v))
}

// jsonKindOf names the JSON kind of a value decoded into any.
func jsonKindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a value"
}

// meshMultiZoneServiceSpec is the MeshMultiZoneService spec
// (kuma.io_meshmultizoneservices.yaml).
type meshMultiZoneServiceSpec struct {
	Selector struct {
		MeshService *labelSelector `json:"meshService"`
	} `json:"selector"`
	Ports []struct {
		Name        string `json:"name"`
		Port        int32  `json:"port"`
		AppProtocol string `json:"appProtocol"`
	} `json:"ports"`
}

// meshSpec is the Mesh spec, as the control plane decodes it: leniently
// (pkg/util/proto FromJSON: jsonpb with AllowUnknownFields), so an unknown
// field is ignored and only worth a warning, while an unknown enum name fails
// the decoding. Only meshServices is read; the other fields of the protobuf
// message are listed so that they are not taken for unknown ones. The
// protobuf JSON decoder also accepts the field names as the .proto spells
// them (mesh_services).
type meshSpec struct {
	MTLS                             json.RawMessage `json:"mtls"`
	Tracing                          json.RawMessage `json:"tracing"`
	Logging                          json.RawMessage `json:"logging"`
	Metrics                          json.RawMessage `json:"metrics"`
	Networking                       json.RawMessage `json:"networking"`
	Routing                          json.RawMessage `json:"routing"`
	Constraints                      json.RawMessage `json:"constraints"`
	SkipCreatingInitialPolicies      json.RawMessage `json:"skipCreatingInitialPolicies"`
	SkipCreatingInitialPoliciesProto json.RawMessage `json:"skip_creating_initial_policies"`
	MeshServices                     *meshServices   `json:"meshServices"`
	MeshServicesProto                *meshServices   `json:"mesh_services"`
}

type meshServices struct {
	Mode meshServicesMode `json:"mode"`
}

// meshServicesMode is the Mesh's MeshService mode (the protobuf enum
// Mesh.MeshServices.Mode).
type meshServicesMode string

// The MeshService modes.
const (
	modeDisabled          meshServicesMode = "Disabled"
	modeEverywhere        meshServicesMode = "Everywhere"
	modeReachableBackends meshServicesMode = "ReachableBackends"
	modeExclusive         meshServicesMode = "Exclusive"
)

// Values implements manifest.Enum.
func (meshServicesMode) Values() []string {
	return []string{string(modeDisabled), string(modeEverywhere), string(modeReachableBackends), string(modeExclusive)}
}

// mode returns the MeshService mode the spec sets, and false when it sets
// none.
func (s *meshSpec) mode() (meshServicesMode, bool) {
	for _, ms := range [...]*meshServices{s.MeshServices, s.MeshServicesProto} {
		if ms != nil && ms.Mode != "" {
			return ms.Mode, true
		}
	}
	return "", false
}

// universalMesh is a Universal Mesh document: the resource fields, then the
// spec fields at the top level.
type universalMesh struct {
	Type             string            `json:"type"`
	Name             string            `json:"name"`
	Labels           map[string]string `json:"labels"`
	CreationTime     json.RawMessage   `json:"creationTime"`
	ModificationTime json.RawMessage   `json:"modificationTime"`
	meshSpec
}
