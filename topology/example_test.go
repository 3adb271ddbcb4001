package topology_test

import (
	"context"
	"errors"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/meshcore/meshcore/naming"
	"github.com/meshcore/meshcore/topology"
)

// One MeshExternalService names secrets that do not exist. It is reported and
// skipped; the services after it are still built (the reference stopped at
// the bad one and built none of them).
func ExampleBuildEgressEndpointMap() {
	svc := func(name string) topology.MeshExternalService {
		return topology.MeshExternalService{
			Mesh: "default",
			Name: name,
			Spec: topology.Spec{
				Match:     topology.Match{Port: 443},
				Endpoints: []topology.ExternalEndpoint{{Address: name + ".example.com", Port: 443}},
			},
		}
	}
	bad := svc("bad")
	bad.Spec.TLS = &topology.TLS{Enabled: true, Verification: &topology.Verification{
		ClientCert: &topology.DataSource{Secret: "kuma-cert"},
		ClientKey:  &topology.DataSource{Secret: "kuma-key"},
	}}

	m, errs := topology.BuildEgressEndpointMap(context.Background(), topology.EgressInput{
		Services: []topology.MeshExternalService{svc("first"), bad, svc("second"), svc("third")},
		Secrets:  topology.StaticSecrets{},
	})
	for name, eps := range m.All() {
		fmt.Println(name, eps[0].Target)
	}
	for _, err := range errs {
		fmt.Println(err.Name, err.Field)
		fmt.Println(err.Err)
	}
	// Output:
	// default_first___extsvc_443 first.example.com
	// default_second___extsvc_443 second.example.com
	// default_third___extsvc_443 third.example.com
	// bad spec.tls.verification.clientCert
	// could not load clientCert: could not load data: Resource not found: type="Secret" name="kuma-cert" mesh="default"
}

// EgressResources turns the map into Envoy clusters; with EDS, IP-only
// destinations get an EDS cluster and a load assignment of the same name.
func ExampleEgressResources() {
	m, _ := topology.BuildEgressEndpointMap(context.Background(), topology.EgressInput{
		Services: []topology.MeshExternalService{
			{Mesh: "default", Name: "grpc-backend", Spec: topology.Spec{
				Match:     topology.Match{Port: 9000, Protocol: topology.ProtocolGRPC},
				Endpoints: []topology.ExternalEndpoint{{Address: "10.0.0.7", Port: 9000}},
			}},
			{Mesh: "default", Name: "httpbin", Spec: topology.Spec{
				Match:     topology.Match{Port: 443, Protocol: topology.ProtocolHTTP},
				Endpoints: []topology.ExternalEndpoint{{Address: "httpbin.org", Port: 443}},
				TLS:       &topology.TLS{Enabled: true},
			}},
		},
	})
	res, errs := topology.EgressResources(m, topology.ResourceOptions{EDS: true})
	if errs != nil {
		panic(errs.Err())
	}
	for _, c := range res.Clusters {
		fmt.Println(c.GetName(), c.GetType(), "tls:", c.GetTransportSocket() != nil)
	}
	for _, cla := range res.LoadAssignments {
		fmt.Println("EDS", cla.GetClusterName())
	}
	// Output:
	// default_grpc-backend___extsvc_9000 EDS tls: false
	// default_httpbin___extsvc_443 STRICT_DNS tls: true
	// EDS default_grpc-backend___extsvc_9000
}

// The Service and its Namespace carry no mesh label; only the workload does.
func ExampleMeshOf() {
	namespace := map[string]string{}
	service := map[string]string{"app": "web"}
	pod := map[string]string{"app": "web", "kuma.io/mesh": "poc"}

	fmt.Println(topology.MeshOf(service, namespace))
	fmt.Println(topology.MeshOf(pod, namespace))
	// Output:
	// default
	// poc
}

func ExampleCheckMembership() {
	pods := []map[string]string{{"kuma.io/mesh": "poc"}}
	for _, f := range topology.CheckMembership(nil, map[string]string{"app": "web"}, pods) {
		fmt.Println(f.Fix[0])
		fmt.Println(f.Message)
	}
	// Output:
	// kuma.io/mesh=poc on the Service
	// Service resolves to mesh "default" (no label on the Service or its Namespace) but 1 pod is in mesh "poc"; the MeshService is made from the Service and Namespace labels only, never the pods'; set kuma.io/mesh=poc on the Service or kuma.io/mesh=poc on the Namespace
}

