package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshcore/meshcore/examples/internal/manifest"
	"github.com/meshcore/meshcore/hostname"
	"github.com/meshcore/meshcore/topology"
)

// Inputs are the resources the server serves, however they are kept: a
// -config file (Config.Inputs) or a directory of manifests (ReadManifests).
type Inputs struct {
	// Zone is the local zone.
	Zone string
	// Env picks the default HostnameGenerators of the zone.
	Env hostname.Env
	// Meshes are the meshes served.
	Meshes []string
	// Services are the MeshExternalServices, with the labels the control
	// plane computes (manifest.Object.ComputedLabels).
	Services []Service
	// Generators are the HostnameGenerators. The zone's defaults
	// (hostname.DefaultGenerators) are added, unless one has the same name.
	Generators []hostname.Generator
	// MeshServices take part in hostname generation (a hostname they hold
	// is not a MeshExternalService's), and are not served.
	MeshServices []hostname.Service
	// Secrets maps a mesh to its secrets, by name.
	Secrets topology.StaticSecrets
	// Errors are resources that could not be read: reported, not served.
	Errors topology.Errors
}

// Inputs returns the configuration file's resources. Services get the labels
// the control plane computes for a Universal MeshExternalService created in
// the zone, so the default generator names them.
func (c *Config) Inputs() Inputs {
	in := Inputs{Zone: c.Zone, Env: hostname.EnvUniversal, Meshes: c.Meshes, Secrets: c.secrets()}
	for _, s := range c.MeshExternalServices {
		o := manifest.Object{Form: manifest.Universal, Kind: kindMES, Name: s.Name, Mesh: s.Mesh, Labels: s.Labels}
		s.Labels = o.ComputedLabels(s.Mesh, hostname.RoleZone, c.Zone)
		s.host = o.HostnameService(hostname.MeshExternalService, hostname.RoleZone, c.Zone)
		in.Services = append(in.Services, s)
	}
	return in
}

// Kinds read from manifests; other kinds are skipped.
const (
	kindMES       = string(hostname.MeshExternalService)
	kindGenerator = manifest.KindHostnameGenerator
	kindMS        = string(hostname.MeshService)
	kindSecret    = manifest.KindSecret
)

// ErrManifests marks a directory of manifests that cannot be served as a
// whole: a file that does not read, a document that is not YAML.
var ErrManifests = errors.New("xds: invalid manifests")

// ReadManifests reads every .yaml, .yml and .json file under dir, in the
// Kubernetes or Universal form, as meshlint reads them: Mesh,
// MeshExternalService, HostnameGenerator, MeshService and Secret; other
// kinds are skipped. A document that is not YAML fails the whole read (a
// file caught mid-edit must not drop its resources); a resource whose spec
// does not decode is reported in Inputs.Errors and left out. warnings are the
// documents skipped, one line each. Where files repeat a mesh or a secret, the
// first in file order is kept.
func ReadManifests(dir, zone string) (in Inputs, warnings []string, err error) {
	return newManifestDir(dir, zone).read()
}

// manifestDir reads a directory of manifests again and again, parsing only
// the files whose content changed since the last read.
type manifestDir struct {
	dir, zone string
	files     map[string]*fileInputs // by path
	parsed    int                    // files parsed, for tests
}

// fileInputs is what one file contributes, by the hash of its content.
type fileInputs struct {
	sum      [sha256.Size]byte
	in       Inputs
	warnings []string
}

func newManifestDir(dir, zone string) *manifestDir {
	return &manifestDir{dir: dir, zone: zone, files: map[string]*fileInputs{}}
}

