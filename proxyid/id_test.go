package proxyid

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNew(t *testing.T) {
	tests := []struct {
		mesh, name string
		want       string
		wantErr    error
	}{
		{mesh: "default", name: "backend-1", want: "default.backend-1"},
		{mesh: "aa.a", name: "2048-app-7c5f756499-l9p2m.kuma-demo", want: "aa%2Ea.2048-app-7c5f756499-l9p2m.kuma-demo"},
		{mesh: "a%b", name: "x", want: "a%25b.x"},
		{mesh: ".", name: "x", want: "%2E.x"},
		{mesh: "%", name: "x", want: "%25.x"},
		{mesh: "%2E", name: "x", want: "%252E.x"},
		{mesh: "a..b", name: "c.d", want: "a%2E%2Eb.c.d"},
		{mesh: "default", name: "web.v1.kuma-demo", want: "default.web.v1.kuma-demo"},
		{mesh: "default", name: "%2E", want: "default.%2E"},
		{mesh: "m\x00\xff", name: "\n", want: "m\x00\xff.\n"},
		{mesh: "default", name: ".", want: "default.."},
		{mesh: "default", name: "", wantErr: ErrEmptyName},
		{mesh: "", name: "x", wantErr: ErrEmptyMesh},
		{mesh: "", name: "", wantErr: ErrEmptyMesh},
	}
	for _, tt := range tests {
		t.Run(tt.mesh+"|"+tt.name, func(t *testing.T) {
			id, err := New(tt.mesh, tt.name)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.False(t, id.IsValid())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, id.String())
			assert.Equal(t, tt.mesh, id.Mesh())
			assert.Equal(t, tt.name, id.Name())
			assert.True(t, id.IsValid())
			assert.False(t, id.IsZoneProxy())
			back, err := Parse(id.String())
			require.NoError(t, err)
			assert.Equal(t, id, back, "Parse(New(m, n).String()) must be the same ID")
		})
	}
}

func TestNewErrorMessages(t *testing.T) {
	_, err := New("", "x")
	assert.EqualError(t, err, `proxyid: new(mesh "", name "x"): empty mesh (use ZoneProxy for a proxy without a mesh)`)
	_, err = New("default", "")
	assert.EqualError(t, err, `proxyid: new(mesh "default", name ""): empty name`)
	_, err = ZoneProxy("")
	assert.EqualError(t, err, `proxyid: zone proxy(name ""): empty name`)
	assert.ErrorIs(t, err, ErrEmptyName)
}

func TestParse(t *testing.T) {
	tests := []struct {
		in         string
		mesh, name string
		zone       bool
		wantErr    error
		wantOffset int
		wantMsg    string
	}{
		{in: "default.backend-1", mesh: "default", name: "backend-1"},
		{in: "aa%2Ea.2048-app-7c5f756499-l9p2m.kuma-demo", mesh: "aa.a", name: "2048-app-7c5f756499-l9p2m.kuma-demo"},
		{in: "a%25b.x", mesh: "a%b", name: "x"},
		{in: "%2E.x", mesh: ".", name: "x"},
		{in: "%25.x", mesh: "%", name: "x"},
		{in: "default.a%2Eb", mesh: "default", name: "a%2Eb"}, // names are never unescaped
		{in: "default.a%zz", mesh: "default", name: "a%zz"},   // nor checked for escapes
		{in: "aa.a.web.ns", mesh: "aa", name: "a.web.ns"},     // legacy first-dot reading
		{in: ".kuma-ingress-5d8f.kuma-system", name: "kuma-ingress-5d8f.kuma-system", zone: true},
		{in: "..", name: ".", zone: true},
		{in: "default..", mesh: "default", name: "."},
		{in: "", wantErr: ErrEmpty, wantMsg: `proxyid: parse "": empty ID`},
		{in: "demo", wantErr: ErrNoSeparator, wantOffset: 4, wantMsg: `proxyid: parse "demo": no "." between mesh and name at offset 4`},
		{in: "demo.", wantErr: ErrEmptyName, wantOffset: 5, wantMsg: `proxyid: parse "demo.": empty name at offset 5`},
		{in: ".", wantErr: ErrEmptyName, wantOffset: 1},
		{in: "aa%2ea.x", wantErr: ErrBadEscape, wantOffset: 2, wantMsg: `proxyid: parse "aa%2ea.x": bad escape at offset 2`},
		{in: "aa%41.x", wantErr: ErrBadEscape, wantOffset: 2},
		{in: "aa%.x", wantErr: ErrBadEscape, wantOffset: 2},
		{in: "aa%2.x", wantErr: ErrBadEscape, wantOffset: 2},
		{in: "aa%2x.web", wantErr: ErrBadEscape, wantOffset: 2, wantMsg: `proxyid: parse "aa%2x.web": bad escape at offset 2`},
		{in: "%2E%2.x", wantErr: ErrBadEscape, wantOffset: 3},
		{in: "a%25%.x", wantErr: ErrBadEscape, wantOffset: 4},
		{in: "%", wantErr: ErrNoSeparator, wantOffset: 1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, err := Parse(tt.in)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tt.in, pe.Input)
				assert.Equal(t, tt.wantOffset, pe.Offset)
				if tt.wantMsg != "" {
					assert.EqualError(t, err, tt.wantMsg)
				}
				assert.Equal(t, ID{}, id)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.mesh, id.Mesh())
			assert.Equal(t, tt.name, id.Name())
			assert.Equal(t, tt.zone, id.IsZoneProxy())
			assert.Equal(t, tt.in, id.String(), "Parse(s).String() == s")
		})
	}
}

