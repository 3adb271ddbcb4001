package hostname

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/naming"
)

// kubeService is a local Kubernetes MeshService as a zone control plane
// stores it: core name "backend.kuma-demo", object name in the name
// extension.
func kubeService() Service {
	return ServiceFromLabels(MeshService, "default", "backend.kuma-demo", map[string]string{
		LabelName:        "backend",
		LabelDisplayName: "backend",
		LabelNamespace:   "kuma-demo",
		LabelOrigin:      "zone",
		LabelEnv:         "kubernetes",
		LabelHeadless:    "false",
		LabelMesh:        "default",
		"app":            "web",
	}, "zone-1")
}

func subdomainMsg(host string) string {
	return `generated hostname "` + host + `" is not a valid DNS name: ` + naming.MsgDNS1123SubdomainFormat
}

func TestRender(t *testing.T) {
	svc := kubeService()
	noNamespace := svc
	noNamespace.Namespace = ""
	noApp := svc
	noApp.Labels = map[string]string{}

	label62 := strings.Repeat("a", 62)
	label64 := strings.Repeat("b", 64)
	host250 := strings.Join([]string{label62, label62, label62, strings.Repeat("c", 61)}, ".")
	host254 := strings.Join([]string{label62, label62, label62, strings.Repeat("c", 65)}, ".")
	require.Len(t, host250, 250)
	require.Len(t, host254, 254)
	long := func(name string) Service { s := svc; s.Name = name; return s }

	tests := []struct {
		name     string
		template string
		svc      Service
		planned  bool // text, fields and label calls only: one allocation
		want     string
		stage    Stage  // 0: success
		message  string // TemplateError.Message
	}{
		{
			name: "kubernetes service", template: "{{ .Name }}.{{ .Namespace }}.svc.cluster.local", svc: svc, planned: true,
			want: "backend.kuma-demo.svc.cluster.local",
		},
		{
			name: "missing namespace", template: "{{ .Name }}.{{ .Namespace }}.svc.cluster.local", svc: noNamespace, planned: true,
			stage: StageHostname, message: subdomainMsg("backend..svc.cluster.local"),
		},
		{
			name: "label present", template: `{{ label "app" }}.mesh`, svc: svc, planned: true,
			want: "web.mesh",
		},
		{
			name: "label absent", template: `{{ label "app" }}.mesh`, svc: noApp, planned: true,
			stage:   StageExec,
			message: `pre evaluation of template with parameters failed with error="template: :1:3: executing \"\" at <label \"app\">: error calling label: label app not found"`,
		},
		{
			name: "all fields, trimmed", template: "{{- .DisplayName -}} . {{- .Namespace }}.{{ .Mesh }}.{{ .Zone }}", svc: svc, planned: true,
			want: "backend.kuma-demo.default.zone-1",
		},
		{
			name: "upper case literal", template: "Backend.Mesh", svc: svc, planned: true,
			stage: StageHostname, message: subdomainMsg("Backend.Mesh"),
		},
		{
			name: "underscore", template: "my_svc.mesh", svc: svc, planned: true,
			stage: StageHostname, message: subdomainMsg("my_svc.mesh"),
		},
		{
			name: "250 bytes", template: "{{ .Name }}", svc: long(host250), planned: true,
			want: host250,
		},
		{
			name: "254 bytes", template: "{{ .Name }}", svc: long(host254), planned: true,
			stage: StageHostname,
			message: `generated hostname "` + host254 + `" is not a valid DNS name: ` + naming.MsgSubdomainTooLong +
				`, label 4 ("` + strings.Repeat("c", 65) + `") must be no more than 63 characters`,
		},
		{
			name: "64-byte label", template: "{{ .Name }}.mesh", svc: long(label64), planned: true,
			stage:   StageHostname,
			message: `generated hostname "` + label64 + `.mesh" is not a valid DNS name: label 1 ("` + label64 + `") must be no more than 63 characters`,
		},
		{
			name: "63-byte label", template: "x.{{ .Name }}", svc: long(label62 + "a"), planned: true,
			want: "x." + label62 + "a",
		},
		{
			name: "dotted value", template: "{{ .Name }}.{{ .Namespace }}.svc.cluster.local", svc: func() Service { s := svc; s.Namespace = "a.b"; return s }(), planned: true,
			want: "backend.a.b.svc.cluster.local",
		},
		{
			name: "values side by side", template: "{{ .Name }}{{ .Namespace }}.mesh", svc: svc, planned: true,
			want: "backendkuma-demo.mesh",
		},
		{
			name: "value inside a label", template: "x-{{ .Name }}-y.mesh", svc: svc, planned: true,
			want: "x-backend-y.mesh",
		},
		{
			name: "value ending in a dash", template: "{{ .Name }}.mesh", svc: long("backend-"), planned: true,
			stage: StageHostname, message: subdomainMsg("backend-.mesh"),
		},
		{
			name: "value ending in a dash, inside a label", template: "{{ .Name }}x.mesh", svc: long("backend-"), planned: true,
			want: "backend-x.mesh",
		},
		{
			name: "long plan of fields", template: "{{ .Name }}-{{ .Zone }}-{{ .Mesh }}-{{ .Namespace }}-{{ .Name }}.a.b", svc: svc, planned: true,
			want: "backend-zone-1-default-kuma-demo-backend.a.b",
		},
		{
			name: "long plan with labels", template: `{{ label "app" }}-{{ .Zone }}-{{ label "app" }}-{{ .Mesh }}-{{ label "app" }}.mesh`, svc: svc, planned: true,
			want: "web-zone-1-web-default-web.mesh",
		},
		{
			name: "long plan with a missing label", template: `{{ label "app" }}-{{ .Zone }}-{{ label "app" }}-{{ .Mesh }}-{{ label "app" }}.mesh`, svc: noApp, planned: true,
			stage:   StageExec,
			message: `pre evaluation of template with parameters failed with error="template: :1:3: executing \"\" at <label \"app\">: error calling label: label app not found"`,
		},
		{
			name: "unknown field", template: "{{ .Foo }}", svc: svc,
			stage:   StageExec,
			message: `pre evaluation of template with parameters failed with error="template: :1:3: executing \"\" at <.Foo>: can't evaluate field Foo in type hostname.meshedName"`,
		},
		{
			name: "printf", template: `{{ printf "%s-%s.mesh" .Name .Namespace }}`, svc: svc,
			want: "backend-kuma-demo.mesh",
		},
		{
			name: "pipeline and builtins", template: `{{ if eq .Namespace "kuma-demo" }}{{ .Name | printf "%.4s" }}{{ end }}.mesh`, svc: svc,
			want: "back.mesh",
		},
		{
			name: "variable", template: `{{ $n := .Name }}{{ $n }}.mesh`, svc: svc,
			want: "backend.mesh",
		},
		{
			name: "label from a variable", template: `{{ $k := "app" }}{{ label $k }}.mesh`, svc: svc,
			want: "web.mesh",
		},
		{
			name: "dot prints the reference struct", template: "{{ . }}", svc: svc,
			stage: StageHostname, message: subdomainMsg("{backend backend kuma-demo default zone-1}"),
		},
		{
			name: "empty", template: "", svc: svc, planned: true,
			stage: StageHostname, message: subdomainMsg(""),
		},
		{
			name: "comment only", template: "{{/* nothing */}}", svc: svc, planned: true,
			stage: StageHostname, message: subdomainMsg(""),
		},
		{
			name: "planned, over MaxOutput", template: "{{ .Name }}.mesh", svc: long(strings.Repeat("n", MaxOutput)), planned: true,
			stage:   StageExec,
			message: `pre evaluation of template with parameters failed with error="hostname: template exceeds rendering limits: output exceeds 4096 bytes"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, perr := parseTemplate(tt.template)
			require.Nil(t, perr)
			got, err := tp.Render(tt.svc)
			if tt.stage == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				allocs := testing.AllocsPerRun(10, func() { _, _ = tp.Render(tt.svc) })
				if tt.planned {
					assert.LessOrEqual(t, allocs, 1.0, "a planned template allocates only its result")
				} else {
					assert.Greater(t, allocs, 1.0, "text/template renders")
				}
				return
			}
			require.Error(t, err)
			assert.Empty(t, got)
			var te *TemplateError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.stage, te.Stage)
			assert.False(t, te.Admission)
			assert.Equal(t, tt.template, te.Template)
			assert.Equal(t, tt.message, te.Message())
			assert.Equal(t, "hostname: spec.template: "+tt.message, err.Error())
			if tt.stage == StageHostname {
				assert.ErrorIs(t, err, ErrInvalidHostname)
			}
		})
	}
}

func TestRenderLabelNotFoundIsTyped(t *testing.T) {
	tp, err := Compile(`{{ label "app" }}.mesh`)
	require.NoError(t, err)
	_, err = tp.Render(Service{Name: "x"})
	var lnf *LabelNotFoundError
	require.ErrorAs(t, err, &lnf)
	assert.Equal(t, "app", lnf.Key)
	assert.Equal(t, "label app not found", lnf.Error())
}

func TestRenderNilTemplate(t *testing.T) {
	var tp *Template
	_, err := tp.Render(kubeService())
	require.Error(t, err)
	_, err = (&Template{}).Render(kubeService())
	require.Error(t, err)
	assert.Empty(t, tp.String())
}

func TestCompile(t *testing.T) {
	tests := []struct {
		name     string
		template string
		stage    Stage // 0: accepted
		message  string
		is       error
	}{
		{name: "empty", template: "", stage: StageParse, message: "must not be empty", is: ErrEmptyTemplate},
		{name: "parse error", template: "{{ .Name ", stage: StageParse, message: "couldn't parse template: template: :1: unclosed action"},
		{name: "unknown function", template: "{{ foo }}.mesh", stage: StageParse, message: `couldn't parse template: template: :1: function "foo" not defined`},
		{
			name: "refused construct", template: "{{ range 3 }}a{{ end }}.mesh", stage: StageParse, is: ErrRefused,
			message: "couldn't parse template: template: :1:9: range is refused: hostname templates do not loop",
		},
		{
			name: "stub render fails", template: "{{ .Foo }}.mesh", stage: StageExec,
			message: `couldn't render template with stub values: template: :1:3: executing "" at <.Foo>: can't evaluate field Foo in type hostname.meshedName`,
		},
		{
			name: "stub render invalid", template: "{{ .Name }}_x", stage: StageHostname, is: ErrInvalidHostname,
			message: `template renders to "name_x" which is not a valid DNS name: ` + naming.MsgDNS1123SubdomainFormat,
		},
		{
			name: "stub label too long", template: "{{ .Name }}" + strings.Repeat("x", 60) + ".mesh", stage: StageHostname,
			message: `template renders to "name` + strings.Repeat("x", 60) + `.mesh" which is not a valid DNS name: label 1 ("name` + strings.Repeat("x", 60) + `") must be no more than 63 characters`,
		},
		{name: "fields", template: "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local"},
		{name: "any label", template: `{{ label "statefulset.kubernetes.io/pod-name" }}.{{ label "k8s.kuma.io/service-name" }}.mesh`},
		{name: "builtins", template: `{{ printf "%s" .Mesh | urlquery }}.{{ len .Name }}.mesh`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Compile(tt.template)
			if tt.stage == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.template, tp.String())
				return
			}
			require.Error(t, err)
			assert.Nil(t, tp)
			var te *TemplateError
			require.ErrorAs(t, err, &te)
			assert.True(t, te.Admission)
			assert.Equal(t, tt.stage, te.Stage)
			assert.Equal(t, tt.message, te.Message())
			assert.Equal(t, "hostname: spec.template: "+tt.message, err.Error())
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestRuntimeParseMessage(t *testing.T) {
	_, perr := parseTemplate("{{ foo }}")
	require.NotNil(t, perr)
	assert.Equal(t, `failed compiling gotemplate error="template: :1: function \"foo\" not defined"`, perr.Message())
	perr.Generator = "gen"
	assert.Equal(t, `hostname: generator "gen": spec.template: failed compiling gotemplate error="template: :1: function \"foo\" not defined"`, perr.Error())
}

// TestRefused: constructs no hostname needs fail to parse, at admission and
// when generation compiles a stored generator, naming what is refused and
// where; their near neighbours parse.
func TestRefused(t *testing.T) {
	ifs := func(n int) string { return strings.Repeat("{{ if .Name }}", n) + "x" + strings.Repeat("{{ end }}", n) }
	tests := []struct {
		name     string
		template string
		err      string // the parse error; empty: parses
	}{
		{"range", "{{ range 3 }}a{{ end }}.mesh", "template: :1:9: range is refused: hostname templates do not loop"},
		{"range with break", "{{ range 100000000000 }}a{{ break }}{{ end }}.mesh", "template: :1:9: range is refused: hostname templates do not loop"},
		{"range inside if", "x{{ if .Name }}{{ range .Name }}{{ end }}{{ end }}", "template: :1:24: range is refused: hostname templates do not loop"},
		{"range in an else branch", "{{ if .Name }}x{{ else }}{{ range 2 }}{{ end }}{{ end }}", "template: :1:34: range is refused: hostname templates do not loop"},
		{"template call", `{{ template "nope" }}`, `template: :1:12: template "nope" is refused: hostname templates do not define or call templates`},
		{"block", `{{ block "b" . }}{{ .Zone }}{{ end }}.mesh`, `template: :1:9: template "b" is refused: hostname templates do not define or call templates`},
		{"recursion", `{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}`, `template: :1:57: template "r" is refused: hostname templates do not define or call templates`},
		{"define", `{{ define "x" }}{{ .Name }}{{ end }}{{ .Name }}.mesh`, `template: :1:16: define "x" is refused: hostname templates do not define or call templates`},
		{"first of two defines", `{{ define "b" }}b{{ end }}{{ define "a" }}a{{ end }}x`, `template: :1:16: define "b" is refused: hostname templates do not define or call templates`},
		{"define of the main template", `{{ define "" }}{{ .Name }}.mesh{{ end }}`, `template: :1:15: define "" is refused: hostname templates do not define or call templates`},
		{"if nested 4 deep", ifs(4), "template: :1:48: if nested 4 deep is refused: hostname templates nest if and with at most 3 deep"},
		{"with in ifs", ifs(3)[:42] + "{{ with .Zone }}{{ . }}{{ end }}" + ifs(3)[42:], "template: :1:50: with nested 4 deep is refused: hostname templates nest if and with at most 3 deep"},
		{"if nested 3 deep", ifs(3), ""},
		{"long else-if chain", "{{ if .A }}a{{ else if .B }}b{{ else if .C }}c{{ else if .D }}d{{ else }}f{{ end }}", ""},
		{"long else-with chain", "{{ with .A }}a{{ else with .B }}b{{ else with .C }}c{{ else with .D }}d{{ end }}", ""},
		{"an if alone in an else continues the chain", ifs(2)[:28] + "{{ if .A }}a{{ else }}{{ if .B }}b{{ else }}c{{ end }}{{ end }}" + ifs(2)[28:], ""},
		{"printf width", `{{ printf "%0999999d" 1 }}`, `template: :1:10: printf width 999999 in "%0999999d" is refused: printf widths and precisions are literal numbers of at most 3 digits`},
		{"printf width of 4 digits", `{{ printf "%1000s" .Name }}`, `template: :1:10: printf width 1000 in "%1000s" is refused: printf widths and precisions are literal numbers of at most 3 digits`},
		{"printf precision", `{{ printf "%.1000f" 1.0 }}`, `template: :1:10: printf precision 1000 in "%.1000f" is refused: printf widths and precisions are literal numbers of at most 3 digits`},
		{"printf star width", `{{ printf "%*d" 999999 1 }}`, `template: :1:10: printf width * in "%*d" is refused: printf widths and precisions are literal numbers of at most 3 digits`},
		{"printf star precision after an index", `{{ printf "%[2].[1]*f" 3 1.0 }}`, `template: :1:10: printf precision * in "%[2].[1]*f" is refused: printf widths and precisions are literal numbers of at most 3 digits`},
		{"printf in a parenthesized argument", `{{ len (printf "x%-01000d" 1) }}`, `template: :1:15: printf width 1000 in "x%-01000d" is refused: printf widths and precisions are literal numbers of at most 3 digits`},
		{"printf in an if", `{{ if printf "%1000d" 1 }}x{{ end }}`, `template: :1:13: printf width 1000 in "%1000d" is refused: printf widths and precisions are literal numbers of at most 3 digits`},
		{"printf with a computed format", `{{ printf .Name }}`, "template: :1:10: printf format .Name is refused: a printf format is a string literal"},
		{"printf with a piped format", `{{ "%d" | printf }}`, "template: :1:10: printf without a format is refused: a printf format is a string literal"},
		{"printf widths of 3 digits", `{{ printf "%0999d.%.999f%[1]999s" 1 1.0 }}`, ""},
		{"a percent sign, then digits", `{{ printf "%%1000d" }}`, ""},
		{"variables and builtins", `{{ $n := .Name }}{{ $n | printf "%s" | urlquery }}.{{ len .Name }}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, perr := parseTemplate(tt.template)
			if tt.err == "" {
				require.Nil(t, perr)
				return
			}
			require.NotNil(t, perr)
			assert.ErrorIs(t, perr, ErrRefused)
			assert.Equal(t, StageParse, perr.Stage)
			assert.Equal(t, tt.err, perr.Err.Error())
			assert.Equal(t, "failed compiling gotemplate error="+strconv.Quote(tt.err), perr.Message())

			_, err := Compile(tt.template)
			var te *TemplateError
			require.ErrorAs(t, err, &te)
			assert.True(t, te.Admission)
			assert.Equal(t, "couldn't parse template: "+tt.err, te.Message())
		})
	}
}

// TestLimits: what parsing admits but could still build large strings fails
// with ErrLimit, and what stays within the limits renders.
func TestLimits(t *testing.T) {
	svc := kubeService()
	const k4 = `{{ $a := printf "%0999d%0999d%0999d%0999d" 1 2 3 4 }}` // 3,996 bytes
	hostile := map[string]string{
		"output over MaxOutput":   strings.Repeat("{{ .Name }}", 600),
		"print doubling":          `{{ $a := "xxxxxxxxxxxxxxxx" }}` + strings.Repeat(`{{ $a = print $a $a }}`, 20) + `{{ len $a }}`,
		"println doubling":        `{{ $a := "x" }}` + strings.Repeat(`{{ $a = println $a $a }}`, 30) + `{{ len $a }}`,
		"js growth":               `{{ $a := "<<<<<<<<<<<<<<<<" }}` + strings.Repeat(`{{ $a = js $a }}`, 20) + `{{ len $a }}`,
		"nested js":               "{{ len (js " + strings.Repeat("(js ", 30) + `"<"` + strings.Repeat(")", 30) + ") }}",
		"printf of many values":   k4 + `{{ len (printf "%q%q%q%q%q%q%q" $a $a $a $a $a $a $a) }}`,
		"html of many values":     k4 + `{{ len (html $a $a $a $a $a $a $a $a $a $a $a $a) }}`,
		"urlquery of many values": k4 + `{{ len (urlquery $a $a $a $a $a $a $a $a $a $a $a $a) }}`,
		"builtins output in all":  k4 + strings.Repeat(`{{ $a = print $a }}`, 300) + "x",
		"big intermediate value":  `{{ len (printf "%0999d%0999d%0999d%0999d%0999d" 1 2 3 4 5) }}.mesh`,
	}
	for name, text := range hostile {
		t.Run(name, func(t *testing.T) {
			tp, perr := parseTemplate(text)
			require.Nil(t, perr)
			_, err := tp.Render(svc)
			require.ErrorIs(t, err, ErrLimit)
			var te *TemplateError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, StageExec, te.Stage)
		})
	}

	benign := map[string]string{
		"if and else":       `{{ if eq .Namespace "kuma-demo" }}{{ .Name }}{{ else }}x{{ end }}.mesh`,
		"printf at the cap": k4 + `{{ len $a }}.mesh`,
		"variables":         `{{ $n := .Name }}{{ $n = printf "%s-1" $n }}{{ $n }}.mesh`,
	}
	want := map[string]string{"if and else": "backend.mesh", "printf at the cap": "3996.mesh", "variables": "backend-1.mesh"}
	for name, text := range benign {
		t.Run(name, func(t *testing.T) {
			tp, err := Compile(text)
			require.NoError(t, err)
			got, err := tp.Render(svc)
			require.NoError(t, err)
			assert.Equal(t, want[name], got)
		})
	}
}

func TestStageString(t *testing.T) {
	assert.Equal(t, "parse", StageParse.String())
	assert.Equal(t, "exec", StageExec.String())
	assert.Equal(t, "hostname", StageHostname.String())
	assert.Equal(t, "Stage(9)", Stage(9).String())
}

// TestNoAllocs pins the allocation budget of Render: the result string only,
// for the templates every real generator uses.
func TestNoAllocs(t *testing.T) {
	svc := kubeService()
	for _, text := range []string{
		"{{ .Name }}.{{ .Namespace }}.svc.cluster.local",
		"{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
		`{{ label "app" }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local`,
		"backend.mesh",
	} {
		tp, err := Compile(text)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(200, func() {
			if _, err := tp.Render(svc); err != nil {
				t.Fatal(err)
			}
		})
		assert.LessOrEqual(t, allocs, 1.0, text)
	}
}

// TestRenderConcurrent renders a planned template and one text/template
// runs from many goroutines; run with -race.
func TestRenderConcurrent(t *testing.T) {
	planned, err := Compile(`{{ label "app" }}.{{ .Namespace }}.mesh`)
	require.NoError(t, err)
	executed, err := Compile(`{{ label "app" | printf "%s" }}.{{ .Namespace }}.mesh`)
	require.NoError(t, err)

	svc := kubeService()
	done := make(chan [2]string)
	for range 8 {
		go func() {
			var got [2]string
			for range 50 {
				a, errA := planned.Render(svc)
				b, errB := executed.Render(svc)
				if errA != nil || errB != nil {
					got = [2]string{"error", "error"}
					break
				}
				got = [2]string{a, b}
			}
			done <- got
		}()
	}
	for range 8 {
		assert.Equal(t, [2]string{"web.kuma-demo.mesh", "web.kuma-demo.mesh"}, <-done)
	}
}

// TestFramed: a plan is framed when its literals give every value a DNS label
// of its own and are valid labels themselves; only then may rendering check
// the values alone.
func TestFramed(t *testing.T) {
	tests := []struct {
		template string
		want     bool
	}{
		{"{{ .Name }}.svc.{{ .Zone }}.mesh.local", true},
		{"a.{{ .Name }}", true},
		{"{{ .Name }}", true},
		{"{{ .Name }}.{{ .Zone }}", true},
		{`{{ label "a" }}.b.{{ .Name }}.c.{{ .Zone }}.d.{{ .Mesh }}.e`, true},
		{"x.mesh", true},
		{"X.mesh", false},                      // invalid literal label
		{"a..b", false},                        // empty literal label
		{"{{ .Name }}..{{ .Zone }}", false},    // empty label between values
		{"{{ .Name }}{{ .Zone }}.mesh", false}, // values side by side
		{"{{ .Name }}x.mesh", false},           // value shares a label
		{"a.x{{ .Name }}", false},
		{"{{ .Name }}.-x.{{ .Zone }}", false},
		{".{{ .Name }}", false}, // empty first label
		{"{{ .Name }}.", false}, // empty last label
		{"{{ .Name }}." + strings.Repeat("a", 64) + ".{{ .Zone }}", false},
	}
	for _, tt := range tests {
		tp, err := parseTemplate(tt.template)
		require.Nil(t, err)
		require.NotNil(t, tp.plan, tt.template)
		assert.Equal(t, tt.want, tp.plan.framed, tt.template)
	}
}