func (m *manifestDir) read() (Inputs, []string, error) {
	var files []string
	err := filepath.WalkDir(m.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, path)
			}
		}
		return nil
	})
	if err != nil {
		return Inputs{}, nil, fmt.Errorf("%w: %w", ErrManifests, err)
	}
	slices.Sort(files)
	in := Inputs{Zone: m.zone, Env: hostname.EnvUniversal, Secrets: topology.StaticSecrets{}}
	var warnings []string
	seen := make(map[string]*fileInputs, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return Inputs{}, nil, fmt.Errorf("%w: %w", ErrManifests, err)
		}
		fi := m.files[f]
		if sum := sha256.Sum256(data); fi == nil || fi.sum != sum {
			if fi, err = m.parse(f, data); err != nil {
				return Inputs{}, nil, err
			}
			fi.sum = sum
		}
		seen[f] = fi
		warnings = append(warnings, fi.warnings...)
		if fi.in.Env == hostname.EnvKubernetes {
			in.Env = hostname.EnvKubernetes
		}
		for _, mesh := range fi.in.Meshes {
			if !slices.Contains(in.Meshes, mesh) {
				in.Meshes = append(in.Meshes, mesh)
			}
		}
		in.Services = append(in.Services, fi.in.Services...)
		in.Generators = append(in.Generators, fi.in.Generators...)
		in.MeshServices = append(in.MeshServices, fi.in.MeshServices...)
		in.Errors = append(in.Errors, fi.in.Errors...)
		for mesh, byName := range fi.in.Secrets {
			for name, value := range byName {
				if in.Secrets[mesh] == nil {
					in.Secrets[mesh] = map[string][]byte{}
				}
				if _, dup := in.Secrets[mesh][name]; !dup {
					in.Secrets[mesh][name] = value
				}
			}
		}
	}
	m.files = seen // forget the files removed
	slices.Sort(in.Meshes)
	return in, warnings, nil
}

// parse reads one file's resources.
func (m *manifestDir) parse(f string, data []byte) (*fileInputs, error) {
	m.parsed++
	fi := &fileInputs{in: Inputs{Env: hostname.EnvUniversal, Secrets: topology.StaticSecrets{}}}
	in := &fi.in
	var d manifest.Decoder
	objs, problems := manifest.Read(f, data, &d)
	for _, p := range problems {
		if !p.Warning {
			return nil, fmt.Errorf("%w: %s:%d: %s", ErrManifests, p.File, p.Line, p.Message)
		}
		fi.warnings = append(fi.warnings, fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message))
	}
	for i := range objs {
		o := &objs[i]
		if o.Form == manifest.Kubernetes {
			in.Env = hostname.EnvKubernetes
		}
		switch o.Kind {
		case manifest.KindMesh:
			if !slices.Contains(in.Meshes, o.Name) {
				in.Meshes = append(in.Meshes, o.Name)
			}
		case kindMES:
			// Topology and hostname generation see the same computed labels.
			host := o.HostnameService(hostname.MeshExternalService, hostname.RoleZone, m.zone)
			s := Service{Type: kindMES, MeshExternalService: topology.MeshExternalService{
				Mesh: host.Mesh, Name: host.CoreName, Labels: host.Labels,
			}, Created: o.Created, host: host}
			if specErrors(in, o, &d, &s.Spec) {
				in.Services = append(in.Services, s)
			}
		case kindGenerator:
			var g hostname.Generator
			if specErrors(in, o, &d, &g) {
				g.Name, g.Labels, g.Created = o.CoreName(), o.Labels, o.Created
				in.Generators = append(in.Generators, g)
			}
		case kindMS:
			in.MeshServices = append(in.MeshServices, o.HostnameService(hostname.MeshService, hostname.RoleZone, m.zone))
		case kindSecret:
			if !o.SecretVisible(manifest.DefaultSystemNamespace) {
				continue
			}
			value, problems := o.SecretValue(&d)
			if len(problems) > 0 {
				in.Errors = append(in.Errors, &topology.ResourceError{Mesh: o.ResourceMesh(), Name: o.CoreName(), Field: problems[0].Path, Err: problems[0]})
				continue
			}
			o.AddSecretTo(in.Secrets, value)
		}
	}
	return fi, nil
}

// specErrors decodes o's spec into v, strictly; it reports the first problem
// in in.Errors and returns false when there is one.
func specErrors(in *Inputs, o *manifest.Object, d *manifest.Decoder, v any) bool {
	problems := d.Decode(o.Spec, "spec", v, true)
	if len(problems) == 0 {
		return true
	}
	in.Errors = append(in.Errors, &topology.ResourceError{Mesh: o.ResourceMesh(), Name: o.CoreName(), Field: problems[0].Path, Err: problems[0]})
	return false
}
