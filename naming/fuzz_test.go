package naming

import (
	"slices"
	"testing"

	k8s "k8s.io/apimachinery/pkg/util/validation"
)

func addSeeds(f *testing.F) {
	for _, v := range ruleVectors {
		f.Add(v.name)
	}
	for _, s := range []string{"_srv._tcp.Example.com.", "256.1.1.1", "a-.b", "123.a", "a_b.c-d.e"} {
		f.Add(s)
	}
}

// FuzzRules checks the three rules against k8s.io/apimachinery: the same
// validity from the predicates and the same messages, in the same order,
// from Check; the label key and value checks likewise; and the DNS name
// predicates against their regular-expression oracles.
func FuzzRules(f *testing.F) {
	addSeeds(f)
	oracles := []struct {
		rule   Rule
		is     func(string) bool
		oracle func(string) []string
	}{
		{DNS1035Label, IsDNS1035Label, k8s.IsDNS1035Label},
		{DNS1123Label, IsDNS1123Label, k8s.IsDNS1123Label},
		{DNS1123Subdomain, IsDNS1123Subdomain, k8s.IsDNS1123Subdomain},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range oracles {
			want := o.oracle(s)
			got := o.rule.Check(s)
			if !slices.Equal(want, got) {
				t.Fatalf("%v.Check(%q) = %q, apimachinery says %q", o.rule, s, got, want)
			}
			if o.is(s) != (len(want) == 0) || o.rule.Allows(s) != (len(want) == 0) {
				t.Fatalf("Is%v(%q) = %v, apimachinery says %q", o.rule, s, o.is(s), want)
			}
		}
		checkLabelOracle(t, s)
		checkDNSNameOracles(t, s)
	})
}

// FuzzSuggest checks that every suggestion satisfies its rule, is a fixed
// point of Suggest, leaves valid names alone, and is deterministic.
func FuzzSuggest(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, rule := range []Rule{DNS1035Label, DNS1123Label, DNS1123Subdomain} {
			got := Suggest(rule, s)
			checkSuggestion(t, rule, s, got)
			if again := Suggest(rule, s); again != got {
				t.Fatalf("Suggest(%v, %q) not deterministic: %q then %q", rule, s, got, again)
			}
			if u := suggest(rule, s, true, 0); !rule.Allows(u) {
				t.Fatalf("hashed suggestion %q for %q breaks %v", u, s, rule)
			}
		}
	})
}

// checkLabelOracle compares the label key and value checks with
// apimachinery's IsQualifiedName and IsValidLabelValue.
func checkLabelOracle(t *testing.T, s string) {
	t.Helper()
	if want, got := k8s.IsValidLabelValue(s), CheckLabelValue(s); !slices.Equal(want, got) || IsLabelValue(s) != (len(want) == 0) {
		t.Fatalf("CheckLabelValue(%q) = %q, IsLabelValue %v; apimachinery says %q", s, got, IsLabelValue(s), want)
	}
	if want, got := k8s.IsQualifiedName(s), CheckLabelKey(s); !slices.Equal(want, got) || IsLabelKey(s) != (len(want) == 0) {
		t.Fatalf("CheckLabelKey(%q) = %q, IsLabelKey %v; apimachinery says %q", s, got, IsLabelKey(s), want)
	}
}
