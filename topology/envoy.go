package topology

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// DefaultSystemCAPath is the CA bundle Envoy reads when a service verifies
// against the system CAs and [ResourceOptions.SystemCAPath] is empty (the
// Debian/Ubuntu/Alpine location).
const DefaultSystemCAPath = "/etc/ssl/certs/ca-certificates.crt"

// HTTPProtocolOptionsKey is the typed_extension_protocol_options key of the
// HTTP/2 options set on http2 and grpc clusters.
const HTTPProtocolOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"

// ResourceOptions tune [EgressResources].
type ResourceOptions struct {
	// EDS makes every cluster whose targets are all IPs an EDS cluster fed
	// over ADS, with its ClusterLoadAssignment in [Resources.LoadAssignments];
	// this is what proxyless gRPC clients need. A cluster with a DNS target
	// stays STRICT_DNS with an inline assignment, because Envoy does not
	// resolve names that arrive over EDS.
	EDS bool
	// SystemCAPath is the CA bundle for services verified against the system
	// CAs; empty means [DefaultSystemCAPath].
	SystemCAPath string
	// ConnectTimeout of every cluster; zero leaves Envoy's default (5s).
	ConnectTimeout time.Duration
	// DNSLookupFamily of STRICT_DNS clusters; zero leaves Envoy's default
	// (AUTO).
	DNSLookupFamily clusterv3.Cluster_DnsLookupFamily
	// LocalityWeight sets load_balancing_weight 1 on every locality, for
	// proxyless gRPC clients: grpc-go ignores a locality whose weight is
	// unset or 0, while Envoy (and the reference, which sets none) does not
	// need it. grpc-go also rejects a load assignment whose priorities are
	// not contiguous from 0 (endpoint priorities 0 and 2 without 1).
	LocalityWeight bool
}

// Resources are the Envoy resources of an egress, sorted by name. Each
// cluster is named after its destination name
// ([MeshExternalService.DestinationName]), and so is its load assignment.
type Resources struct {
	Clusters        []*clusterv3.Cluster
	LoadAssignments []*endpointv3.ClusterLoadAssignment
}

// ByType returns r keyed by xDS type URL, as go-control-plane's
// cache.NewSnapshot takes it.
func (r Resources) ByType() map[resource.Type][]types.Resource {
	clusters := make([]types.Resource, len(r.Clusters))
	for i, c := range r.Clusters {
		clusters[i] = c
	}
	clas := make([]types.Resource, len(r.LoadAssignments))
	for i, c := range r.LoadAssignments {
		clas[i] = c
	}
	return map[resource.Type][]types.Resource{
		resource.ClusterType:  clusters,
		resource.EndpointType: clas,
	}
}

// EgressResources renders m as Envoy clusters (and, with opts.EDS, load
// assignments), one per destination:
//
//   - type STATIC when every target is an IP, else STRICT_DNS, with an inline
//     load assignment; EDS over ADS instead when opts.EDS is set and every
//     target is an IP; LB policy ROUND_ROBIN;
//   - endpoints sorted by address, then port, in one locality per
//     [Locality] (for built maps, one per endpoint priority: subZone
//     "priority-p" and priority p), localities sorted by the string zone +
//     subZone as the reference sorts them (so "priority-10" comes before
//     "priority-2"), without a locality weight unless opts.LocalityWeight;
//   - an UpstreamTlsContext transport socket when the service has TLS: SNI,
//     the version range (in every mode), ALPN h2 for http2 and grpc, the
//     client certificate unless SkipAll, and unless SkipCA or SkipAll a
//     validation context with the trusted CA (or the system CA file) and,
//     under Secured, SAN matchers in the reference's order: the SNI (or,
//     without one, the first endpoint's address) exact as a DNS SAN, then as
//     an IP SAN; then every SAN of the service as a DNS SAN, then every one
//     as an IP SAN, in spec order;
//   - explicit HTTP/2 protocol options for http2 and grpc;
//   - nothing else: plain-text services get no transport socket.
//
// Every resource passes its ValidateAll. A destination that does not render
// is left out and reported in [Errors], and the others are rendered; a map
// built by [BuildEgressEndpointMap] renders whole unless opts are invalid (a
// negative ConnectTimeout fails every destination). The [*ResourceError] of
// a destination has the Mesh and Name of the service behind it (its
// [ExternalService]; both empty in a hand-built map without one), no Field,
// and an Err that reads `destination "<name>": <why>`.
func EgressResources(m EndpointMap, opts ResourceOptions) (Resources, Errors) {
	if opts.SystemCAPath == "" {
		opts.SystemCAPath = DefaultSystemCAPath
	}
	out := Resources{Clusters: make([]*clusterv3.Cluster, 0, len(m))}
	if opts.EDS {
		out.LoadAssignments = make([]*endpointv3.ClusterLoadAssignment, 0, len(m))
	}
	var errs Errors
	for _, name := range m.Names() {
		eps := m[name]
		c, cla, err := renderDestination(name, eps, &opts)
		if err != nil {
			re := &ResourceError{Err: fmt.Errorf("destination %q: %w", name, err)}
			if len(eps) > 0 && eps[0].ExternalService != nil {
				re.Mesh, re.Name = eps[0].ExternalService.Mesh, eps[0].ExternalService.Name
			}
			errs = append(errs, re)
			continue
		}
		out.Clusters = append(out.Clusters, c)
		if c.GetType() == clusterv3.Cluster_EDS {
			out.LoadAssignments = append(out.LoadAssignments, cla)
		}
	}
	sortErrors(errs)
	return out, errs
}

