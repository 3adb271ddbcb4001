package hostname

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/meshcore/meshcore/naming"
)

// MaxOutput is the most bytes a template may write, and the longest string
// any template function may return, while rendering. Beyond it rendering
// fails with [ErrLimit]. A hostname is at most 253 bytes, so no valid result
// is affected; the cap stops templates that grow output without bound.
const MaxOutput = 4096

// Template is a compiled hostname template. It is safe for concurrent use.
//
// A template made only of text, the fields .Name, .DisplayName, .Namespace,
// .Mesh and .Zone, and label calls with a string literal (the shape of every
// real generator) renders by concatenation, in one allocation. Any other
// template runs through text/template with the limits described at
// [ErrLimit]. Both give the text text/template gives for the same template
// and service.
type Template struct {
	text string
	tmpl *template.Template // parsed and instrumented; always set
	segs []segment          // the concatenation plan when fast
	fast bool
	// framed is true when the plan's literals put every field and label
	// alone in a DNS label of its own, between dots or at an end, and the
	// literals' own labels are valid: then the output is a valid hostname
	// when each value is an RFC 1123 label and the whole fits 253 bytes.
	framed bool
	// labels is true when the plan calls label; textLen is the length of
	// its literals.
	labels  bool
	textLen int
	// prefix and prog are the plan of a template without labels: the text
	// before the first field, then each field and the text after it.
	prefix string
	prog   []fieldStep
}

// fieldStep is a field and the text that follows it.
type fieldStep struct {
	kind   segKind
	suffix string
}

// segKind says where a segment's text comes from.
type segKind uint8

const (
	segText segKind = iota
	segName
	segDisplayName
	segNamespace
	segMesh
	segZone
	segLabel
)

// segment is one piece of a concatenated template: literal text, a field, or
// a label (text is the key).
type segment struct {
	kind segKind
	text string
}

// meshedName is the data a template executes with. Its name, its fields and
// their order are those of the control plane this package follows, so that
// text/template's messages (which name the type, "can't evaluate field Foo in
// type hostname.meshedName") and the printing of {{ . }} are the same.
type meshedName struct {
	Name        string
	DisplayName string
	Namespace   string
	Mesh        string
	Zone        string
}

// The stub values admission renders a template with.
const (
	stubName        = "name"
	stubDisplayName = "displayname"
	stubNamespace   = "namespace"
	stubMesh        = "mesh"
	stubZone        = "zone"
	stubLabel       = "label" // every label
)

// Compile parses text and checks it as admission does:
//
//   - an empty template fails ("must not be empty", [ErrEmptyTemplate]);
//   - a parse error fails ("couldn't parse template: ..."), which includes a
//     call to a function other than the builtins and label;
//   - the template is rendered with the stub values (.Name "name",
//     .DisplayName "displayname", .Namespace "namespace", .Mesh "mesh", .Zone
//     "zone", every label "label"); an execution error fails ("couldn't render
//     template with stub values: ..."), and so does a result that is not a
//     valid hostname ("template renders to %q which is not a valid DNS name:
//     ...").
//
// Every error is a *[TemplateError] with Admission set.
func Compile(text string) (*Template, error) {
	if text == "" {
		return nil, &TemplateError{Template: text, Stage: StageParse, Admission: true, Err: ErrEmptyTemplate}
	}
	t, err := parseTemplate(text)
	if err != nil {
		err.Admission = true
		return nil, err
	}
	if _, err := t.render(nil, true); err != nil {
		return nil, err
	}
	return t, nil
}

// parseTemplate is the runtime compilation, without the admission checks: what
// generation does with a stored generator.
func parseTemplate(text string) (*Template, *TemplateError) {
	tm := template.New("").Funcs(template.FuncMap{"label": labelSignature})
	if _, err := tm.Parse(text); err != nil {
		return nil, &TemplateError{Template: text, Stage: StageParse, Err: err}
	}
	t := &Template{text: text, tmpl: tm}
	t.segs, t.fast = plan(tm.Tree)
	t.framed = t.fast && framed(t.segs)
	for _, seg := range t.segs {
		switch seg.kind {
		case segText:
			t.textLen += len(seg.text)
			if k := len(t.prog) - 1; k >= 0 {
				t.prog[k].suffix = seg.text
			} else {
				t.prefix = seg.text
			}
		case segLabel:
			t.labels = true
		default:
			t.prog = append(t.prog, fieldStep{kind: seg.kind})
		}
	}
	instrument(tm)
	return t, nil
}

