package topology

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"
)

// version is [Egress.Version] of eps: the SHA-256, in hex, of an encoding
// that is a function of the content only. Each value is written with its
// length or a presence flag first, so that no two contents encode alike;
// tags are written in key order; the service of the endpoints is written as
// its own digest, computed once for the endpoints that share it.
func version(eps []Endpoint) string {
	v := newVersioner()
	v.uint(uint64(len(eps)))
	var es *ExternalService
	var esSum [sha256.Size]byte
	for i := range eps {
		ep := &eps[i]
		v.string(ep.Target)
		v.uint(uint64(ep.Port))
		v.uint(uint64(ep.Weight))
		v.bool(ep.Locality != nil)
		if l := ep.Locality; l != nil {
			v.string(l.Zone)
			v.string(l.SubZone)
			v.uint(uint64(l.Priority))
		}
		v.tags(ep.Tags)
		v.bool(ep.ExternalService != nil)
		if ep.ExternalService != nil {
			if ep.ExternalService != es {
				es = ep.ExternalService
				esSum = externalServiceSum(es)
			}
			v.buf = append(v.buf, esSum[:]...)
		}
	}
	return hex.EncodeToString(v.sum())
}

// externalServiceSum is the digest of the content of es.
func externalServiceSum(es *ExternalService) [sha256.Size]byte {
	v := newVersioner()
	v.string(es.Mesh)
	v.string(es.Name)
	v.string(es.DestinationName)
	v.string(es.KRI)
	v.string(es.EgressSNI)
	v.string(es.Protocol)
	v.bool(es.TLS != nil)
	if u := es.TLS; u != nil {
		v.string(u.Mode)
		v.string(u.ServerName)
		v.uint(uint64(len(u.SubjectAltNames)))
		for _, san := range u.SubjectAltNames {
			v.string(san.Type)
			v.string(san.Value)
		}
		v.string(u.FirstAddress)
		v.bool(u.SkipHostnameVerification)
		v.bytes(u.CACert)
		v.bool(u.FallbackToSystemCA)
		v.bytes(u.ClientCert)
		v.bytes(u.ClientKey)
		v.string(u.MinVersion)
		v.string(u.MaxVersion)
		v.bool(u.AllowRenegotiation)
	}
	var sum [sha256.Size]byte
	copy(sum[:], v.sum())
	return sum
}

// versioner writes values to a hash through a buffer; material, which may
// be large, is written directly.
type versioner struct {
	h    hash.Hash
	buf  []byte
	keys []string
}

func newVersioner() versioner {
	return versioner{h: sha256.New(), buf: make([]byte, 0, 512)}
}

func (v *versioner) uint(n uint64) { v.buf = binary.AppendUvarint(v.buf, n) }

func (v *versioner) bool(b bool) {
	if b {
		v.buf = append(v.buf, 1)
	} else {
		v.buf = append(v.buf, 0)
	}
}

func (v *versioner) string(s string) {
	v.uint(uint64(len(s)))
	v.buf = append(v.buf, s...)
}

func (v *versioner) bytes(b []byte) {
	v.uint(uint64(len(b)))
	v.flush()
	v.h.Write(b)
}

func (v *versioner) tags(tags map[string]string) {
	v.keys = v.keys[:0]
	for k := range tags {
		v.keys = append(v.keys, k)
	}
	slices.Sort(v.keys)
	v.uint(uint64(len(v.keys)))
	for _, k := range v.keys {
		v.string(k)
		v.string(tags[k])
	}
}

func (v *versioner) flush() {
	v.h.Write(v.buf)
	v.buf = v.buf[:0]
}

func (v *versioner) sum() []byte {
	v.flush()
	return v.h.Sum(nil)
}