func renderDestination(name string, eps []Endpoint, opts *ResourceOptions) (*clusterv3.Cluster, *endpointv3.ClusterLoadAssignment, error) {
	if opts.ConnectTimeout < 0 {
		return nil, nil, fmt.Errorf("connect timeout %v is negative", opts.ConnectTimeout)
	}
	if len(eps) == 0 {
		return nil, nil, errors.New("no endpoints")
	}
	if !slices.IsSortedFunc(eps, compareEndpoints) {
		eps = slices.Clone(eps)
		slices.SortFunc(eps, compareEndpoints)
	}
	es := eps[0].ExternalService
	if es == nil {
		es = &ExternalService{DestinationName: name, Protocol: ProtocolTCP}
	}

	allIP := true
	for i := range eps {
		if !isIP(eps[i].Target) {
			allIP = false
			break
		}
	}
	cla := loadAssignment(name, eps, opts.LocalityWeight)
	c := &clusterv3.Cluster{
		Name:     name,
		LbPolicy: clusterv3.Cluster_ROUND_ROBIN,
	}
	if opts.ConnectTimeout > 0 {
		c.ConnectTimeout = durationpb.New(opts.ConnectTimeout)
	}
	switch {
	case opts.EDS && allIP:
		c.ClusterDiscoveryType = &clusterv3.Cluster_Type{Type: clusterv3.Cluster_EDS}
		c.EdsClusterConfig = &clusterv3.Cluster_EdsClusterConfig{
			EdsConfig: &corev3.ConfigSource{
				ResourceApiVersion:    corev3.ApiVersion_V3,
				ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
			},
		}
	case allIP:
		c.ClusterDiscoveryType = &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STATIC}
		c.LoadAssignment = cla
	default:
		c.ClusterDiscoveryType = &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STRICT_DNS}
		c.DnsLookupFamily = opts.DNSLookupFamily
		c.LoadAssignment = cla
	}
	if es.Protocol == ProtocolHTTP2 || es.Protocol == ProtocolGRPC {
		po := &httpv3.HttpProtocolOptions{
			UpstreamProtocolOptions: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_{
				ExplicitHttpConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig{
					ProtocolConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{
						Http2ProtocolOptions: &corev3.Http2ProtocolOptions{},
					},
				},
			},
		}
		a, err := marshalAny(po)
		if err != nil {
			return nil, nil, err
		}
		c.TypedExtensionProtocolOptions = map[string]*anypb.Any{HTTPProtocolOptionsKey: a}
	}
	if es.TLS != nil {
		tc := upstreamTLSContext(es, opts)
		if err := tc.ValidateAll(); err != nil {
			return nil, nil, err
		}
		a, err := marshalAny(tc)
		if err != nil {
			return nil, nil, err
		}
		c.TransportSocket = &corev3.TransportSocket{
			Name:       wellknown.TransportSocketTLS,
			ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: a},
		}
	}
	if err := c.ValidateAll(); err != nil {
		return nil, nil, err
	}
	if err := cla.ValidateAll(); err != nil {
		return nil, nil, err
	}
	return c, cla, nil
}

