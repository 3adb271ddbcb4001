package topology_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/meshcore/meshcore/topology"
)

func readCert(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "certs", name))
	if err != nil {
		panic(err)
	}
	return b
}

// Test material (testdata/certs, see TestGenerateCerts).
var (
	caPEM      = readCert("ca.pem")
	caBPEM     = readCert("ca-b.pem")
	clientPEM  = readCert("client.pem")
	clientKey  = readCert("client.key")
	clientBPEM = readCert("client-b.pem")
	clientBKey = readCert("client-b.key")
)

// secretMarker is in every secret that must never reach an error message.
const secretMarker = "S3CR3T-b4e1c2d9f0a7"

// garbageSecrets are secrets whose bytes are not valid material; each holds
// secretMarker.
var garbageSecrets = map[string][]byte{
	"garbage":         []byte("password=" + secretMarker),
	"garbage-block":   []byte("-----BEGIN " + secretMarker + "-----\nAAAA\n-----END " + secretMarker + "-----\n"),
	"garbage-cert":    []byte("-----BEGIN CERTIFICATE-----\n" + "U0VDUkVUIFMzQ1IzVC1iNGUxYzJkOWYwYTc=\n-----END CERTIFICATE-----\n"),
	"garbage-key":     []byte("-----BEGIN PRIVATE KEY-----\nU0VDUkVUIFMzQ1IzVC1iNGUxYzJkOWYwYTc=\n-----END PRIVATE KEY-----\n"),
	"garbage-typekey": []byte("-----BEGIN " + secretMarker + " PRIVATE KEY-----\nAAAA\n-----END " + secretMarker + " PRIVATE KEY-----\n"),
	"key-as-cert":     []byte(secretMarker + "\n" + string(clientKey)),
	"empty":           {},
}

// testSecrets: mesh "default" has the good material and the garbage; mesh
// "other" has the reference incident's secret names.
func testSecrets() topology.StaticSecrets {
	def := map[string][]byte{
		"ca":          caPEM,
		"ca-b":        caBPEM,
		"kuma-cert-1": clientPEM,
		"kuma-key-1":  clientKey,
		"cert-b":      clientBPEM,
		"key-b":       clientBKey,
	}
	for k, v := range garbageSecrets {
		def[k] = v
	}
	return topology.StaticSecrets{
		"default": def,
		"other":   {"kuma-cert": clientPEM, "kuma-key": clientKey},
	}
}

// staticHost is a Host of files and environment variables in memory.
type staticHost struct {
	files map[string][]byte
	env   map[string]string
}

func (h staticHost) ReadFile(path string) ([]byte, error) {
	if b, ok := h.files[path]; ok {
		return b, nil
	}
	return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
}

func (h staticHost) LookupEnv(name string) (string, bool) {
	v, ok := h.env[name]
	return v, ok
}

// testHost has the CA as a file and the client pair as variables.
func testHost() staticHost {
	return staticHost{
		files: map[string][]byte{"/etc/certs/ca.pem": caPEM, "/etc/certs/garbage.pem": garbageSecrets["garbage"]},
		env:   map[string]string{"CLIENT_CERT": string(clientPEM), "CLIENT_KEY": string(clientKey)},
	}
}

// countingSecrets counts lookups per (mesh, name).
type countingSecrets struct {
	mu     sync.Mutex
	inner  topology.Secrets
	counts map[string]int
}

func (c *countingSecrets) Secret(ctx context.Context, mesh, name string) ([]byte, error) {
	c.mu.Lock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[mesh+"/"+name]++
	c.mu.Unlock()
	return c.inner.Secret(ctx, mesh, name)
}

type mesOpt func(*topology.MeshExternalService)

// mes is a valid plain-text MES in mesh "default" on port 443, reaching
// NAME.example.com:443.
func mes(name string, opts ...mesOpt) topology.MeshExternalService {
	m := topology.MeshExternalService{
		Mesh: "default",
		Name: name,
		Spec: topology.Spec{
			Match:     topology.Match{Type: topology.MatchHostnameGenerator, Port: 443, Protocol: topology.ProtocolTCP},
			Endpoints: []topology.ExternalEndpoint{{Address: name + ".example.com", Port: 443}},
		},
	}
	for _, o := range opts {
		o(&m)
	}
	return m
}

func inMesh(mesh string) mesOpt { return func(m *topology.MeshExternalService) { m.Mesh = mesh } }

func port(p uint32) mesOpt { return func(m *topology.MeshExternalService) { m.Spec.Match.Port = p } }

func protocol(p string) mesOpt {
	return func(m *topology.MeshExternalService) { m.Spec.Match.Protocol = p }
}

func labels(kv ...string) mesOpt {
	return func(m *topology.MeshExternalService) {
		if m.Labels == nil {
			m.Labels = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m.Labels[kv[i]] = kv[i+1]
		}
	}
}

func endpoints(addrPort ...any) mesOpt {
	return func(m *topology.MeshExternalService) {
		m.Spec.Endpoints = nil
		for i := 0; i+1 < len(addrPort); i += 2 {
			m.Spec.Endpoints = append(m.Spec.Endpoints, topology.ExternalEndpoint{
				Address: addrPort[i].(string), Port: uint32(addrPort[i+1].(int)),
			})
		}
	}
}

// priorities sets the priority of each endpoint, in order.
func priorities(ps ...uint32) mesOpt {
	return func(m *topology.MeshExternalService) {
		for i, p := range ps {
			m.Spec.Endpoints[i].Priority = p
		}
	}
}

// withTLS enables TLS with the given verification.
func withTLS(v topology.Verification) mesOpt {
	return func(m *topology.MeshExternalService) {
		m.Spec.TLS = &topology.TLS{Enabled: true, Verification: &v}
	}
}

func secret(name string) *topology.DataSource { return &topology.DataSource{Secret: name} }

// mtls is Secured TLS with the CA and client pair from secrets.
func mtls(ca, cert, key string) mesOpt {
	v := topology.Verification{}
	if ca != "" {
		v.CaCert = secret(ca)
	}
	if cert != "" {
		v.ClientCert = secret(cert)
	}
	if key != "" {
		v.ClientKey = secret(key)
	}
	return withTLS(v)
}

func errStrings(errs topology.Errors) []string {
	if errs == nil {
		return nil
	}
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func build(t testing.TB, in topology.EgressInput) (topology.EndpointMap, topology.Errors) {
	t.Helper()
	if in.Secrets == nil {
		in.Secrets = testSecrets()
	}
	return topology.BuildEgressEndpointMap(context.Background(), in)
}

func dest(name string) string { return "default_" + name + "___extsvc_443" }

func missing(mesh, svc, material, secretName string) string {
	return `topology: MeshExternalService "` + svc + `" in mesh "` + mesh + `": spec.tls.verification.` + material +
		`: could not load ` + material + `: could not load data: Resource not found: type="Secret" name="` + secretName +
		`" mesh="` + mesh + `"`
}

func fieldErr(svc, field, msg string) string {
	return `topology: MeshExternalService "` + svc + `" in mesh "default": ` + field + ": " + msg
}
