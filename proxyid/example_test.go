package proxyid_test

import (
	"errors"
	"fmt"

	"github.com/meshcore/meshcore/proxyid"
)

func ExampleNew() {
	for _, mesh := range []string{"default", "aa.a", "a%b"} {
		id, err := proxyid.New(mesh, "2048-app-7c5f756499-l9p2m.kuma-demo")
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(id)
	}
	_, err := proxyid.New("default", "")
	fmt.Println(err)
	// Output:
	// default.2048-app-7c5f756499-l9p2m.kuma-demo
	// aa%2Ea.2048-app-7c5f756499-l9p2m.kuma-demo
	// a%25b.2048-app-7c5f756499-l9p2m.kuma-demo
	// proxyid: new(mesh "default", name ""): empty name
}

func ExampleParse() {
	id, err := proxyid.Parse("aa%2Ea.2048-app-7c5f756499-l9p2m.kuma-demo")
	if err != nil {
		panic(err)
	}
	pod, namespace, _ := id.KubePod()
	fmt.Printf("mesh %q, name %q, pod %q, namespace %q\n", id.Mesh(), id.Name(), pod, namespace)

	_, err = proxyid.Parse("aa%2x.web")
	fmt.Println(err, errors.Is(err, proxyid.ErrBadEscape))
	// Output:
	// mesh "aa.a", name "2048-app-7c5f756499-l9p2m.kuma-demo", pod "2048-app-7c5f756499-l9p2m", namespace "kuma-demo"
	// proxyid: parse "aa%2x.web": bad escape at offset 2 true
}

func ExampleResolve() {
	// The Dataplanes the control plane knows, by mesh and name.
	dataplanes := map[[2]string]bool{{"aa.a", "web.ns"}: true}
	exists := func(id proxyid.ID) bool { return dataplanes[[2]string{id.Mesh(), id.Name()}] }

	// A proxy bootstrapped by a legacy control plane sends the unescaped ID.
	id, err := proxyid.Resolve("aa.a.web.ns", exists)
	fmt.Printf("mesh %q, name %q, err %v, canonical %s\n", id.Mesh(), id.Name(), err, id)

	// When both readings exist, Resolve refuses to guess.
	dataplanes[[2]string{"aa", "a.web.ns"}] = true
	_, err = proxyid.Resolve("aa.a.web.ns", exists)
	fmt.Println(err)
	// Output:
	// mesh "aa.a", name "web.ns", err <nil>, canonical aa%2Ea.web.ns
	// proxyid: resolve "aa.a.web.ns": ambiguous: mesh "aa" name "a.web.ns", mesh "aa.a" name "web.ns"
}
