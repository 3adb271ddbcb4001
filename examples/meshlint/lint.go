package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/naming"
)

// options are the settings of one lint run.
type options struct {
	// Mode is the naming mode the names are checked under.
	Mode naming.Mode
	// Zone is the name of the zone the manifests are applied to: the
	// kuma.io/zone of the services created there, and the local zone of the
	// egress.
	Zone string
	// Role is the control plane the manifests are applied to: hostname.RoleZone
	// (the default) or hostname.RoleGlobal.
	Role hostname.Role
	// SystemNamespace is the control plane's namespace on Kubernetes.
	SystemNamespace string
	// Complete says that the inputs are the whole cluster: what they do not
	// hold (a Secret, a Namespace, a Mesh) does not exist.
	Complete bool
	// Disabled lists rule ids whose findings are dropped.
	Disabled []string
}

// Defaults of the options.
const (
	defaultZone            = "default"
	defaultSystemNamespace = manifest.DefaultSystemNamespace
)

// withDefaults fills the options left empty.
func (o options) withDefaults() options {
	o.Zone = cmp.Or(o.Zone, defaultZone)
	o.Role = cmp.Or(o.Role, hostname.RoleZone)
	o.SystemNamespace = cmp.Or(o.SystemNamespace, defaultSystemNamespace)
	return o
}

// severity says whether a finding fails the run.
type severity string

const (
	severityError   severity = "error"
	severityWarning severity = "warning"
)

