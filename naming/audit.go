package naming

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Named is one resource name to audit.
type Named struct {
	Kind Kind
	Name string
}

// Finding is a resource that [Enforce] would reject.
type Finding struct {
	// Kind and Name identify the resource.
	Kind Kind
	Name string
	// Rule is the rule its kind must satisfy.
	Rule Rule
	// Message is what [Enforce] would answer: the detail of each field
	// error, joined by "; ".
	Message string
	// Suggestion is a name that passes Rule, distinct from every other
	// suggestion and from every compliant name of the same kind in the
	// audit.
	Suggestion string
	// NewlyRejected is true when the policy's current mode still accepts
	// an update of the resource (possibly with a warning): switching to
	// Enforce is what breaks it. It is false for names the current mode
	// already rejects, such as names that break the base rule.
	NewlyRejected bool
}

// Report is the result of [Audit].
type Report struct {
	// From is the mode of the audited policy.
	From Mode
	// Checked is the number of names audited.
	Checked int
	// Findings are the names Enforce would reject, sorted by kind, then
	// name. A name listed twice in the input is listed twice here.
	Findings []Finding
}

// Audit answers "what breaks if I switch p to [Enforce]?": it validates each
// name as an update of an existing resource under p's rules in Enforce mode,
// and reports every rejected one with the message and a suggested new name.
//
// Suggestions come from [Suggest]. When one would equal a compliant name of
// the same kind in names, or the suggestion for a different name of the same
// kind, the hash suffix is added (with a salt, in the unlikely case that the
// hashed name is taken too); suggestions are assigned in the order of the
// findings, so the result is deterministic whatever the order of names.
func Audit(p Policy, names []Named) Report {
	enforce := Policy{Mode: Enforce, Rules: p.Rules, MaxLength: p.MaxLength}
	rep := Report{From: p.Mode, Checked: len(names)}
	taken := make(map[Named]bool) // compliant names and assigned suggestions
	for _, n := range names {
		res := enforce.Validate(n.Kind, n.Name, Update)
		if res.Err == nil {
			taken[n] = true
			continue
		}
		var msg string
		if l, ok := res.Err.(*ErrorList); ok {
			msg = strings.Join(l.Details(), "; ")
		}
		rep.Findings = append(rep.Findings, Finding{
			Kind:          n.Kind,
			Name:          n.Name,
			Rule:          p.Rule(n.Kind),
			Message:       msg,
			NewlyRejected: p.Validate(n.Kind, n.Name, Update).Allowed(),
		})
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if i > 0 && rep.Findings[i-1].Kind == f.Kind && rep.Findings[i-1].Name == f.Name {
			f.Suggestion = rep.Findings[i-1].Suggestion // the same name twice
			continue
		}
		s := Suggest(f.Rule, f.Name)
		for salt := uint32(0); taken[Named{f.Kind, s}]; salt++ {
			s = suggest(f.Rule, f.Name, true, salt)
		}
		taken[Named{f.Kind, s}] = true
		f.Suggestion = s
	}
	return rep
}

// String returns one line per finding,
// `<Kind> "<name>" -> "<suggestion>": <message>`, with " (rejected already)"
// after the suggestion for findings that are not newly rejected, after a
// header line `naming: <n> of <checked> names rejected by enforce (from <mode>)`.
func (r Report) String() string {
	var b strings.Builder
	b.WriteString("naming: ")
	b.WriteString(strconv.Itoa(len(r.Findings)))
	b.WriteString(" of ")
	b.WriteString(strconv.Itoa(r.Checked))
	b.WriteString(" names rejected by enforce (from ")
	b.WriteString(r.From.String())
	b.WriteString(")")
	for _, f := range r.Findings {
		b.WriteByte('\n')
		b.WriteString(string(f.Kind))
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(f.Name))
		b.WriteString(" -> ")
		b.WriteString(strconv.Quote(f.Suggestion))
		if !f.NewlyRejected {
			b.WriteString(" (rejected already)")
		}
		b.WriteString(": ")
		b.WriteString(f.Message)
	}
	return b.String()
}
