package topology

import (
	"reflect"
	"strings"
	"testing"
)

// versionSample is an entry with every field set: two endpoints sharing a
// service with TLS.
func versionSample() []Endpoint {
	es := &ExternalService{
		Mesh: "default", Name: "a", DestinationName: "default_a___extsvc_443", KRI: "kri", EgressSNI: "sni", Protocol: ProtocolHTTP,
		TLS: &UpstreamTLS{
			Mode: ModeSecured, ServerName: "a.example.com", SubjectAltNames: []SAN{{Type: SANExact, Value: "b.example.com"}},
			FirstAddress: "a.example.com", SkipHostnameVerification: true, CACert: []byte("ca"), FallbackToSystemCA: true,
			ClientCert: []byte(strings.Repeat("c", 300)), ClientKey: []byte("key"), MinVersion: TLS12, MaxVersion: TLS13, AllowRenegotiation: true,
		},
	}
	tags := map[string]string{"mesh": "default", "app": "a"}
	loc := &Locality{Zone: "z", SubZone: "priority-1", Priority: 1}
	return []Endpoint{
		{Target: "10.0.0.1", Port: 443, Weight: 1, Tags: tags, Locality: loc, ExternalService: es},
		{Target: "10.0.0.2", Port: 443, Weight: 1, Tags: tags, Locality: loc, ExternalService: es},
	}
}

// Every field of an entry is in its Version: changing any one, on the second
// endpoint, changes it. A field added to Endpoint, Locality,
// ExternalService, UpstreamTLS or SAN without being versioned fails here.
func TestVersionCoversEveryField(t *testing.T) {
	base := version(versionSample())
	if base != version(versionSample()) {
		t.Fatal("Version differs for equal content")
	}
	n := 0
	var walk func(path []int, typ reflect.Type)
	walk = func(path []int, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if typ.Kind() == reflect.Struct {
			for i := range typ.NumField() {
				walk(append(path[:len(path):len(path)], i), typ.Field(i).Type)
			}
			return
		}
		if typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.Struct {
			walk(append(path[:len(path):len(path)], -1), typ.Elem())
		}
		eps := versionSample()
		// Unshare the second endpoint's pointers and map, so that the change
		// is its own.
		es, u, loc := *eps[1].ExternalService, *eps[1].ExternalService.TLS, *eps[1].Locality
		es.TLS = &u
		u.SubjectAltNames = append([]SAN(nil), u.SubjectAltNames...)
		eps[1].ExternalService, eps[1].Locality = &es, &loc
		eps[1].Tags = map[string]string{"mesh": "default", "app": "a"}
		v := reflect.ValueOf(&eps[1]).Elem()
		name := ""
		for _, i := range path {
			for v.Kind() == reflect.Pointer {
				v = v.Elem()
			}
			if i < 0 {
				v, name = v.Index(0), name+"[0]"
				continue
			}
			name += "." + v.Type().Field(i).Name
			v = v.Field(i)
		}
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "x")
		case reflect.Uint32:
			v.SetUint(v.Uint() + 1)
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Map:
			v.SetMapIndex(reflect.ValueOf("new"), reflect.ValueOf(""))
		case reflect.Slice:
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		default:
			t.Fatalf("%s: no mutation for kind %s", name, v.Kind())
		}
		n++
		if version(eps) == base {
			t.Errorf("changing %s does not change the Version", name)
		}
	}
	walk(nil, reflect.TypeFor[Endpoint]())
	if n < 25 {
		t.Fatalf("only %d fields changed", n)
	}
}

// Absent is not empty, and the order of endpoints counts.
func TestVersionDistinguishes(t *testing.T) {
	eps := versionSample()
	noLocality := versionSample()
	noLocality[1].Locality = nil
	noTLS := versionSample()
	es := *noTLS[1].ExternalService
	es.TLS = nil
	noTLS[1].ExternalService = &es
	swapped := versionSample()
	swapped[0], swapped[1] = swapped[1], swapped[0]
	seen := map[string]string{version(eps): "sample"}
	for name, other := range map[string][]Endpoint{"no locality": noLocality, "no TLS": noTLS, "swapped": swapped, "one": eps[:1], "none": nil} {
		v := version(other)
		if prev, ok := seen[v]; ok {
			t.Errorf("%s has the Version of %s", name, prev)
		}
		seen[v] = name
	}
}

// The encoding is part of the contract: replicas running the same content
// agree on versions, so a change of it must be deliberate.
func TestVersionStable(t *testing.T) {
	const want = "02f7fa3f9058d6caced5e6f7409634abe330ffefbb8218db43669d65c5919321"
	if got := version(versionSample()); got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
}