func TestMustParse(t *testing.T) {
	assert.Equal(t, "aa.a", MustParse("aa%2Ea.web").Mesh())
	assert.PanicsWithError(t, `proxyid: parse "demo": no "." between mesh and name at offset 4`, func() { MustParse("demo") })
}

func TestZoneProxy(t *testing.T) {
	id, err := ZoneProxy("kuma-ingress-5d8f.kuma-system")
	require.NoError(t, err)
	assert.Equal(t, ".kuma-ingress-5d8f.kuma-system", id.String())
	assert.True(t, id.IsZoneProxy())
	assert.Equal(t, "", id.Mesh())
	assert.Equal(t, MustParse(".kuma-ingress-5d8f.kuma-system"), id)
}

func TestZeroID(t *testing.T) {
	var id ID
	assert.False(t, id.IsValid())
	assert.False(t, id.IsZoneProxy())
	assert.Equal(t, "", id.String())
	assert.Equal(t, "", id.Mesh())
	assert.Equal(t, "", id.Name())
	_, _, ok := id.KubePod()
	assert.False(t, ok)
	text, err := id.MarshalText()
	require.NoError(t, err)
	assert.Empty(t, text)
}

func TestKubePod(t *testing.T) {
	tests := []struct {
		name    string
		pod, ns string
		ok      bool
	}{
		{name: "web.v1.kuma-demo", pod: "web.v1", ns: "kuma-demo", ok: true},
		{name: "2048-app-7c5f756499-l9p2m.kuma-demo", pod: "2048-app-7c5f756499-l9p2m", ns: "kuma-demo", ok: true},
		{name: "backend-1"},
		{name: ".ns"},
		{name: "pod."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod, ns, ok := MustNew(t, "default", tt.name).KubePod()
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.pod, pod)
			assert.Equal(t, tt.ns, ns)
		})
	}
}

func MustNew(t *testing.T, mesh, name string) ID {
	t.Helper()
	id, err := New(mesh, name)
	require.NoError(t, err)
	return id
}

func TestAppendTo(t *testing.T) {
	id := MustNew(t, "aa.a", "web.ns")
	assert.Equal(t, "prefix:aa%2Ea.web.ns", string(id.AppendTo([]byte("prefix:"))))
	assert.Empty(t, ID{}.AppendTo(nil))
}

func TestTextRoundTrip(t *testing.T) {
	type doc struct {
		Proxy ID `json:"proxy"`
	}
	in := doc{Proxy: MustNew(t, "aa.a", "web.ns")}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"proxy":"aa%2Ea.web.ns"}`, string(b))
	var out doc
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)

	require.NoError(t, json.Unmarshal([]byte(`{"proxy":""}`), &out))
	assert.Equal(t, ID{}, out.Proxy)

	err = json.Unmarshal([]byte(`{"proxy":"aa%2x.web"}`), &out)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2, pe.Offset)
}

func TestCompare(t *testing.T) {
	ids := []ID{
		MustNew(t, "b", "x"),
		MustNew(t, "aa.a", "web.ns"),
		{},
		MustParse(".ingress.kuma-system"),
		MustNew(t, "aa", "a.web.ns"),
		MustNew(t, "aa", "zz"),
		MustNew(t, "aa", "a"),
	}
	slices.SortFunc(ids, ID.Compare)
	var got []string
	for _, id := range ids {
		got = append(got, id.Mesh()+"|"+id.Name())
	}
	assert.Equal(t, []string{"|", "|ingress.kuma-system", "aa|a", "aa|a.web.ns", "aa|zz", "aa.a|web.ns", "b|x"}, got)
	for _, a := range ids {
		for _, b := range ids {
			assert.Equal(t, a == b, a.Compare(b) == 0, "%q vs %q", a, b)
			assert.Equal(t, -a.Compare(b), b.Compare(a))
		}
	}
}

func TestErrorsAreDistinct(t *testing.T) {
	all := []error{ErrEmpty, ErrNoSeparator, ErrEmptyName, ErrEmptyMesh, ErrBadEscape, ErrAmbiguous, ErrNotFound}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b))
		}
	}
}
