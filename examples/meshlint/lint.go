package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

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
}

// defaultZone is the zone name used when -zone is not given.
const defaultZone = "default"

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
	// File and Line are where the object's document starts (or, for a YAML
	// error, the line the parser names); empty when not from a manifest.
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
	// Unreadable is true when a document could not be read.
	Unreadable bool
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

// exitCode is the process status for r: 2 when input was unreadable, 1 when
// there are errors, else 0 (warnings do not fail the run).
func (r *result) exitCode() int {
	switch {
	case r.Unreadable:
		return 2
	case r.count(severityError) > 0:
		return 1
	}
	return 0
}

// reporter collects findings, each under the id of the rule being run.
type reporter struct {
	rule     string
	findings []finding
}

// add records a finding about o.
func (r *reporter) add(o *object, sev severity, format string, args ...any) {
	f := finding{
		Severity: sev,
		Rule:     r.rule,
		Kind:     o.Kind,
		Name:     o.Name,
		Message:  fmt.Sprintf(format, args...),
		File:     o.At.File,
		Line:     o.At.Line,
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
	r.add(o, sev, format, args...)
	r.findings[len(r.findings)-1].Mesh = mesh
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
	ruleParse  = "parse"
	ruleSchema = "schema"
)

// rules returns every rule, in the order they run (the output is sorted, so
// the order does not show).
func rules() []rule {
	return []rule{
		{"proxy-id", "Mesh names with '.' or '%': legacy proxy IDs split at the first dot (proxyid)", checkProxyID},
		{"naming", "names that break their kind's DNS rule under -mode, with a compliant suggestion (naming)", checkNaming},
		{"hostname-missing", "services with no hostname in a mesh whose MeshService mode is Exclusive, with Explain's reasons (hostname)", checkHostnameMissing},
		{"hostname-collision", "services that lose a hostname to another service of the same kind (hostname)", checkHostnameCollision},
		{"hostname-conflict", "hostnames held by services of different kinds in one mesh (hostname)", checkHostnameConflict},
		{"hostname-template", "generator templates that fail for a service (hostname)", checkHostnameTemplate},
		{"hostname-generator", "HostnameGenerators that admission rejects (hostname)", checkHostnameGenerator},
		{"mesh-membership", "Services whose MeshService lands in another mesh than their pods (topology)", checkMembership},
		{"mes-build", "MeshExternalServices the egress cannot build, each on its own (topology)", checkExternalServices},
		{"duplicate", "objects defined more than once across the inputs: only one can exist, and which depends on the order of applying", checkDuplicates},
		{"lb-local-traffic", "LoadBalancer Services with externalTrafficPolicy: Local, unreachable in-cluster from nodes without a backend", checkLoadBalancerLocal},
		{"headless-pod-labels", "headless Services whose generator template reads labels their per-pod MeshServices lack (hostname)", checkHeadlessLabels},
	}
}

// lint reads the inputs, runs every rule over the objects of all of them
// together (a Service in one file and its Namespace in another are linked),
// and returns the findings, sorted. A document that cannot be read is a
// finding of rule "parse" and makes the result Unreadable; the rest is still
// linted.
func lint(inputs []input, opts options) result {
	var r reporter
	var res result
	var objs []*object
	for _, in := range inputs {
		read, errs := readObjects(in)
		for _, e := range errs {
			res.Unreadable = true
			r.findings = append(r.findings, finding{
				Severity: severityError, Rule: ruleParse, Message: e.Msg, File: e.At.File, Line: e.At.Line,
			})
		}
		for i := range read {
			objs = append(objs, &read[i])
		}
	}
	if opts.Zone == "" {
		opts.Zone = defaultZone
	}
	r.rule = ruleSchema
	c := newCluster(objs, opts, &r)
	res.Objects = len(c.objects)
	for _, rl := range rules() {
		r.rule = rl.ID
		rl.check(c, &r)
	}
	slices.SortFunc(r.findings, compareFindings)
	res.Findings = slices.CompactFunc(r.findings, func(a, b finding) bool { return a == b })
	return res
}

// ruleList returns every rule id with its summary, including the ids of
// findings no rule function makes, for -rules.
func ruleList() []rule {
	return append([]rule{
		{ID: ruleParse, Summary: "input that cannot be read: a file, or a document that is not YAML or not a resource (exit status 2)"},
		{ID: ruleSchema, Summary: "a spec of a known kind that does not decode (a string where a number belongs, ...)"},
	}, rules()...)
}
