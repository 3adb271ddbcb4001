package hostname_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meshcore/meshcore/hostname"
)

func ExampleCompile() {
	tp, err := hostname.Compile("{{ .Name }}.{{ .Namespace }}.svc.cluster.local")
	if err != nil {
		panic(err)
	}
	backend := hostname.ServiceFromLabels(hostname.MeshService, "default", "backend.kuma-demo", map[string]string{
		hostname.LabelName:      "backend",
		hostname.LabelNamespace: "kuma-demo",
	}, "zone-1")
	fmt.Println(tp.Render(backend))

	// Without a namespace the result is not a DNS name.
	backend.Namespace = ""
	_, err = tp.Render(backend)
	fmt.Println(errors.Is(err, hostname.ErrInvalidHostname))

	// Admission rejects a template that cannot work,
	_, err = hostname.Compile("{{ .Name }}_{{ .Zone }}")
	fmt.Println(err)

	// and one that uses what no hostname needs.
	_, err = hostname.Compile(`{{ range 3 }}{{ .Name }}{{ end }}.mesh`)
	fmt.Println(errors.Is(err, hostname.ErrRefused), err)
	// Output:
	// backend.kuma-demo.svc.cluster.local <nil>
	// true
	// hostname: spec.template: template renders to "name_zone" which is not a valid DNS name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
	// true hostname: spec.template: couldn't parse template: template: :1:9: range is refused: hostname templates do not loop
}

func ExampleTemplate_Render() {
	tp, err := hostname.Compile(`{{ label "app" }}.{{ .Zone }}.mesh`)
	if err != nil {
		panic(err)
	}
	web := hostname.Service{Kind: hostname.MeshService, Mesh: "default", Name: "web", Zone: "east", Labels: map[string]string{"app": "shop"}}
	fmt.Println(tp.Render(web))

	// A label longer than 63 bytes cannot be resolved, so it is refused.
	web.Labels["app"] = "a-label-that-is-far-too-long-to-be-a-single-dns-label-by-any-measure"
	_, err = tp.Render(web)
	var te *hostname.TemplateError
	if errors.As(err, &te) {
		fmt.Println(te.Violations)
	}
	// Output:
	// shop.east.mesh <nil>
	// [label 1 ("a-label-that-is-far-too-long-to-be-a-single-dns-label-by-any-measure") must be no more than 63 characters]
}

func ExampleGenerate() {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	gens := []hostname.Generator{{
		Name:     "by-app",
		Selector: hostname.Selector{MeshService: &hostname.LabelSelector{}},
		Template: `{{ label "app" }}.mesh`,
	}}
	svcs := []hostname.Service{
		{Kind: hostname.MeshService, Mesh: "default", Name: "shop-v2", Labels: map[string]string{"app": "shop"}, Created: t0.Add(time.Hour)},
		{Kind: hostname.MeshService, Mesh: "default", Name: "shop-v1", Labels: map[string]string{"app": "shop"}, Created: t0},
	}
	res := hostname.Generate(gens, svcs)
	for _, s := range res.Services {
		fmt.Println(s.Name, s.Status.Addresses)
		for _, c := range s.Status.Conditions {
			fmt.Println(strings.TrimSpace(fmt.Sprintf("  %s %v %s %s", c.Generator, c.Status, c.Reason, c.Message)))
		}
	}
	// Output:
	// shop-v1 [{shop.mesh by-app}]
	// by-app true Generated
	// shop-v2 []
	// by-app false Collision Hostname collision with MeshService: shop-v1 (hostname "shop.mesh" generated for it by "by-app")
}