func compareEndpoints(a, b Endpoint) int {
	if c := strings.Compare(a.Target, b.Target); c != 0 {
		return c
	}
	return cmp.Compare(a.Port, b.Port)
}

// compareLocality orders localities as the reference does, by the string
// zone + subZone, then (for keys that tie) by zone and priority, so that
// the order is total.
func compareLocality(a, b Locality) int {
	if c := compareConcat(a.Zone, a.SubZone, b.Zone, b.SubZone); c != 0 {
		return c
	}
	return cmp.Or(strings.Compare(a.Zone, b.Zone), cmp.Compare(a.Priority, b.Priority))
}

// compareConcat compares a1+a2 with b1+b2 without building them.
func compareConcat(a1, a2, b1, b2 string) int {
	at := func(s1, s2 string, i int) byte {
		if i < len(s1) {
			return s1[i]
		}
		return s2[i-len(s1)]
	}
	na, nb := len(a1)+len(a2), len(b1)+len(b2)
	for i := 0; i < na && i < nb; i++ {
		if x, y := at(a1, a2, i), at(b1, b2, i); x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(na, nb)
}

// loadAssignment groups eps (sorted) by locality, as the reference does:
// endpoints without one first (their key, "", sorts first), then one group
// per distinct Locality value, in compareLocality order.
func loadAssignment(name string, eps []Endpoint, localityWeight bool) *endpointv3.ClusterLoadAssignment {
	var buf [4]Locality // a service has a few priorities
	locs := buf[:0]
	withoutLocality := false
	for i := range eps {
		switch l := eps[i].Locality; {
		case l == nil:
			withoutLocality = true
		case !slices.Contains(locs, *l):
			locs = append(locs, *l)
		}
	}
	slices.SortFunc(locs, compareLocality)
	cla := &endpointv3.ClusterLoadAssignment{ClusterName: name}
	if withoutLocality {
		cla.Endpoints = make([]*endpointv3.LocalityLbEndpoints, 0, 1+len(locs))
		cla.Endpoints = append(cla.Endpoints, localityEndpoints(nil, eps, localityWeight))
	} else {
		cla.Endpoints = make([]*endpointv3.LocalityLbEndpoints, 0, len(locs))
	}
	for i := range locs {
		cla.Endpoints = append(cla.Endpoints, localityEndpoints(&locs[i], eps, localityWeight))
	}
	return cla
}

// localityEndpoints renders the endpoints of eps whose locality is loc (by
// value; nil for those without one).
func localityEndpoints(loc *Locality, eps []Endpoint, localityWeight bool) *endpointv3.LocalityLbEndpoints {
	n := 0
	for i := range eps {
		if sameLocality(eps[i].Locality, loc) {
			n++
		}
	}
	lle := &endpointv3.LocalityLbEndpoints{LbEndpoints: make([]*endpointv3.LbEndpoint, 0, n)}
	if loc != nil {
		lle.Locality = &corev3.Locality{Zone: loc.Zone, SubZone: loc.SubZone}
		lle.Priority = loc.Priority
	}
	if localityWeight {
		lle.LoadBalancingWeight = wrapperspb.UInt32(1)
	}
	for i := range eps {
		ep := &eps[i]
		if !sameLocality(ep.Locality, loc) {
			continue
		}
		lle.LbEndpoints = append(lle.LbEndpoints, &endpointv3.LbEndpoint{
			HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
				Address: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
					Protocol:      corev3.SocketAddress_TCP,
					Address:       ep.Target,
					PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: ep.Port},
				}}},
			}},
			LoadBalancingWeight: wrapperspb.UInt32(max(ep.Weight, 1)),
		})
	}
	return lle
}

