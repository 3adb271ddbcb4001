package hostname

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// naiveGenerate is Generate written the obvious way, the oracle of
// FuzzGenerate: every generator in generation order over every distinct
// service in claim order, compiling the template for each pair.
func naiveGenerate(gens []Generator, svcs []Service) Result {
	gens = slices.Clone(gens)
	slices.SortStableFunc(gens, func(a, b Generator) int {
		za, zb := a.Labels[LabelOrigin] == "zone", b.Labels[LabelOrigin] == "zone"
		if za != zb {
			if za {
				return -1
			}
			return 1
		}
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.Name, b.Name))
	})
	svcs = slices.Clone(svcs)
	slices.SortStableFunc(svcs, func(a, b Service) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID(), b.ID()), cmp.Compare(a.Mesh, b.Mesh), cmp.Compare(a.Kind, b.Kind))
	})
	var distinct []Service
	for _, s := range svcs {
		if !slices.ContainsFunc(distinct, func(d Service) bool { return d.Kind == s.Kind && d.Mesh == s.Mesh && d.ID() == s.ID() }) {
			distinct = append(distinct, s)
		}
	}

	var res Result
	statuses := make([]Status, len(distinct))
	type holder struct {
		svc int
		gen string
	}
	held := map[claimKey]holder{}
	for _, g := range gens {
		kind, sel, ok := g.Selector.Target()
		if !ok {
			res.Invalid = append(res.Invalid, &SelectorError{Generator: g.Name, Defined: g.Selector.defined()})
			continue
		}
		for i, s := range distinct {
			if s.Kind != kind || !sel.Matches(s.Labels) {
				continue
			}
			c := Condition{Generator: g.Name, Type: ConditionGenerated}
			host, msg := naiveRender(g.Template, s)
			h, taken := held[claimKey{kind, s.Mesh, host}]
			switch {
			case msg != "":
				c.Reason, c.Message = ReasonTemplateError, msg
			case !taken:
				held[claimKey{kind, s.Mesh, host}] = holder{i, g.Name}
				statuses[i].Addresses = append(statuses[i].Addresses, Address{Hostname: host, Generator: g.Name})
				c.Status, c.Reason = true, ReasonGenerated
			case h.svc == i:
				c.Status, c.Reason = true, ReasonGenerated
				c.Message = fmt.Sprintf("Hostname %q is already generated for this %s by %q", host, kind, h.gen)
			default:
				c.Reason = ReasonCollision
				c.Message = fmt.Sprintf("Hostname collision with %s: %s (hostname %q generated for it by %q)", kind, distinct[h.svc].ID(), host, h.gen)
			}
			statuses[i].Conditions = append(statuses[i].Conditions, c)
		}
	}

	for i, s := range distinct {
		st := statuses[i]
		slices.SortStableFunc(st.Addresses, func(a, b Address) int {
			return cmp.Or(cmp.Compare(a.Generator, b.Generator), cmp.Compare(a.Hostname, b.Hostname))
		})
		slices.SortStableFunc(st.Conditions, func(a, b Condition) int { return cmp.Compare(a.Generator, b.Generator) })
		res.Services = append(res.Services, ServiceStatus{Kind: s.Kind, Mesh: s.Mesh, Name: s.ID(), Status: st})
	}
	slices.SortFunc(res.Services, func(a, b ServiceStatus) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Mesh, b.Mesh), cmp.Compare(a.Name, b.Name))
	})

	byHost := map[[2]string][]Claim{}
	for k, h := range held {
		byHost[[2]string{k.mesh, k.host}] = append(byHost[[2]string{k.mesh, k.host}], Claim{Kind: k.kind, Service: distinct[h.svc].ID(), Generator: h.gen})
	}
	for mh, claims := range byHost {
		if len(claims) > 1 {
			slices.SortFunc(claims, func(a, b Claim) int { return cmp.Compare(a.Kind, b.Kind) })
			res.Conflicts = append(res.Conflicts, Conflict{Mesh: mh[0], Hostname: mh[1], Claims: claims})
		}
	}
	slices.SortFunc(res.Conflicts, func(a, b Conflict) int {
		return cmp.Or(cmp.Compare(a.Mesh, b.Mesh), cmp.Compare(a.Hostname, b.Hostname))
	})
	return res
}

// naiveRender compiles text for generation and renders it for s: the
// hostname, or the condition message of the error.
func naiveRender(text string, s Service) (host, msg string) {
	tp, perr := parseTemplate(text)
	if perr != nil {
		return "", perr.Message()
	}
	host, err := tp.Render(s)
	if err != nil {
		return "", err.(*TemplateError).Message()
	}
	return host, ""
}

