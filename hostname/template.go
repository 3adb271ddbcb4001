package hostname

import (
	"errors"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/meshcore/meshcore/naming"
)

// MaxOutput is the most bytes a template may write, and the longest string
// any template function may return, while rendering. Beyond it rendering
// fails with [ErrLimit]. A hostname is at most 253 bytes, so no valid result
// is affected.
const MaxOutput = 4096

// Template is a compiled hostname template. It is safe for concurrent use.
//
// A template made only of text, the fields .Name, .DisplayName, .Namespace,
// .Mesh and .Zone, and label calls with a string literal (the shape of every
// real generator) renders from a plan made when it is compiled, in one
// allocation. Any other template runs through text/template with the limits
// described at [ErrLimit]. Both give the text text/template gives for the
// same template and service.
type Template struct {
	text string
	tmpl *template.Template // always set
	plan *plan              // nil when text/template renders
}

// plan is a template of text, fields and label calls with a literal key:
// prefix, then each part's value followed by its suffix.
type plan struct {
	prefix string
	parts  []part
	// framed is true when every value has a DNS label of its own and the
	// literal labels are valid: then the result is a hostname when every
	// value is an RFC 1123 label and the whole is at most 253 bytes, and
	// rendering checks only that.
	framed bool
}

type part struct {
	field  field
	key    string // the label key, for fieldLabel
	suffix string
}

// field says where a part's value comes from.
type field uint8

const (
	fieldName field = iota
	fieldDisplayName
	fieldNamespace
	fieldMesh
	fieldZone
	fieldLabel
)

// labelFunc is what the template function label reads from a service's
// labels: the label when rendering, the stub when admitting.
type labelFunc func(labels map[string]string, key string) (string, bool)

func serviceLabel(labels map[string]string, key string) (string, bool) {
	v, ok := labels[key]
	return v, ok
}

// stubLabel gives every label the admission stub value "label".
func stubLabel(map[string]string, string) (string, bool) { return "label", true }

// stubService is the service admission renders a template for.
func stubService() *Service {
	return &Service{Name: "name", DisplayName: "displayname", Namespace: "namespace", Mesh: "mesh", Zone: "zone"}
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

// Compile parses text and checks it as admission does:
//
//   - an empty template fails ("must not be empty", [ErrEmptyTemplate]);
//   - a parse error fails ("couldn't parse template: ..."), which includes a
//     call to a function other than the builtins and label, and a construct
//     no hostname needs ([ErrRefused]; see the package doc);
//   - the template is rendered for a stub service (.Name "name",
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
	if err == nil {
		_, err = t.render(stubService(), stubLabel)
	}
	if err != nil {
		err.Admission = true
		return nil, err
	}
	return t, nil
}

// parseTemplate is the compilation generation does with a stored generator:
// parse errors and refusals, without the stub render.
func parseTemplate(text string) (*Template, *TemplateError) {
	tm, err := template.New("").Funcs(template.FuncMap{"label": declaredLabel}).Parse(text)
	if err == nil {
		err = refusal(text)
	}
	if err != nil {
		return nil, &TemplateError{Template: text, Stage: StageParse, Err: err}
	}
	return &Template{text: text, tmpl: tm, plan: planOf(tm.Tree)}, nil
}

// declaredLabel declares label for the parser; execution binds the real one.
func declaredLabel(string) (string, error) { return "", nil }

// String returns the template text.
func (t *Template) String() string {
	if t == nil {
		return ""
	}
	return t.text
}

// planOf returns the plan of tree, or nil when the tree uses anything beyond
// text, the five fields and label with a string literal.
func planOf(tree *parse.Tree) *plan {
	if tree == nil || tree.Root == nil {
		return nil
	}
	p := &plan{}
	for _, n := range tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if k := len(p.parts) - 1; k >= 0 {
				p.parts[k].suffix += string(n.Text)
			} else {
				p.prefix += string(n.Text)
			}
		case *parse.CommentNode:
		case *parse.ActionNode:
			pt, ok := planAction(n)
			if !ok {
				return nil
			}
			p.parts = append(p.parts, pt)
		default:
			return nil
		}
	}
	p.framed = p.isFramed()
	return p
}

// isFramed reports whether the text of p gives every value a DNS label of
// its own and is made of valid labels itself.
func (p *plan) isFramed() bool {
	if len(p.parts) == 0 {
		return naming.IsHostname(p.prefix)
	}
	if !framing(p.prefix, false, true) {
		return false
	}
	for i, pt := range p.parts {
		if !framing(pt.suffix, true, i < len(p.parts)-1) {
			return false
		}
	}
	return true
}