// sameLocality compares localities by value, as the reference keys them.
func sameLocality(a, b *Locality) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func upstreamTLSContext(es *ExternalService, opts *ResourceOptions) *tlsv3.UpstreamTlsContext {
	u := es.TLS
	common := &tlsv3.CommonTlsContext{}
	if u.MinVersion != "" || u.MaxVersion != "" {
		common.TlsParams = &tlsv3.TlsParameters{
			TlsMinimumProtocolVersion: envoyTLSVersion(u.MinVersion),
			TlsMaximumProtocolVersion: envoyTLSVersion(u.MaxVersion),
		}
	}
	if es.Protocol == ProtocolHTTP2 || es.Protocol == ProtocolGRPC {
		common.AlpnProtocols = []string{"h2"}
	}
	if u.ClientCert != nil {
		common.TlsCertificates = []*tlsv3.TlsCertificate{{
			CertificateChain: inlineBytes(u.ClientCert),
			PrivateKey:       inlineBytes(u.ClientKey),
		}}
	}
	if u.CACert != nil || u.FallbackToSystemCA {
		vc := &tlsv3.CertificateValidationContext{}
		if u.CACert != nil {
			vc.TrustedCa = inlineBytes(u.CACert)
		} else {
			vc.TrustedCa = &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: opts.SystemCAPath}}
		}
		if !u.SkipHostnameVerification {
			vc.MatchTypedSubjectAltNames = sanMatchers(u)
		}
		common.ValidationContextType = &tlsv3.CommonTlsContext_ValidationContext{ValidationContext: vc}
	}
	return &tlsv3.UpstreamTlsContext{
		CommonTlsContext:   common,
		Sni:                u.ServerName,
		AllowRenegotiation: u.AllowRenegotiation,
	}
}

// sanMatchers returns the reference's matchers: the SNI (else the first
// endpoint's address) exact as DNS, then as IP; then each SAN as DNS, then
// each as IP. A Prefix "10.0." therefore matches an IP SAN.
func sanMatchers(u *UpstreamTLS) []*tlsv3.SubjectAltNameMatcher {
	sanTypes := [...]tlsv3.SubjectAltNameMatcher_SanType{tlsv3.SubjectAltNameMatcher_DNS, tlsv3.SubjectAltNameMatcher_IP_ADDRESS}
	name := cmp.Or(u.ServerName, u.FirstAddress)
	out := make([]*tlsv3.SubjectAltNameMatcher, 0, len(sanTypes)*(1+len(u.SubjectAltNames)))
	if name != "" {
		for _, typ := range sanTypes {
			out = append(out, sanMatcher(SAN{Type: SANExact, Value: name}, typ))
		}
	}
	for _, typ := range sanTypes {
		for _, san := range u.SubjectAltNames {
			out = append(out, sanMatcher(san, typ))
		}
	}
	return out
}

func sanMatcher(san SAN, typ tlsv3.SubjectAltNameMatcher_SanType) *tlsv3.SubjectAltNameMatcher {
	m := &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: san.Value}}
	if san.Type == SANPrefix {
		m.MatchPattern = &matcherv3.StringMatcher_Prefix{Prefix: san.Value}
	}
	return &tlsv3.SubjectAltNameMatcher{SanType: typ, Matcher: m}
}

func envoyTLSVersion(v string) tlsv3.TlsParameters_TlsProtocol {
	switch v {
	case TLS10:
		return tlsv3.TlsParameters_TLSv1_0
	case TLS11:
		return tlsv3.TlsParameters_TLSv1_1
	case TLS12:
		return tlsv3.TlsParameters_TLSv1_2
	case TLS13:
		return tlsv3.TlsParameters_TLSv1_3
	}
	return tlsv3.TlsParameters_TLS_AUTO
}

func inlineBytes(b []byte) *corev3.DataSource {
	return &corev3.DataSource{Specifier: &corev3.DataSource_InlineBytes{InlineBytes: b}}
}

// marshalAny packs m deterministically, so equal resources give equal bytes
// (and equal snapshot versions when those are hashes).
func marshalAny(m proto.Message) (*anypb.Any, error) {
	a := &anypb.Any{}
	if err := anypb.MarshalFrom(a, m, proto.MarshalOptions{Deterministic: true}); err != nil {
		return nil, err
	}
	return a, nil
}
