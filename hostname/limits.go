package hostname

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

// What a hostname template may use. text/template itself has no limits: a
// range over a large integer loops for as long as it says, a template can
// call itself until its depth limit with every call fanning out, and printf
// pads to a million bytes. No hostname needs any of that, so parsing refuses
// it ([ErrRefused]), at admission and when a stored generator is compiled for
// generation alike.
const (
	// maxNesting is how deep if and with may nest. An else-if chain counts
	// as one level.
	maxNesting = 3
	// maxNumberDigits is the most digits a printf width or precision may
	// have.
	maxNumberDigits = 3
)

// Why each construct is refused, as the error says it.
const (
	whyLoop    = "hostname templates do not loop"
	whyCall    = "hostname templates do not define or call templates"
	whyNesting = "hostname templates nest if and with at most 3 deep"
	whyFormat  = "a printf format is a string literal"
	whyNumber  = "printf widths and precisions are literal numbers of at most 3 digits"
)

// refusedError names a construct a hostname template may not use and where
// it is, in text/template's "template: :line:col: " form.
type refusedError struct {
	location string
	what     string
	why      string
}

func (e *refusedError) Error() string {
	return "template: " + e.location + ": " + e.what + " is refused: " + e.why
}

func (e *refusedError) Unwrap() error { return ErrRefused }

// refusal returns the first construct of text that hostname templates
// refuse, or nil. text must parse.
func refusal(text string) error {
	// Parsed again here because text/template's result hides a define of the
	// main template: {{ define "" }} around the whole text replaces it.
	main := parse.New("")
	main.Mode = parse.SkipFuncCheck
	set := map[string]*parse.Tree{}
	if _, err := main.Parse(text, "", "", set); err != nil {
		return err
	}
	r := refuser{tree: main}
	r.list(main.Root, 0)
	if r.err != nil {
		return r.err
	}
	var first *parse.Tree
	for _, tree := range set {
		if tree != main && (first == nil || tree.Root.Pos < first.Root.Pos) {
			first = tree
		}
	}
	if first != nil {
		r.tree = first
		r.refuse(first.Root, "define "+strconv.Quote(first.Name), whyCall)
	}
	return r.err
}

// refuser walks a parse tree and keeps the first refused construct.
type refuser struct {
	tree *parse.Tree
	err  error
}

func (r *refuser) refuse(n parse.Node, what, why string) {
	if r.err == nil {
		location, _ := r.tree.ErrorContext(n)
		r.err = &refusedError{location: location, what: what, why: why}
	}
}

func (r *refuser) list(l *parse.ListNode, depth int) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			r.pipe(n.Pipe)
		case *parse.IfNode:
			r.branch(n, &n.BranchNode, "if", depth)
		case *parse.WithNode:
			r.branch(n, &n.BranchNode, "with", depth)
		case *parse.RangeNode:
			r.refuse(n, "range", whyLoop)
		case *parse.TemplateNode:
			r.refuse(n, "template "+strconv.Quote(n.Name), whyCall)
		}
	}
}

func (r *refuser) branch(n parse.Node, b *parse.BranchNode, keyword string, depth int) {
	depth++
	if depth > maxNesting {
		r.refuse(n, keyword+" nested "+strconv.Itoa(depth)+" deep", whyNesting)
		return
	}
	r.pipe(b.Pipe)
	r.list(b.List, depth)
	if elseIf(b.ElseList) {
		depth-- // {{ else if }} continues the chain
	}
	r.list(b.ElseList, depth)
}

// elseIf reports whether l is the else branch of an else-if or else-with
// chain: a single if or with.
func elseIf(l *parse.ListNode) bool {
	if l == nil || len(l.Nodes) != 1 {
		return false
	}
	switch l.Nodes[0].(type) {
	case *parse.IfNode, *parse.WithNode:
		return true
	}
	return false
}

func (r *refuser) pipe(p *parse.PipeNode) {
	if p == nil {
		return
	}
	for _, c := range p.Cmds {
		if id, ok := c.Args[0].(*parse.IdentifierNode); ok && id.Ident == "printf" {
			r.printf(c)
		}
		for _, a := range c.Args {
			r.arg(a)
		}
	}
}

func (r *refuser) arg(n parse.Node) {
	switch n := n.(type) {
	case *parse.PipeNode:
		r.pipe(n)
	case *parse.ChainNode:
		r.arg(n.Node)
	}
}

func (r *refuser) printf(c *parse.CommandNode) {
	if len(c.Args) < 2 {
		r.refuse(c, "printf without a format", whyFormat)
		return
	}
	f, ok := c.Args[1].(*parse.StringNode)
	if !ok {
		r.refuse(c.Args[1], "printf format "+c.Args[1].String(), whyFormat)
		return
	}
	if what := wideNumber(f.Text); what != "" {
		r.refuse(f, "printf "+what+" in "+f.Quoted, whyNumber)
	}
}

// wideNumber returns the first width or precision of a printf format that
// comes from an argument (*) or has more than maxNumberDigits digits, as
// "width 1000" or "precision *", or "" when there is none. It follows fmt's
// grammar: %, flags, then width and precision, each optionally after an
// argument index ([n]).
func wideNumber(format string) string {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format) && strings.IndexByte("#0+- ", format[i]) >= 0; i++ {
		}
		for _, what := range [...]string{"width", "precision"} {
			if what == "precision" {
				if i >= len(format) || format[i] != '.' {
					break
				}
				i++
			}
			if i < len(format) && format[i] == '[' {
				if end := strings.IndexByte(format[i:], ']'); end >= 0 {
					i += end + 1
				}
			}
			if i < len(format) && format[i] == '*' {
				return what + " *"
			}
			j := i
			for j < len(format) && '0' <= format[j] && format[j] <= '9' {
				j++
			}
			if j-i > maxNumberDigits {
				return what + " " + format[i:j]
			}
			i = j
		}
		// format[i] is the verb, or an argument index before it; the loop
		// moves past it, so "%%" (a percent sign) starts no directive.
	}
	return ""
}

