package dnsclass

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// labelPattern is the Kubernetes RFC 1123 label expression, without the
// length limit: the oracle for CopyLabel.
var labelPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func TestTable(t *testing.T) {
	require.Len(t, Table, 256)
	for c := range 256 {
		want := 0
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			want = Alnum
		case c == '-':
			want = Dash
		}
		assert.Equal(t, want, int(Table[c]), "byte %#x", c)
	}
}

func TestCopyLabel(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", false},
		{"a", true},
		{"0", true},
		{"-", false},
		{"backend", true},
		{"kuma-demo", true},
		{"a--b", true},
		{"-a", false},
		{"a-", false},
		{"Backend", false},
		{"my_svc", false},
		{"a.b", false},
		{"a\n", false},
		{"caf\xc3\xa9", false},
		{strings.Repeat("a", 64), true}, // the length limit is the caller's
	}
	for _, tt := range tests {
		dst := make([]byte, len(tt.s)+2)
		dst[len(tt.s)], dst[len(tt.s)+1] = '#', '#'
		assert.Equal(t, tt.want, CopyLabel(dst, tt.s), "%q", tt.s)
		assert.Equal(t, tt.s+"##", string(dst), "%q: copy, and nothing past it", tt.s)
	}
}

// TestCopyLabelEveryByte puts every byte at every position of labels of up
// to 12 bytes and compares with the regular expression.
func TestCopyLabelEveryByte(t *testing.T) {
	base := []byte("ab-cd0-9xyz1")
	for n := 1; n <= len(base); n++ {
		for pos := range n {
			for c := range 256 {
				b := append([]byte(nil), base[:n]...)
				b[pos] = byte(c)
				s := string(b)
				dst := make([]byte, n)
				if got, want := CopyLabel(dst, s), labelPattern.MatchString(s); got != want {
					t.Fatalf("CopyLabel(%q) = %v, want %v", s, got, want)
				}
				require.Equal(t, s, string(dst))
			}
		}
	}
}

func FuzzCopyLabel(f *testing.F) {
	for _, s := range []string{"", "a", "backend", "kuma-demo", "a-", "-a", "A", "a.b", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dst := make([]byte, len(s))
		if got, want := CopyLabel(dst, s), labelPattern.MatchString(s); got != want {
			t.Fatalf("CopyLabel(%q) = %v, want %v", s, got, want)
		}
		if string(dst) != s {
			t.Fatalf("CopyLabel(%q) copied %q", s, dst)
		}
	})
}
