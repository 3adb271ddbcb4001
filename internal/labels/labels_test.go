package labels

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReadingRules(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		// want: TemplateDisplayName(l, "n"), DisplayNameOr(l, "n"),
		// ZoneOr(l, "local"), MeshOf(l)
		template, display, zone, mesh string
	}{
		{"absent", nil, "n", "n", "local", ""},
		{"empty", map[string]string{DisplayName: "", Zone: "", Mesh: ""}, "", "n", "local", ""},
		{"set", map[string]string{DisplayName: "d", Zone: "z", Mesh: "m"}, "d", "d", "z", "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.template, TemplateDisplayName(tt.labels, "n"))
			assert.Equal(t, tt.display, DisplayNameOr(tt.labels, "n"))
			v, ok := DisplayNameLabel(tt.labels)
			assert.Equal(t, tt.display != "n", ok, "DisplayNameLabel counts")
			if ok {
				assert.Equal(t, tt.display, v)
			}
			assert.Equal(t, tt.zone, ZoneOr(tt.labels, "local"))
			assert.Equal(t, tt.mesh, MeshOf(tt.labels))
		})
	}
}
