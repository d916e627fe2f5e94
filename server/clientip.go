package server

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// clientIPMiddleware puts the client's IP address in the request context.
func clientIPMiddleware(trusted []netip.Prefix) gin.HandlerFunc {
	return func(c *gin.Context) {
		ip := ClientIP(c.Request, trusted)
		c.Request = c.Request.WithContext(helpium.WithClientIP(c.Request.Context(), ip))
		c.Next()
	}
}

// ClientIP returns the address of the client behind r: the peer's, unless
// the peer is one of the trusted proxies; then the rightmost address of
// X-Forwarded-For that is not a trusted proxy (everything left of it may
// have been written by the client). A malformed hop ends the walk at the
// last trusted address.
func ClientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	ip := parseHost(r.RemoteAddr)
	if !inPrefixes(ip, trusted) {
		return ip
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseHost(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			return ip
		}
		if !inPrefixes(a, trusted) {
			return a
		}
		ip = a
	}
	return ip
}

// parseHost parses "ip", "ip:port" or "[ipv6]:port"; IPv4-mapped IPv6
// addresses become IPv4.
func parseHost(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

func inPrefixes(ip netip.Addr, prefixes []netip.Prefix) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