// generateTemplates are the templates FuzzGenerate's generators draw from:
// hostnames that collide within and across kinds, label reads, and each kind
// of template error.
var generateTemplates = []string{
	"{{ .Name }}.mesh",
	"{{ .DisplayName }}.mesh",
	"shared.mesh",
	`{{ label "team" }}.mesh`,
	"{{ .Zone }}.{{ .Mesh }}",
	`{{ if .Namespace }}{{ .Namespace }}.ns{{ else }}no-ns{{ end }}`,
	`{{ printf "%s.x" .DisplayName }}`,
	"{{ .Name }}_bad",
	"{{ foo }}",
	"{{ range 2 }}{{ end }}x",
}

// fuzzBytes hands out the bytes of a fuzz input one at a time, then zeros.
type fuzzBytes []byte

func (d *fuzzBytes) next() int {
	if len(*d) == 0 {
		return 0
	}
	b := (*d)[0]
	*d = (*d)[1:]
	return int(b)
}

// fuzzInput builds generators and services from data: small pools of names,
// labels, creation times and templates, so that selections, collisions,
// duplicates and errors are frequent. Generator names are unique, and a
// service whose kind, mesh, ID and creation time repeat an earlier one's is
// a copy of it: otherwise which of two equal entries comes first is input
// order, which the shuffle changes.
func fuzzInput(data []byte) ([]Generator, []Service) {
	d := fuzzBytes(data)
	var gens []Generator
	for i := range d.next() % 7 {
		gens = append(gens, fuzzedGenerator(&d, i))
	}
	var svcs []Service
	for range d.next() % 13 {
		s := fuzzedService(&d)
		for _, prev := range svcs {
			if prev.Kind == s.Kind && prev.Mesh == s.Mesh && prev.ID() == s.ID() && prev.Created.Equal(s.Created) {
				s = prev
				break
			}
		}
		svcs = append(svcs, s)
	}
	return gens, svcs
}

// fuzzedGenerator builds a generator named after one of three letters and n
// from four bytes of d: creation time, origin, template, selector.
func fuzzedGenerator(d *fuzzBytes, n int) Generator {
	b := d.next()
	g := Generator{
		Name:     fmt.Sprintf("%c%d", 'a'+b%3, n),
		Created:  t0.Add(time.Duration(b/3%3) * time.Minute),
		Template: generateTemplates[d.next()%len(generateTemplates)],
	}
	if b/9%2 == 1 {
		g.Labels = map[string]string{LabelOrigin: "zone"}
	}
	sel := &LabelSelector{}
	if s := d.next(); s%2 == 1 {
		sel.MatchLabels = map[string]string{"team": fmt.Sprint(s / 2 % 3)}
	}
	switch d.next() % 5 {
	case 0, 1:
		g.Selector.MeshService = sel
	case 2:
		g.Selector.MeshExternalService = sel
	case 3:
		g.Selector.MeshMultiZoneService = sel
	default: // invalid: none, or two
		if b%2 == 0 {
			g.Selector = Selector{MeshService: sel, MeshExternalService: sel}
		}
	}
	return g
}

// fuzzedService builds a service from two bytes of d: of 48 identities
// (kind, mesh, name, core name), with display names, zones, namespaces,
// creation times and team labels from small pools.
func fuzzedService(d *fuzzBytes) Service {
	b, c := d.next(), d.next()
	s := Service{
		Kind:        kinds()[b%3],
		Mesh:        fmt.Sprint("m", b/3%2),
		Name:        fmt.Sprint("s", b/6%4),
		DisplayName: fmt.Sprint("d", c%3),
		Zone:        fmt.Sprint("z", c/3%2),
		Created:     t0.Add(time.Duration(c/6%3) * time.Minute),
	}
	if c/18%2 == 1 {
		s.Namespace = "ns"
	}
	if b/24%2 == 1 {
		s.CoreName = s.Name + ".ns"
	}
	if team := c / 36 % 4; team < 3 {
		s.Labels = map[string]string{"team": fmt.Sprint(team)}
	}
	return s
}

// FuzzGenerate checks Generate against naiveGenerate, and that the result
// does not depend on the order of its inputs.
func FuzzGenerate(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		gens, svcs := fuzzInput(data)
		want := naiveGenerate(gens, svcs)
		if diff := gocmp.Diff(want, Generate(gens, svcs), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Generate differs from the naive reading (-want +got):\n%s", diff)
		}
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		rng.Shuffle(len(gens), func(i, j int) { gens[i], gens[j] = gens[j], gens[i] })
		rng.Shuffle(len(svcs), func(i, j int) { svcs[i], svcs[j] = svcs[j], svcs[i] })
		if diff := gocmp.Diff(want, Generate(gens, svcs), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Generate depends on input order (-want +got):\n%s", diff)
		}
	})
}
