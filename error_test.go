package helpium

import "testing"

func TestCheckID(t *testing.T) {
	for _, c := range []struct {
		id string
		ok bool
	}{
		{"0193a5b0-7e1c-7cc3-9f2e-0a1b2c3d4e5f", true},
		{"0193A5B0-7E1C-7CC3-9F2E-0A1B2C3D4E5F", true},
		{"", false},
		{"42", false},
		{"0193a5b0-7e1c-7cc3-9f2e-0a1b2c3d4e5", false},
		{"' OR 1=1 --", false},
	} {
		err := CheckID("Article", c.id)
		if ValidID(c.id) != c.ok || (err == nil) != c.ok {
			t.Errorf("%q: valid %v, err %v", c.id, ValidID(c.id), err)
		}
		if err != nil && (ErrorCode(err) != ENotFound || ErrorMessage(err) != "Article not found.") {
			t.Errorf("%q: %v", c.id, err)
		}
	}
}
