package config

import (
	"strings"
	"testing"
)

func TestAdminAddrMustBeLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"127.0.0.1:6060", true},
		{"localhost:6060", true},
		{"[::1]:6060", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"10.0.0.5:6060", false},
		{"example.com:6060", false},
		{"127.0.0.1", false},
	} {
		env := map[string]string{"HELPIUM_ADMIN_ADDR": tc.addr}
		c, err := Load(func(k string) string { return env[k] })
		if tc.ok != (err == nil) {
			t.Errorf("HELPIUM_ADMIN_ADDR=%q: err %v, want ok=%v", tc.addr, err, tc.ok)
			continue
		}
		if err != nil && !strings.HasPrefix(err.Error(), "HELPIUM_ADMIN_ADDR:") {
			t.Errorf("HELPIUM_ADMIN_ADDR=%q: error %q does not name the variable", tc.addr, err)
		}
		if err == nil && c.AdminAddr != tc.addr {
			t.Errorf("AdminAddr = %q, want %q", c.AdminAddr, tc.addr)
		}
	}
}
