package proxyid

import (
	"testing"
)

// benchIDs are realistic node IDs without escapes, which the legacy reader
// also reads correctly: a Kubernetes sidecar, a Universal proxy, a zone proxy.
var benchIDs = []struct{ name, id string }{
	{"kube-sidecar", "default.2048-app-7c5f756499-l9p2m.kuma-demo"},
	{"universal", "payments.backend-1"},
	{"zone-proxy", ".kuma-ingress-5d8f-abc.kuma-system"},
}

// BenchmarkParse is meshcore's reader, one sub-benchmark per kind of ID, as
// BenchmarkLegacySplitN below.
func BenchmarkParse(b *testing.B) {
	for _, in := range benchIDs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				id, err := Parse(in.id)
				if err != nil || id.Name() == "" {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLegacySplitN is the reference reader: strings.SplitN at the first
// dot, the result returned by pointer.
func BenchmarkLegacySplitN(b *testing.B) {
	for _, in := range benchIDs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				id, err := legacyParseProxyID(in.id)
				if err != nil || id.name == "" {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseEscaped is the dotted-mesh case, which the legacy reader gets
// wrong; unescaping costs the one allocation of the decoded mesh.
func BenchmarkParseEscaped(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		id, err := Parse("aa%2Ea.2048-app-7c5f756499-l9p2m.kuma-demo")
		if err != nil || id.Mesh() != "aa.a" {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendTo(b *testing.B) {
	b.ReportAllocs()
	id := MustParse("aa%2Ea.2048-app-7c5f756499-l9p2m.kuma-demo")
	buf := make([]byte, 0, 64)
	for b.Loop() {
		buf = id.AppendTo(buf[:0])
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		id, err := New("default", "2048-app-7c5f756499-l9p2m.kuma-demo")
		if err != nil || !id.IsValid() {
			b.Fatal(err)
		}
	}
}
