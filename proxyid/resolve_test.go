package proxyid

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// known is a set of existing proxies, as a control plane's store would hold them.
type known map[[2]string]bool

func (k known) exists(calls *int) func(ID) bool {
	return func(id ID) bool {
		*calls++
		return k[[2]string{id.Mesh(), id.Name()}]
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		existing   known
		wantMesh   string
		wantName   string
		wantErr    error
		wantMsg    string
		wantCalls  int
		nilExists  bool
		wantParseE bool
	}{
		{
			name: "dotted mesh, single existing reading", in: "aa.a.web.ns",
			existing: known{{"aa.a", "web.ns"}: true},
			wantMesh: "aa.a", wantName: "web.ns", wantCalls: 3,
		},
		{
			name: "both readings exist", in: "aa.a.web.ns",
			existing: known{{"aa", "a.web.ns"}: true, {"aa.a", "web.ns"}: true},
			wantErr:  ErrAmbiguous, wantCalls: 3,
			wantMsg: `proxyid: resolve "aa.a.web.ns": ambiguous: mesh "aa" name "a.web.ns", mesh "aa.a" name "web.ns"`,
		},
		{
			name: "no reading exists", in: "aa.a.web",
			existing: known{},
			wantErr:  ErrNotFound, wantCalls: 2,
			wantMsg: `proxyid: resolve "aa.a.web": not found: mesh "aa" name "a.web", mesh "aa.a" name "web"`,
		},
		{
			name: "single reading: one call", in: "default.backend-1",
			existing: known{{"default", "backend-1"}: true},
			wantMesh: "default", wantName: "backend-1", wantCalls: 1,
		},
		{
			name: "single reading that does not exist: one call", in: "default.backend-1",
			existing: known{},
			wantErr:  ErrNotFound, wantCalls: 1,
		},
		{
			name: "meshcore encoding resolves too", in: "aa%2Ea.web",
			existing: known{{"aa.a", "web"}: true},
			wantMesh: "aa.a", wantName: "web", wantCalls: 2,
		},
		{
			name: "mesh literally named with a percent sequence", in: "aa%2Ea.web",
			existing: known{{"aa%2Ea", "web"}: true},
			wantMesh: "aa%2Ea", wantName: "web", wantCalls: 2,
		},
		{
			name: "legacy zone proxy", in: ".ingress.kuma-system",
			existing: known{{"", "ingress.kuma-system"}: true},
			wantName: "ingress.kuma-system", wantCalls: 2,
		},
		{
			name: "legacy mesh with an unescaped percent", in: "a%b.x",
			existing: known{{"a%b", "x"}: true},
			wantMesh: "a%b", wantName: "x", wantCalls: 1,
		},
		{
			name: "nil exists: unique reading", in: "default.backend-1", nilExists: true,
			wantMesh: "default", wantName: "backend-1",
		},
		{
			name: "nil exists: several readings", in: "default.web.ns", nilExists: true,
			wantErr: ErrAmbiguous,
		},
		{name: "empty", in: "", existing: known{}, wantErr: ErrEmpty, wantParseE: true},
		{name: "no dot", in: "demo", existing: known{}, wantErr: ErrNoSeparator, wantParseE: true},
		{name: "trailing dot only", in: "demo.", existing: known{}, wantErr: ErrEmptyName, wantParseE: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var exists func(ID) bool
			if !tt.nilExists {
				exists = tt.existing.exists(&calls)
			}
			id, err := Resolve(tt.in, exists)
			assert.Equal(t, tt.wantCalls, calls, "calls to exists")
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				if tt.wantParseE {
					var pe *ParseError
					require.ErrorAs(t, err, &pe)
				} else {
					var re *ResolveError
					require.ErrorAs(t, err, &re)
					assert.Equal(t, tt.in, re.Input)
				}
				if tt.wantMsg != "" {
					assert.EqualError(t, err, tt.wantMsg)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantMesh, id.Mesh())
			assert.Equal(t, tt.wantName, id.Name())
		})
	}
}
