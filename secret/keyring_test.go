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

func TestMAC(t *testing.T) {
	oldSpec, newSpec := NewKeySpec("k1"), NewKeySpec("k2")
	old, _ := ParseKeyring(oldSpec)
	both, _ := ParseKeyring(newSpec + "," + oldSpec)
	newOnly, _ := ParseKeyring(newSpec)
	tag := old.MAC("file url", []byte("id|123"))
	for _, c := range []struct {
		name    string
		ring    *Keyring
		purpose string
		msg     string
		want    bool
	}{
		{"same key", old, "file url", "id|123", true},
		{"after rotation", both, "file url", "id|123", true},
		{"key dropped", newOnly, "file url", "id|123", false},
		{"other message", old, "file url", "id|124", false},
		{"other purpose", old, "reset link", "id|123", false},
	} {
		if got := c.ring.VerifyMAC(c.purpose, []byte(c.msg), tag[:16]); got != c.want {
			t.Errorf("%s: VerifyMAC of the truncated tag = %v, want %v", c.name, got, c.want)
		}
		if got := c.ring.VerifyMAC(c.purpose, []byte(c.msg), tag); got != c.want {
			t.Errorf("%s: VerifyMAC = %v, want %v", c.name, got, c.want)
		}
	}
	if old.VerifyMAC("file url", []byte("id|123"), tag[:15]) {
		t.Error("a tag shorter than 16 bytes passed")
	}
	if bytes.Equal(both.MAC("file url", []byte("id|123")), tag) {
		t.Error("the new primary key made the old key's tag")
	}
}
