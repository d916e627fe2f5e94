package secret

import (
	"bytes"
	"strings"
	"testing"
)

func TestSealOpenAndRotate(t *testing.T) {
	oldSpec, newSpec := NewKeySpec("k1"), NewKeySpec("k2")
	old, err := ParseKeyring(oldSpec)
	if err != nil {
		t.Fatal(err)
	}
	kid, ct := old.Seal([]byte("tok-123"), []byte("ws/cust"))
	if kid != "k1" || bytes.Contains(ct, []byte("tok-123")) {
		t.Fatalf("seal: %s %x", kid, ct)
	}
	_, ct2 := old.Seal([]byte("tok-123"), []byte("ws/cust"))
	if bytes.Equal(ct, ct2) {
		t.Error("two seals of the same plaintext are equal: nonce reused")
	}
	// After rotation the new key encrypts and the old still decrypts.
	both, err := ParseKeyring(newSpec + "," + oldSpec)
	if err != nil {
		t.Fatal(err)
	}
	if both.PrimaryID() != "k2" {
		t.Errorf("primary %s", both.PrimaryID())
	}
	pt, err := both.Open(kid, ct, []byte("ws/cust"))
	if err != nil || string(pt) != "tok-123" {
		t.Fatalf("open with rotated ring: %q %v", pt, err)
	}
	// Wrong owner, tampering and unknown keys fail.
	if _, err := both.Open(kid, ct, []byte("ws/other")); err == nil {
		t.Error("opened with another owner's aad")
	}
	bad := append([]byte(nil), ct...)
	bad[len(bad)-1] ^= 1
	if _, err := both.Open(kid, bad, []byte("ws/cust")); err == nil {
		t.Error("opened a tampered ciphertext")
	}
	newOnly, _ := ParseKeyring(newSpec)
	if _, err := newOnly.Open(kid, ct, []byte("ws/cust")); err != ErrUnknownKey {
		t.Errorf("unknown key: %v", err)
	}
}

func TestParseKeyringErrorsHideKeys(t *testing.T) {
	for _, spec := range []string{"", "nokey", "k1:short", "k1:" + strings.Repeat("A", 44) + ",k1:" + strings.Repeat("A", 44), ":" + strings.Repeat("A", 44)} {
		_, err := ParseKeyring(spec)
		if err == nil {
			t.Errorf("%q accepted", spec)
			continue
		}
		if strings.Contains(err.Error(), "AAAA") {
			t.Errorf("error shows key material: %v", err)
		}
	}
}
