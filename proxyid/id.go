package proxyid

import (
	"fmt"
	"strings"
)

// ID names one data-plane proxy: a mesh and a name, or a zone proxy's name.
//
// ID is a small comparable value: two IDs are == exactly when they name the
// same (mesh, name). The zero ID is invalid. IDs are immutable; make them with
// [New], [ZoneProxy] or [Parse].
type ID struct {
	// s is the canonical encoding, "" only for the zero ID. Its first "." is
	// the separator, since the escaped mesh holds none.
	s string
	// mesh is the decoded mesh: a substring of s when it has no escapes.
	mesh string
	// Two fields only: a two-string struct comes back from Parse in registers,
	// where a third field made every call several times slower here.
}

// New returns the ID of proxy name in mesh. Both must be non-empty; any other
// bytes are allowed. For a mesh without "." or "%" the encoding equals the
// legacy mesh + "." + name.
func New(mesh, name string) (ID, error) {
	if mesh == "" {
		return ID{}, fmt.Errorf("proxyid: new(mesh %q, name %q): %w", mesh, name, ErrEmptyMesh)
	}
	if name == "" {
		return ID{}, fmt.Errorf("proxyid: new(mesh %q, name %q): %w", mesh, name, ErrEmptyName)
	}
	n := escapedLen(mesh)
	if n == len(mesh) {
		s := mesh + "." + name
		return ID{s: s, mesh: s[:len(mesh)]}, nil
	}
	b := make([]byte, 0, n+1+len(name))
	b = appendEscaped(b, mesh)
	b = append(b, '.')
	b = append(b, name...)
	return ID{s: string(b), mesh: mesh}, nil
}

// ZoneProxy returns the ID of a zone proxy (zone ingress or zone egress), which
// belongs to no mesh: "." + name. The name must be non-empty.
func ZoneProxy(name string) (ID, error) {
	if name == "" {
		return ID{}, fmt.Errorf("proxyid: zone proxy(name %q): %w", name, ErrEmptyName)
	}
	return ID{s: "." + name}, nil
}

// Parse decodes an ID. It splits s at the first ".", unescapes the mesh
// strictly and takes the rest verbatim as the name. Errors are *[ParseError]
// wrapping [ErrEmpty], [ErrNoSeparator], [ErrEmptyName] or [ErrBadEscape].
//
// Parse of an ID whose mesh has no escapes does not allocate.
func Parse(s string) (ID, error) {
	// Scan the mesh up to the first "." or "%": one pass, as meshes are short.
	i := 0
	for i < len(s) && s[i] != '.' && s[i] != '%' {
		i++
	}
	if i < len(s)-1 && s[i] == '.' {
		return ID{s: s, mesh: s[:i]}, nil // no escapes, non-empty name
	}
	return parseSlow(s, i)
}

// parseSlow finishes Parse when the fast scan stopped at a "%", at the end of
// s, or at a "." that ends s.
func parseSlow(s string, stop int) (ID, error) {
	if s == "" {
		return ID{}, &ParseError{Input: s, Err: ErrEmpty}
	}
	sep := stop + strings.IndexByte(s[stop:], '.')
	if sep < stop {
		return ID{}, &ParseError{Input: s, Offset: len(s), Err: ErrNoSeparator}
	}
	if sep == len(s)-1 {
		return ID{}, &ParseError{Input: s, Offset: len(s), Err: ErrEmptyName}
	}
	mesh, off := unescape(s[:sep], stop)
	if off >= 0 {
		return ID{}, &ParseError{Input: s, Offset: off, Err: ErrBadEscape}
	}
	return ID{s: s, mesh: mesh}, nil
}

// MustParse is like [Parse] but panics on error. It is meant for constants in
// tests and examples.
func MustParse(s string) ID {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

// Mesh returns the mesh, decoded; "" for a zone proxy and for the zero ID.
func (id ID) Mesh() string { return id.mesh }

// Name returns the proxy name; "" for the zero ID.
func (id ID) Name() string {
	return id.s[strings.IndexByte(id.s, '.')+1:] // the zero ID: s[0:] == ""
}

// IsValid reports whether id is not the zero ID.
func (id ID) IsValid() bool { return id.s != "" }

// IsZoneProxy reports whether id names a zone proxy, which has no mesh.
func (id ID) IsZoneProxy() bool { return id.s != "" && id.s[0] == '.' }

// String returns the canonical encoding; "" for the zero ID.
func (id ID) String() string { return id.s }

// AppendTo appends the canonical encoding of id to b and returns the result.
// It allocates only when b lacks the capacity.
func (id ID) AppendTo(b []byte) []byte { return append(b, id.s...) }

// MarshalText implements [encoding.TextMarshaler]. The zero ID marshals to
// empty text.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.s), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]. Empty text gives the
// zero ID, as [ID.MarshalText] produces it; anything else must [Parse].
func (id *ID) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*id = ID{}
		return nil
	}
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Compare returns an integer comparing id and other: by mesh, then by name,
// bytewise. The zero ID sorts before every valid ID, and zone proxies (no mesh)
// before every proxy of a mesh. The result is 0 exactly when id == other.
func (id ID) Compare(other ID) int {
	if c := strings.Compare(id.mesh, other.mesh); c != 0 {
		return c
	}
	if c := strings.Compare(id.Name(), other.Name()); c != 0 {
		return c
	}
	// Same mesh and name: only the zero ID and a zone proxy can still differ
	// (both have an empty mesh), and the zero ID has the empty name.
	return 0
}

// KubePod splits a Kubernetes dataplane name, pod + "." + namespace, at its last
// dot: a pod name may hold dots, a namespace never does. ok is false when the
// name has no dot or either part would be empty.
func (id ID) KubePod() (pod, namespace string, ok bool) {
	name := id.Name()
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

// escapedLen returns the length of escape(mesh).
func escapedLen(mesh string) int {
	n := len(mesh)
	for i := 0; i < len(mesh); i++ {
		if c := mesh[i]; c == '.' || c == '%' {
			n += 2
		}
	}
	return n
}

// appendEscaped appends escape(mesh) to b.
func appendEscaped(b []byte, mesh string) []byte {
	for i := 0; i < len(mesh); i++ {
		switch c := mesh[i]; c {
		case '.':
			b = append(b, "%2E"...)
		case '%':
			b = append(b, "%25"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// unescape decodes raw, whose first "%" is at pct. It returns the decoded mesh
// and -1, or "" and the offset of the first bad escape.
func unescape(raw string, pct int) (string, int) {
	b := make([]byte, 0, len(raw))
	b = append(b, raw[:pct]...)
	for i := pct; i < len(raw); i++ {
		c := raw[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i+2 >= len(raw) || raw[i+1] != '2' {
			return "", i
		}
		switch raw[i+2] {
		case 'E':
			b = append(b, '.')
		case '5':
			b = append(b, '%')
		default:
			return "", i
		}
		i += 2
	}
	return string(b), -1
}
