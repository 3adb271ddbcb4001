package naming

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSuggest(t *testing.T) {
	long := strings.Repeat("Ab_", 30) // 90 bytes, cleans to 60+29 = 89
	for _, tc := range []struct {
		rule Rule
		in   string
		want string
	}{
		// Valid names are returned unchanged.
		{DNS1035Label, "default", "default"},
		{DNS1035Label, "mesh--1", "mesh--1"},
		{DNS1123Label, "1mesh", "1mesh"},
		{DNS1123Subdomain, "2048-app-7c5f756499-l9p2m.kuma-demo", "2048-app-7c5f756499-l9p2m.kuma-demo"},
		{DNS1035Label, m63, m63},

		{DNS1035Label, "aa.a", "aa-a"},
		{DNS1123Label, "aa.a", "aa-a"},
		{DNS1035Label, "Mesh", "mesh"},
		{DNS1035Label, "mesh_", "mesh"},
		{DNS1035Label, "mesh-", "mesh"},
		{DNS1035Label, "-mesh", "mesh"},
		{DNS1035Label, "mesh_1", "mesh-1"},
		{DNS1035Label, "def ault", "def-ault"},
		{DNS1035Label, "a - b", "a-b"},     // the run " - " has invalid bytes: one '-'
		{DNS1035Label, "a--b_c", "a--b-c"}, // a run of '-' alone is kept
		{DNS1035Label, "default\n", "default"},
		{DNS1035Label, "1mesh", "x-1mesh"},
		{DNS1035Label, "2048-app-7c5f756499-l9p2m", "x-2048-app-7c5f756499-l9p2m"},
		{DNS1035Label, "2048-app-7c5f756499-l9p2m.kuma-demo", "x-2048-app-7c5f756499-l9p2m-kuma-demo"},
		{DNS1035Label, "_1", "x-1"},
		{DNS1035Label, "Caf\u00e9-Bar", "caf-bar"},
		{DNS1123Label, "1.2.3.4", "1-2-3-4"},
		{DNS1123Subdomain, "Web_1.Kuma-Demo", "web-1.kuma-demo"},
		{DNS1123Subdomain, ".a..b.", "a.b"},
		{DNS1123Subdomain, "a.-b-.c", "a.b.c"},
		{DNS1123Subdomain, "a._.b", "a.b"},
		{DNS1123Subdomain, "*.example.com", "example.com"},

		// Nothing left: "x-" and the hash of the input.
		{DNS1035Label, "", "x-811c9dc5"},
		{DNS1123Label, "___", "x-" + hashOf("___")},
		{DNS1123Subdomain, "...", "x-" + hashOf("...")},
		{DNS1035Label, strings.Repeat("é", 32), "x-" + hashOf(strings.Repeat("é", 32))},

		// Too long: cut, trimmed, hash suffix.
		{DNS1035Label, m64, strings.Repeat("m", 54) + "-" + hashOf(m64)},
		{DNS1123Label, m63 + ".x", strings.Repeat("m", 54) + "-" + hashOf(m63+".x")},
		{DNS1035Label, strings.Repeat("1", 62), "x-" + strings.Repeat("1", 52) + "-" + hashOf(strings.Repeat("1", 62))},
		{DNS1035Label, strings.Repeat("a", 53) + "_b" + strings.Repeat("c", 20), strings.Repeat("a", 53) + "-" + hashOf(strings.Repeat("a", 53)+"_b"+strings.Repeat("c", 20))},
		{DNS1123Subdomain, strings.Repeat("a", 254), strings.Repeat("a", 244) + "-" + hashOf(strings.Repeat("a", 254))},
		{DNS1123Subdomain, strings.Repeat("a", 243) + ".b" + strings.Repeat("c", 20), strings.Repeat("a", 243) + "-" + hashOf(strings.Repeat("a", 243)+".b"+strings.Repeat("c", 20))},
		{DNS1035Label, long, strings.TrimRight(strings.Repeat("ab-", 18), "-") + "-" + hashOf(long)},

		// An undefined rule means the base rule.
		{0, "aa.a", "aa.a"},
		{0, "Aa.A", "aa.a"},
	} {
		t.Run(tc.rule.String()+"/"+tc.in, func(t *testing.T) {
			got := Suggest(tc.rule, tc.in)
			assert.Equal(t, tc.want, got)
			checkSuggestion(t, tc.rule, tc.in, got)
		})
	}
}

// checkSuggestion asserts the properties every suggestion has.
func checkSuggestion(t testing.TB, rule Rule, in, got string) {
	t.Helper()
	if !rule.IsValid() {
		rule = BaseRule
	}
	if msgs := rule.Check(got); msgs != nil {
		t.Fatalf("Suggest(%v, %q) = %q, which breaks the rule: %q", rule, in, got, msgs)
	}
	if again := Suggest(rule, got); again != got {
		t.Fatalf("Suggest(%v, %q) = %q, but Suggest of that is %q", rule, in, got, again)
	}
	if rule.Allows(in) && got != in {
		t.Fatalf("Suggest(%v, %q) = %q changed a valid name", rule, in, got)
	}
}

func hashOf(s string) string { return string(appendHash(nil, s, 0)) }

// TestSuggestUniqueWhenShortened: many long names that share their first 60
// bytes, and so clean to the same cut, get distinct suggestions.
func TestSuggestUniqueWhenShortened(t *testing.T) {
	for _, rule := range []Rule{DNS1035Label, DNS1123Label, DNS1123Subdomain} {
		prefix := strings.Repeat("service-", rule.MaxLength()/8+1)
		seen := make(map[string]string)
		for i := range 5000 {
			in := prefix + strings.Repeat("x", i%7) + "-" + strconv.Itoa(i)
			got := Suggest(rule, in)
			require.LessOrEqual(t, len(got), rule.MaxLength())
			if prev, dup := seen[got]; dup {
				t.Fatalf("%v: %q and %q both suggest %q", rule, prev, in, got)
			}
			seen[got] = in
		}
	}
}

func TestSuggestVectorsProperties(t *testing.T) {
	for _, v := range ruleVectors {
		for _, rule := range []Rule{DNS1035Label, DNS1123Label, DNS1123Subdomain} {
			checkSuggestion(t, rule, v.name, Suggest(rule, v.name))
		}
	}
}

func TestSuggestSalt(t *testing.T) {
	a := suggest(DNS1035Label, "aa.a", true, 0)
	b := suggest(DNS1035Label, "aa.a", true, 1)
	assert.Equal(t, "aa-a-"+hashOf("aa.a"), a)
	assert.NotEqual(t, a, b)
	checkSuggestion(t, DNS1035Label, "aa.a", a)
	checkSuggestion(t, DNS1035Label, "aa.a", b)
}
