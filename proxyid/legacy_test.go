package proxyid

import (
	"errors"
	"strings"
)

// legacyProxyID is the reference's parsed ID: a pointer to a (mesh, name) pair.
type legacyProxyID struct{ mesh, name string }

// legacyParseProxyID is the reference reader meshcore replaces, kept as the
// oracle and the benchmark peer: split at the first dot, no unescaping, the
// result returned by pointer (two allocations: the SplitN slice and the ID).
// Its error texts are the reference's.
func legacyParseProxyID(s string) (*legacyProxyID, error) {
	if s == "" {
		return nil, errors.New("Envoy ID must not be nil")
	}
	parts := strings.SplitN(s, ".", 2)
	if len(parts) < 2 {
		return nil, errors.New("the name should be provided after the dot")
	}
	if parts[1] == "" {
		return nil, errors.New("name must not be empty")
	}
	return &legacyProxyID{mesh: parts[0], name: parts[1]}, nil
}

// legacyParse is legacyParseProxyID with the parts unpacked.
func legacyParse(s string) (mesh, name string, err error) {
	id, err := legacyParseProxyID(s)
	if err != nil {
		return "", "", err
	}
	return id.mesh, id.name, nil
}

// legacyString is the reference writer.
func legacyString(mesh, name string) string { return mesh + "." + name }
