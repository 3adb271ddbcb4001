package naming

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLabelOracle: the label key and value checks agree with apimachinery on
// every string of up to four bytes over an alphabet of the interesting bytes,
// and on the length boundaries.
func TestLabelOracle(t *testing.T) {
	alphabet := []string{"a", "Z", "0", "-", "_", ".", "/", " ", "\xff"}
	var gen func(prefix string, depth int)
	n := 0
	gen = func(prefix string, depth int) {
		n++
		checkLabelOracle(t, prefix)
		if depth == 0 {
			return
		}
		for _, c := range alphabet {
			gen(prefix+c, depth-1)
		}
	}
	gen("", 4)
	assert.Greater(t, n, 5000)
	for _, s := range []string{
		strings.Repeat("a", 63), strings.Repeat("a", 64), "example.com/" + strings.Repeat("a", 64),
		strings.Repeat("a", 254) + "/x", "Example.com/x", "kuma.io/Not Valid!", "not valid!!", "a/b/c", "/x", "x/",
		"kuma.io/" + strings.Repeat("-", 64), "a\n",
	} {
		checkLabelOracle(t, s)
	}
}

// TestLabelMessages pins the messages the reference's e2e validation goldens
// show (v2.14.3 test/e2e_env/multizone/validation/testdata, invalid-key and
// invalid-value).
func TestLabelMessages(t *testing.T) {
	assert.Equal(t, []string{"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
		CheckLabelKey("kuma.io/Not Valid!"))
	assert.Equal(t, []string{"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
		CheckLabelValue("not valid!!"))
	assert.Nil(t, CheckLabelKey("kuma.io/origin"))
	assert.Nil(t, CheckLabelValue(""))
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_ = IsLabelKey("k8s.kuma.io/service-name") && IsLabelValue("kuma-demo")
	}))
}
