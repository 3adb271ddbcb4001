// Package naming validates resource names against the DNS rules Kubernetes
// uses (RFC 1035 labels, RFC 1123 labels and subdomains), with the same
// messages, word for word.
package naming
