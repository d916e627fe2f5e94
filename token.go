package helpium

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// NewToken returns prefix followed by 32 random bytes, URL-safe base64.
func NewToken(prefix string) string {
	var b [32]byte
	rand.Read(b[:]) // never fails; see crypto/rand
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// DeriveToken returns prefix followed by the URL-safe base64 of a SHA-256
// over the given secret parts: the same token every time, which only who
// knows every part can compute. purpose separates its uses.
func DeriveToken(prefix, purpose string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(purpose))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return prefix + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// HashToken returns the SHA-256 of a secret token. Only hashes of widget and
// access tokens are stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
