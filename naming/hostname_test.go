package naming

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
)

func TestCheckHostname(t *testing.T) {
	long := strings.Repeat("a", 64)
	tests := []struct {
		in   string
		want []string
	}{
		{"backend.kuma-demo.svc.cluster.local", nil},
		{"a", nil},
		{strings.Repeat("a", 63) + ".b", nil},
		{"", []string{MsgDNS1123SubdomainFormat}},
		{"Backend.svc", []string{MsgDNS1123SubdomainFormat}},
		{"a..b", []string{MsgDNS1123SubdomainFormat}},
		{long + ".svc", []string{`label 1 ("` + long + `") must be no more than 63 characters`}},
		{"x." + long, []string{`label 2 ("` + long + `") must be no more than 63 characters`}},
		{long + "_.x", []string{MsgDNS1123SubdomainFormat, `label 1 ("` + long + `_") must be no more than 63 characters`}},
		{strings.Repeat("a.", 127) + "a", []string{MsgSubdomainTooLong}},
	}
	for _, tt := range tests {
		got := CheckHostname(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("CheckHostname(%q) (-want +got):\n%s", tt.in, diff)
		}
		assert.Equal(t, tt.want == nil, IsHostname(tt.in), "IsHostname(%q)", tt.in)
	}
}

func TestIsHostnameNoAllocs(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		_ = IsHostname("backend.kuma-demo.svc.cluster.local")
		_ = CheckHostname("backend.kuma-demo.svc.cluster.local")
	})
	assert.Zero(t, n)
}