// The limits of one execution through text/template, for what a stored
// template can still do within what parsing admits: write a lot, and build
// large strings with the builtins, whose results may feed one another.
const (
	// maxFuncWork is the most bytes one call of a builtin that builds a
	// string (printf, print, println, html, js, urlquery) may build before
	// its result is checked against MaxOutput.
	maxFuncWork = 256 << 10
	// maxFuncOutput is the most bytes those builtins may return in all, in
	// one execution.
	maxFuncOutput = 1 << 20
)

// execute runs tmpl for svc with the limits. Its errors are text/template's
// (wrapping [LabelNotFoundError] or [ErrLimit] where they apply); a panic is
// returned as an error.
func execute(tmpl *template.Template, svc Service, label labelFunc) (out string, err error) {
	tm, err := tmpl.Clone()
	if err != nil {
		return "", err
	}
	b := &builtins{}
	tm.Funcs(b.funcs())
	tm.Funcs(template.FuncMap{"label": func(key string) (string, error) {
		v, ok := label(svc.Labels, key)
		if !ok {
			return "", &LabelNotFoundError{Key: key}
		}
		return v, nil
	}})
	w := &capWriter{}
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("hostname: template execution panicked: %v", r)
		}
	}()
	if err := tm.Execute(w, meshedName{Name: svc.Name, DisplayName: svc.DisplayName, Namespace: svc.Namespace, Mesh: svc.Mesh, Zone: svc.Zone}); err != nil {
		return "", err
	}
	return string(w.buf), nil
}

// capWriter collects a template's output up to MaxOutput bytes.
type capWriter struct{ buf []byte }

func (w *capWriter) Write(p []byte) (int, error) {
	if len(w.buf)+len(p) > MaxOutput {
		return 0, fmt.Errorf("%w: output exceeds %d bytes", ErrLimit, MaxOutput)
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// builtins replaces, for one execution, the builtins that build strings by
// bounded ones with the same signatures (plus an error result), so that
// arity and type errors read the same.
type builtins struct{ spent int }

func (b *builtins) funcs() template.FuncMap {
	return template.FuncMap{
		"printf": func(format string, args ...any) (string, error) {
			return b.build("printf", printfBound(format, args), func() string { return fmt.Sprintf(format, args...) })
		},
		"print": func(args ...any) (string, error) {
			return b.build("print", printBound(args), func() string { return fmt.Sprint(args...) })
		},
		"println": func(args ...any) (string, error) {
			return b.build("println", printBound(args), func() string { return fmt.Sprintln(args...) })
		},
		"html": func(args ...any) (string, error) {
			return b.build("html", escapeGrowth*printBound(args), func() string { return template.HTMLEscaper(args...) })
		},
		"js": func(args ...any) (string, error) {
			return b.build("js", escapeGrowth*printBound(args), func() string { return template.JSEscaper(args...) })
		},
		"urlquery": func(args ...any) (string, error) {
			return b.build("urlquery", escapeGrowth*printBound(args), func() string { return template.URLQueryEscaper(args...) })
		},
	}
}

// build runs f, whose result is at most bound bytes long, within the limits.
func (b *builtins) build(name string, bound int, f func() string) (string, error) {
	if bound > maxFuncWork {
		return "", fmt.Errorf("%w: %s could build up to %d bytes, more than %d", ErrLimit, name, bound, maxFuncWork)
	}
	s := f()
	if len(s) > MaxOutput {
		return "", fmt.Errorf("%w: %s result of %d bytes exceeds %d", ErrLimit, name, len(s), MaxOutput)
	}
	if b.spent += len(s); b.spent > maxFuncOutput {
		return "", fmt.Errorf("%w: builtins returned more than %d bytes", ErrLimit, maxFuncOutput)
	}
	return s, nil
}

// The escapers write at most 6 bytes per input byte (js "\u003C").
const escapeGrowth = 6

// argSize bounds the length of fmt's %v of a value a template can produce:
// strings, numbers, booleans, nil, and the data itself.
func argSize(a any) int {
	switch v := a.(type) {
	case string:
		return len(v)
	case meshedName:
		return len(v.Name) + len(v.DisplayName) + len(v.Namespace) + len(v.Mesh) + len(v.Zone) + 96
	case float32, float64:
		return 330 // %f of 1e308
	case complex64, complex128:
		return 660
	}
	return 32
}

func printBound(args []any) int {
	n := 16
	for _, a := range args {
		n += argSize(a) + 1
	}
	return n
}

// printfBound bounds the length of fmt.Sprintf(format, args...) for a format
// parsing admitted: each directive prints at most its width or precision
// (under 1000) plus ten times its argument (%q and % x expand bytes), and
// extra arguments are appended.
func printfBound(format string, args []any) int {
	maxArg, sumArg := 0, 0
	for _, a := range args {
		s := argSize(a)
		maxArg = max(maxArg, s)
		sumArg += s
	}
	directives := strings.Count(format, "%")
	return len(format) + directives*(10*maxArg+1000+64) + 2*sumArg + 32*len(args)
}
