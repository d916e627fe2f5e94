package helpium

import (
	"strings"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		password string
		ok       bool
	}{
		{"", false},
		{"short", false},
		{"nine char", false},
		{"ten chars!", true},
		{"ééééééééé", false}, // nine characters, 18 bytes
		{"éééééééééé", true}, // ten characters
		{strings.Repeat("x", MaxPasswordBytes), true},
		{strings.Repeat("x", MaxPasswordBytes+1), false},
		{"bad utf-8 \xff\xfe", false},
	} {
		err := ValidatePassword("password", tc.password)
		if (err == nil) != tc.ok {
			t.Errorf("%q: %v, want ok=%v", tc.password, err, tc.ok)
		}
		if err != nil && ErrorField(err) != "password" {
			t.Errorf("%q: error names field %q", tc.password, ErrorField(err))
		}
	}
}
