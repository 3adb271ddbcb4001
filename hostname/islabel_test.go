package hostname

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meshcore/meshcore/naming"
)

// TestIsLabel holds the render path's label check to naming's predicate, the
// oracle: every byte at the start, inside and at the end, and the lengths
// around the limit.
func TestIsLabel(t *testing.T) {
	inputs := []string{"", "a", "-", "a-b", "a--b", "-a", "a-", "backend", "kuma-demo", "2048",
		strings.Repeat("m", 63), strings.Repeat("m", 64), "Backend", "my_svc", "a.b", "é"}
	for c := 0; c < 256; c++ {
		b := string([]byte{byte(c)})
		inputs = append(inputs, b, b+"a", "a"+b, "a"+b+"b", strings.Repeat("a", 9)+b+"a")
	}
	for _, s := range inputs {
		assert.Equal(t, naming.IsDNS1123Label(s), isLabel(s), "%q", s)
	}
}
