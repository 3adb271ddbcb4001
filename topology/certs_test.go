package topology_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The test material under testdata/certs was made by
//
//	go test ./topology -run TestGenerateCerts -gen-certs
//
// and is committed, so that golden files stay byte-stable. It is test-only:
// never use it anywhere else.
var genCerts = flag.Bool("gen-certs", false, "regenerate the PEM material under testdata/certs")

func TestGenerateCerts(t *testing.T) {
	if !*genCerts {
		t.Skip("run with -gen-certs to regenerate testdata/certs")
	}
	dir := filepath.Join("testdata", "certs")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	notBefore := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter := time.Date(2125, 1, 1, 0, 0, 0, 0, time.UTC)

	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		return k
	}
	write := func(name, typ string, der []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644))
	}
	ca := func(serial int64, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
		key := newKey()
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(serial),
			Subject:               pkix.Name{CommonName: cn, Organization: []string{"meshcore test"}},
			NotBefore:             notBefore,
			NotAfter:              notAfter,
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		require.NoError(t, err)
		cert, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		return cert, key
	}
	leaf := func(serial int64, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) ([]byte, *ecdsa.PrivateKey) {
		key := newKey()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn, Organization: []string{"meshcore test"}},
			NotBefore:    notBefore,
			NotAfter:     notAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		require.NoError(t, err)
		return der, key
	}

	caA, caAKey := ca(1, "meshcore test CA A")
	write("ca.pem", "CERTIFICATE", caA.Raw)
	caB, caBKey := ca(2, "meshcore test CA B")
	write("ca-b.pem", "CERTIFICATE", caB.Raw)

	der, key := leaf(10, "client-a", caA, caAKey)
	write("client.pem", "CERTIFICATE", der)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	write("client.key", "PRIVATE KEY", pkcs8)

	der, key = leaf(11, "client-b", caB, caBKey)
	write("client-b.pem", "CERTIFICATE", der)
	sec1, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	write("client-b.key", "EC PRIVATE KEY", sec1)
}
