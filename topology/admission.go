package topology

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshcore/meshcore/internal/labels"
	"github.com/meshcore/meshcore/naming"
)

// Role is the role of the control plane that admits a resource.
type Role string

// The roles. [RoleGlobal] and [RoleZone] are also the values of
// [LabelOrigin].
const (
	// RoleGlobal is a global control plane: a resource labelled with an
	// origin must say "global".
	RoleGlobal Role = "global"
	// RoleZone is a zone control plane connected to a global one: a resource
	// created on it must be labelled origin "zone", and, unless it says
	// "global", its [LabelZone] (when set) must be the zone and its
	// [LabelMesh] (when set) its mesh.
	RoleZone Role = "zone"
	// RoleStandalone is a zone control plane without a global one: the zone
	// and mesh label rules of [RoleZone], without the origin requirement.
	RoleStandalone Role = "standalone"
)

// ControlPlane is what the control plane admitting a MeshExternalService knows
// of itself.
type ControlPlane struct {
	// Role is the control plane's role.
	Role Role
	// Zone is the zone of a zone control plane.
	Zone string
	// Naming checks the display name. naming.DefaultPolicy(naming.Warn) is
	// the reference's 2.14 behaviour: names over 63 bytes rejected, other
	// RFC 1035 violations a deprecation warning. The zero Policy checks the
	// base rule only.
	Naming naming.Policy
	// HostSources accepts the File and EnvVar data sources, which the
	// control plane reads from its own host ([EgressInput.Host]). The
	// reference rejects them on a MeshExternalService; leave it false to do
	// the same.
	HostSources bool
}

// Admission is the outcome of [Admit].
type Admission struct {
	// Errors are the violations, each a [*ResourceError] whose Err is a
	// [*ValidationError] with the reference's message as Detail; nil when the
	// service is admitted.
	Errors Errors
	// Warnings are returned to the user beside the answer (API warnings,
	// Kubernetes admission warnings); they do not refuse the service.
	Warnings []string
}

// Allowed reports whether the service was admitted (possibly with warnings).
func (a Admission) Allowed() bool { return len(a.Errors) == 0 }

// Admit checks a MeshExternalService as the reference's control plane does
// when it is created or updated (op), and returns every violation and every
// warning, in the reference's order:
//
//   - the display name under cp.Naming (field "name": the base rule, the
//     63-byte limit, and, when enforced, RFC 1035), and a non-empty mesh;
//   - the spec, with the reference's messages (spec.match,
//     spec.endpoints[i], spec.tls, spec.extension); endpoints and TLS are not
//     checked when an extension is set, except their data sources. These are
//     the spec rules [BuildEgressEndpointMap] runs, from the same code;
//   - the labels: on a [RoleZone] control plane the name must leave room for
//     the zone prefix of a synced name, and the origin must be "zone"; on a
//     [RoleGlobal] one it must be "global" when set; on a zone control plane,
//     unless the origin is "global", [LabelZone] must be the zone and
//     [LabelMesh] the mesh; every key and value must be a Kubernetes label
//     key and value.
//
// The warnings are the naming deprecation warning, then one per reason the
// SNI of the reference's unified naming ([MeshExternalService.KRISNI]) is not
// a valid DNS name: `Invalid MeshExternalService SNI (port "443"): <reason>.
// This is deprecated.`
//
// m's labels are taken as sent; the zone of the KRI SNI is [LabelZone], else,
// on a zone control plane and unless the origin is "global", cp.Zone, the
// label the control plane adds. The messages are those of the Universal API
// server; the Kubernetes webhooks word the label rules differently, and their
// Kubernetes-only rules (the system namespace, the Mesh owner) are not
// modelled. The reference answers the first failing stage (spec, then
// labels); Admit returns all of them.
//
// A service that passes Admit may still fail the build, which also refuses
// what a zone egress cannot route; the build does not re-run the name and
// label rules, because synced services were admitted by the control plane
// that created them.
func Admit(cp ControlPlane, m *MeshExternalService, op naming.Op) Admission {
	var errs []fieldError
	display := m.DisplayName()
	nr := cp.Naming.Validate(naming.KindMeshExternalService, display, op)
	var list *naming.ErrorList
	if errors.As(nr.Err, &list) {
		for _, fe := range list.Errors {
			errs = append(errs, violation("name", display, fe.Detail))
		}
	}
	errs = checkMesh(m.Mesh, errs)
	errs = checkSpec(&m.Spec, specOptions{admission: true, hostSources: cp.HostSources}, errs)
	errs = cp.checkLabels(m, errs)

	a := Admission{Warnings: append(nr.Warnings, cp.sniWarnings(m)...)}
	for _, fe := range errs {
		a.Errors = append(a.Errors, &ResourceError{Mesh: m.Mesh, Name: m.Name, Field: fe.field, Err: fe.err})
	}
	return a
}

