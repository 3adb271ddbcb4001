package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/meshcore/meshcore/hostname"
)

// generation is the hostname generation of the zone: the generators that
// pass admission, the result of hostname.Generate over every service, and the
// services by key for reporting.
type generation struct {
	gens   []hostname.Generator
	result hostname.Result
	byKey  map[serviceKey]*service
}

type serviceKey struct {
	kind hostname.Kind
	mesh string
	id   string
}

func keyOf(s *hostname.Service) serviceKey { return serviceKey{s.Kind, s.Mesh, s.ID()} }

// generation runs hostname.Generate once and keeps the result for the rules
// that read it.
func (c *cluster) generation() *generation {
	if c.gen != nil {
		return c.gen
	}
	g := &generation{byKey: make(map[serviceKey]*service, len(c.hostnames))}
	for _, gen := range c.generators {
		if gen.gen.Validate() == nil {
			g.gens = append(g.gens, gen.gen)
		}
	}
	svcs := make([]hostname.Service, len(c.hostnames))
	for i := range c.hostnames {
		s := &c.hostnames[i]
		svcs[i] = s.svc
		if _, dup := g.byKey[keyOf(&s.svc)]; !dup {
			g.byKey[keyOf(&s.svc)] = s
		}
	}
	g.result = hostname.Generate(g.gens, svcs)
	c.gen = g
	return g
}

// subject names the service a finding is about when it is reported on
// another object: "its MeshService " for one made from a Kubernetes Service.
func (s *service) subject() string {
	if s.derived {
		return "its MeshService "
	}
	return ""
}

// checkHostnameMissing reports, in meshes whose MeshService mode is
// Exclusive, the services that callers have no name for: no generated
// hostname and no Kubernetes DNS name. Under Exclusive a proxy has outbounds
// only for the VIPs and hostnames of MeshServices, MeshExternalServices and
// MeshMultiZoneServices. A MeshService made from a ClusterIP Service carries
// the ClusterIP as its VIP, so its cluster DNS name reaches it and it needs
// no hostname; everything else (Universal MeshServices, services synced from
// other zones, MeshExternalServices, MeshMultiZoneServices) is reachable by
// name only through a generated hostname. The message carries
// hostname.Explain's reasons.
func checkHostnameMissing(c *cluster, r *reporter) {
	if c.opts.Role != hostname.RoleZone {
		return // no proxy resolves names on a global control plane
	}
	g := c.generation()
	for i := range c.hostnames {
		s := &c.hostnames[i]
		if s.derived {
			continue // the cluster DNS name resolves to its VIP, the ClusterIP
		}
		mode, known, set := c.meshMode(s.svc.Mesh)
		if !known || mode != modeExclusive {
			continue
		}
		// A Mesh that sets no mode is linted as Exclusive, as Kuma 3.0 runs
		// it; 2.14 runs it as Disabled, where the legacy outbounds remain,
		// so there the finding is a warning of what the upgrade breaks.
		sev := severityError
		if !set {
			sev = severityWarning
		}
		if g.byKey[keyOf(&s.svc)] != s || len(g.result.For(s.svc.Kind, s.svc.Mesh, s.svc.ID()).Addresses) > 0 {
			continue
		}
		var reasons []string
		for _, reason := range hostname.Explain(s.svc, g.gens, g.result)[1:] { // the first sums up: no hostname
			reasons = append(reasons, reason.String())
		}
		r.addInMesh(s.obj, s.svc.Mesh, sev,
			"gets no hostname, and %s, where callers reach a %s only by a generated hostname (it has no Kubernetes DNS name): %s",
			c.modePhrase(s.svc.Mesh), s.svc.Kind, strings.Join(reasons, "; "))
	}
}

// checkHostnameCollision reports every service that lost a hostname to an
// earlier service of the same kind and mesh. The message names the winner
// (the reference named the loser itself).
func checkHostnameCollision(c *cluster, r *reporter) {
	reportConditions(c, r, hostname.ReasonCollision)
}

// checkHostnameTemplate reports every (generator, service) pair whose
// template fails: a missing label, or a result that is not a valid hostname.
// Generators that admission rejects are reported once by the
// hostname-generator rule instead.
func checkHostnameTemplate(c *cluster, r *reporter) {
	reportConditions(c, r, hostname.ReasonTemplateError)
}

func reportConditions(c *cluster, r *reporter, reason string) {
	g := c.generation()
	for _, st := range g.result.Services {
		s := g.byKey[serviceKey{st.Kind, st.Mesh, st.Name}]
		if s == nil {
			continue
		}
		for _, cond := range st.Status.Conditions {
			if cond.Reason == reason {
				r.addInMesh(s.obj, st.Mesh, severityError, "%sgenerator %q: %s", s.subject(), cond.Generator, cond.Message)
			}
		}
	}
}

// checkHostnameConflict reports hostnames held by services of different
// kinds in one mesh: collisions are resolved within a kind only, so both keep
// the hostname and DNS answers for one of them. Each service involved gets a
// finding naming the others.
func checkHostnameConflict(c *cluster, r *reporter) {
	g := c.generation()
	for _, conflict := range g.result.Conflicts {
		for i, cl := range conflict.Claims {
			s := g.byKey[serviceKey{cl.Kind, conflict.Mesh, cl.Service}]
			if s == nil {
				continue
			}
			var others []string
			for j, o := range conflict.Claims {
				if j != i {
					others = append(others, fmt.Sprintf("%s %q (generator %q)", o.Kind, o.Service, o.Generator))
				}
			}
			r.addInMesh(s.obj, conflict.Mesh, severityError, "%shostname %q (generator %q) is also held by %s in mesh %q: DNS answers for only one of them",
				s.subject(), conflict.Hostname, cl.Generator, strings.Join(others, ", "), conflict.Mesh)
		}
	}
}

// checkHostnameGenerator reports HostnameGenerator manifests that admission
// rejects: a selector that does not name exactly one kind, or a template that
// is empty, does not parse, or does not render a valid hostname with the stub
// values. They take no part in generation.
func checkHostnameGenerator(c *cluster, r *reporter) {
	for _, g := range c.generators {
		if g.obj == nil {
			continue
		}
		err := g.gen.Validate()
		if err == nil {
			continue
		}
		for _, e := range flatten(err) {
			var te *hostname.TemplateError
			var se *hostname.SelectorError
			switch {
			case errors.As(e, &te):
				r.add(g.obj, severityError, "%s: %s", hostname.FieldTemplate, te.Message())
			case errors.As(e, &se):
				r.add(g.obj, severityError, "%s: %s", hostname.FieldSelector, se.Message())
			default:
				r.add(g.obj, severityError, "%v", e)
			}
		}
	}
}

// flatten returns the errors joined in err (see errors.Join), or err alone.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// modePhrase says what MeshService mode mesh is linted in: `mesh "poc" has
// MeshService mode Exclusive`, or, for a Mesh that sets none, that it is
// linted as Exclusive and why.
func (c *cluster) modePhrase(mesh string) string {
	mode, known, set := c.meshMode(mesh)
	switch {
	case !known:
		return fmt.Sprintf("mesh %q is not among the inputs", mesh)
	case !set:
		return fmt.Sprintf("mesh %q sets no MeshService mode, which Kuma 3.0 always runs as Exclusive (Kuma 2.14 reads it as Disabled)", mesh)
	}
	return fmt.Sprintf("mesh %q has MeshService mode %s", mesh, mode)
}
