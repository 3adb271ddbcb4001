package hostname

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"text/template"

	"github.com/meshcore/meshcore/naming"
)

// oracleResult is what text/template does with a template and a service.
type oracleResult struct {
	out      string
	parseErr error
	execErr  error
	panicked any
}

// oracle is the reference: text/template with label, executed with the same
// data, without limits.
func oracle(text string, svc Service) (r oracleResult) {
	tm, err := template.New("").Funcs(template.FuncMap{
		"label": func(key string) (string, error) {
			v, ok := svc.Labels[key]
			if !ok {
				return "", fmt.Errorf("label %s not found", key)
			}
			return v, nil
		},
	}).Parse(text)
	if err != nil {
		return oracleResult{parseErr: err}
	}
	defer func() {
		if p := recover(); p != nil {
			r = oracleResult{panicked: p}
		}
	}()
	var b strings.Builder
	err = tm.Execute(&b, meshedName{Name: svc.Name, DisplayName: svc.DisplayName, Namespace: svc.Namespace, Mesh: svc.Mesh, Zone: svc.Zone})
	return oracleResult{out: b.String(), execErr: err}
}

// checkAgainstOracle asserts the differential property: same parse errors,
// except that parsing also refuses constructs (ErrRefused) text/template
// accepts; same hostname when both succeed; Render fails, with text/template's
// error, wherever text/template fails, and with ErrInvalidHostname wherever
// text/template's output is not a valid hostname. A template refused, or a
// Render that fails with ErrLimit, is not compared further: text/template
// may not finish.
func checkAgainstOracle(t *testing.T, text string, svc Service) {
	t.Helper()
	tp, perr := parseTemplate(text)
	if perr != nil {
		operr := oracle(text, svc).parseErr
		if errors.Is(perr, ErrRefused) {
			if operr != nil {
				t.Fatalf("%q: refused (%v), but text/template does not parse it: %v", text, perr, operr)
			}
			return
		}
		if operr == nil {
			t.Fatalf("%q: parse fails here (%v), not in text/template", text, perr)
		}
		if perr.Err.Error() != operr.Error() {
			t.Fatalf("%q: parse error %q, text/template %q", text, perr.Err, operr)
		}
		return
	}
	// Compile must not panic and must agree with parsing.
	if _, err := Compile(text); err != nil {
		var te *TemplateError
		if !errors.As(err, &te) || !te.Admission {
			t.Fatalf("%q: Compile error %v is not an admission TemplateError", text, err)
		}
	}

	got, err := tp.Render(svc)
	if errors.Is(err, ErrLimit) {
		return
	}
	o := oracle(text, svc)
	want, operr, oexec, opanic := o.out, o.parseErr, o.execErr, o.panicked
	if operr != nil {
		t.Fatalf("%q: parses here, not in text/template: %v", text, operr)
	}
	if opanic != nil {
		if err == nil || !strings.Contains(err.Error(), "panicked") {
			t.Fatalf("%q: text/template panicked (%v); Render gave %q, %v", text, opanic, got, err)
		}
		return
	}
	if err == nil {
		if oexec != nil {
			t.Fatalf("%q: Render gave %q, text/template failed: %v", text, got, oexec)
		}
		if got != want {
			t.Fatalf("%q: Render gave %q, text/template %q", text, got, want)
		}
		if !naming.IsHostname(got) {
			t.Fatalf("%q: Render accepted invalid hostname %q", text, got)
		}
		return
	}
	var te *TemplateError
	if !errors.As(err, &te) {
		t.Fatalf("%q: Render error %v is not a TemplateError", text, err)
	}
	switch te.Stage {
	case StageExec:
		if oexec == nil {
			t.Fatalf("%q: Render failed (%v), text/template gave %q", text, err, want)
		}
		if te.Err.Error() != oexec.Error() {
			t.Fatalf("%q: Render error %q, text/template %q", text, te.Err, oexec)
		}
	case StageHostname:
		if oexec != nil {
			t.Fatalf("%q: Render rendered %q, text/template failed: %v", text, te.Hostname, oexec)
		}
		if te.Hostname != want {
			t.Fatalf("%q: Render rendered %q, text/template %q", text, te.Hostname, want)
		}
		if naming.IsHostname(want) {
			t.Fatalf("%q: Render rejected valid hostname %q", text, want)
		}
	default:
		t.Fatalf("%q: Render error at stage %v: %v", text, te.Stage, err)
	}
}

func fuzzService(name, namespace string) Service {
	return Service{
		Kind: MeshService, Mesh: "default", Name: name, DisplayName: name, Namespace: namespace, Zone: "zone-1",
		Labels: map[string]string{"app": name, LabelNamespace: namespace, LabelZone: "zone-1"},
	}
}

