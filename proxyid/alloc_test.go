package proxyid

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNoAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts are not meaningful under -cover or -race")
	}
	id := MustParse("aa%2Ea.2048-app-7c5f756499-l9p2m.kuma-demo")
	buf := make([]byte, 0, 128)
	tests := []struct {
		name string
		f    func()
	}{
		{"Parse without escapes", func() { _, _ = Parse("default.2048-app-7c5f756499-l9p2m.kuma-demo") }},
		{"Parse of a zone proxy", func() { _, _ = Parse(".kuma-ingress-5d8f.kuma-system") }},
		{"AppendTo a sized buffer", func() { buf = id.AppendTo(buf[:0]) }},
		{"String", func() { _ = id.String() }},
		{"Mesh and Name", func() { _, _ = id.Mesh(), id.Name() }},
		{"KubePod", func() { _, _, _ = id.KubePod() }},
		{"Compare", func() { _ = id.Compare(id) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Zero(t, testing.AllocsPerRun(1000, tt.f))
		})
	}
}
