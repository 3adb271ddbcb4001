package hostname

import (
	"fmt"
	"strconv"
	"text/template"
	"text/template/parse"
)

// The limits of a text/template execution. text/template has none of its
// own: a range over a large integer loops for as long as it says, a template
// can call itself 100,000 levels deep, and printf can feed its output back
// into printf until memory runs out. Hostname templates need none of that.
const (
	// execBudget is the work one execution may do, in units of one parse
	// node entered (each entry into a list charges the nodes in it) or 64
	// bytes returned by a builtin.
	execBudget = 1 << 16
	// maxCalls is the most templates one execution may enter, counting the
	// main one, which also bounds the depth of recursion.
	maxCalls = 1000
	// maxFuncWork is the most bytes a builtin that formats (printf, print,
	// println, html, js, urlquery) may build before its result is checked
	// against MaxOutput.
	maxFuncWork = 256 << 10
)

// Names of the functions instrument inserts. The parser never sees them, so
// a template that names them fails to parse, as it would in text/template.
const (
	costFunc = "_hostname_cost"
	callFunc = "_hostname_call"
)

// instrument prepends to every list of every template in tm's set an action
// that charges the list's size to the execution budget: the root of each
// template through callFunc (which also counts the call), the bodies of if,
// with and range (once per iteration) through costFunc. The action prints
// nothing and changes no output, position or message; it only fails when the
// budget is spent.
func instrument(tm *template.Template) {
	seen := map[*parse.ListNode]bool{}
	for _, t := range tm.Templates() {
		if t.Tree != nil && t.Tree.Root != nil {
			instrumentList(t.Tree, t.Tree.Root, callFunc, seen)
		}
	}
}

func instrumentList(tr *parse.Tree, l *parse.ListNode, fn string, seen map[*parse.ListNode]bool) {
	if seen[l] {
		return
	}
	seen[l] = true
	weight := 1
	for _, n := range l.Nodes {
		weight += nodeWeight(n)
		var b *parse.BranchNode
		switch n := n.(type) {
		case *parse.IfNode:
			b = &n.BranchNode
		case *parse.WithNode:
			b = &n.BranchNode
		case *parse.RangeNode:
			b = &n.BranchNode
		}
		if b == nil {
			continue
		}
		if b.List == nil {
			b.List = &parse.ListNode{NodeType: parse.NodeList, Pos: b.Pos}
		}
		instrumentList(tr, b.List, costFunc, seen)
		if b.ElseList != nil {
			instrumentList(tr, b.ElseList, costFunc, seen)
		}
	}
	pos := l.Pos
	id := parse.NewIdentifier(fn).SetTree(tr).SetPos(pos)
	num := &parse.NumberNode{NodeType: parse.NodeNumber, Pos: pos, IsInt: true, Int64: int64(weight), Text: strconv.Itoa(weight)}
	cmd := &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos, Args: []parse.Node{id, num}}
	guard := &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Pos: pos, Cmds: []*parse.CommandNode{cmd}}}
	l.Nodes = append([]parse.Node{guard}, l.Nodes...)
}

// nodeWeight counts the parse nodes evaluated when n is, not counting the
// lists of if, with and range, which charge for themselves when entered.
func nodeWeight(n parse.Node) int {
	switch n := n.(type) {
	case *parse.ActionNode:
		return 1 + pipeWeight(n.Pipe)
	case *parse.IfNode:
		return 1 + pipeWeight(n.Pipe)
	case *parse.WithNode:
		return 1 + pipeWeight(n.Pipe)
	case *parse.RangeNode:
		return 1 + pipeWeight(n.Pipe)
	case *parse.TemplateNode:
		return 1 + pipeWeight(n.Pipe)
	case *parse.PipeNode:
		return pipeWeight(n)
	case *parse.ChainNode:
		return 1 + nodeWeight(n.Node)
	}
	return 1
}

func pipeWeight(p *parse.PipeNode) int {
	if p == nil {
		return 0
	}
	w := 1 + len(p.Decl)
	for _, c := range p.Cmds {
		w++
		for _, a := range c.Args {
			w += nodeWeight(a)
		}
	}
	return w
}

// execState is the per-execution state: the budget, and the service the
// label function reads (nil: the admission stub, every label "label").
type execState struct {
	budget int
	calls  int
	svc    *Service
}

// funcs binds label, the budget functions, and bounded replacements of the
// builtins that build strings. The replacements have the builtins'
// signatures (plus an error result), so arity and type errors read the same.
func (st *execState) funcs() template.FuncMap {
	return template.FuncMap{
		"label":    st.label,
		"printf":   st.printf,
		"print":    st.print,
		"println":  st.println,
		"html":     st.html,
		"js":       st.js,
		"urlquery": st.urlquery,
		costFunc:   st.cost,
		callFunc:   st.call,
	}
}

func (st *execState) label(key string) (string, error) {
	if st.svc == nil {
		return stubLabel, nil
	}
	v, ok := st.svc.Labels[key]
	if !ok {
		return "", &LabelNotFoundError{Key: key}
	}
	return v, nil
}

