package topology

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCompareConcat: compareConcat agrees with comparing the concatenations.
func TestCompareConcat(t *testing.T) {
	parts := []string{"", "a", "b", "ab", "priority-1", "priority-10", "priority-2", "zone", "zone-1"}
	for _, a1 := range parts {
		for _, a2 := range parts {
			for _, b1 := range parts {
				for _, b2 := range parts {
					assert.Equal(t, strings.Compare(a1+a2, b1+b2), compareConcat(a1, a2, b1, b2), "%q+%q vs %q+%q", a1, a2, b1, b2)
				}
			}
		}
	}
}
