package hostname

import (
	"fmt"
	"maps"
	"runtime"
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

// BenchmarkIndex measures an Index under the Kubernetes defaults of a
// global and a zone control plane, for n services:
//
//   - op=PutService-created and op=PutService-labels: one PutService that
//     replaces a service with a hostname (or a lost collision) with its
//     creation time, or its labels, changed (every other pass puts the
//     original back);
//   - op=PutGenerator: one PutGenerator that replaces the synced Kubernetes
//     generator with another template, then puts it back;
//   - op=Generate: Generate over the same generators and services, the cost
//     of a change without the index;
//   - op=build: putting the n services into an index that has the
//     generators, reporting the heap the index holds per service (the
//     services' strings, shared with the caller, are not counted; their
//     labels, which the index copies, are).
func BenchmarkIndex(b *testing.B) {
	gens := append(DefaultGenerators(EnvKubernetes, RoleGlobal), DefaultGenerators(EnvKubernetes, RoleZone)...)
	build := func(svcs []Service) *Index {
		x := NewIndex()
		for _, g := range gens {
			x.PutGenerator(g)
		}
		for _, s := range svcs {
			x.PutService(s)
		}
		return x
	}
	for _, n := range []int{1_000, 100_000} {
		svcs := benchServices(n)
		x := build(svcs)
		var named, created, labelled []Service
		res := x.Result()
		for _, s := range svcs {
			if len(res.For(s.Kind, s.Mesh, s.ID()).Conditions) == 0 {
				continue
			}
			named = append(named, s)
			c := s
			c.Created = c.Created.Add(time.Hour)
			created = append(created, c)
			l := s
			l.Labels = maps.Clone(s.Labels)
			l.Labels["rev"] = "2"
			labelled = append(labelled, l)
		}
		for _, tc := range []struct {
			name    string
			changed []Service
		}{{"created", created}, {"labels", labelled}} {
			b.Run(fmt.Sprintf("services=%d/op=PutService-%s", n, tc.name), func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					k := i % len(named)
					if i/len(named)%2 == 0 {
						x.PutService(tc.changed[k])
					} else {
						x.PutService(named[k])
					}
					i++
				}
			})
		}
		b.Run(fmt.Sprintf("services=%d/op=PutGenerator", n), func(b *testing.B) {
			// The synced Kubernetes generator with another template, and
			// back: its selected services (a fifth of all) change status.
			orig := gens[1]
			changed := orig
			changed.Template = "{{ .DisplayName }}.{{ .Namespace }}.{{ .Zone }}.mesh.local"
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					x.PutGenerator(changed)
				} else {
					x.PutGenerator(orig)
				}
				i++
			}
			x.PutGenerator(orig)
		})
		b.Run(fmt.Sprintf("services=%d/op=Generate", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Generate(gens, svcs)
			}
		})
		b.Run(fmt.Sprintf("services=%d/op=build", n), func(b *testing.B) {
			b.ReportAllocs()
			var held uint64
			for b.Loop() {
				b.StopTimer()
				before := heapAlloc()
				b.StartTimer()
				x := build(svcs)
				b.StopTimer()
				held = heapAlloc() - before
				runtime.KeepAlive(x)
				b.StartTimer()
			}
			b.ReportMetric(float64(held)/float64(n), "B/service")
		})
	}
}

// heapAlloc returns the bytes of live heap objects after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
