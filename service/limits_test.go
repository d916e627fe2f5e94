package service

import (
	"net/netip"
	"testing"
)

func TestClientKey(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
	}
	for _, tt := range tests {
		if got := ClientKey(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("ClientKey(%s) = %q, want %q", tt.ip, got, tt.want)
		}
	}
	if got := ClientKey(netip.Addr{}); got != "" {
		t.Errorf("ClientKey(unknown) = %q, want empty", got)
	}
}
