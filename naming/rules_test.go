package naming

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	k8s "k8s.io/apimachinery/pkg/util/validation"
)

// want is the expected outcome of one rule, as the kinds of message Check
// returns, in order: "" (valid), "L" (length), "F" (format), "D" (dots), or
// a combination such as "LF".
type want string

func (w want) messages(r Rule) []string {
	var out []string
	for _, c := range w {
		switch c {
		case 'L':
			out = append(out, map[Rule]string{
				DNS1035Label: MsgLabelTooLong, DNS1123Label: MsgLabelTooLong, DNS1123Subdomain: MsgSubdomainTooLong,
			}[r])
		case 'F':
			out = append(out, map[Rule]string{
				DNS1035Label: MsgDNS1035LabelFormat, DNS1123Label: MsgDNS1123LabelFormat, DNS1123Subdomain: MsgDNS1123SubdomainFormat,
			}[r])
		case 'D':
			out = append(out, MsgNoDots)
		}
	}
	return out
}

var (
	m63    = strings.Repeat("m", 63)
	m64    = strings.Repeat("m", 64)
	sub253 = strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61)
	sub254 = sub253 + "d"
)

// ruleVectors is the table of names with the expected outcome of each rule.
var ruleVectors = []struct {
	name                   string
	dns1035, label, subdom want
}{
	{"default", "", "", ""},
	{"a", "", "", ""},
	{"z9", "", "", ""},
	{"my-name", "", "", ""},
	{"abc-123", "", "", ""},
	{"a-b-c", "", "", ""},
	{"mesh--1", "", "", ""},
	{"xn--bcher-kva", "", "", ""},
	{"a" + strings.Repeat("-", 61) + "b", "", "", ""},
	{m63, "", "", ""},
	{"0", "F", "", ""},
	{"1", "F", "", ""},
	{"1mesh", "F", "", ""},
	{"123-abc", "F", "", ""},
	{"2048-app-7c5f756499-l9p2m", "F", "", ""},
	{"aa.a", "F", "D", ""},
	{"a.b.c", "F", "D", ""},
	{"a.1", "F", "D", ""},
	{"1.2.3.4", "F", "D", ""},
	{"example.com", "F", "D", ""},
	{"2048-app-7c5f756499-l9p2m.kuma-demo", "F", "D", ""},
	{"Mesh", "F", "F", "F"},
	{"UPPER.case", "F", "F", "F"},
	{"mesh-", "F", "F", "F"},
	{"-mesh", "F", "F", "F"},
	{"-", "F", "F", "F"},
	{"mesh_1", "F", "F", "F"},
	{"a_b.c", "F", "F", "F"},
	{"", "F", "F", "F"},
	{".", "F", "F", "F"},
	{".a", "F", "F", "F"},
	{"a.", "F", "F", "F"},
	{"mesh.", "F", "F", "F"},
	{"a..b", "F", "F", "F"},
	{"a.-b", "F", "F", "F"},
	{"a-.b", "F", "F", "F"},
	{"default\n", "F", "F", "F"},
	{"\nmesh", "F", "F", "F"},
	{"mesh\r", "F", "F", "F"},
	{"def ault", "F", "F", "F"},
	{"a b.c", "F", "F", "F"},
	{"a\x00", "F", "F", "F"},
	{"a*", "F", "F", "F"},
	{"*.example.com", "F", "F", "F"},
	{"ß", "F", "F", "F"},
	{m64, "L", "L", ""},
	{strings.Repeat("1", 64), "LF", "L", ""},
	{m63 + ".x", "LF", "LD", ""},
	{m64 + ".x", "LF", "LD", ""},
	{strings.Repeat("é", 32), "LF", "LF", "F"},
	{sub253, "LF", "LD", ""},
	{sub254, "LF", "LD", "L"},
	{strings.Repeat("a", 254), "L", "L", "L"},
	{strings.Repeat("a", 254) + "-", "LF", "LF", "LF"},
	{strings.Repeat("a", 253) + "\n", "LF", "LF", "LF"},
}

func TestRuleVectors(t *testing.T) {
	require.GreaterOrEqual(t, len(ruleVectors), 40)
	oracles := map[Rule]func(string) []string{
		DNS1035Label:     k8s.IsDNS1035Label,
		DNS1123Label:     k8s.IsDNS1123Label,
		DNS1123Subdomain: k8s.IsDNS1123Subdomain,
	}
	predicates := map[Rule]func(string) bool{
		DNS1035Label:     IsDNS1035Label,
		DNS1123Label:     IsDNS1123Label,
		DNS1123Subdomain: IsDNS1123Subdomain,
	}
	for _, v := range ruleVectors {
		for r, w := range map[Rule]want{DNS1035Label: v.dns1035, DNS1123Label: v.label, DNS1123Subdomain: v.subdom} {
			t.Run(r.String()+"/"+v.name, func(t *testing.T) {
				got := r.Check(v.name)
				assert.Equal(t, w.messages(r), got, "Check")
				assert.Equal(t, oracles[r](v.name), got, "apimachinery")
				assert.Equal(t, w == "", predicates[r](v.name), "predicate")
				assert.Equal(t, w == "", r.Allows(v.name), "Allows")
			})
		}
	}
}

