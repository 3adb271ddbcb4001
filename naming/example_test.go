package naming_test

import (
	"errors"
	"fmt"

	"github.com/meshcore/meshcore/naming"
)

func ExampleIsDNS1035Label() {
	for _, name := range []string{"default", "aa.a", "1mesh", "Mesh"} {
		fmt.Println(name, naming.IsDNS1035Label(name))
	}
	// Output:
	// default true
	// aa.a false
	// 1mesh false
	// Mesh false
}

func ExampleIsDNS1123Subdomain() {
	fmt.Println(naming.IsDNS1123Subdomain("2048-app-7c5f756499-l9p2m.kuma-demo"))
	fmt.Println(naming.IsDNS1123Label("2048-app-7c5f756499-l9p2m.kuma-demo"))
	fmt.Println(naming.IsDNS1123Subdomain("default\n"))
	// Output:
	// true
	// false
	// false
}

func ExampleRule_Check() {
	fmt.Printf("%q\n", naming.DNS1123Label.Check("aa.a"))
	fmt.Printf("%q\n", naming.DNS1035Label.Check("default"))
	// Output:
	// ["must not contain dots"]
	// []
}

func ExamplePolicy_Validate() {
	for _, mode := range []naming.Mode{naming.Off, naming.Warn, naming.EnforceOnCreate, naming.Enforce} {
		p := naming.DefaultPolicy(mode)
		for _, op := range []naming.Op{naming.Create, naming.Update} {
			r := p.Validate(naming.KindMesh, "aa.a", op)
			fmt.Printf("%s %s: allowed=%v warnings=%d\n", mode, op, r.Allowed(), len(r.Warnings))
		}
	}
	// Output:
	// off create: allowed=true warnings=0
	// off update: allowed=true warnings=0
	// warn create: allowed=true warnings=1
	// warn update: allowed=true warnings=1
	// enforce-on-create create: allowed=false warnings=0
	// enforce-on-create update: allowed=true warnings=1
	// enforce create: allowed=false warnings=0
	// enforce update: allowed=false warnings=0
}

func ExamplePolicy_Validate_warn() {
	r := naming.DefaultPolicy(naming.Warn).Validate(naming.KindMesh, "aa.a", naming.Create)
	fmt.Println(r.Err)
	fmt.Println(r.Warnings[0])
	// Output:
	// <nil>
	// Invalid Mesh resource name: 'aa.a'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')
}

func ExamplePolicy_Validate_enforce() {
	r := naming.DefaultPolicy(naming.Enforce).Validate(naming.KindMesh, "aa.a", naming.Update)
	var fe *naming.FieldError
	if errors.As(r.Err, &fe) {
		fmt.Println(fe.Field, fe.Value)
		fmt.Println(fe.Detail)
	}
	// Output:
	// name aa.a
	// a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')
}

func ExamplePolicy_Validate_enforceOnCreate() {
	p := naming.DefaultPolicy(naming.EnforceOnCreate)
	fmt.Println(p.Validate(naming.KindMeshService, "aa.a", naming.Create).Allowed())
	fmt.Println(p.Validate(naming.KindMeshService, "aa.a", naming.Update).Allowed())
	fmt.Println(p.Validate(naming.KindDataplane, "2048-app-7c5f756499-l9p2m.kuma-demo", naming.Create).Allowed())
	// Output:
	// false
	// true
	// true
}

func ExamplePolicy_Validate_off() {
	p := naming.DefaultPolicy(naming.Off)
	fmt.Println(p.Validate(naming.KindMesh, "aa.a", naming.Create).Allowed())
	fmt.Println(p.Validate(naming.KindMesh, "", naming.Create).Err)
	// Output:
	// true
	// naming: invalid Mesh name "": cannot be empty
}

func ExampleParseMode() {
	m, err := naming.ParseMode("enforce-on-create")
	fmt.Println(m, err)
	_, err = naming.ParseMode("strict")
	fmt.Println(err)
	// Output:
	// enforce-on-create <nil>
	// naming: invalid mode "strict": want off, warn, enforce-on-create or enforce
}

func ExampleSuggest() {
	fmt.Println(naming.Suggest(naming.DNS1035Label, "aa.a"))
	fmt.Println(naming.Suggest(naming.DNS1035Label, "1mesh"))
	fmt.Println(naming.Suggest(naming.DNS1035Label, "My_Service"))
	fmt.Println(naming.Suggest(naming.DNS1123Subdomain, "Web_1.Kuma-Demo"))
	fmt.Println(naming.Suggest(naming.DNS1035Label, "default"))
	// Output:
	// aa-a
	// x-1mesh
	// my-service
	// web-1.kuma-demo
	// default
}

func ExampleAudit() {
	rep := naming.Audit(naming.DefaultPolicy(naming.Warn), []naming.Named{
		{Kind: naming.KindMesh, Name: "aa.a"},
		{Kind: naming.KindMesh, Name: "default"},
		{Kind: naming.KindMeshService, Name: "redis.cache"},
		{Kind: naming.KindDataplane, Name: "2048-app-7c5f756499-l9p2m.kuma-demo"},
	})
	fmt.Printf("%d of %d would be rejected\n", len(rep.Findings), rep.Checked)
	for _, f := range rep.Findings {
		fmt.Printf("%s %q -> %q\n", f.Kind, f.Name, f.Suggestion)
	}
	// Output:
	// 2 of 4 would be rejected
	// Mesh "aa.a" -> "aa-a"
	// MeshService "redis.cache" -> "redis-cache"
}
