package topology

import (
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/meshcore/meshcore/internal/labels"
)

// Labels read from a MeshExternalService or a Kubernetes object. They are
// the keys hostname uses too, defined once for both.
const (
	// LabelDisplayName holds the name a resource was created with; when
	// non-empty it replaces [MeshExternalService.Name] in destination names,
	// KRIs and SNIs.
	LabelDisplayName = labels.DisplayName
	// LabelNamespace holds the Kubernetes namespace of the resource.
	LabelNamespace = labels.Namespace
	// LabelZone holds the zone the resource comes from; resources of another
	// zone are left out of the egress. An empty value means the local zone.
	LabelZone = labels.Zone
	// LabelMesh holds the mesh of a Kubernetes object (see [MeshOf]); on a
	// zone control plane it must equal the resource's mesh ([Admit]).
	LabelMesh = labels.Mesh
	// LabelOrigin is "zone" on resources created in a zone and "global" on
	// resources created on the global control plane ([Admit]).
	LabelOrigin = labels.Origin
)

// TagMesh is the tag key every built endpoint carries, set to the mesh name
// (it overwrites a label of that key), as the reference sets it.
const TagMesh = "mesh"

// DefaultMesh is the mesh of a Kubernetes object with no [LabelMesh] on it or on
// its Namespace.
const DefaultMesh = "default"

// Match types.
const (
	// MatchHostnameGenerator matches traffic sent to a hostname made by a
	// HostnameGenerator; an empty [Match.Type] means this.
	MatchHostnameGenerator = "HostnameGenerator"
)

// Protocols of [Match.Protocol]. An empty protocol means [ProtocolTCP].
const (
	ProtocolTCP   = "tcp"
	ProtocolHTTP  = "http"
	ProtocolHTTP2 = "http2"
	ProtocolGRPC  = "grpc"
)

// Verification modes of [Verification.Mode]. An empty mode means [ModeSecured].
const (
	// ModeSecured verifies the server certificate against the CA (or the system
	// CA) and the server name and subject alternative names.
	ModeSecured = "Secured"
	// ModeSkipSAN verifies the chain but not the names.
	ModeSkipSAN = "SkipSAN"
	// ModeSkipCA does not verify the server certificate; a client certificate
	// is still presented.
	ModeSkipCA = "SkipCA"
	// ModeSkipAll neither verifies the server nor presents a client certificate.
	ModeSkipAll = "SkipAll"
)

// TLS versions of [Version]. An empty version means [TLSAuto].
const (
	TLSAuto = "TLSAuto"
	TLS10   = "TLS10"
	TLS11   = "TLS11"
	TLS12   = "TLS12"
	TLS13   = "TLS13"
)

// Subject alternative name match types of [SAN.Type].
const (
	SANExact  = "Exact"
	SANPrefix = "Prefix"
)

// MeshExternalService is a service outside the mesh that mesh workloads reach
// through the zone egress. Its JSON form is the Universal resource format
// (`type`, `mesh`, `name`, `labels`, `spec`), so real manifests decode into it.
type MeshExternalService struct {
	// Mesh the service belongs to. Empty means [EgressInput.Mesh].
	Mesh string `json:"mesh,omitempty"`
	// Name is the resource name (on Kubernetes, `name.namespace`).
	Name string `json:"name"`
	// Labels of the resource; see [LabelDisplayName], [LabelNamespace] and
	// [LabelZone].
	Labels map[string]string `json:"labels,omitempty"`
	// Spec is the MeshExternalService spec.
	Spec Spec `json:"spec"`
}

// Spec is the MeshExternalService `spec`.
type Spec struct {
	// Match selects the traffic routed to this service.
	Match Match `json:"match"`
	// Endpoints are the destinations traffic goes to. Optional only with an
	// Extension.
	Endpoints []ExternalEndpoint `json:"endpoints,omitempty"`
	// TLS configures TLS origination at the egress; nil means plain text.
	TLS *TLS `json:"tls,omitempty"`
	// Extension hands the service to a plugin; endpoints and TLS become optional.
	Extension *Extension `json:"extension,omitempty"`
}