func ExampleIndex() {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	show := func(ch hostname.Changes) {
		for _, s := range ch.Services {
			fmt.Println(s.Name, s.Status.Addresses)
			for _, c := range s.Status.Conditions {
				fmt.Println(strings.TrimSpace(fmt.Sprintf("  %s %v %s %s", c.Generator, c.Status, c.Reason, c.Message)))
			}
		}
		for _, r := range ch.Removed {
			fmt.Println(r.Name, "removed")
		}
	}

	x := hostname.NewIndex()
	x.PutGenerator(hostname.Generator{
		Name:     "by-app",
		Selector: hostname.Selector{MeshService: &hostname.LabelSelector{}},
		Template: `{{ label "app" }}.mesh`,
	})
	v1 := hostname.Service{Kind: hostname.MeshService, Mesh: "default", Name: "shop-v1", Labels: map[string]string{"app": "shop"}, Created: t0}
	show(x.PutService(v1))

	// A newer service wanting the same hostname: only it changes.
	fmt.Println("--")
	show(x.PutService(hostname.Service{Kind: hostname.MeshService, Mesh: "default", Name: "shop-v2", Labels: map[string]string{"app": "shop"}, Created: t0.Add(time.Hour)}))

	// The holder goes: the other takes the hostname, in the same Changes.
	fmt.Println("--")
	show(x.DeleteService(hostname.MeshService, "default", "shop-v1"))
	// Output:
	// shop-v1 [{shop.mesh by-app}]
	// by-app true Generated
	// --
	// shop-v2 []
	// by-app false Collision Hostname collision with MeshService: shop-v1 (hostname "shop.mesh" generated for it by "by-app")
	// --
	// shop-v2 [{shop.mesh by-app}]
	// by-app true Generated
	// shop-v1 removed
}

func ExampleExplain() {
	// The MeshService the controller makes for Service backend in namespace
	// kuma-demo, as a Kubernetes zone stores it.
	backend := hostname.ServiceFromLabels(hostname.MeshService, "default", "backend.kuma-demo", map[string]string{
		hostname.LabelName:         "backend",
		hostname.LabelDisplayName:  "backend",
		hostname.LabelNamespace:    "kuma-demo",
		hostname.LabelOrigin:       "zone",
		hostname.LabelEnv:          "kubernetes",
		hostname.LabelHeadless:     "false",
		"k8s.kuma.io/service-name": "backend",
	}, "zone-1")

	// What the reference ships: the synced generators select services from
	// other zones only. None is needed here: the Service's ClusterIP is the
	// MeshService's VIP, so backend.kuma-demo.svc.cluster.local reaches it.
	gens := hostname.DefaultGenerators(hostname.EnvKubernetes, hostname.RoleGlobal)
	for _, r := range hostname.Explain(backend, gens, hostname.Generate(gens, []hostname.Service{backend})) {
		fmt.Println(r)
	}

	// The optional local generators add a mesh hostname. The first reason
	// is the summary; the others name their generator.
	gens = append(gens, hostname.OptionalGenerators(hostname.EnvKubernetes)...)
	reasons := hostname.Explain(backend, gens, hostname.Generate(gens, []hostname.Service{backend}))
	fmt.Println(reasons[0].Text)
	for _, r := range reasons[1:] {
		if r.Generator == hostname.LocalKubernetesGenerator {
			fmt.Println(r.Text)
		}
	}
	// Output:
	// MeshService "backend.kuma-demo" in mesh "default" has no hostname
	// generator "synced-headless-kube-mesh-service": does not select it: label "k8s.kuma.io/is-headless-service" is "false" (wants "true"), label "kuma.io/origin" is "zone" (wants "global")
	// generator "synced-kube-mesh-service": does not select it: label "kuma.io/origin" is "zone" (wants "global")
	// generator "synced-universal-mesh-service": does not select it: label "kuma.io/env" is "kubernetes" (wants "universal"), label "kuma.io/origin" is "zone" (wants "global")
	// MeshService "backend.kuma-demo" in mesh "default" has hostname "backend.kuma-demo.svc.mesh.local"
	// generated "backend.kuma-demo.svc.mesh.local"
}

func ExampleDecodeManifest() {
	g, err := hostname.DecodeManifest([]byte(`
apiVersion: kuma.io/v1alpha1
kind: HostnameGenerator
metadata:
  name: poc-local-kube-mesh-service
spec:
  selector:
    meshService:
      matchLabels:
        k8s.kuma.io/is-headless-service: "false"
  template: '{{ .Name }}.{{ .Namespace }}.svc.cluster.local'
`))
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Name, g.Selector.MeshService.MatchLabels, g.Validate())
	// Output:
	// poc-local-kube-mesh-service map[k8s.kuma.io/is-headless-service:false] <nil>
}
