package hostname

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"
)

// benchServices returns n services of every kind and origin, in proportions
// of a multi-zone mesh: local and synced Kubernetes MeshServices (some
// headless), synced Universal ones, external and multi-zone services.
// Display names repeat (n/2 distinct), so some hostnames collide.
func benchServices(n int) []Service {
	svcs := make([]Service, 0, n)
	half := max(n/2, 1)
	for i := range n {
		display := "svc-" + strconv.Itoa(i%half)
		ns := "ns-" + strconv.Itoa(i%50)
		zone := "zone-" + strconv.Itoa(i%3)
		labels := map[string]string{LabelDisplayName: display, LabelNamespace: ns, "app": display}
		kind := MeshService
		switch p := i % 20; {
		case p < 8: // local Kubernetes
			labels[LabelOrigin], labels[LabelEnv], labels[LabelHeadless], labels[LabelName] = "zone", "kubernetes", "false", display
		case p < 10: // local headless
			labels[LabelOrigin], labels[LabelEnv], labels[LabelHeadless], labels[LabelName] = "zone", "kubernetes", "true", display
			labels["statefulset.kubernetes.io/pod-name"] = display + "-0"
		case p < 14: // synced Kubernetes
			labels[LabelOrigin], labels[LabelEnv], labels[LabelHeadless], labels[LabelZone] = "global", "kubernetes", "false", zone
		case p < 15: // synced headless
			labels[LabelOrigin], labels[LabelEnv], labels[LabelHeadless], labels[LabelZone] = "global", "kubernetes", "true", zone
			labels["statefulset.kubernetes.io/pod-name"], labels["k8s.kuma.io/service-name"] = display+"-0", display
		case p < 17: // synced Universal
			labels[LabelOrigin], labels[LabelEnv], labels[LabelZone] = "global", "universal", zone
			delete(labels, LabelNamespace)
		case p < 19:
			kind = MeshExternalService
			labels[LabelOrigin] = []string{"zone", "global"}[i%2]
		default:
			kind = MeshMultiZoneService
			labels[LabelOrigin] = "global"
		}
		s := ServiceFromLabels(kind, "mesh-"+strconv.Itoa(i%2), fmt.Sprintf("%s-%d.%s", display, i, ns), labels, "zone-1")
		s.Created = t0.Add(time.Duration(i*7919%n) * time.Second)
		svcs = append(svcs, s)
	}
	return svcs
}

// benchGenerators: the five global defaults and a local Kubernetes one with
// the cluster DNS template the incident's operators wrote.
func benchGenerators() []Generator {
	return append(DefaultGenerators(EnvKubernetes, RoleGlobal), Generator{
		Name:     "poc-local-kube-mesh-service",
		Labels:   map[string]string{LabelOrigin: "zone"},
		Selector: Selector{MeshService: matching(LabelOrigin, "zone", LabelEnv, "kubernetes", LabelHeadless, "false")},
		Template: clusterDNSTemplate,
	})
}

// BenchmarkRender compares Render with text/template's Execute of the same
// template, parsed once, as the reference runs it (a strings.Builder per
// call, label bound at parse time), for two templates: the cluster DNS one
// the incident's operators wrote for local Kubernetes MeshServices (two
// fields) and the shipped synced Kubernetes one (three fields).
func BenchmarkRender(b *testing.B) {
	svc := kubeService()
	for _, tc := range []struct{ name, text string }{
		{"template=local-kube", clusterDNSTemplate},
		{"template=synced-kube", "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local"},
	} {
		b.Run(tc.name+"/impl=meshcore", func(b *testing.B) {
			tp, err := Compile(tc.text)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tp.Render(svc); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/impl=text-template", func(b *testing.B) {
			tm := template.Must(template.New("").Funcs(template.FuncMap{
				"label": func(key string) (string, error) {
					v, ok := svc.Labels[key]
					if !ok {
						return "", fmt.Errorf("label %s not found", key)
					}
					return v, nil
				},
			}).Parse(tc.text))
			b.ReportAllocs()
			for b.Loop() {
				var sb strings.Builder
				if err := tm.Execute(&sb, meshedName{Name: svc.Name, DisplayName: svc.DisplayName, Namespace: svc.Namespace, Mesh: svc.Mesh, Zone: svc.Zone}); err != nil {
					b.Fatal(err)
				}
				_ = sb.String()
			}
		})
	}
	b.Run("template=synced-kube-printf/impl=meshcore-fallback", func(b *testing.B) {
		// The same output through text/template with the limits, for a
		// template that is not text, fields and label calls only.
		tp, err := Compile(`{{ .DisplayName }}.{{ .Namespace | printf "%s" }}.svc.{{ .Zone }}.mesh.local`)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tp.Render(svc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGenerate runs the six generators over n services and reports the
// cost per (generator, service) pair, which stays flat as n grows.
func BenchmarkGenerate(b *testing.B) {
	gens := benchGenerators()
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run("services="+strconv.Itoa(n), func(b *testing.B) {
			svcs := benchServices(n)
			b.ReportAllocs()
			for b.Loop() {
				Generate(gens, svcs)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(gens)*n), "ns/pair")
		})
	}
}
