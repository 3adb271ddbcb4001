package main

import (
	"strings"

	"github.com/meshcore/meshcore/naming"
)

// deprecatedName replays the naming half of incident 001: the fix upstream was
// to forbid such names, first with a warning, then by rejecting them, tied to
// the release. Here the phase is a setting, and Audit says what enforcing breaks.
func deprecatedName(p *printer) error {
	const name = "aa.a"
	p.line("2. The name %q under each phase of the RFC-1035 rule for Mesh names", name)
	for _, mode := range []naming.Mode{naming.Warn, naming.Enforce} {
		r := naming.DefaultPolicy(mode).Validate(naming.KindMesh, name, naming.Create)
		switch {
		case r.Err != nil:
			p.line("   %-8s rejected: %s", mode.String()+":", firstClause(r.Err.Error()))
		default:
			p.line("   %-8s accepted, warning: %s", mode.String()+":", firstClause(strings.Join(r.Warnings, "; ")))
		}
	}
	p.line("   suggested name: %s", naming.Suggest(naming.DNS1035Label, name))

	report := naming.Audit(naming.DefaultPolicy(naming.Warn), []naming.Named{
		{Kind: naming.KindMesh, Name: "aa.a"},
		{Kind: naming.KindMesh, Name: "default"},
		{Kind: naming.KindMeshService, Name: "redis.cache"},
		{Kind: naming.KindDataplane, Name: "web-1.kuma-demo"},
	})
	p.line("   audit of 4 names before switching from warn to enforce: %d would be rejected", len(report.Findings))
	for _, f := range report.Findings {
		p.line("     %s %q -> rename to %q", f.Kind, f.Name, f.Suggestion)
	}
	return nil
}

// firstClause shortens a Kubernetes validation message for the tour: the text
// up to the rule's description, which is the part a reader needs here.
func firstClause(msg string) string {
	if i := strings.Index(msg, " must consist of"); i >= 0 {
		return msg[:i] + " must consist of ... (RFC 1035)"
	}
	return msg
}