var differentialTemplates = []string{
	"{{ .Name }}.{{ .Namespace }}.svc.cluster.local",
	"{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
	`{{ label "app" }}.{{ label "k8s.kuma.io/namespace" }}.mesh`,
	`{{ label "missing" }}.mesh`,
	`{{ label "app" "extra" }}`,
	`{{ label 1 }}`,
	`{{ label }}`,
	"{{- .Name -}} . {{- .Mesh }}",
	"{{ .Name.Foo }}", "{{ .Foo }}", "{{ $.Name }}.mesh", "{{ (.Name) }}.mesh", "{{ . }}",
	`{{ printf "%s.%s" .Name .Namespace }}`, `{{ printf }}`, `{{ printf 1 }}`, `{{ print .Name 1 2 }}`, `{{ println .Name }}`,
	`{{ html .Name }}`, `{{ js .Name }}`, `{{ urlquery .Name "/" }}`, `{{ printf "%v" . }}`, `{{ printf "%#v" . }}`,
	`{{ printf "%*d" 3 1 }}x`, `{{ printf "%[2]s%[1]s" "a" "b" }}`, `{{ printf "%!" }}`, `{{ printf "%.2f" 3.14159 }}`,
	`{{ if .Namespace }}{{ .Name }}.{{ .Namespace }}{{ else }}{{ .Name }}{{ end }}.mesh`,
	`{{ with .Namespace }}{{ . }}{{ end }}.mesh`, `{{ range 3 }}a{{ end }}`, `{{ range $i, $e := 3 }}{{ end }}`,
	`{{ range .Name }}{{ end }}`, `{{ define "x" }}{{ .Name }}{{ end }}{{ template "x" . }}.mesh`,
	`{{ template "nope" }}`, `{{ block "b" . }}{{ .Zone }}{{ end }}.mesh`, `{{ define "" }}{{ .Name }}{{ end }}`,
	`{{ index .Name 0 }}`, `{{ slice .Name 1 }}.mesh`, `{{ len .Name }}`, `{{ eq .Name "backend" }}`, `{{ call .Name }}`,
	`{{ and .Name .Namespace }}`, `{{ or "" .Zone }}`, `{{ not .Name }}`, `{{ $x := 1 }}{{ $x = "a" }}{{ $x }}`,
	"{{/* c */}}{{ .Name }}", "", "{{", "}}", "{{ .Name }", `{{ "a" }}`, "{{ nil }}", "{{ 1 | printf \"%d\" }}",
	"{{ .Name }}-{{ .Zone }}-{{ .Mesh }}-{{ .Namespace }}-{{ .Name }}.a.b",
	`{{ label "app" }}-{{ .Zone }}-{{ label "app" }}-{{ .Mesh }}-{{ label "app" }}.mesh`,
	`{{ label "app" }}.{{ .Namespace }}.{{ label "missing" }}`, "{{ .Name }}.{{ .Namespace }}", "x{{ .Name }}.{{ .Namespace }}-",
	`{{ range 2 }}{{ break }}{{ end }}x`, `{{ range 2 }}{{ continue }}{{ end }}x`, `{{ range $.Name }}{{ end }}`,
	// Planned shapes: a text-only template, short and long; a prefix; long
	// suffixes; many label calls; long results.
	"a.b.mesh", strings.Repeat("abcdefgh.", 30) + "mesh", "x.{{ .Name }}.{{ .Namespace }}",
	strings.Repeat("p.", 70) + "{{ .Name }}",
	"{{ .Name }}.a-literal-suffix-that-is-longer-than-32-bytes.example.com",
	"{{ .Name }}." + strings.Repeat("exactly-32-bytes-of-suffix-text", 1) + "x.{{ .Namespace }}",
	strings.Repeat(`{{ label "app" }}.`, 9) + "{{ .Zone }}",
	`{{ .Name }}.{{ .Namespace }}.{{ .Name }}.{{ .Namespace }}.svc.cluster.local`,
	// Around the labels of their own that let rendering check only the
	// values: empty labels, shared labels, and results over 253 bytes made
	// of valid labels.
	".{{ .Name }}", "{{ .Name }}.", "{{ .Name }}..{{ .Zone }}", "a-{{ .Name }}.mesh", "{{ .Name }}-.mesh",
	"{{ .Name }}.{{ .Name }}.{{ .Name }}.{{ .Name }}.{{ .Name }}", "{{ .Name }}.{{ .Name }}.{{ .Name }}.{{ .Name }}.x",
}

// TestRenderMatchesTextTemplate runs the differential check of FuzzRender on a
// fixed set of templates and services.
func TestRenderMatchesTextTemplate(t *testing.T) {
	svcs := []Service{
		fuzzService("backend", "kuma-demo"),
		fuzzService("backend", ""),
		fuzzService("Backend", "x_y"),
		fuzzService("", ""),
		fuzzService(strings.Repeat("a", 64), "ns"),
		fuzzService(strings.Repeat("b", 63), strings.Repeat("c", 30)),
		fuzzService(strings.Repeat("d", 100), "ns"),
		fuzzService("backend", strings.Repeat("e", 63)),
	}
	for _, text := range differentialTemplates {
		for _, svc := range svcs {
			checkAgainstOracle(t, text, svc)
		}
	}
}

// FuzzRender checks Render against text/template on arbitrary templates and
// services.
func FuzzRender(f *testing.F) {
	for _, text := range differentialTemplates {
		f.Add(text, "backend", "kuma-demo")
	}
	f.Add(`{{ range 100000000 }}{{ end }}x`, "a", "b")
	f.Add(`{{ printf "%0999999d" 1 }}`, "a", "b")
	f.Add(`{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}`, "a", "b")
	f.Fuzz(func(t *testing.T, text, name, namespace string) {
		if len(text) > 1024 {
			// Longer templates add nothing the short ones do not reach (output
			// is capped by range and by long names), and the fuzzer spends
			// minutes minimizing them.
			return
		}
		checkAgainstOracle(t, text, fuzzService(name, namespace))
	})
}
