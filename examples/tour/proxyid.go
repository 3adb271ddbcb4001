package main

import (
	"strings"

	"github.com/meshcore/meshcore/proxyid"
)

// dottedMesh replays incident 001: a Mesh named "aa.a" breaks every proxy in it,
// because the legacy node ID mesh + "." + name is split at the first dot.
func dottedMesh(p *printer) error {
	const mesh, name = "aa.a", "2048-app-7c5f756499-l9p2m.kuma-demo"
	p.line("1. A Mesh named %q: its proxies never get their configuration", mesh)

	legacy := mesh + "." + name
	lm, ln, _ := strings.Cut(legacy, ".") // the legacy reader: first dot
	p.line("   legacy ID     %s", legacy)
	p.line("   legacy read   mesh %q, name %q  (wrong: \"resource not found\")", lm, ln)

	id, err := proxyid.New(mesh, name)
	if err != nil {
		return err
	}
	back, err := proxyid.Parse(id.String())
	if err != nil {
		return err
	}
	p.line("   meshcore ID   %s", id)
	p.line("   meshcore read mesh %q, name %q  (right)", back.Mesh(), back.Name())

	plain, err := proxyid.New("default", "backend-1")
	if err != nil {
		return err
	}
	p.line("   a mesh without dots keeps its legacy ID byte for byte: %s", plain)

	// Proxies still running with a bootstrap the legacy control plane wrote.
	known := map[proxyid.ID]bool{id: true}
	resolved, err := proxyid.Resolve(legacy, func(c proxyid.ID) bool { return known[c] })
	if err != nil {
		return err
	}
	p.line("   a legacy bootstrap still resolves against the known proxies: mesh %q, name %q", resolved.Mesh(), resolved.Name())
	return nil
}
