package hostname

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Reason is one line of [Explain]: what became of one generator for the
// service, or, with an empty Generator, a remark about the service as a whole.
type Reason struct {
	// Generator is the name of the generator the reason is about; empty for
	// the summary and the remarks that concern no one generator.
	Generator string
	// Text says what happened, without the generator's name.
	Text string
}

// String returns Text, after `generator "name": ` when Generator is set.
func (r Reason) String() string {
	if r.Generator == "" {
		return r.Text
	}
	return "generator " + strconv.Quote(r.Generator) + ": " + r.Text
}

// Explain says why svc has, or lacks, each hostname, given the generators and
// the [Result] of [Generate] over them. The first Reason is the summary: the
// service's hostnames, with an empty Generator. Then, in generation order:
//
//   - that no generator selects the service's kind, when none does (empty
//     Generator);
//   - for each generator of its kind that does not select it, which
//     matchLabels keys are missing or have another value;
//   - for each generator that selects it, the hostname it generated, its
//     template error, or the collision it lost and to whom;
//   - generators skipped for an invalid selector;
//
// and last, each cross-kind [Conflict] over one of its hostnames (empty
// Generator). Generators of other kinds are not mentioned.
func Explain(svc Service, gens []Generator, r Result) []Reason {
	st := r.For(svc.Kind, svc.Mesh, svc.ID())
	out := []Reason{{Text: summary(&svc, st)}}

	ofKind := 0 // generators that select the service's kind
	for _, gi := range generationOrder(gens) {
		g := &gens[gi]
		kind, sel, ok := g.Selector.Target()
		if !ok {
			out = append(out, Reason{g.Name, "ignored: " + FieldSelector + ": " + g.selectorError().Message()})
			continue
		}
		if kind != svc.Kind {
			continue
		}
		ofKind++
		if miss := mismatches(sel, svc.Labels); miss != "" {
			out = append(out, Reason{g.Name, "does not select it: " + miss})
			continue
		}
		found := false
		for _, c := range st.Conditions {
			if c.Generator != g.Name {
				continue
			}
			found = true
			out = append(out, Reason{g.Name, conditionText(st, c)})
		}
		if !found {
			out = append(out, Reason{g.Name, "selects it, but the result has no condition from it (was the result computed from these generators and services?)"})
		}
	}
	if ofKind == 0 {
		out = slices.Insert(out, 1, Reason{Text: fmt.Sprintf("no HostnameGenerator selects %s", svc.Kind)})
	}

	for _, c := range r.Conflicts {
		if c.Mesh != svc.Mesh || !slices.ContainsFunc(c.Claims, func(cl Claim) bool { return cl.Kind == svc.Kind && cl.Service == svc.ID() }) {
			continue
		}
		for _, cl := range c.Claims {
			if cl.Kind != svc.Kind {
				out = append(out, Reason{Text: fmt.Sprintf("hostname %q is also held by %s %q (generator %q): DNS answers for only one of them", c.Hostname, cl.Kind, cl.Service, cl.Generator)})
			}
		}
	}
	return out
}

// conditionText says what condition c of a selecting generator means.
func conditionText(st Status, c Condition) string {
	switch {
	case c.Reason == ReasonGenerated && c.Message == "":
		return "generated " + strconv.Quote(addressOf(st, c.Generator))
	case c.Reason == ReasonGenerated:
		return "generated: " + c.Message
	case c.Reason == ReasonTemplateError:
		return "template error: " + c.Message
	case c.Reason == ReasonCollision:
		return "lost a collision: " + c.Message
	}
	return c.Reason + ": " + c.Message
}

func summary(svc *Service, st Status) string {
	ref := fmt.Sprintf("%s %q in mesh %q", svc.Kind, svc.ID(), svc.Mesh)
	switch len(st.Addresses) {
	case 0:
		return ref + " has no hostname"
	case 1:
		return ref + " has hostname " + strconv.Quote(st.Addresses[0].Hostname)
	}
	q := make([]string, len(st.Addresses))
	for i, a := range st.Addresses {
		q[i] = strconv.Quote(a.Hostname)
	}
	return ref + " has hostnames " + strings.Join(q, ", ")
}

func addressOf(st Status, gen string) string {
	for _, a := range st.Addresses {
		if a.Generator == gen {
			return a.Hostname
		}
	}
	return ""
}

// mismatches lists, by key, the matchLabels entries labels does not satisfy.
func mismatches(sel *LabelSelector, labels map[string]string) string {
	if sel == nil {
		return ""
	}
	var keys []string
	for k, want := range sel.MatchLabels {
		if !hasLabel(labels, k, want) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		want := sel.MatchLabels[k]
		if got, ok := labels[k]; ok {
			parts[i] = fmt.Sprintf("label %q is %q (wants %q)", k, got, want)
		} else {
			parts[i] = fmt.Sprintf("label %q is missing (wants %q)", k, want)
		}
	}
	return strings.Join(parts, ", ")
}