func (st *execState) charge(n int) error {
	st.budget -= n
	if st.budget < 0 {
		return fmt.Errorf("%w: execution budget of %d units spent", ErrLimit, execBudget)
	}
	return nil
}

func (st *execState) cost(n int) (string, error) { return "", st.charge(n) }

func (st *execState) call(n int) (string, error) {
	st.calls++
	if st.calls > maxCalls {
		return "", fmt.Errorf("%w: more than %d template calls", ErrLimit, maxCalls)
	}
	return "", st.charge(n)
}

// built checks the result of a builtin against MaxOutput and charges it.
func (st *execState) built(name, s string) (string, error) {
	if len(s) > MaxOutput {
		return "", fmt.Errorf("%w: %s result of %d bytes exceeds %d", ErrLimit, name, len(s), MaxOutput)
	}
	if err := st.charge(1 + len(s)/64); err != nil {
		return "", err
	}
	return s, nil
}

func tooMuchWork(name string, bound int) error {
	return fmt.Errorf("%w: %s could build up to %d bytes, more than %d", ErrLimit, name, bound, maxFuncWork)
}

func (st *execState) printf(format string, args ...any) (string, error) {
	if b := printfBound(format, args); b > maxFuncWork {
		return "", tooMuchWork("printf", b)
	}
	return st.built("printf", fmt.Sprintf(format, args...))
}

func (st *execState) print(args ...any) (string, error) {
	if b := printBound(args); b > maxFuncWork {
		return "", tooMuchWork("print", b)
	}
	return st.built("print", fmt.Sprint(args...))
}

func (st *execState) println(args ...any) (string, error) {
	if b := printBound(args); b > maxFuncWork {
		return "", tooMuchWork("println", b)
	}
	return st.built("println", fmt.Sprintln(args...))
}

// The escapers write at most 6 bytes per input byte (js "\u003C").
const escapeGrowth = 6

func (st *execState) html(args ...any) (string, error) {
	if b := escapeGrowth * printBound(args); b > maxFuncWork {
		return "", tooMuchWork("html", b)
	}
	return st.built("html", template.HTMLEscaper(args...))
}

func (st *execState) js(args ...any) (string, error) {
	if b := escapeGrowth * printBound(args); b > maxFuncWork {
		return "", tooMuchWork("js", b)
	}
	return st.built("js", template.JSEscaper(args...))
}

func (st *execState) urlquery(args ...any) (string, error) {
	if b := escapeGrowth * printBound(args); b > maxFuncWork {
		return "", tooMuchWork("urlquery", b)
	}
	return st.built("urlquery", template.URLQueryEscaper(args...))
}

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

// fmtMaxNum is the largest width or precision fmt honours; larger ones print
// %!(BADWIDTH) or %!(BADPREC).
const fmtMaxNum = 1e6

// printfBound bounds the length of fmt.Sprintf(format, args...) without
// formatting: each verb prints at most its width or precision plus ten times
// its argument (%q and % x expand bytes), and extra arguments are appended.
func printfBound(format string, args []any) int {
	maxArg, sumArg, star := 0, 0, 0
	for _, a := range args {
		s := argSize(a)
		maxArg = max(maxArg, s)
		sumArg += s
		if w, ok := intArg(a); ok && w <= fmtMaxNum {
			star = max(star, w)
		}
	}
	verbs, num, usesStar := scanFormat(format)
	if !usesStar {
		star = 0
	}
	return len(format) + verbs*(10*maxArg+num+star+64) + 2*sumArg + 32*len(args)
}

// intArg returns |a| for an integer a.
func intArg(a any) (int, bool) {
	var v int64
	switch x := a.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	case int32:
		v = int64(x)
	case int16:
		v = int64(x)
	case int8:
		v = int64(x)
	case uint8:
		v = int64(x)
	case uint16:
		v = int64(x)
	case uint32:
		v = int64(x)
	case uint, uint64, uintptr:
		return 0, false // widths must be int; fmt rejects these
	default:
		return 0, false
	}
	if v < 0 {
		v = -v
	}
	if v < 0 || v > fmtMaxNum {
		return 0, false
	}
	return int(v), true
}

// scanFormat counts the directives of a printf format and returns the largest
// literal width or precision fmt would honour, and whether any is '*'.
func scanFormat(f string) (verbs, maxNum int, star bool) {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		verbs++
	directive:
		for i++; i < len(f); i++ {
			c := f[i]
			switch {
			case c == '#' || c == '0' || c == '+' || c == '-' || c == ' ' || c == '.':
			case c == '*':
				star = true
			case c == '[':
				for i < len(f) && f[i] != ']' {
					i++
				}
			case c >= '1' && c <= '9':
				n := 0
				for ; i < len(f) && f[i] >= '0' && f[i] <= '9'; i++ {
					if n <= fmtMaxNum {
						n = n*10 + int(f[i]-'0')
					}
				}
				i--
				if n <= fmtMaxNum {
					maxNum = max(maxNum, n)
				}
			default:
				break directive // the verb
			}
		}
	}
	return verbs, maxNum, star
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