// The reference's label messages (v2.14.3 api-server validateLabels).
const (
	msgNameTooLongForZone = "the length of the name must be shorter"
	msgMeshLabel          = LabelMesh + " label must not differ from mesh set on resource"
)

func msgOriginMustBe(r Role) string { return "the origin label must be set to '" + string(r) + "'" }

func labelField(key string) string { return "labels[" + strconv.Quote(key) + "]" }

// checkLabels appends the violations of the reference's request and label
// rules.
func (cp ControlPlane) checkLabels(m *MeshExternalService, errs []fieldError) []fieldError {
	if cp.Role == RoleZone && len(cp.Zone)+1+len(m.Name) >= naming.MaxSubdomainLength {
		// A synced name is "<zone>.<name>" on the global control plane.
		errs = append(errs, violation("name", m.Name, msgNameTooLongForZone))
	}
	origin := m.Labels[LabelOrigin]
	if origin != "" && origin != string(RoleGlobal) && origin != string(RoleZone) {
		errs = append(errs, violation(labelField(LabelOrigin), origin, "unknown resource origin "+strconv.Quote(origin)))
	}
	switch cp.Role {
	case RoleGlobal:
		if origin != "" && origin != string(RoleGlobal) {
			errs = append(errs, violation(labelField(LabelOrigin), origin, msgOriginMustBe(RoleGlobal)))
		}
	case RoleZone:
		if origin != string(RoleZone) {
			errs = append(errs, violation(labelField(LabelOrigin), origin, msgOriginMustBe(RoleZone)))
		}
	}
	if cp.Role != RoleGlobal && origin != string(RoleGlobal) {
		if z, ok := m.Labels[LabelZone]; ok && z != cp.Zone {
			errs = append(errs, violation(labelField(LabelZone), z, LabelZone+" label should have "+cp.Zone+" value"))
		}
		if v, ok := m.Labels[LabelMesh]; ok && v != m.Mesh {
			errs = append(errs, violation(labelField(LabelMesh), v, msgMeshLabel))
		}
	}
	if len(m.Labels) == 0 {
		return errs
	}
	for _, k := range slices.Sorted(maps.Keys(m.Labels)) {
		for _, msg := range naming.CheckLabelKey(k) {
			errs = append(errs, violation(labelField(k), k, msg))
		}
		v := m.Labels[k]
		for _, msg := range naming.CheckLabelValue(v) {
			errs = append(errs, violation(labelField(k), v, msg))
		}
	}
	return errs
}

// sniWarnings returns the deprecation warnings for the service's KRI SNI.
func (cp ControlPlane) sniWarnings(m *MeshExternalService) []string {
	local := ""
	if cp.Role != RoleGlobal && m.Labels[LabelOrigin] != string(RoleGlobal) {
		local = cp.Zone // the label the control plane adds
	}
	zone := labels.ZoneOr(m.Labels, local)
	port := strconv.FormatUint(uint64(m.Spec.Match.Port), 10)
	reasons := kriSNIProblems(m.Mesh, zone, m.Namespace(), m.DisplayName(), port, m.kriSNI(m.Mesh, zone))
	if len(reasons) == 0 {
		return nil
	}
	out := make([]string, len(reasons))
	for i, r := range reasons {
		out[i] = "Invalid MeshExternalService SNI (port " + strconv.Quote(port) + "): " + r + ". This is deprecated."
	}
	return out
}

// maxSNILength is the DNS hostname limit the reference checks the KRI SNI
// against.
const maxSNILength = naming.MaxSubdomainLength

// kriSNIProblems returns why sni, the KRI SNI of (mesh, zone, namespace,
// name, section), is not a valid DNS name, in the reference's words and order
// (v2.14.3 pkg/core/resources/sni ValidateKRI): each of mesh, name, zone and
// (with a zone) namespace an RFC 1123 label, then the section, then the
// total length.
func kriSNIProblems(mesh, zone, namespace, name, section, sni string) []string {
	if mesh == "" || name == "" || section == "" {
		return []string{"mesh, name and sectionName must be non-empty"}
	}
	var out []string
	for _, f := range [...]struct{ field, value string }{{"mesh", mesh}, {"name", name}, {"zone", zone}, {"namespace", namespace}} {
		if f.value == "" || f.field == "namespace" && zone == "" {
			continue
		}
		if msgs := naming.DNS1123Label.Check(f.value); len(msgs) > 0 {
			out = append(out, f.field+" "+strconv.Quote(f.value)+" does not conform to RFC 1123: "+strings.Join(msgs, "; "))
		}
	}
	if msgs := naming.DNS1123Label.Check(section); len(msgs) > 0 {
		out = append(out, strings.Join(msgs, "; "))
	}
	if len(sni) > maxSNILength {
		out = append(out, "computed SNI is "+strconv.Itoa(len(sni))+" characters which exceeds the DNS hostname limit (253)")
	}
	return out
}
