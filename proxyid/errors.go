package proxyid

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Every error this package returns wraps exactly one of them,
// so callers can match with [errors.Is].
var (
	// ErrEmpty reports an empty ID.
	ErrEmpty = errors.New("empty ID")
	// ErrNoSeparator reports an ID without the "." between mesh and name.
	ErrNoSeparator = errors.New(`no "." between mesh and name`)
	// ErrEmptyName reports an empty proxy name.
	ErrEmptyName = errors.New("empty name")
	// ErrEmptyMesh reports an empty mesh given to [New]; zone proxies, which
	// have no mesh, are made with [ZoneProxy].
	ErrEmptyMesh = errors.New("empty mesh (use ZoneProxy for a proxy without a mesh)")
	// ErrBadEscape reports a "%" in the mesh that does not start "%2E" or "%25".
	ErrBadEscape = errors.New("bad escape")
	// ErrAmbiguous reports a legacy ID that [Resolve] can read in more than one
	// existing way.
	ErrAmbiguous = errors.New("ambiguous")
	// ErrNotFound reports a legacy ID none of whose readings exists.
	ErrNotFound = errors.New("not found")
)

// ParseError describes an ID that could not be decoded.
type ParseError struct {
	Input  string // the ID as given
	Offset int    // byte offset in Input where the problem is
	Err    error  // one of the sentinel errors
}

// Error returns, for example, `proxyid: parse "aa%2x.web": bad escape at offset 2`.
func (e *ParseError) Error() string {
	var b strings.Builder
	writeErrorHead(&b, "parse", e.Input, e.Err)
	if e.Err != ErrEmpty {
		b.WriteString(" at offset ")
		b.WriteString(strconv.Itoa(e.Offset))
	}
	return b.String()
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// ResolveError describes a legacy ID that [Resolve] could not map to exactly one
// existing proxy.
type ResolveError struct {
	Input string // the ID as given
	// Candidates are the readings that were tried ([ErrNotFound]) or that exist
	// ([ErrAmbiguous]), in the order Resolve considered them.
	Candidates []ID
	Err        error // ErrAmbiguous or ErrNotFound
}

// Error returns, for example,
// `proxyid: resolve "aa.a.web.ns": ambiguous: mesh "aa" name "a.web.ns", mesh "aa.a" name "web.ns"`.
func (e *ResolveError) Error() string {
	var b strings.Builder
	writeErrorHead(&b, "resolve", e.Input, e.Err)
	for i, c := range e.Candidates {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString("mesh ")
		b.WriteString(strconv.Quote(c.Mesh()))
		b.WriteString(" name ")
		b.WriteString(strconv.Quote(c.Name()))
	}
	return b.String()
}

// Unwrap returns the sentinel error.
func (e *ResolveError) Unwrap() error { return e.Err }

// writeErrorHead writes the start every error message of the package has:
// `proxyid: <op> "<input>": <err>`.
func writeErrorHead(b *strings.Builder, op, input string, err error) {
	b.WriteString("proxyid: ")
	b.WriteString(op)
	b.WriteByte(' ')
	b.WriteString(strconv.Quote(input))
	b.WriteString(": ")
	b.WriteString(err.Error())
}
