package hostname

import (
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
		fast     bool
		want     string
		stage    Stage  // 0: success
		message  string // TemplateError.Message
	}{
		{
			name: "kubernetes service", template: "{{ .Name }}.{{ .Namespace }}.svc.cluster.local", svc: svc, fast: true,
			want: "backend.kuma-demo.svc.cluster.local",
		},
		{
			name: "missing namespace", template: "{{ .Name }}.{{ .Namespace }}.svc.cluster.local", svc: noNamespace, fast: true,
			stage: StageHostname, message: subdomainMsg("backend..svc.cluster.local"),
		},
		{
			name: "label present", template: `{{ label "app" }}.mesh`, svc: svc, fast: true,
			want: "web.mesh",
		},
		{
			name: "label absent", template: `{{ label "app" }}.mesh`, svc: noApp, fast: true,
			stage:   StageExec,
			message: `pre evaluation of template with parameters failed with error="template: :1:3: executing \"\" at <label \"app\">: error calling label: label app not found"`,
		},
		{
			name: "all fields, trimmed", template: "{{- .DisplayName -}} . {{- .Namespace }}.{{ .Mesh }}.{{ .Zone }}", svc: svc, fast: true,
			want: "backend.kuma-demo.default.zone-1",
		},
		{
			name: "upper case literal", template: "Backend.Mesh", svc: svc, fast: true,
			stage: StageHostname, message: subdomainMsg("Backend.Mesh"),
		},
		{
			name: "underscore", template: "my_svc.mesh", svc: svc, fast: true,
			stage: StageHostname, message: subdomainMsg("my_svc.mesh"),
		},
		{
			name: "250 bytes", template: "{{ .Name }}", svc: long(host250), fast: true,
			want: host250,
		},
		{
			name: "254 bytes", template: "{{ .Name }}", svc: long(host254), fast: true,
			stage: StageHostname,
			message: `generated hostname "` + host254 + `" is not a valid DNS name: ` + naming.MsgSubdomainTooLong +
				`, label 4 ("` + strings.Repeat("c", 65) + `") must be no more than 63 characters`,
		},
		{
			name: "64-byte label", template: "{{ .Name }}.mesh", svc: long(label64), fast: true,
			stage:   StageHostname,
			message: `generated hostname "` + label64 + `.mesh" is not a valid DNS name: label 1 ("` + label64 + `") must be no more than 63 characters`,
		},
		{
			name: "63-byte label", template: "x.{{ .Name }}", svc: long(label62 + "a"), fast: true,
			want: "x." + label62 + "a",
		},
		{
			name: "dotted value", template: "{{ .Name }}.{{ .Namespace }}.svc.cluster.local", svc: func() Service { s := svc; s.Namespace = "a.b"; return s }(), fast: true,
			want: "backend.a.b.svc.cluster.local",
		},
		{
			name: "values side by side", template: "{{ .Name }}{{ .Namespace }}.mesh", svc: svc, fast: true,
			want: "backendkuma-demo.mesh",
		},
		{
			name: "value inside a label", template: "x-{{ .Name }}-y.mesh", svc: svc, fast: true,
			want: "x-backend-y.mesh",
		},
		{
			name: "value ending in a dash", template: "{{ .Name }}.mesh", svc: long("backend-"), fast: true,
			stage: StageHostname, message: subdomainMsg("backend-.mesh"),
		},
		{
			name: "value ending in a dash, inside a label", template: "{{ .Name }}x.mesh", svc: long("backend-"), fast: true,
			want: "backend-x.mesh",
		},
		{
			name: "long plan of fields", template: "{{ .Name }}-{{ .Zone }}-{{ .Mesh }}-{{ .Namespace }}-{{ .Name }}.a.b", svc: svc, fast: true,
			want: "backend-zone-1-default-kuma-demo-backend.a.b",
		},
		{
			name: "long plan with labels", template: `{{ label "app" }}-{{ .Zone }}-{{ label "app" }}-{{ .Mesh }}-{{ label "app" }}.mesh`, svc: svc, fast: true,
			want: "web-zone-1-web-default-web.mesh",
		},
		{
			name: "long plan with a missing label", template: `{{ label "app" }}-{{ .Zone }}-{{ label "app" }}-{{ .Mesh }}-{{ label "app" }}.mesh`, svc: noApp, fast: true,
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
			name: "empty", template: "", svc: svc, fast: true,
			stage: StageHostname, message: subdomainMsg(""),
		},
		{
			name: "comment only", template: "{{/* nothing */}}", svc: svc, fast: true,
			stage: StageHostname, message: subdomainMsg(""),
		},
		{
			name: "main body from define", template: `{{ define "" }}{{ .Name }}.mesh{{ end }}`, svc: svc, fast: true,
			want: "backend.mesh",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, perr := parseTemplate(tt.template)
			require.Nil(t, perr)
			assert.Equal(t, tt.fast, tp.Fast(), "fast path")
			got, err := tp.Render(tt.svc)
			if tt.stage == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
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
	assert.False(t, tp.Fast())
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
		{name: "internal function name", template: "{{ _hostname_cost 1 }}x", stage: StageParse, message: `couldn't parse template: template: :1: function "_hostname_cost" not defined`},
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

// TestLimits: hostile templates fail with ErrLimit, quickly, and the others
// are untouched.
func TestLimits(t *testing.T) {
	svc := kubeService()
	hostile := map[string]string{
		"range over a huge int":  "{{ range 100000000000 }}{{ end }}x",
		"nested ranges":          "{{ range 1000 }}{{ range 1000 }}{{ range 1000 }}{{ end }}{{ end }}{{ end }}x",
		"output growth":          "{{ range 100000 }}{{ $.Name }}{{ end }}",
		"recursion":              `{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}`,
		"fan-out recursion":      `{{ define "r" }}{{ template "r" . }}{{ template "r" . }}{{ end }}{{ template "r" . }}`,
		"printf width":           `{{ printf "%0999999d" 1 }}`,
		"printf many widths":     `{{ printf "%0900000d%0900000d" 1 2 }}`,
		"printf star width":      `{{ printf "%*d" 999999 1 }}`,
		"printf doubling":        `{{ $a := "xxxxxxxxxxxxxxxx" }}{{ range 20 }}{{ $a = printf "%s%s" $a $a }}{{ end }}{{ len $a }}`,
		"print doubling":         `{{ $a := "xxxxxxxxxxxxxxxx" }}{{ range 20 }}{{ $a = print $a $a }}{{ end }}{{ len $a }}`,
		"html of many args":      `{{ $a := printf "%04000d" 1 }}{{ len (html $a $a $a $a $a $a $a $a $a $a $a $a) }}`,
		"urlquery of many args":  `{{ $a := printf "%04000d" 1 }}{{ len (urlquery $a $a $a $a $a $a $a $a $a $a $a $a) }}`,
		"js growth":              `{{ $a := "<<<<<<<<<<<<<<<<" }}{{ range 20 }}{{ $a = js $a }}{{ end }}{{ len $a }}`,
		"println growth":         `{{ $a := "x" }}{{ range 30 }}{{ $a = println $a $a }}{{ end }}{{ len $a }}`,
		"big intermediate value": `{{ len (printf "%05000d" 1) }}.mesh`,
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
		"small range":       `{{ range 3 }}a{{ end }}.mesh`,
		"range with break":  `{{ range 100000000000 }}a{{ break }}{{ end }}.mesh`,
		"small recursion":   `{{ define "r" }}{{ if . }}x{{ template "r" (slice . 1) }}{{ end }}{{ end }}{{ template "r" "abc" }}.mesh`,
		"printf at the cap": `{{ len (printf "%04000d" 1) }}.mesh`,
	}
	want := map[string]string{
		"small range": "aaa.mesh", "range with break": "a.mesh", "small recursion": "xxx.mesh", "printf at the cap": "4000.mesh",
	}
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
	} {
		tp, err := Compile(text)
		require.NoError(t, err)
		require.True(t, tp.Fast())
		allocs := testing.AllocsPerRun(200, func() {
			if _, err := tp.Render(svc); err != nil {
				t.Fatal(err)
			}
		})
		assert.LessOrEqual(t, allocs, 1.0, text)
	}
}

// TestRenderConcurrent renders one template of each path from many
// goroutines; run with -race.
func TestRenderConcurrent(t *testing.T) {
	fast, err := Compile(`{{ label "app" }}.{{ .Namespace }}.mesh`)
	require.NoError(t, err)
	slow, err := Compile(`{{ label "app" | printf "%s" }}.{{ .Namespace }}.mesh`)
	require.NoError(t, err)
	require.True(t, fast.Fast())
	require.False(t, slow.Fast())

	svc := kubeService()
	done := make(chan [2]string)
	for range 8 {
		go func() {
			var got [2]string
			for range 50 {
				a, errA := fast.Render(svc)
				b, errB := slow.Render(svc)
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

func TestFramed(t *testing.T) {
	text := func(s string) segment { return segment{kind: segText, text: s} }
	name, zone := segment{kind: segName}, segment{kind: segZone}
	tests := []struct {
		segs []segment
		want bool
	}{
		{[]segment{name, text(".svc."), zone, text(".mesh.local")}, true},
		{[]segment{text("a."), name}, true},
		{[]segment{name}, true},
		{[]segment{text("x.mesh")}, true},
		{nil, false},
		{[]segment{text("X.mesh")}, false},       // invalid literal label
		{[]segment{text("a..b")}, false},         // empty literal label
		{[]segment{name, name}, false},           // side by side
		{[]segment{name, text("x.mesh")}, false}, // value shares a label
		{[]segment{text("a.x"), name}, false},
		{[]segment{name, text("."), zone}, true},
		{[]segment{name, text(".-x."), zone}, false},
		{[]segment{text("."), name}, false}, // empty first label
		{[]segment{name, text(".")}, false}, // empty last label
		{[]segment{text("a."), name, text(".b."), zone, text(".c."), name, text(".d."), zone, text(".e")}, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, framed(tt.segs), "%+v", tt.segs)
	}
}

// TestConcatPaths pins which concatenation path each shape takes, and that
// every path gives text/template's text.
func TestConcatPaths(t *testing.T) {
	svc := kubeService()
	long := svc
	long.Name = strings.Repeat("n", 100)
	tests := []struct {
		name string
		text string
		svc  Service
		want concatResult
	}{
		{"fields", clusterDNSTemplate, svc, concatDone},
		{"labels", `{{ label "app" }}.{{ .Namespace }}.mesh`, svc, concatDone},
		{"text only", "a.b.mesh", svc, concatDone},
		{"long suffix copied", "{{ .Name }}.a-literal-suffix-that-is-longer-than-32-bytes.mesh", svc, concatDone},
		{"missing label", `{{ label "nope" }}.mesh`, svc, concatMissing},
		{"value beyond the buffer", clusterDNSTemplate, long, concatTooLong},
		{"prefix beyond the buffer", strings.Repeat("p.", 70) + "{{ .Name }}", svc, concatTooLong},
		{"more labels than the small path holds", strings.Repeat(`{{ label "app" }}.`, maxSmallSteps+1) + "mesh", svc, concatTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := parseTemplate(tt.text)
			require.Nil(t, err)
			require.True(t, tp.Fast())
			small, _, res := tp.concatSmall(&tt.svc, false)
			assert.Equal(t, tt.want, res)
			got, _, ok := tp.concat(&tt.svc, false)
			want := oracle(tt.text, tt.svc)
			if tt.want == concatMissing {
				assert.False(t, ok)
				assert.Error(t, want.execErr)
				return
			}
			require.True(t, ok)
			require.NoError(t, want.execErr)
			assert.Equal(t, want.out, got)
			if res == concatDone {
				assert.Equal(t, want.out, small)
			}
		})
	}
}
