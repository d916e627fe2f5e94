// Package secret encrypts small secrets at rest (customers' bearer tokens)
// with AES-256-GCM under a keyring: the first key encrypts, every key
// decrypts, and each ciphertext records the id of its key, so keys can be
// rotated without downtime.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Keyring holds the encryption keys.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
	macKeys map[string][]byte // per key, derived for MAC alone
	order   []string
}

// ParseKeyring reads a keyring from "id:base64key,id:base64key,...": the
// first key encrypts, all decrypt. Keys are 32 random bytes (AES-256).
// Errors never include key material.
func ParseKeyring(spec string) (*Keyring, error) {
	k := &Keyring{aeads: make(map[string]cipher.AEAD), macKeys: make(map[string][]byte)}
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		id, b64, ok := strings.Cut(part, ":")
		if !ok || id == "" || len(id) > 32 {
			return nil, fmt.Errorf("key %d: want id:base64key", i+1)
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			key, err = base64.RawURLEncoding.DecodeString(b64)
		}
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("key %q: want 32 bytes, base64-encoded", id)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("key %q appears twice", id)
		}
		block, _ := aes.NewCipher(key)
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.aeads[id] = aead
		k.macKeys[id] = hmacSum(key, []byte("helpium mac key"))
		k.order = append(k.order, id)
		if k.primary == "" {
			k.primary = id
		}
	}
	return k, nil
}

// NewKeySpec returns a fresh one-key keyring spec with the given id.
func NewKeySpec(id string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return id + ":" + base64.StdEncoding.EncodeToString(b)
}

// PrimaryID is the id of the key that encrypts.
func (k *Keyring) PrimaryID() string { return k.primary }

// Seal encrypts plaintext with the primary key. aad binds the ciphertext to
// its owner (e.g. workspace and customer ids): it only opens with the same
// aad, so a ciphertext copied to another row is useless.
func (k *Keyring) Seal(plaintext, aad []byte) (keyID string, ciphertext []byte) {
	aead := k.aeads[k.primary]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return k.primary, aead.Seal(nonce, nonce, plaintext, aad)
}

// ErrUnknownKey means a ciphertext names a key the keyring does not hold.
var ErrUnknownKey = errors.New("secret: ciphertext key not in the keyring")

// Open decrypts a ciphertext made by Seal.
func (k *Keyring) Open(keyID string, ciphertext, aad []byte) ([]byte, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, ErrUnknownKey
	}
	n := aead.NonceSize()
	if len(ciphertext) < n {
		return nil, errors.New("secret: ciphertext too short")
	}
	out, err := aead.Open(nil, ciphertext[:n], ciphertext[n:], aad)
	if err != nil {
		return nil, errors.New("secret: ciphertext does not open (wrong key or owner, or tampered)")
	}
	return out, nil
}

// MAC returns a tag over msg under the primary key, for purpose (which
// keeps tags of one use from passing for another's).
func (k *Keyring) MAC(purpose string, msg []byte) []byte {
	return hmacSum(k.macKeys[k.primary], []byte(purpose+"\x00"), msg)
}

// VerifyMAC reports whether tag is MAC's tag over msg for purpose under
// any key of the ring, so that tags outlive a rotation. A tag may be
// truncated to no fewer than 16 bytes.
func (k *Keyring) VerifyMAC(purpose string, msg, tag []byte) bool {
	if len(tag) < 16 || len(tag) > sha256.Size {
		return false
	}
	for _, id := range k.order {
		if hmac.Equal(tag, hmacSum(k.macKeys[id], []byte(purpose+"\x00"), msg)[:len(tag)]) {
			return true
		}
	}
	return false
}

func hmacSum(key []byte, parts ...[]byte) []byte {
	h := hmac.New(sha256.New, key)
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}
