package helpium

import (
	"context"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Default rate limits, in requests per minute.
const (
	// DefaultCustomerAPILimit bounds a workspace's whole Customer API.
	DefaultCustomerAPILimit = 600
	// DefaultConversationLimit bounds conversations started per workspace
	// and client IP.
	DefaultConversationLimit = 30
	// DefaultMessageLimit bounds customer messages per workspace and
	// client IP.
	DefaultMessageLimit = 60
	// MaxRateLimit is the highest limit an admin may set.
	MaxRateLimit = 1_000_000
)

// RateLimits are a workspace's Customer API limits in requests per minute.
// Zero means the server default.
type RateLimits struct {
	CustomerAPI   int `json:"customer_api,omitempty"`
	Conversations int `json:"conversations,omitempty"`
	Messages      int `json:"messages,omitempty"`
}

// Effective returns l with zero limits replaced by the defaults.
func (l RateLimits) Effective() RateLimits {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	return RateLimits{
		CustomerAPI:   def(l.CustomerAPI, DefaultCustomerAPILimit),
		Conversations: def(l.Conversations, DefaultConversationLimit),
		Messages:      def(l.Messages, DefaultMessageLimit),
	}
}

// Validate returns EInvalid naming the first limit out of range.
func (l RateLimits) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"customerApiPerMinute", l.CustomerAPI}, {"conversationsPerMinute", l.Conversations}, {"messagesPerMinute", l.Messages}} {
		if f.v < 0 || f.v > MaxRateLimit {
			return Invalid(f.name, "%s must be between 1 and %d; 0 or null means the default", f.name, MaxRateLimit)
		}
	}
	return nil
}

// MaxAllowedOrigins bounds a workspace's list of allowed origins.
const MaxAllowedOrigins = 100

// NormalizeOrigins validates a list of allowed widget origins and returns
// them in canonical form (scheme://host[:port], lower case, no default
// port), without duplicates. Returns EInvalid naming the offending entry.
func NormalizeOrigins(origins []string) ([]string, error) {
	if len(origins) > MaxAllowedOrigins {
		return nil, Invalid("origins", "origins may list at most %d entries", MaxAllowedOrigins)
	}
	out := make([]string, 0, len(origins))
	seen := make(map[string]bool, len(origins))
	for _, o := range origins {
		n, ok := NormalizeOrigin(o)
		if !ok {
			return nil, Invalid("origins", "origins: %q is not an origin like https://shop.example.com", truncate(o, 100))
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

// NormalizeOrigin returns the canonical form of a browser origin
// (scheme://host[:port]) and whether s is one: http or https, a host, and
// nothing else (no path, query, user or fragment).
func NormalizeOrigin(s string) (string, bool) {
	if s == "" || len(s) > 300 || strings.TrimSpace(s) != s {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" || strings.ContainsAny(host, "*/\\ ") {
		return "", false
	}
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return strings.ToLower(u.Scheme) + "://" + host, true
}

// OriginAllowed reports whether a browser on origin may use the
// workspace's widget key: any origin when the workspace lists none.
// Requests without an Origin header (servers, curl) are not browsers'
// cross-origin requests and are always allowed.
func (ws *Workspace) OriginAllowed(origin string) bool {
	if len(ws.AllowedOrigins) == 0 || origin == "" {
		return true
	}
	n, ok := NormalizeOrigin(origin)
	if !ok {
		return false
	}
	for _, o := range ws.AllowedOrigins {
		if o == n {
			return true
		}
	}
	return false
}

// CheckOrigin returns EForbidden when the workspace does not allow a
// browser on origin to use its widget key (see OriginAllowed).
func (ws *Workspace) CheckOrigin(origin string) error {
	if ws.OriginAllowed(origin) {
		return nil
	}
	if len(origin) > 200 {
		origin = origin[:200]
	}
	return Errorf(EForbidden, "This widget key may not be used from origin %s.", strconv.Quote(origin))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

type clientIPKey struct{}

// WithClientIP returns a context carrying the client's IP address, as the
// HTTP layer determined it (see HELPIUM_TRUSTED_PROXIES).
func WithClientIP(ctx context.Context, ip netip.Addr) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP returns the request's client IP address; the zero Addr when
// unknown.
func ClientIP(ctx context.Context) netip.Addr {
	ip, _ := ctx.Value(clientIPKey{}).(netip.Addr)
	return ip
}
