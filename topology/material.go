package topology

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strconv"
	"strings"
)

// Material field names, as in spec.tls.verification.
const (
	materialCA   = "caCert"
	materialCert = "clientCert"
	materialKey  = "clientKey"
)

// Why material does not parse. Fixed words only: an error must never echo
// secret bytes, and PEM block types and crypto errors are made of them.
const (
	badNoPEM         badMaterial = "no PEM data found"
	badNoCertificate badMaterial = "no PEM certificate found"
	badNoKey         badMaterial = "no PEM private key found"
	badEncryptedKey  badMaterial = "encrypted private keys are not supported"
	badKeyParse      badMaterial = "private key is not PKCS #1, PKCS #8 or SEC 1 DER"
	badPair          badMaterial = "private key does not match the client certificate"
)

func badBlock(i int) badMaterial {
	return badMaterial("PEM block " + strconv.Itoa(i+1) + " is not a certificate")
}

func badCertificate(i int) badMaterial {
	return badMaterial("certificate " + strconv.Itoa(i+1) + " does not parse as X.509")
}

type secretKey struct{ mesh, name string }

// sourceKey names material loaded from outside the resource: a secret of a
// mesh, a file or an environment variable of the host (mesh empty).
type sourceKey struct {
	kind       sourceKind
	mesh, name string
}

// secretEntry is one secret of one build: loaded once, and parsed at most once
// per use (CA bundle, certificate chain, private key).
type secretEntry struct {
	data    []byte
	loadErr error

	// Parse results, indexed by parseCA, parseChain, parseKey.
	parsed    [3]bool
	parsedErr [3]error
	// partners are the entries this one was checked as a pair with, so that
	// forgetting it forgets those checks (kept only when materials.forgets).
	partners []*secretEntry
}

// What a secret is parsed as.
const (
	parseCA = iota
	parseChain
	parseKey
)

// parseAs runs the check for what on data.
func parseAs(what int, data []byte) error {
	if what == parseKey {
		return checkPrivateKey(data)
	}
	return checkCertificates(data)
}

// pairKey names a client certificate chain and key that were loaded.
type pairKey struct{ cert, key *secretEntry }

// materials loads and checks TLS material. It lives for one call of
// BuildEgressEndpointMap, so a secret shared by many services is fetched and
// parsed once, and nothing outlives the build; or for the life of an
// [Egress], which forgets a source when it changes or has no user left.
type materials struct {
	ctx     context.Context
	secrets Secrets
	host    Host
	// entries holds what was loaded: one map per kind of source, keyed by
	// mesh (secrets only) and name. Two strings hash several times faster
	// than a key that also holds the kind, and every TLS service looks up
	// up to three sources.
	entries [sourceEnv + 1]map[secretKey]*secretEntry
	// pairs holds the outcome of each pair check of loaded material.
	pairs map[pairKey]error
	// forgets is set when sources may be forgotten ([materials.forget]),
	// which needs the partners of each entry.
	forgets bool
}

// source is material resolved from a DataSource: its bytes, where it came
// from, and the cache entry when it was loaded.
type source struct {
	data  []byte
	key   sourceKey
	entry *secretEntry
}

// materialError wraps err with where the material came from.
func (src source) materialError(material, mesh string, err error) *MaterialError {
	e := &MaterialError{Material: material, Mesh: mesh, Err: err}
	switch src.key.kind {
	case sourceSecret:
		e.Secret = src.key.name
	case sourceFile:
		e.File = src.key.name
	case sourceEnv:
		e.EnvVar = src.key.name
	}
	return e
}

// sourceOf returns the key material of d in mesh loads from (a Secret is a
// mesh's, a File or EnvVar the host's), or its bytes when it is inline (kind
// sourceInline).
func sourceOf(mesh string, d *DataSource) (sourceKey, []byte) {
	kind, name, inline := d.source()
	k := sourceKey{kind: kind, name: name}
	if kind == sourceSecret {
		k.mesh = mesh
	}
	return k, inline
}

// load resolves d: inline material as it is, other material through the
// cache.
func (ms *materials) load(mesh, material string, d *DataSource) (source, error) {
	k, inline := sourceOf(mesh, d)
	if k.kind == sourceInline {
		return source{data: inline}, nil
	}
	src := source{key: k}
	src.entry = ms.entry(src.key)
	if err := src.entry.loadErr; err != nil {
		return src, src.materialError(material, mesh, err)
	}
	src.data = src.entry.data
	return src, nil
}

