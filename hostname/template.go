package hostname

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/meshcore/meshcore/internal/dnsclass"
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
	fast bool
	// framed is true when the plan's literals put every field and label
	// alone in a DNS label of its own, between dots or at an end, and the
	// literals' own labels are valid: then the output is a valid hostname
	// when each value is an RFC 1123 label and the whole fits 253 bytes.
	framed bool
	// prefix and steps are the concatenation plan when fast: the text
	// before the first value, then each value and the text after it.
	prefix string
	steps  []step
	labels bool // some step calls label
}

// step is one value of a concatenation plan and the literal text that
// follows it.
type step struct {
	kind   segKind
	key    string // the label key, for segLabel
	suffix string
	// words holds suffix as little-endian 8-byte words, zero-padded, when
	// it fits: the small path stores them whole instead of calling copy,
	// which costs more than the stores for these few bytes.
	words [suffixWords]uint64
}

// suffixWords is the number of 8-byte words a step's suffix may fill and
// still be stored whole.
const suffixWords = 4

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
	var segs []segment
	segs, t.fast = plan(tm.Tree)
	t.framed = t.fast && framed(segs)
	for _, seg := range segs {
		if seg.kind != segText {
			t.steps = append(t.steps, step{kind: seg.kind, key: seg.text})
			t.labels = t.labels || seg.kind == segLabel
			continue
		}
		k := len(t.steps) - 1
		if k < 0 {
			t.prefix = seg.text
			continue
		}
		st := &t.steps[k]
		st.suffix = seg.text
		if len(seg.text) <= 8*suffixWords {
			var b [8 * suffixWords]byte
			copy(b[:], seg.text)
			for w := range st.words {
				st.words[w] = binary.LittleEndian.Uint64(b[8*w:])
			}
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
	if len(segs) == 0 {
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

// value returns the value st inserts for svc. ok is false for a missing
// label. With stub set, every label is "label".
func (st *step) value(svc *Service, stub bool) (v string, ok bool) {
	switch st.kind {
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
	v, ok = svc.Labels[st.key]
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

// concat renders the plan in one allocation. ok is false for a missing
// label or a result over [MaxOutput], for execute to give text/template's
// answer. valid is true when the result is known to be a valid hostname
// without scanning it: the template is framed, every value is an RFC 1123
// label, and the whole is at most 253 bytes.
func (t *Template) concat(svc *Service, stub bool) (out string, valid, ok bool) {
	out, valid, res := t.concatSmall(svc, stub)
	switch res {
	case concatDone:
		return out, valid, true
	case concatMissing:
		return "", false, false
	}
	return t.concatLarge(svc, stub)
}

// concatResult says how concatSmall ended.
type concatResult uint8

const (
	concatDone    concatResult = iota
	concatMissing              // a label is missing
	concatTooLong              // the result does not fit the buffer
)

// smallBuf is the size of concatSmall's buffer: the hostnames of real
// templates, plus the slack that whole-word stores of a suffix need. Larger
// results take concatLarge.
const smallBuf = 128

// concatSmall builds the result on the stack and converts it, which is the
// one allocation. Each value is checked as it is copied, which reads it
// once; each short suffix is stored as whole words.
func (t *Template) concatSmall(svc *Service, stub bool) (out string, valid bool, res concatResult) {
	switch {
	case len(t.steps) == 0: // text only: the text is the result
		return t.prefix, t.framed && len(t.prefix) <= naming.MaxSubdomainLength, concatDone
	case t.labels:
		return t.concatSmallLabels(svc, stub)
	}
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
	var buf [smallBuf]byte
	if len(t.prefix) > len(buf) {
		return "", false, concatTooLong
	}
	j := copy(buf[:], t.prefix)
	valid = t.framed
	for i := range t.steps {
		st := &t.steps[i]
		v := *fields[st.kind&7]
		if len(v) > len(buf)-j {
			return "", false, concatTooLong
		}
		label := dnsclass.CopyLabel(buf[j:], v)
		valid = valid && label && len(v) <= naming.MaxLabelLength
		j += len(v)
		n, ok := st.putSuffix(buf[j:])
		if !ok {
			return "", false, concatTooLong
		}
		j += n
	}
	return string(buf[:j]), valid && j <= naming.MaxSubdomainLength, concatDone
}

// concatSmallLabels is concatSmall for plans that call label. It looks the
// values up first, so that the copying loop makes no call, which would make
// it keep its state in memory rather than registers.
func (t *Template) concatSmallLabels(svc *Service, stub bool) (out string, valid bool, res concatResult) {
	if len(t.steps) > maxSmallSteps {
		return "", false, concatTooLong
	}
	var vals [maxSmallSteps]string
	for i := range t.steps {
		v, found := t.steps[i].value(svc, stub)
		if !found {
			return "", false, concatMissing
		}
		vals[i] = v
	}
	var buf [smallBuf]byte
	if len(t.prefix) > len(buf) {
		return "", false, concatTooLong
	}
	j := copy(buf[:], t.prefix)
	valid = t.framed
	for i := range t.steps {
		v := vals[i%maxSmallSteps]
		if len(v) > len(buf)-j {
			return "", false, concatTooLong
		}
		label := dnsclass.CopyLabel(buf[j:], v)
		valid = valid && label && len(v) <= naming.MaxLabelLength
		j += len(v)
		n, ok := t.steps[i].putSuffix(buf[j:])
		if !ok {
			return "", false, concatTooLong
		}
		j += n
	}
	return string(buf[:j]), valid && j <= naming.MaxSubdomainLength, concatDone
}

// maxSmallSteps is the most values concatSmallLabels handles; longer plans
// go to concatLarge.
const maxSmallSteps = 8

// putSuffix writes st's suffix at the start of dst and returns its length;
// ok is false when dst is too short. A short suffix is stored as four whole
// words, so dst needs room for all of them.
func (st *step) putSuffix(dst []byte) (n int, ok bool) {
	if len(st.suffix) > 8*suffixWords {
		if len(st.suffix) > len(dst) {
			return 0, false
		}
		return copy(dst, st.suffix), true
	}
	if len(dst) < 8*suffixWords {
		return 0, false
	}
	w := dst[:8*suffixWords]
	binary.LittleEndian.PutUint64(w, st.words[0])
	binary.LittleEndian.PutUint64(w[8:], st.words[1])
	binary.LittleEndian.PutUint64(w[16:], st.words[2])
	binary.LittleEndian.PutUint64(w[24:], st.words[3])
	return len(st.suffix), true
}

// concatLarge is concat for results that do not fit concatSmall's buffer:
// it measures first, then writes into one allocation of the exact size.
func (t *Template) concatLarge(svc *Service, stub bool) (out string, valid, ok bool) {
	n := len(t.prefix)
	valid = t.framed
	for i := range t.steps {
		v, found := t.steps[i].value(svc, stub)
		if !found {
			return "", false, false
		}
		if n += len(v) + len(t.steps[i].suffix); n > MaxOutput {
			return "", false, false
		}
		valid = valid && naming.IsDNS1123Label(v)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(t.prefix)
	for i := range t.steps {
		v, _ := t.steps[i].value(svc, stub)
		b.WriteString(v)
		b.WriteString(t.steps[i].suffix)
	}
	return b.String(), valid && n <= naming.MaxSubdomainLength, true
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