// Match is `spec.match`.
type Match struct {
	// Type is [MatchHostnameGenerator] (or empty).
	Type string `json:"type,omitempty"`
	// Port is the port the service is reached on, 1–65535.
	Port uint32 `json:"port"`
	// Protocol is one of [ProtocolTCP] (default), [ProtocolHTTP],
	// [ProtocolHTTP2], [ProtocolGRPC].
	Protocol string `json:"protocol,omitempty"`
}

// ExternalEndpoint is one `spec.endpoints[i]`: an IP address or DNS name, a
// port, and a priority.
type ExternalEndpoint struct {
	Address string `json:"address"`
	Port    uint32 `json:"port,omitempty"`
	// Priority is the endpoint's failover level (2.14): 0, the default, is
	// used first; traffic moves to the next level when the endpoints of a
	// level are unhealthy. At most [MaxPriority].
	Priority uint32 `json:"priority,omitempty"`
}

// TLS is `spec.tls`.
type TLS struct {
	// Enabled turns TLS origination on. With it off, nothing under TLS is
	// loaded.
	Enabled bool `json:"enabled,omitempty"`
	// Version bounds the negotiated TLS version.
	Version *Version `json:"version,omitempty"`
	// AllowRenegotiation lets the server renegotiate (insecure; some servers
	// need it).
	AllowRenegotiation bool `json:"allowRenegotiation,omitempty"`
	// Verification says how the server is verified and which client
	// certificate is presented.
	Verification *Verification `json:"verification,omitempty"`
}

// Version is `spec.tls.version`: each bound is one of [TLSAuto] (or empty),
// [TLS10], [TLS11], [TLS12], [TLS13].
type Version struct {
	Min string `json:"min,omitempty"`
	Max string `json:"max,omitempty"`
}

// Verification is `spec.tls.verification`.
type Verification struct {
	// Mode is one of [ModeSecured] (default), [ModeSkipSAN], [ModeSkipCA],
	// [ModeSkipAll].
	Mode string `json:"mode,omitempty"`
	// ServerName is sent as SNI and verified against the certificate. Empty
	// means the first endpoint's address when that is a DNS name.
	ServerName string `json:"serverName,omitempty"`
	// SubjectAltNames are accepted besides the server name.
	SubjectAltNames []SAN `json:"subjectAltNames,omitempty"`
	// CaCert is the PEM bundle of CAs that sign the server certificate. Absent
	// means the system CAs.
	CaCert *DataSource `json:"caCert,omitempty"`
	// ClientCert is the PEM client certificate chain; it comes with ClientKey.
	ClientCert *DataSource `json:"clientCert,omitempty"`
	// ClientKey is the PEM private key of ClientCert.
	ClientKey *DataSource `json:"clientKey,omitempty"`
}

// SAN is a subject alternative name the server certificate may carry.
type SAN struct {
	// Type is [SANExact] (or empty) or [SANPrefix].
	Type string `json:"type,omitempty"`
	// Value is the name, or its prefix.
	Value string `json:"value"`
}

// Extension is `spec.extension`: a plugin type and its configuration.
type Extension struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
}

// DisplayName is label [LabelDisplayName] when it is non-empty, else Name.
func (m *MeshExternalService) DisplayName() string { return labels.DisplayNameOr(m.Labels, m.Name) }

// Namespace is label [LabelNamespace], else empty.
func (m *MeshExternalService) Namespace() string { return m.Labels[LabelNamespace] }

// Zone is label [LabelZone], else empty (the local zone).
func (m *MeshExternalService) Zone() string { return labels.ZoneOr(m.Labels, "") }

// DestinationName is the legacy name of the service's egress destination and
// of its Envoy cluster: `{mesh}_{displayName}_{namespace}_{zone}_extsvc_{port}`,
// e.g. `default_example___extsvc_443`, with port = spec.match.port. An empty
// Mesh gives an empty mesh segment; [BuildEgressEndpointMap] fills it from
// [EgressInput.Mesh] first.
func (m *MeshExternalService) DestinationName() string {
	return m.destinationName(m.Mesh)
}

func (m *MeshExternalService) destinationName(mesh string) string {
	return underscored(m.Spec.Match.Port, mesh, m.DisplayName(), m.Namespace(), m.Zone(), "extsvc")
}

// KRI is the Kuma resource identifier of the service's port:
// `kri_extsvc_{mesh}_{zone}_{namespace}_{name}_{port}`, where name is the
// display name (the Kubernetes core name already carries the namespace).
func (m *MeshExternalService) KRI() string { return m.kri(m.Mesh) }