func (ms *materials) entry(k sourceKey) *secretEntry {
	cache := ms.entries[k.kind]
	if e, ok := cache[secretKey{k.mesh, k.name}]; ok {
		return e
	}
	e := &secretEntry{}
	switch {
	case k.kind == sourceSecret && ms.secrets == nil:
		e.loadErr = ErrSecretNotFound
	case k.kind == sourceSecret:
		e.data, e.loadErr = ms.secrets.Secret(ms.ctx, k.mesh, k.name)
	case ms.host == nil:
		e.loadErr = noHostError(k.kind)
	case k.kind == sourceFile:
		e.data, e.loadErr = ms.host.ReadFile(k.name)
	default:
		if v, ok := ms.host.LookupEnv(k.name); ok {
			e.data = []byte(v)
		} else {
			e.loadErr = envNotDefined(k.name)
		}
	}
	if cache == nil {
		cache = make(map[secretKey]*secretEntry)
		ms.entries[k.kind] = cache
	}
	cache[secretKey{k.mesh, k.name}] = e
	return e
}

// forget drops what was loaded from k, and the pair checks it took part in,
// so that the next use loads it again.
func (ms *materials) forget(k sourceKey) {
	cache := ms.entries[k.kind]
	e, ok := cache[secretKey{k.mesh, k.name}]
	if !ok {
		return
	}
	delete(cache, secretKey{k.mesh, k.name})
	for _, p := range e.partners {
		delete(ms.pairs, pairKey{e, p})
		delete(ms.pairs, pairKey{p, e})
		if p != e {
			p.partners = slices.DeleteFunc(p.partners, func(x *secretEntry) bool { return x == e })
		}
	}
}

// ca loads and checks a CA bundle: at least one certificate, every block a
// certificate that parses.
func (ms *materials) ca(mesh string, d *DataSource) ([]byte, error) {
	src, err := ms.load(mesh, materialCA, d)
	if err != nil {
		return nil, err
	}
	if perr := ms.check(src, parseCA); perr != nil {
		return nil, src.materialError(materialCA, mesh, perr)
	}
	return src.data, nil
}

// clientPair loads and checks a client certificate chain and its key, and
// that they form a pair.
func (ms *materials) clientPair(mesh string, certDS, keyDS *DataSource) (cert, key []byte, err error) {
	c, err := ms.load(mesh, materialCert, certDS)
	if err != nil {
		return nil, nil, err
	}
	if perr := ms.check(c, parseChain); perr != nil {
		return nil, nil, c.materialError(materialCert, mesh, perr)
	}
	k, err := ms.load(mesh, materialKey, keyDS)
	if err != nil {
		return nil, nil, err
	}
	if perr := ms.check(k, parseKey); perr != nil {
		return nil, nil, k.materialError(materialKey, mesh, perr)
	}
	var perr error
	if c.entry != nil && k.entry != nil {
		pk := pairKey{c.entry, k.entry}
		var ok bool
		if perr, ok = ms.pairs[pk]; !ok {
			perr = checkPair(c.data, k.data)
			if ms.pairs == nil {
				ms.pairs = make(map[pairKey]error)
			}
			ms.pairs[pk] = perr
			if ms.forgets {
				c.entry.partners = append(c.entry.partners, k.entry)
				if k.entry != c.entry {
					k.entry.partners = append(k.entry.partners, c.entry)
				}
			}
		}
	} else {
		perr = checkPair(c.data, k.data)
	}
	if perr != nil {
		return nil, nil, k.materialError(materialKey, mesh, perr)
	}
	return c.data, k.data, nil
}

// check parses src as what, once per loaded source per build (every time
// for inline data, which belongs to one service).
func (ms *materials) check(src source, what int) error {
	e := src.entry
	if e == nil {
		return parseAs(what, src.data)
	}
	if !e.parsed[what] {
		e.parsedErr[what], e.parsed[what] = parseAs(what, src.data), true
	}
	return e.parsedErr[what]
}

// checkCertificates accepts PEM data made only of certificates, at least one,
// each parsing as X.509. Text around the blocks is ignored, as Envoy does.
func checkCertificates(data []byte) error {
	rest := data
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return badBlock(n)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return badCertificate(n)
		}
		n++
	}
	if n == 0 {
		if !bytes.Contains(data, []byte("-----BEGIN")) {
			return badNoPEM
		}
		return badNoCertificate
	}
	return nil
}

// checkPrivateKey accepts PEM data whose first private key block (after
// optional EC PARAMETERS) parses as PKCS #1, PKCS #8 or SEC 1.
func checkPrivateKey(data []byte) error {
	rest := data
	seen := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		seen = true
		if block.Type != "PRIVATE KEY" && !strings.HasSuffix(block.Type, " PRIVATE KEY") {
			continue
		}
		if _, ok := block.Headers["Proc-Type"]; ok || block.Type == "ENCRYPTED PRIVATE KEY" {
			return badEncryptedKey
		}
		if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
			return nil
		}
		if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
			return nil
		}
		if _, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
			return nil
		}
		return badKeyParse
	}
	if !seen {
		return badNoPEM
	}
	return badNoKey
}

// checkPair is crypto/tls's own check that the chain's leaf and the key match.
// Its error text can quote PEM block types, so it is replaced by a fixed one.
func checkPair(cert, key []byte) error {
	if _, err := tls.X509KeyPair(cert, key); err != nil {
		return badPair
	}
	return nil
}