// labelSignature declares label for the parser; execution binds the real one.
func labelSignature(string) (string, error) { return "", nil }

// String returns the template text.
func (t *Template) String() string {
	if t == nil {
		return ""
	}
	return t.text
}

// Fast reports whether t renders by concatenation, without text/template.
func (t *Template) Fast() bool { return t != nil && t.fast }

// plan returns the concatenation plan of tree, or false when the tree uses
// anything beyond text, the five fields and label with a string literal.
func plan(tree *parse.Tree) ([]segment, bool) {
	if tree == nil || tree.Root == nil {
		return nil, false
	}
	segs := make([]segment, 0, len(tree.Root.Nodes))
	for _, n := range tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if k := len(segs) - 1; k >= 0 && segs[k].kind == segText {
				segs[k].text += string(n.Text)
			} else {
				segs = append(segs, segment{kind: segText, text: string(n.Text)})
			}
		case *parse.CommentNode:
		case *parse.ActionNode:
			seg, ok := planAction(n)
			if !ok {
				return nil, false
			}
			segs = append(segs, seg)
		default:
			return nil, false
		}
	}
	return segs, true
}

func planAction(n *parse.ActionNode) (segment, bool) {
	p := n.Pipe
	if p == nil || len(p.Decl) != 0 || len(p.Cmds) != 1 {
		return segment{}, false
	}
	args := p.Cmds[0].Args
	switch a := args[0].(type) {
	case *parse.FieldNode:
		if len(args) != 1 || len(a.Ident) != 1 {
			return segment{}, false
		}
		switch a.Ident[0] {
		case "Name":
			return segment{kind: segName}, true
		case "DisplayName":
			return segment{kind: segDisplayName}, true
		case "Namespace":
			return segment{kind: segNamespace}, true
		case "Mesh":
			return segment{kind: segMesh}, true
		case "Zone":
			return segment{kind: segZone}, true
		}
	case *parse.IdentifierNode:
		if a.Ident != "label" || len(args) != 2 {
			return segment{}, false
		}
		if key, ok := args[1].(*parse.StringNode); ok {
			return segment{kind: segLabel, text: key.Text}, true
		}
	}
	return segment{}, false
}

// framed reports whether segs isolate every value in a label of its own
// (see Template.framed).
func framed(segs []segment) bool {
	if len(segs) == 0 || len(segs) > maxFramed {
		return false
	}
	last := len(segs) - 1
	for j, seg := range segs {
		if seg.kind != segText {
			if j > 0 && segs[j-1].kind != segText || j < last && segs[j+1].kind != segText {
				return false // two values side by side
			}
			continue
		}
		labels := strings.Split(seg.text, ".")
		if j > 0 { // a value precedes: the text must start a new label
			if labels[0] != "" {
				return false
			}
			labels = labels[1:]
		}
		if j < last { // a value follows
			if len(labels) == 0 || labels[len(labels)-1] != "" {
				return false
			}
			labels = labels[:len(labels)-1]
		}
		for _, l := range labels {
			if !naming.IsDNS1123Label(l) {
				return false
			}
		}
	}
	return true
}

// maxFramed is the most segments a framed plan, and a plan with labels
// rendered in one pass, may have.
const maxFramed = 8

// value returns the text of seg for svc. ok is false for a missing label.
// With stub set, every label is "label".
func (seg *segment) value(svc *Service, stub bool) (v string, ok bool) {
	switch seg.kind {
	case segText:
		return seg.text, true
	case segName:
		return svc.Name, true
	case segDisplayName:
		return svc.DisplayName, true
	case segNamespace:
		return svc.Namespace, true
	case segMesh:
		return svc.Mesh, true
	case segZone:
		return svc.Zone, true
	}
	if stub {
		return stubLabel, true
	}
	v, ok = svc.Labels[seg.text]
	return v, ok
}

