package main

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
)

// Status is what GET /status serves: every mesh with its resources and their
// versions, the faults of its services and its hostname conflicts, and every
// connected proxy with the versions it accepted and rejected. Lists are
// sorted and never null.
type Status struct {
	Meshes  []MeshStatus  `json:"meshes"`
	Proxies []ProxyStatus `json:"proxies"`
}

// MeshStatus is one mesh of a Status.
type MeshStatus struct {
	Name string `json:"name"`
	// Resources are the resources of the mesh's proxyless snapshot (a
	// superset of an Envoy's), sorted by type URL, then name. A version is
	// the SHA-256 of the resource's deterministic encoding: what delta xDS
	// sends, the same in every replica.
	Resources []ResourceStatus `json:"resources"`
	Errors    []ErrorStatus    `json:"errors"`
	Conflicts []Conflict       `json:"conflicts"`
}

// ResourceStatus is one resource served.
type ResourceStatus struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// ErrorStatus is a MeshExternalService not served, or served in part.
type ErrorStatus struct {
	MES     string `json:"mes"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ProxyStatus is one connected proxy. Acked maps a type URL to the version
// the proxy last accepted; Nacked to the version it rejected since, with its
// error.
type ProxyStatus struct {
	ID     string            `json:"id"`
	Mesh   string            `json:"mesh"`
	Acked  map[string]string `json:"acked"`
	Nacked map[string]Nack   `json:"nacked"`
}

// Status reports what the server serves now.
func (s *Server) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Meshes: make([]MeshStatus, 0, len(s.meshes)), Proxies: make([]ProxyStatus, 0, len(s.proxies))}
	for _, name := range sortedKeys(s.meshes) {
		b := s.meshes[name]
		ms := MeshStatus{
			Name:      name,
			Resources: []ResourceStatus{},
			Errors:    []ErrorStatus{},
			Conflicts: append([]Conflict{}, b.report.Conflicts...),
		}
		for t := range types.UnknownType {
			url := typeURL(t)
			versions := b.proxyless.GetVersionMap(url)
			for _, n := range sortedKeys(versions) {
				ms.Resources = append(ms.Resources, ResourceStatus{Type: url, Name: n, Version: versions[n]})
			}
		}
		sortStatusResources(ms.Resources)
		// Every fault of the mesh's resources: those of its build, and those
		// found reading the inputs.
		for _, e := range s.report.Errors {
			if e.Mesh == name {
				ms.Errors = append(ms.Errors, ErrorStatus{MES: e.Name, Field: e.Field, Message: e.Err.Error()})
			}
		}
		st.Meshes = append(st.Meshes, ms)
	}
	for _, id := range sortedKeys(s.proxies) {
		p := s.proxies[id]
		// Both maps are made with the proxy, so their clones are never nil.
		st.Proxies = append(st.Proxies, ProxyStatus{ID: id, Mesh: p.id.Mesh(), Acked: maps.Clone(p.acked), Nacked: maps.Clone(p.nacked)})
	}
	return st
}

// AdminHandler serves GET /status, the JSON form of Status.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(s.Status()) // a write error is the client's going away
	})
	return mux
}

func sortStatusResources(rs []ResourceStatus) {
	slices.SortFunc(rs, func(a, b ResourceStatus) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Name, b.Name))
	})
}