// TestMessages pins the full text of the messages, including Kubernetes'
// double space after the first example.
func TestMessages(t *testing.T) {
	assert.Equal(t, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')", MsgDNS1035LabelFormat)
	assert.Equal(t, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')", MsgDNS1123LabelFormat)
	assert.Equal(t, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')", MsgDNS1123SubdomainFormat)
	assert.Equal(t, k8s.MaxLenError(k8s.DNS1035LabelMaxLength), MsgLabelTooLong)
	assert.Equal(t, k8s.MaxLenError(k8s.DNS1123SubdomainMaxLength), MsgSubdomainTooLong)
	assert.Equal(t, k8s.DNS1123LabelMaxLength, MaxLabelLength)
	assert.Equal(t, k8s.DNS1123SubdomainMaxLength, MaxSubdomainLength)
}

func TestRuleUndefined(t *testing.T) {
	for _, r := range []Rule{0, 4, 255} {
		assert.False(t, r.IsValid())
		assert.False(t, r.Allows("a"))
		assert.Zero(t, r.MaxLength())
		assert.Equal(t, []string{"naming: undefined " + r.String()}, r.Check("a"))
	}
	assert.Equal(t, "Rule(0)", Rule(0).String())
	assert.Equal(t, []string{"DNS1035Label", "DNS1123Label", "DNS1123Subdomain"},
		[]string{DNS1035Label.String(), DNS1123Label.String(), DNS1123Subdomain.String()})
	assert.Equal(t, []int{63, 63, 253}, []int{DNS1035Label.MaxLength(), DNS1123Label.MaxLength(), DNS1123Subdomain.MaxLength()})
}

func TestNoAllocs(t *testing.T) {
	names := []string{"default", "aa.a", "Mesh", m64, sub254, "2048-app-7c5f756499-l9p2m.kuma-demo", ""}
	cases := map[string]func(){
		"IsDNS1035Label": func() { _ = IsDNS1035Label(names[0]) || IsDNS1035Label(names[1]) || IsDNS1035Label(names[2]) },
		"IsDNS1123Label": func() { _ = IsDNS1123Label(names[3]) || IsDNS1123Label(names[1]) || IsDNS1123Label(names[6]) },
		"IsDNS1123Subdomain": func() {
			_ = IsDNS1123Subdomain(names[5]) || IsDNS1123Subdomain(names[4]) || IsDNS1123Subdomain(names[2])
		},
		"Check valid": func() {
			_ = DNS1035Label.Check("default")
			_ = DNS1123Label.Check("2048-app-7c5f756499-l9p2m")
			_ = DNS1123Subdomain.Check(names[5])
		},
		"Validate valid": func() {
			p := Policy{Mode: Enforce, Rules: map[Kind]Rule{KindMesh: DNS1035Label}}
			_ = p.Validate(KindMesh, "default", Create)
			_ = p.Validate(KindDataplane, names[5], Update)
		},
	}
	for name, f := range cases {
		assert.Zero(t, testing.AllocsPerRun(100, f), name)
	}
}

func TestByteClass(t *testing.T) {
	require.Len(t, byteClass, 256)
	sets := []struct {
		bit   byte
		bytes string
	}{
		{rfc1123Inside, "-abcdefghijklmnopqrstuvwxyz0123456789"},
		{rfc1123Edge, "abcdefghijklmnopqrstuvwxyz0123456789"},
		{dnsInside, "-_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"},
		{dnsEdge, "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"},
		{labelValueInside, "-_.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"},
		{labelValueEdge, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"},
		{digit, "0123456789"},
		{lowerLetter, "abcdefghijklmnopqrstuvwxyz"},
	}
	var all byte
	for _, set := range sets {
		all |= set.bit
		for c := 0; c < 256; c++ {
			assert.Equal(t, strings.IndexByte(set.bytes, byte(c)) >= 0, inClass(byte(c), set.bit), "byte %#x, class bit %#x", c, set.bit)
		}
	}
	assert.Equal(t, byte(0xff), all, "every bit is one of the sets")
}
