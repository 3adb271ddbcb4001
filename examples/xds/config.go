package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
	"sigs.k8s.io/yaml"
)

// Config is the configuration file, YAML (or JSON) decoded strictly: an unknown
// field is an error, so a typo does not silently drop a setting.
//
//	zone: zone-1                # optional: MES labelled with another kuma.io/zone are left out
//	meshes: [aa, aa.a]          # the meshes served
//	meshExternalServices:       # Universal MeshExternalService resources
//	- type: MeshExternalService # optional
//	  mesh: aa.a
//	  name: api
//	  hostname: api.example     # optional, default from the HostnameGenerators: {displayName}.extsvc.mesh.local
//	  spec: {match: {port: 8080, protocol: grpc}, endpoints: [{address: 10.0.0.1, port: 8080}]}
//	secrets:                    # mesh → secret name → PEM, for spec.tls.*.secret
//	  aa.a:
//	    client-cert: |
//	      -----BEGIN CERTIFICATE-----
type Config struct {
	// Zone is the local zone.
	Zone string `json:"zone,omitempty"`
	// Meshes lists every mesh served. A proxy of a mesh not listed gets an
	// empty snapshot until a reload adds its mesh.
	Meshes []string `json:"meshes"`
	// MeshExternalServices are the services, each naming its mesh.
	MeshExternalServices []Service `json:"meshExternalServices,omitempty"`
	// Secrets maps a mesh to its secrets, by name, as PEM text.
	Secrets map[string]map[string]string `json:"secrets,omitempty"`
}

// Service is one MeshExternalService of the configuration file: the
// Universal resource (type, mesh, name, labels, spec) plus the hostname
// proxyless gRPC clients dial it by (xds:///hostname).
type Service struct {
	// Type is "MeshExternalService" or empty.
	Type string `json:"type,omitempty"`
	topology.MeshExternalService
	// Hostname, when set, is the one hostname proxyless clients dial the
	// service by; otherwise the HostnameGenerators name it (by default
	// {displayName}.extsvc.mesh.local).
	Hostname string `json:"hostname,omitempty"`
	// Created is the creation time: older services claim hostnames first.
	Created time.Time `json:"-"`
	// host is the service as hostname generation sees it.
	host hostname.Service
}

// ErrConfig marks a configuration that is rejected as a whole: it does not
// parse, or its mesh list or secrets are malformed. A fault in one
// MeshExternalService is not an ErrConfig: that service is reported and the
// others are served.
var ErrConfig = errors.New("xds: invalid config")

// configError is an ErrConfig naming the field at fault.
type configError struct {
	field string
	msg   string
}

func (e *configError) Error() string {
	return "xds: invalid config: " + e.field + ": " + e.msg
}

func (e *configError) Is(target error) bool { return target == ErrConfig }

// LoadConfig reads and parses the configuration file at path.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("xds: read config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return cfg, nil
}

// ParseConfig parses a configuration file's contents and checks what must
// hold for the whole file: mesh names present and unique, secrets only for
// listed meshes. Faults of one service are left to the build, which reports
// them per service.
func ParseConfig(data []byte) (*Config, error) {
	var cfg Config
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func (c *Config) validate() error {
	for i, m := range c.Meshes {
		field := "meshes[" + strconv.Itoa(i) + "]"
		if m == "" {
			return &configError{field, "mesh name is empty"}
		}
		if j := slices.Index(c.Meshes, m); j < i {
			return &configError{field, fmt.Sprintf("mesh %q is listed twice (also meshes[%d])", m, j)}
		}
	}
	for _, mesh := range sortedKeys(c.Secrets) {
		if !slices.Contains(c.Meshes, mesh) {
			return &configError{"secrets", fmt.Sprintf("mesh %q is not in meshes", mesh)}
		}
	}
	return nil
}

// secrets returns c.Secrets as topology secrets.
func (c *Config) secrets() topology.StaticSecrets {
	out := make(topology.StaticSecrets, len(c.Secrets))
	for mesh, byName := range c.Secrets {
		m := make(map[string][]byte, len(byName))
		for name, pem := range byName {
			m[name] = []byte(pem)
		}
		out[mesh] = m
	}
	return out
}
