package service

import (
	"context"
	"math"
	"net/netip"
	"strconv"
	"sync"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/ratelimit"
)

// Rates charges requests against the rate limits, and sets a workspace's
// Customer API limits.
type Rates struct {
	base
	workspaces *Workspaces
	limiter    ratelimit.Limiter
	agentMin   int // an agent's dashboard requests per minute
	metrics    *metrics.Metrics
}

// DefaultAgentRateLimit is each agent's dashboard GraphQL limit in requests
// per minute.
const DefaultAgentRateLimit = 1200

// RateScope names what a request counts against.
type RateScope int

// Rate scopes.
const (
	// RateCustomerAPI is the workspace's whole Customer API (widget key
	// requests over REST and GraphQL).
	RateCustomerAPI RateScope = iota
	// RateCreateConversation is conversations started per workspace and
	// client IP.
	RateCreateConversation
	// RateSendMessage is customer messages per workspace and client IP.
	RateSendMessage
	// RateAgent is an agent's dashboard requests.
	RateAgent
)

// String names the scope in metrics.
func (sc RateScope) String() string {
	switch sc {
	case RateCustomerAPI:
		return "customer_api"
	case RateCreateConversation:
		return "create_conversation"
	case RateSendMessage:
		return "send_message"
	case RateAgent:
		return "agent"
	}
	return "unknown"
}

// Charge counts one request of the calling widget or agent against the
// scope's limit: the workspace's own setting (cached with its widget key,
// so this costs no query) or the default. It reports the count to the
// context's rate observer (ObserveRates), for the X-RateLimit-* headers,
// and returns ETooManyRequests when the request is refused. A request
// without a suitable actor is not limited.
//
// The transports charge every request against the caller's scope
// (CallerScope); operations with a limit of their own (starting a
// conversation, a customer's message) charge it themselves.
func (s *Rates) Charge(ctx context.Context, scope RateScope) error {
	key, limit, ok := s.rateKey(ctx, scope)
	if !ok {
		return nil
	}
	res, err := s.limiter.Allow(ctx, key, limit)
	if err != nil {
		// Only a limiter without a fallback fails; admit rather than turn
		// a limiter outage into an API outage.
		s.log.WarnContext(ctx, "rate limiter failed; request admitted", "err", err)
		res = ratelimit.Result{Allowed: true, Limit: limit.N, Remaining: limit.N}
	}
	if o, _ := ctx.Value(rateObserverKey{}).(*rateObserver); o != nil {
		o.observe(res)
	}
	if res.Allowed {
		return nil
	}
	s.metrics.RateLimited(scope.String())
	secs := retryAfterSeconds(res)
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	e := helpium.Errorf(helpium.ETooManyRequests,
		"Too many requests: the limit is %d per minute. Try again in %d %s.", limit.N, secs, unit)
	e.RetryAfter = secs
	return e
}

type rateObserverKey struct{}

// rateObserver passes on the tightest count of a request's charges.
type rateObserver struct {
	mu    sync.Mutex
	shown ratelimit.Result
	have  bool
	fn    func(ratelimit.Result)
}

func (o *rateObserver) observe(res ratelimit.Result) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.have || res.Remaining < o.shown.Remaining || !res.Allowed {
		o.shown, o.have = res, true
		o.fn(res)
	}
}

// ObserveRates returns a context whose charges report to fn the tightest
// count so far: the one with the fewest requests remaining, or a refusal.
// A transport writes it as X-RateLimit-* headers.
func ObserveRates(ctx context.Context, fn func(ratelimit.Result)) context.Context {
	return context.WithValue(ctx, rateObserverKey{}, &rateObserver{fn: fn})
}

// CallerScope is the limit every request of a caller counts against: the
// workspace's Customer API limit for a widget key, the per-agent limit for
// an agent.
func CallerScope(a *helpium.Actor) RateScope {
	if a != nil && a.Workspace != nil {
		return RateCustomerAPI
	}
	return RateAgent
}

// retryAfterSeconds is res.RetryAfter rounded up to whole seconds, at
// least 1, for the Retry-After header.
func retryAfterSeconds(res ratelimit.Result) int {
	return max(1, int(math.Ceil(res.RetryAfter.Seconds())))
}

func (s *Rates) rateKey(ctx context.Context, scope RateScope) (string, ratelimit.Limit, bool) {
	a := helpium.ActorFrom(ctx)
	if a == nil {
		return "", ratelimit.Limit{}, false
	}
	if scope == RateAgent {
		if a.Agent == nil {
			return "", ratelimit.Limit{}, false
		}
		return "agent:" + a.Agent.ID + ":" + strconv.Itoa(s.agentMin), ratelimit.PerMinute(s.agentMin), true
	}
	if a.Workspace == nil {
		return "", ratelimit.Limit{}, false
	}
	ws := a.Workspace
	l := ws.RateLimits.Effective()
	ip := ClientKey(helpium.ClientIP(ctx))
	// The limit is part of the key: a changed limit starts a fresh budget
	// rather than reinterpreting the old one's state.
	key := func(kind string, n int, ip string) (string, ratelimit.Limit, bool) {
		k := kind + ":" + ws.ID + ":" + strconv.Itoa(n)
		if ip != "" {
			k += ":" + ip
		}
		return k, ratelimit.PerMinute(n), true
	}
	switch scope {
	case RateCreateConversation:
		return key("conv", l.Conversations, ip)
	case RateSendMessage:
		return key("msg", l.Messages, ip)
	default:
		return key("ws", l.CustomerAPI, "")
	}
}

// ClientKey is the part of a per-client limit's key that names the client:
// the IPv4 address, or the /64 network of an IPv6 address (one subscriber
// usually holds a whole /64, so per address it could make up new clients
// without end). "" when the address is unknown.
func ClientKey(ip netip.Addr) string {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return ""
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// SetRateLimits replaces a workspace's Customer API limits; zero fields
// mean the defaults. Admins only. Other replicas apply the change within
// the widget key cache's lifetime (5 s by default). Returns EInvalid for a
// negative or huge limit.
func (s *Rates) SetRateLimits(ctx context.Context, workspaceID string, l helpium.RateLimits) (*helpium.Workspace, error) {
	return s.workspaces.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		if err := l.Validate(); err != nil {
			return err
		}
		ws.RateLimits = l
		return nil
	})
}

// RateLimitsOf returns a workspace's effective limits (defaults filled in)
// for one of its agents.
func (s *Rates) RateLimitsOf(ctx context.Context, ws *helpium.Workspace) (helpium.RateLimits, error) {
	if _, _, err := s.authorize(ctx, ws.ID, helpium.RoleAgent); err != nil {
		return helpium.RateLimits{}, err
	}
	return ws.RateLimits.Effective(), nil
}
