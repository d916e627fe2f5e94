package actions

import (
	"fmt"
	"net/netip"
)

// AddrPolicy decides whether the executor may connect to an address. It
// is checked after DNS resolution, on the address actually dialled, for
// the first request and every redirect. A non-nil error refuses the
// connection; its text is shown to agents and the AI.
type AddrPolicy func(netip.Addr) error

// blocked are the ranges PublicOnly refuses: everything that is not a
// globally routable unicast address, where internal services and cloud
// metadata endpoints live.
var blocked = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (this-network) address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (cloud metadata lives here)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("192.88.99.0/24"), "a 6to4 relay address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local NAT64 address"},
	{netip.MustParsePrefix("100::/64"), "a discard-only address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("fc00::/7"), "a private (unique local) address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
}

// PublicOnly is the production policy: it refuses loopback, private
// (RFC 1918, fc00::/7), link-local (169.254.169.254, where cloud metadata
// lives), carrier-grade NAT (100.64.0.0/10), unspecified, multicast,
// documentation and reserved addresses. IPv4 addresses embedded in IPv6
// (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are checked as the
// IPv4 address they reach.
func PublicOnly(a netip.Addr) error {
	if !a.IsValid() {
		return fmt.Errorf("the address is not valid")
	}
	a = a.WithZone("")
	for _, v4 := range embeddedIPv4(a) {
		if err := PublicOnly(v4); err != nil {
			return err
		}
	}
	for _, b := range blocked {
		if b.prefix.Contains(a) {
			return fmt.Errorf("%s is %s", a, b.what)
		}
	}
	return nil
}

// embeddedIPv4 returns the IPv4 addresses an IPv6 address reaches through
// mapping or translation.
func embeddedIPv4(a netip.Addr) []netip.Addr {
	if a.Is4In6() {
		return []netip.Addr{a.Unmap()}
	}
	if !a.Is6() {
		return nil
	}
	b := a.As16()
	var out []netip.Addr
	if netip.MustParsePrefix("64:ff9b::/96").Contains(a) {
		out = append(out, netip.AddrFrom4([4]byte(b[12:16])))
	}
	if netip.MustParsePrefix("2002::/16").Contains(a) {
		out = append(out, netip.AddrFrom4([4]byte(b[2:6])))
	}
	return out
}

// AllowAddrs returns a policy that accepts the given addresses (for tests
// reaching an httptest server on 127.0.0.1) and defers to next for every
// other.
func AllowAddrs(next AddrPolicy, allowed ...netip.Addr) AddrPolicy {
	return func(a netip.Addr) error {
		for _, x := range allowed {
			if a.Unmap().WithZone("") == x.Unmap() {
				return nil
			}
		}
		return next(a)
	}
}