// A Universal manifest decodes straight into the model.
func ExampleMeshExternalService_DestinationName() {
	manifest := `
type: MeshExternalService
name: mes-tcp-tls
mesh: default
spec:
  match:
    type: HostnameGenerator
    port: 4243
    protocol: tcp
  endpoints:
    - address: tcpbin.com
      port: 4243
  tls:
    enabled: true
    verification:
      serverName: tcpbin.com
`
	var svc topology.MeshExternalService
	if err := yaml.Unmarshal([]byte(manifest), &svc); err != nil {
		panic(err)
	}
	fmt.Println(svc.DestinationName())
	fmt.Println(svc.KRI())
	fmt.Println(svc.EgressSNI())
	// Output:
	// default_mes-tcp-tls___extsvc_4243
	// kri_extsvc_default___mes-tcp-tls_4243
	// a8fb1d290952dd1e9.mes-tcp-tls.4243.default.mes
}

// A zone control plane admits a MeshExternalService created on it: the name
// and spec rules, the label rules of its role, and the deprecation warnings
// of the reference's unified naming.
func ExampleAdmit() {
	manifest := `
type: MeshExternalService
name: httpbin.v2
mesh: default
labels:
  kuma.io/origin: zone
  kuma.io/zone: zone-2
spec:
  match: {type: HostnameGenerator, port: 443, protocol: http}
  endpoints: [{address: httpbin.org}]
  tls:
    enabled: true
    verification: {mode: Strict}
`
	var svc topology.MeshExternalService
	if err := yaml.Unmarshal([]byte(manifest), &svc); err != nil {
		panic(err)
	}
	cp := topology.ControlPlane{Role: topology.RoleZone, Zone: "zone-1", Naming: naming.DefaultPolicy(naming.Warn)}
	a := topology.Admit(cp, &svc, naming.Create)
	fmt.Println("allowed:", a.Allowed())
	for _, err := range a.Errors {
		var ve *topology.ValidationError
		if errors.As(err, &ve) {
			fmt.Printf("%s: %s\n", err.Field, ve.Detail)
		}
	}
	for _, w := range a.Warnings {
		fmt.Println("warning:", w)
	}
	// Output:
	// allowed: false
	// spec.endpoints[0].port: port must be a valid (1-65535)
	// spec.tls.verification.mode: "mode" must be one of ["SkipSAN", "SkipCA", "SkipAll", "Secured"]
	// labels["kuma.io/zone"]: kuma.io/zone label should have zone-1 value
	// warning: Invalid MeshExternalService resource name: 'httpbin.v2'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')
	// warning: Invalid MeshExternalService SNI (port "443"): name "httpbin.v2" does not conform to RFC 1123: must not contain dots. This is deprecated.
}

// The SNI of the reference's unified naming, next to the egress SNI the zone
// egress routes on.
func ExampleMeshExternalService_KRISNI() {
	svc := topology.MeshExternalService{
		Mesh:   "prod",
		Name:   "ext-backend",
		Labels: map[string]string{topology.LabelZone: "west", topology.LabelNamespace: "external-ns"},
		Spec:   topology.Spec{Match: topology.Match{Port: 9000}},
	}
	fmt.Println(svc.KRISNI())
	fmt.Println(svc.EgressSNI())
	// Output:
	// sni.extsvc.prod.west.external-ns.ext-backend.9000
	// afcd3713ca69e2d20.ext-backend.9000.prod.mes
}

// An Egress keeps the endpoint map of one mesh up to date as services come
// and go, and says what each change changed: here a second service claims
// the destination of the first, so neither is served until one leaves.
func ExampleEgress() {
	ctx := context.Background()
	svc := func(name, display string) topology.MeshExternalService {
		return topology.MeshExternalService{
			Name:   name,
			Labels: map[string]string{topology.LabelDisplayName: display},
			Spec: topology.Spec{
				Match:     topology.Match{Port: 443},
				Endpoints: []topology.ExternalEndpoint{{Address: name + ".example.com", Port: 443}},
			},
		}
	}
	e := topology.NewEgress("default", "", topology.StaticSecrets{})

	fmt.Printf("%+v\n", e.Upsert(ctx, svc("payments", "payments"), svc("search", "search")))
	fmt.Printf("%+v\n", e.Upsert(ctx, svc("payments-v2", "payments")))
	for _, err := range e.Errors() {
		fmt.Println(err.Name, err.Err)
	}
	fmt.Printf("%+v\n", e.Delete("payments"))
	eps, _ := e.Lookup("default_payments___extsvc_443")
	fmt.Println(eps[0].Target, len(e.Version("default_payments___extsvc_443")))
	// Output:
	// {Changed:[default_payments___extsvc_443 default_search___extsvc_443] Removed:[] Failed:[]}
	// {Changed:[] Removed:[default_payments___extsvc_443] Failed:[payments payments-v2]}
	// payments destination name "default_payments___extsvc_443" is also claimed by MeshExternalService "payments-v2" in mesh "default"; neither is built
	// payments-v2 destination name "default_payments___extsvc_443" is also claimed by MeshExternalService "payments" in mesh "default"; neither is built
	// {Changed:[default_payments___extsvc_443] Removed:[] Failed:[payments payments-v2]}
	// payments-v2.example.com 64
}
