package naming

import (
	"testing"

	"github.com/stretchr/testify/require"
	k8s "k8s.io/apimachinery/pkg/util/validation"
)

func TestQuickOracle(t *testing.T) {
	for _, s := range []string{"", "a", "default", "aa.a", "1mesh", "Mesh", "mesh-", "-mesh", "a..b", "a.-b", "a-.b", "default\n", "def ault",
		"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm", "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm.x"} {
		require.Equal(t, k8s.IsDNS1035Label(s), DNS1035Label.Check(s), s)
		require.Equal(t, k8s.IsDNS1123Label(s), DNS1123Label.Check(s), s)
		require.Equal(t, k8s.IsDNS1123Subdomain(s), DNS1123Subdomain.Check(s), s)
	}
}