// Render renders t for svc and checks the result: it must be an RFC 1123
// subdomain of at most 253 bytes (the Kubernetes rule, with its messages) and
// every label must be at most 63 bytes, which the control plane this package
// follows did not check although DNS cannot resolve a longer label.
//
// The text is exactly what text/template gives for the same template and
// service, and Render fails where text/template fails, with its error, except
// that the limits of [ErrLimit] apply. Errors are *[TemplateError] at
// [StageExec] or [StageHostname], with the runtime messages of the control
// plane. Render of a [Template.Fast] template allocates only the result.
func (t *Template) Render(svc Service) (string, error) {
	if t == nil || t.tmpl == nil {
		return "", &TemplateError{Stage: StageParse, Err: errors.New("hostname: template is not compiled")}
	}
	if t.fast {
		// svc must not escape on this path: only the result is allocated.
		if out, valid, ok := t.concat(&svc, false); ok {
			if valid {
				return out, nil
			}
			return t.check(out, false)
		}
	}
	slow := svc
	return t.slow(&slow, false)
}

// render renders for svc, or with the stub values when svc is nil.
func (t *Template) render(svc *Service, stub bool) (string, error) {
	if stub {
		svc = &Service{Name: stubName, DisplayName: stubDisplayName, Namespace: stubNamespace, Mesh: stubMesh, Zone: stubZone}
	}
	if t.fast {
		if out, valid, ok := t.concat(svc, stub); ok {
			if valid {
				return out, nil
			}
			return t.check(out, stub)
		}
	}
	if stub {
		svc = nil
	}
	return t.slow(svc, stub)
}

// slow renders through text/template.
func (t *Template) slow(svc *Service, stub bool) (string, error) {
	out, err := t.execute(svc)
	if err != nil {
		return "", &TemplateError{Template: t.text, Stage: StageExec, Admission: stub, Err: err}
	}
	return t.check(out, stub)
}

// check returns out if it is a valid hostname.
func (t *Template) check(out string, stub bool) (string, error) {
	if v := hostnameViolations(out); v != nil {
		return "", &TemplateError{Template: t.text, Stage: StageHostname, Admission: stub, Hostname: out, Violations: v, Err: ErrInvalidHostname}
	}
	return out, nil
}

// concat renders the plan in one allocation. ok is false for a missing label
// or an oversized result, for execute to give text/template's answer. valid
// is true when the result is known to be a valid hostname without scanning
// it: the template is framed, every value is an RFC 1123 label, and the whole
// is at most 253 bytes.
func (t *Template) concat(svc *Service, stub bool) (out string, valid, ok bool) {
	if !t.labels {
		return t.concatFields(svc)
	}
	return t.concatLabels(svc, stub)
}

// concatLabels is concat for plans that call label. Label values are kept in
// a local array (no write barriers) to be looked up once.
func (t *Template) concatLabels(svc *Service, stub bool) (out string, valid, ok bool) {
	if len(t.segs) > maxFramed {
		out, ok = t.concatLong(svc, stub)
		return out, false, ok
	}
	// Fields by kind, through pointers (see concatFields).
	var fields [8]*string
	fields[segName] = &svc.Name
	fields[segDisplayName] = &svc.DisplayName
	fields[segNamespace] = &svc.Namespace
	fields[segMesh] = &svc.Mesh
	fields[segZone] = &svc.Zone
	var labels [maxFramed]string
	n := 0
	valid = t.framed
	for i := range t.segs {
		seg := &t.segs[i]
		switch seg.kind {
		case segText:
			n += len(seg.text)
			continue
		case segLabel:
			v := stubLabel
			if !stub {
				if v, ok = svc.Labels[seg.text]; !ok {
					return "", false, false
				}
			}
			labels[i] = v
			n += len(v)
			valid = valid && naming.IsDNS1123Label(v)
		default:
			v := *fields[seg.kind&7]
			n += len(v)
			valid = valid && naming.IsDNS1123Label(v)
		}
	}
	if n > MaxOutput {
		return "", false, false
	}
	valid = valid && n <= naming.MaxSubdomainLength
	if n <= smallOutput {
		// Build on the stack; the conversion is the one allocation.
		var buf [smallOutput]byte
		b := buf[:0]
		for i := range t.segs {
			seg := &t.segs[i]
			switch seg.kind {
			case segText:
				b = append(b, seg.text...)
			case segLabel:
				b = append(b, labels[i]...)
			default:
				b = append(b, *fields[seg.kind&7]...)
			}
		}
		return string(b), valid, true
	}
	var b strings.Builder
	b.Grow(n)
	for i := range t.segs {
		seg := &t.segs[i]
		switch seg.kind {
		case segText:
			b.WriteString(seg.text)
		case segLabel:
			b.WriteString(labels[i])
		default:
			b.WriteString(*fields[seg.kind&7])
		}
	}
	return b.String(), valid, true
}

