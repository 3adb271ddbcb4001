package proxyid

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzRoundTrip checks Parse(New(m, n).String()) == (m, n) for every mesh and
// non-empty name, and byte-identity with the legacy form for meshes without
// "." or "%".
func FuzzRoundTrip(f *testing.F) {
	for _, s := range [][2]string{
		{"default", "backend-1"},
		{"aa.a", "2048-app-7c5f756499-l9p2m.kuma-demo"},
		{"a%b", "x"},
		{".", "x"},
		{"%2E", "%25"},
		{"", "x"},
		{"default", ""},
		{"m\x00\xff", "\n."},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, mesh, name string) {
		id, err := New(mesh, name)
		if mesh == "" || name == "" {
			if err == nil {
				t.Fatalf("New(%q, %q) accepted an empty part", mesh, name)
			}
			return
		}
		if err != nil {
			t.Fatalf("New(%q, %q): %v", mesh, name, err)
		}
		if id.Mesh() != mesh || id.Name() != name {
			t.Fatalf("New(%q, %q) holds (%q, %q)", mesh, name, id.Mesh(), id.Name())
		}
		s := id.String()
		back, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) of New(%q, %q): %v", s, mesh, name, err)
		}
		if back != id || back.Mesh() != mesh || back.Name() != name {
			t.Fatalf("Parse(New(%q, %q).String()) = (%q, %q)", mesh, name, back.Mesh(), back.Name())
		}
		if !strings.ContainsAny(mesh, ".%") {
			if legacy := legacyString(mesh, name); s != legacy {
				t.Fatalf("New(%q, %q) = %q, legacy form %q", mesh, name, s, legacy)
			}
			lm, ln, err := legacyParse(s)
			if err != nil || lm != mesh || ln != name {
				t.Fatalf("legacy parse of %q = (%q, %q, %v)", s, lm, ln, err)
			}
		}
		// Resolve recovers the legacy encoding of the same proxy when it is the
		// only one that exists.
		got, err := Resolve(legacyString(mesh, name), func(c ID) bool { return c == id })
		if err != nil || got != id {
			t.Fatalf("Resolve(legacy %q) = %v, %v", legacyString(mesh, name), got, err)
		}
	})
}

// FuzzParse checks that everything that parses re-encodes to the same bytes,
// that the decoded parts rebuild the same ID, and that Parse agrees with the
// legacy first-dot split wherever the input has no "%".
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"default.backend-1", "aa%2Ea.web.ns", "a%25b.x", "%2E.x", ".kuma-ingress-5d8f.kuma-system",
		"", "demo", "demo.", "aa%2ea.x", "aa%41.x", "aa%.x", "aa%2.x", "default.a%2Eb", "..", "%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		lm, ln, lerr := legacyParse(s)
		if err != nil {
			if id != (ID{}) {
				t.Fatalf("Parse(%q) failed but returned %v", s, id)
			}
			if !strings.Contains(s, "%") && lerr == nil {
				t.Fatalf("Parse(%q): %v, but the legacy split reads (%q, %q)", s, err, lm, ln)
			}
			return
		}
		if got := id.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
		if got := id.AppendTo([]byte("x")); !bytes.Equal(got, []byte("x"+s)) {
			t.Fatalf("AppendTo of %q = %q", s, got)
		}
		var rebuilt ID
		if id.IsZoneProxy() {
			rebuilt, err = ZoneProxy(id.Name())
		} else {
			rebuilt, err = New(id.Mesh(), id.Name())
		}
		if err != nil || rebuilt != id {
			t.Fatalf("rebuilding %q from (%q, %q): %v, %v", s, id.Mesh(), id.Name(), rebuilt, err)
		}
		var unmarshaled ID
		if err := unmarshaled.UnmarshalText([]byte(s)); err != nil || unmarshaled != id {
			t.Fatalf("UnmarshalText(%q) = %v, %v", s, unmarshaled, err)
		}
		if !strings.Contains(s, "%") {
			if lerr != nil || lm != id.Mesh() || ln != id.Name() {
				t.Fatalf("Parse(%q) = (%q, %q), legacy split (%q, %q, %v)", s, id.Mesh(), id.Name(), lm, ln, lerr)
			}
		}
		if pod, ns, ok := id.KubePod(); ok {
			if pod+"."+ns != id.Name() || strings.Contains(ns, ".") || pod == "" || ns == "" {
				t.Fatalf("KubePod of %q = (%q, %q)", id.Name(), pod, ns)
			}
		}
	})
}
