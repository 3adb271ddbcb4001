package main

import (
	"strings"

	"github.com/meshcore/meshcore/examples/internal/manifest"
)

// input is one file to lint: its name (used in findings) and its bytes.
type input struct {
	Name string
	Data []byte
}

// form is the shape of a manifest.
type form = manifest.Form

const (
	kubernetesForm = manifest.Kubernetes
	universalForm  = manifest.Universal
)

// object is one resource read from a manifest (see manifest.Object), with
// the rules its disable annotation turns off.
type object struct {
	manifest.Object
	// disabled lists the rules the object's disable annotation names.
	disabled []string
}

// disableKey is the annotation (a label in the Universal form, which has no
// annotations) that turns rules off for one object: a comma-separated list of
// rule ids.
const disableKey = "meshlint.meshcore.io/disable"

// readObjects reads every document of in (manifest.Read): what is not a
// manifest is a finding of rule "parse", an error or a warning.
func readObjects(in input, d *manifest.Decoder) ([]object, []finding) {
	read, problems := manifest.Read(in.Name, in.Data, d)
	objs := make([]object, len(read))
	for i, o := range read {
		objs[i] = object{Object: o}
		if o.Form == kubernetesForm {
			objs[i].disabled = splitList(o.Annotations[disableKey])
		} else {
			objs[i].disabled = splitList(o.Labels[disableKey])
		}
	}
	var out []finding
	for _, p := range problems {
		sev := severityError
		if p.Warning {
			sev = severityWarning
		}
		out = append(out, finding{Severity: sev, Rule: ruleParse, Message: p.Message, File: p.File, Line: p.Line})
	}
	return objs, out
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
