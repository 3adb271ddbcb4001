package topology

import (
	"context"
	"fmt"
)

// Secrets gives the bytes of the Secrets that [DataSource.Secret] names.
//
// [BuildEgressEndpointMap] asks at most once per (mesh, name) per build, and
// only for material the verification mode uses. A missing secret is an error
// that wraps [ErrSecretNotFound]; any other error is reported as a failure to
// load it. Implementations must not put secret bytes in their errors: the
// builder wraps them into [ResourceError]s that end up in logs and statuses.
type Secrets interface {
	Secret(ctx context.Context, mesh, name string) ([]byte, error)
}

// SecretsFunc adapts a function to [Secrets].
type SecretsFunc func(ctx context.Context, mesh, name string) ([]byte, error)

// Secret calls f.
func (f SecretsFunc) Secret(ctx context.Context, mesh, name string) ([]byte, error) {
	return f(ctx, mesh, name)
}

// StaticSecrets holds secrets in memory: mesh → secret name → bytes. A secret
// is visible only in its own mesh.
type StaticSecrets map[string]map[string][]byte

// Secret returns s[mesh][name], or an error wrapping [ErrSecretNotFound].
func (s StaticSecrets) Secret(_ context.Context, mesh, name string) ([]byte, error) {
	if b, ok := s[mesh][name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %q in mesh %q", ErrSecretNotFound, name, mesh)
}