func (m *MeshExternalService) kri(mesh string) string {
	return underscored(m.Spec.Match.Port, "kri", "extsvc", mesh, m.Zone(), m.Namespace(), m.DisplayName())
}

// underscored returns the parts and the port, each followed by "_" but the
// last: the shape of both destination names and KRIs. One allocation.
func underscored(port uint32, parts ...string) string {
	var buf [10]byte
	p := strconv.AppendUint(buf[:0], uint64(port), 10)
	n := len(p)
	for _, s := range parts {
		n += len(s) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range parts {
		b.WriteString(s)
		b.WriteByte('_')
	}
	b.Write(p)
	return b.String()
}

// EgressSNI is the SNI sidecars use to reach this service through the zone
// egress, which routes on it:
// `"a" + hex(fnv64a(displayName + ";" + mesh + ";")) + "." + displayName + "." + port + "." + mesh + ".mes"`,
// e.g. `a45e197ed7825551b.meshexternalservice-1.9090.mesh-1.mes`. The hash is
// over the full names; then a display name or mesh longer than 62 bytes is
// cut to its first 62 bytes plus "x", so that each stays one DNS label of at
// most 63 bytes (a 66-byte mesh, legal with a warning, is still served).
func (m *MeshExternalService) EgressSNI() string { return m.egressSNI(m.Mesh) }

// maxSNIPart is the longest display name or mesh kept whole in an egress SNI.
const maxSNIPart = 62

func (m *MeshExternalService) egressSNI(mesh string) string {
	display := m.DisplayName()
	h := fnv.New64a()
	h.Write([]byte(display))
	h.Write([]byte{';'})
	h.Write([]byte(mesh))
	h.Write([]byte{';'})
	var sum [8]byte
	var hexSum [16]byte
	hex.Encode(hexSum[:], h.Sum(sum[:0]))
	var port [10]byte
	p := strconv.AppendUint(port[:0], uint64(m.Spec.Match.Port), 10)
	display, displayCut := sniPart(display)
	mesh, meshCut := sniPart(mesh)
	var b strings.Builder
	b.Grow(1 + len(hexSum) + 1 + len(display) + 1 + 1 + len(p) + 1 + len(mesh) + 1 + len(".mes"))
	b.WriteByte('a')
	b.Write(hexSum[:])
	b.WriteByte('.')
	b.WriteString(display)
	if displayCut {
		b.WriteByte('x')
	}
	b.WriteByte('.')
	b.Write(p)
	b.WriteByte('.')
	b.WriteString(mesh)
	if meshCut {
		b.WriteByte('x')
	}
	b.WriteString(".mes")
	return b.String()
}

// sniPart returns s, or its first 62 bytes and true when it is longer (the
// caller appends the "x").
func sniPart(s string) (string, bool) {
	if len(s) > maxSNIPart {
		return s[:maxSNIPart], true
	}
	return s, false
}

// KRISNI is the SNI the reference's unified naming (2.14) derives from the
// service's KRI, `sni.extsvc.<mesh>[.<zone>[.<namespace>]].<displayName>.<port>`
// (the namespace only with a zone), e.g. `sni.extsvc.prod.west.ext-backend.9000`.
// [Admit] warns when it would not be a valid DNS name; the egress routes on
// [MeshExternalService.EgressSNI].
func (m *MeshExternalService) KRISNI() string { return m.kriSNI(m.Mesh, m.Zone()) }

func (m *MeshExternalService) kriSNI(mesh, zone string) string {
	var port [10]byte
	p := strconv.AppendUint(port[:0], uint64(m.Spec.Match.Port), 10)
	ns := ""
	if zone != "" {
		ns = m.Namespace()
	}
	display := m.DisplayName()
	var b strings.Builder
	b.Grow(len("sni.extsvc.") + len(mesh) + 1 + len(zone) + 1 + len(ns) + 1 + len(display) + 1 + len(p))
	b.WriteString("sni.extsvc.")
	b.WriteString(mesh)
	b.WriteByte('.')
	for _, s := range [...]string{zone, ns} {
		if s != "" {
			b.WriteString(s)
			b.WriteByte('.')
		}
	}
	b.WriteString(display)
	b.WriteByte('.')
	b.Write(p)
	return b.String()
}