// framing reports whether lit, text next to values (before one, after one,
// or both), leaves them labels of their own: empty at an end of the name, a
// single dot between two values, or else valid labels with a dot on each
// side that touches a value.
func framing(lit string, valueBefore, valueAfter bool) bool {
	switch lit {
	case "":
		return !valueBefore || !valueAfter
	case ".":
		return valueBefore && valueAfter
	}
	ok := true
	if valueBefore {
		lit, ok = strings.CutPrefix(lit, ".")
	}
	if ok && valueAfter {
		lit, ok = strings.CutSuffix(lit, ".")
	}
	return ok && naming.IsHostname(lit)
}

func planAction(n *parse.ActionNode) (part, bool) {
	p := n.Pipe
	if p == nil || len(p.Decl) != 0 || len(p.Cmds) != 1 {
		return part{}, false
	}
	args := p.Cmds[0].Args
	switch a := args[0].(type) {
	case *parse.FieldNode:
		if len(args) != 1 || len(a.Ident) != 1 {
			return part{}, false
		}
		switch a.Ident[0] {
		case "Name":
			return part{field: fieldName}, true
		case "DisplayName":
			return part{field: fieldDisplayName}, true
		case "Namespace":
			return part{field: fieldNamespace}, true
		case "Mesh":
			return part{field: fieldMesh}, true
		case "Zone":
			return part{field: fieldZone}, true
		}
	case *parse.IdentifierNode:
		if a.Ident != "label" || len(args) != 2 {
			return part{}, false
		}
		if key, ok := args[1].(*parse.StringNode); ok {
			return part{field: fieldLabel, key: key.Text}, true
		}
	}
	return part{}, false
}

// value returns what p inserts for svc; ok is false for a missing label.
func (p *part) value(svc *Service, label labelFunc) (string, bool) {
	switch p.field {
	case fieldName:
		return svc.Name, true
	case fieldDisplayName:
		return svc.DisplayName, true
	case fieldNamespace:
		return svc.Namespace, true
	case fieldMesh:
		return svc.Mesh, true
	case fieldZone:
		return svc.Zone, true
	}
	return label(svc.Labels, p.key)
}

// render writes p for svc into one allocation of the exact size. ok is false
// for a missing label or a result over [MaxOutput], where text/template gives
// the error. valid is true when the result is known to be a hostname: the
// plan is framed, every value is an RFC 1123 label and the whole is at most
// 253 bytes.
func (p *plan) render(svc *Service, label labelFunc) (out string, valid, ok bool) {
	n, valid := len(p.prefix), p.framed
	for i := range p.parts {
		v, ok := p.parts[i].value(svc, label)
		if !ok {
			return "", false, false
		}
		n += len(v) + len(p.parts[i].suffix)
		valid = valid && naming.IsDNS1123Label(v)
	}
	if n > MaxOutput {
		return "", false, false
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(p.prefix)
	for i := range p.parts {
		v, _ := p.parts[i].value(svc, label)
		b.WriteString(v)
		b.WriteString(p.parts[i].suffix)
	}
	return b.String(), valid && n <= naming.MaxSubdomainLength, true
}

// Render renders t for svc and checks the result with [naming.CheckHostname]:
// it must be an RFC 1123 subdomain of at most 253 bytes (the Kubernetes rule,
// with its messages) whose labels are each at most 63 bytes, which the
// control plane this package follows did not check although DNS cannot
// resolve a longer label.
//
// The text is exactly what text/template gives for the same template and
// service, and Render fails where text/template fails, with its error, except
// that the limits of [ErrLimit] apply. Errors are *[TemplateError] at
// [StageExec] or [StageHostname], with the runtime messages of the control
// plane. Rendering a template of text, fields and label calls with a string
// literal allocates only the result; when its text gives every value a DNS
// label of its own, the check reads only the values ([naming.IsDNS1123Label])
// unless one fails, which comes to the same.
func (t *Template) Render(svc Service) (string, error) {
	if t == nil || t.tmpl == nil {
		return "", &TemplateError{Stage: StageParse, Err: errors.New("hostname: template is not compiled")}
	}
	out, err := t.render(&svc, serviceLabel)
	if err != nil {
		return "", err
	}
	return out, nil
}

// render renders t for svc, by its plan when it has one and the plan can
// give the result, else through text/template, and checks the result.
func (t *Template) render(svc *Service, label labelFunc) (string, *TemplateError) {
	out, valid, ok := "", false, false
	if t.plan != nil {
		out, valid, ok = t.plan.render(svc, label)
	}
	if !ok {
		var err error
		if out, err = execute(t.tmpl, *svc, label); err != nil {
			return "", &TemplateError{Template: t.text, Stage: StageExec, Err: err}
		}
	}
	if valid {
		return out, nil
	}
	if v := naming.CheckHostname(out); v != nil {
		return "", &TemplateError{Template: t.text, Stage: StageHostname, Hostname: out, Violations: v, Err: ErrInvalidHostname}
	}
	return out, nil
}