// finding is one problem found in the manifests.
type finding struct {
	Severity severity `json:"severity"`
	// Rule is the id of the rule that found it.
	Rule string `json:"rule"`
	// Kind, Namespace and Name identify the object the finding is about
	// (empty for a document that could not be read).
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	// Mesh is the mesh the object is in, when the finding depends on it.
	Mesh    string `json:"mesh,omitempty"`
	Message string `json:"message"`
	// File and Line are where the finding points: the object's first line,
	// or the line of the field or the document at fault; empty when not from
	// a manifest.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// object returns the text form of the object: "Kind/name", with the
// namespace for namespaced Kubernetes objects ("Service/kuma-demo/backend"),
// or "-" for a document that could not be read.
func (f *finding) object() string {
	switch {
	case f.Kind == "":
		return "-"
	case f.Namespace != "":
		return f.Kind + "/" + f.Namespace + "/" + f.Name
	}
	return f.Kind + "/" + f.Name
}

// compareFindings orders findings by file, line, object, rule and message, so
// that output is stable whatever order the rules ran in.
func compareFindings(a, b finding) int {
	return cmp.Or(
		strings.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		strings.Compare(a.Kind, b.Kind),
		strings.Compare(a.Namespace, b.Namespace),
		strings.Compare(a.Name, b.Name),
		strings.Compare(a.Rule, b.Rule),
		strings.Compare(a.Mesh, b.Mesh),
		strings.Compare(a.Message, b.Message),
		strings.Compare(string(a.Severity), string(b.Severity)),
	)
}

// result is the outcome of lint.
type result struct {
	// Findings are sorted by compareFindings, without duplicates.
	Findings []finding
	// Objects is the number of objects of known kinds that were linted.
	Objects int
}

// count returns the number of findings of severity s.
func (r *result) count(s severity) int {
	n := 0
	for i := range r.Findings {
		if r.Findings[i].Severity == s {
			n++
		}
	}
	return n
}

// unreadable reports whether some input could not be read: an error of rule
// parse.
func (r *result) unreadable() bool {
	for i := range r.Findings {
		if f := &r.Findings[i]; f.Rule == ruleParse && f.Severity == severityError {
			return true
		}
	}
	return false
}

// exitCode is the process status for r: 2 when input was unreadable, 1 when
// there are errors, else 0 (warnings do not fail the run).
func (r *result) exitCode() int {
	switch {
	case r.unreadable():
		return 2
	case r.count(severityError) > 0:
		return 1
	}
	return 0
}

// merge adds the findings and objects of other to r, keeping the order.
func (r *result) merge(other result) {
	r.Objects += other.Objects
	r.Findings = append(r.Findings, other.Findings...)
	slices.SortFunc(r.Findings, compareFindings)
}

// reporter collects findings, each under the id of the rule being run, and
// drops those of rules the options or the object's annotation disable.
type reporter struct {
	rule     string
	disabled []string
	findings []finding
}

// add records a finding about o.
func (r *reporter) add(o *object, sev severity, format string, args ...any) {
	r.addAt(r.rule, o, o.At.Line, sev, format, args...)
}

// addAs records a finding of rule about o.
func (r *reporter) addAs(rule string, o *object, sev severity, format string, args ...any) {
	r.addAt(rule, o, o.At.Line, sev, format, args...)
}

// addAt records a finding of rule about o, at line (of o's file).
func (r *reporter) addAt(rule string, o *object, line int, sev severity, format string, args ...any) {
	if slices.Contains(r.disabled, rule) || slices.Contains(o.disabled, rule) {
		return
	}
	f := finding{
		Severity: sev,
		Rule:     rule,
		Kind:     o.Kind,
		Name:     o.Name,
		Message:  fmt.Sprintf(format, args...),
		File:     o.At.File,
		Line:     cmp.Or(line, o.At.Line),
	}
	if o.Form == kubernetesForm {
		f.Namespace = o.Namespace
	} else {
		f.Mesh = o.Mesh
	}
	r.findings = append(r.findings, f)
}

// addInMesh records a finding about o in mesh.
func (r *reporter) addInMesh(o *object, mesh string, sev severity, format string, args ...any) {
	n := len(r.findings)
	r.add(o, sev, format, args...)
	if len(r.findings) > n {
		r.findings[n].Mesh = mesh
	}
}

// addInput records a finding about an input that is not an object.
func (r *reporter) addInput(f finding) {
	if !slices.Contains(r.disabled, f.Rule) {
		r.findings = append(r.findings, f)
	}
}

// rule is one check over the whole cluster. Rules only read the cluster.
type rule struct {
	// ID names the rule in findings.
	ID string
	// Summary says what the rule finds, in one line.
	Summary string
	check   func(*cluster, *reporter)
}

// Rule ids of findings that no rule function produces.
const (
	ruleParse           = "parse"
	ruleSchema          = "schema"
	ruleSystemNamespace = "system-namespace"
)

// rules returns every rule, in the order they run (the output is sorted, so
// the order does not show).
func rules() []rule {
	return []rule{
		{"proxy-id", "Mesh names with '.' or '%': legacy proxy IDs split at the first dot (proxyid)", checkProxyID},
		{"naming", "names that break their kind's DNS rule under -mode, with a compliant suggestion (naming)", checkNaming},
		{"hostname-missing", "under MeshService mode Exclusive, services callers cannot name: no generated hostname and no Kubernetes DNS name, with Explain's reasons (hostname)", checkHostnameMissing},
		{"hostname-collision", "services that lose a hostname to another service of the same kind (hostname)", checkHostnameCollision},
		{"hostname-conflict", "hostnames held by services of different kinds in one mesh (hostname)", checkHostnameConflict},
		{"hostname-template", "generator templates that fail for a service (hostname)", checkHostnameTemplate},
		{"hostname-generator", "HostnameGenerators that admission rejects (hostname)", checkHostnameGenerator},
		{"mesh-membership", "Services whose MeshService lands in another mesh than their pods, or is not made at all (topology)", checkMembership},
		{"mes-build", "MeshExternalServices the egress cannot build, each on its own, and those that route nowhere (topology)", checkExternalServices},
		{"duplicate", "objects defined more than once across the inputs: only one can exist, and which depends on the order of applying", checkDuplicates},
		{"lb-local-traffic", "LoadBalancer Services with externalTrafficPolicy: Local, which in-cluster callers of the load-balancer address may reach only on nodes with a backend (kube-proxy IPVS mode, or no local-traffic detection)", checkLoadBalancerLocal},
		{"headless-pod-labels", "headless Services whose generator template reads labels their per-pod MeshServices lack (hostname)", checkHeadlessLabels},
	}
}

// ruleList returns every rule id with its summary, including the ids of
// findings no rule function makes, for -rules.
func ruleList() []rule {
	return append([]rule{
		{ID: ruleParse, Summary: "input that cannot be read (an error, exit status 2: a file, or a document that is not YAML) or is not a manifest (a warning: a non-regular file, a YAML document without kind or type)"},
		{ID: ruleSchema, Summary: "fields that do not fit the schema of their kind (Kuma 2.14.3 CRDs): unknown fields, values of the wrong kind or not in an enum"},
		{ID: ruleSystemNamespace, Summary: "control-plane resources the admission webhook refuses outside the system namespace (-system-namespace; on a zone HostnameGenerator and MeshExternalService, on -role global every namespaced one)"},
	}, rules()...)
}

// isRule reports whether id is a rule id.
func isRule(id string) bool {
	return slices.ContainsFunc(ruleList(), func(r rule) bool { return r.ID == id })
}

// lint reads the inputs, runs every rule over the objects of all of them
// together (a Service in one file and its Namespace in another are linked),
// and returns the findings, sorted. A document that cannot be read is a
// finding of rule "parse"; the rest is still linted.
func lint(inputs []input, opts options) result {
	opts = opts.withDefaults()
	r := reporter{disabled: opts.Disabled}
	var d manifest.Decoder
	var objs []*object
	for _, in := range inputs {
		read, problems := readObjects(in, &d)
		for _, f := range problems {
			r.addInput(f)
		}
		for i := range read {
			objs = append(objs, &read[i])
		}
	}
	c := newCluster(objs, opts, &d, &r)
	for _, rl := range rules() {
		r.rule = rl.ID
		rl.check(c, &r)
	}
	slices.SortFunc(r.findings, compareFindings)
	return result{
		Findings: slices.CompactFunc(r.findings, func(a, b finding) bool { return a == b }),
		Objects:  len(c.objects),
	}
}
