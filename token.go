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

// HashToken returns the SHA-256 of a secret token. Only hashes of widget and
// access tokens are stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
