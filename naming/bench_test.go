package naming

import (
	"testing"

	k8s "k8s.io/apimachinery/pkg/util/validation"
)

// benchNames are the inputs of both implementations: typical valid names,
// and invalid ones for which apimachinery also builds its messages.
var benchNames = []struct{ name, label, subdomain string }{
	{"valid", "backend-api", "2048-app-7c5f756499-l9p2m.kuma-demo"},
	{"invalid", "aa.a", "Web_1.kuma-demo"},
}

var sink bool

func BenchmarkIsDNS1035Label(b *testing.B) {
	for _, in := range benchNames {
		b.Run("naming/"+in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = IsDNS1035Label(in.label)
			}
		})
		b.Run("apimachinery/"+in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = len(k8s.IsDNS1035Label(in.label)) == 0
			}
		})
	}
}

func BenchmarkIsDNS1123Subdomain(b *testing.B) {
	for _, in := range benchNames {
		b.Run("naming/"+in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = IsDNS1123Subdomain(in.subdomain)
			}
		})
		b.Run("apimachinery/"+in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = len(k8s.IsDNS1123Subdomain(in.subdomain)) == 0
			}
		})
	}
}

// BenchmarkCheck measures the message-returning form, the one that is a
// drop-in for apimachinery's functions.
func BenchmarkCheck(b *testing.B) {
	for _, in := range benchNames {
		b.Run("DNS1035Label/"+in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = DNS1035Label.Check(in.label) == nil
			}
		})
		b.Run("DNS1123Subdomain/"+in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = DNS1123Subdomain.Check(in.subdomain) == nil
			}
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	p := DefaultPolicy(Warn)
	b.Run("valid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = p.Validate(KindMeshService, "backend-api", Update).Allowed()
		}
	})
	b.Run("warn", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = p.Validate(KindMeshService, "aa.a", Update).Allowed()
		}
	})
}

func BenchmarkSuggest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = Suggest(DNS1035Label, "2048-App_7c5f756499.kuma-demo") == ""
	}
}