// concatFields is concat for plans without labels. The length of the
// literals is known; only the fields are measured.
func (t *Template) concatFields(svc *Service) (out string, valid, ok bool) {
	// Fields by kind, through pointers: no switch, as the kinds of a plan
	// alternate, which branches predict badly. The array is filled in
	// place, element by element: one built elsewhere and copied here would
	// be read back before its stores complete. Kinds other than fields stay
	// nil and are never read.
	var fields [8]*string
	fields[segName] = &svc.Name
	fields[segDisplayName] = &svc.DisplayName
	fields[segNamespace] = &svc.Namespace
	fields[segMesh] = &svc.Mesh
	fields[segZone] = &svc.Zone
	n := t.textLen
	valid = t.framed
	for _, f := range t.prog {
		v := *fields[f.kind&7]
		n += len(v)
		valid = valid && naming.IsDNS1123Label(v)
	}
	if n > MaxOutput {
		return "", false, false
	}
	if n <= smallOutput {
		// Build on the stack; the conversion is the one allocation.
		var buf [smallOutput]byte
		b := append(buf[:0], t.prefix...)
		for _, f := range t.prog {
			b = append(b, *fields[f.kind&7]...)
			b = append(b, f.suffix...)
		}
		return string(b), valid && n <= naming.MaxSubdomainLength, true
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(t.prefix)
	for _, f := range t.prog {
		b.WriteString(*fields[f.kind&7])
		b.WriteString(f.suffix)
	}
	return b.String(), valid && n <= naming.MaxSubdomainLength, true
}

// smallOutput is the longest result built on the stack: every valid
// hostname fits.
const smallOutput = naming.MaxSubdomainLength

// concatLong is concatLabels for plans of more than maxFramed segments: it
// reads each value twice instead of keeping them, and does not vouch for the
// result.
func (t *Template) concatLong(svc *Service, stub bool) (string, bool) {
	n := 0
	for i := range t.segs {
		v, ok := t.segs[i].value(svc, stub)
		if !ok {
			return "", false
		}
		n += len(v)
	}
	if n > MaxOutput {
		return "", false
	}
	var b strings.Builder
	b.Grow(n)
	for i := range t.segs {
		v, _ := t.segs[i].value(svc, stub)
		b.WriteString(v)
	}
	return b.String(), true
}

// execute runs text/template with the limits. Its errors are text/template's
// (wrapping [LabelNotFoundError] or [ErrLimit] where they apply).
func (t *Template) execute(svc *Service) (out string, err error) {
	st := &execState{budget: execBudget, svc: svc}
	tm, err := t.tmpl.Clone()
	if err != nil {
		return "", err
	}
	tm.Funcs(st.funcs())
	data := meshedName{Name: stubName, DisplayName: stubDisplayName, Namespace: stubNamespace, Mesh: stubMesh, Zone: stubZone}
	if svc != nil {
		data = meshedName{Name: svc.Name, DisplayName: svc.DisplayName, Namespace: svc.Namespace, Mesh: svc.Mesh, Zone: svc.Zone}
	}
	w := &capWriter{}
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("hostname: template execution panicked: %v", r)
		}
	}()
	if err := tm.Execute(w, data); err != nil {
		return "", err
	}
	return string(w.buf), nil
}

// hostnameViolations returns nil when s is a valid hostname, else the
// reasons: the Kubernetes subdomain messages, then one per label longer than
// 63 bytes, naming it.
func hostnameViolations(s string) []string {
	if validHostname(s) {
		return nil
	}
	v := naming.DNS1123Subdomain.Check(s)
	for i, rest := 1, s; ; i++ {
		label, tail, more := strings.Cut(rest, ".")
		if len(label) > naming.MaxLabelLength {
			v = append(v, fmt.Sprintf("label %d (%q) %s", i, label, naming.MsgLabelTooLong))
		}
		if !more {
			break
		}
		rest = tail
	}
	if len(v) == 0 { // unreachable unless validHostname and naming disagree
		v = append(v, naming.MsgDNS1123SubdomainFormat)
	}
	return v
}

// validHostname reports whether s is an RFC 1123 subdomain of at most 253
// bytes whose labels are at most 63 bytes.
func validHostname(s string) bool {
	if !naming.IsDNS1123Subdomain(s) {
		return false
	}
	for {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return len(s) <= naming.MaxLabelLength
		}
		if i > naming.MaxLabelLength {
			return false
		}
		s = s[i+1:]
	}
}
