// Package service holds Helpium's business operations. GraphQL resolvers and
// REST handlers both call it, so every rule of an operation (who may call
// it, tenant scoping, the rate limit it charges) is written once, here.
// Pure rules on values live in the root package (validation, business
// hours, what a message does to its conversation: helpium.Message.Effect);
// the store (db) applies them, and database triggers write webhook events
// in the transaction of the change.
package service

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/answer"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/events"
	"github.com/helpium/helpium/llm"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/ratelimit"
	"github.com/helpium/helpium/secret"
)

// Service runs Helpium's operations over the store.
type Service struct {
	store    *db.Store
	events   *events.Broker
	secrets  *secret.Keyring
	log      *slog.Logger
	now      func() time.Time
	keys     *keyCache
	searcher Searcher
	// answers
	generator answer.Generator
	answers   *answerCache
	metrics   *metrics.Metrics
	limiter   ratelimit.Limiter
	agentMin  int
	actions   *actions.Executor
	llm       *llm.Client
	recheck   time.Duration
	argon     chan struct{} // one slot per password hash being computed
	publicURL string        // base of the links in emails; "" when email is off
	blobs     Blobs         // attachments' bytes; nil: uploads refused
	typing    typingThrottle
	presence  time.Duration // how often a connected widget's presence is written
	polls     presenceThrottle
}

// Options configures a Service.
type Options struct {
	Logger *slog.Logger
	// Now returns the current time; tests may fix it.
	Now func() time.Time
	// KeyCacheTTL bounds how long a widget key lookup is reused.
	KeyCacheTTL time.Duration
	// LiveRecheck is how often an agent's live subscription checks that
	// their token is still valid and they still belong to the workspace
	// (default 10 s): a logout, revocation or removal ends it within that.
	LiveRecheck time.Duration
	// Events delivers live changes; required for subscriptions and streams.
	Events *events.Broker
	// Search answers knowledge-base searches (search.Index); without it
	// searches fail with ESearchUnavailable.
	Search Searcher
	// Secrets encrypts customers' bearer tokens; required to store them.
	Secrets *secret.Keyring
	// Generator writes answers (the extractive generator when nil).
	Generator answer.Generator
	// AnswerCacheTTL bounds how long an answer is reused (10 minutes when
	// zero, none when negative); knowledge-base changes drop it sooner.
	AnswerCacheTTL time.Duration
	// Metrics records cache and latency figures; optional.
	Metrics *metrics.Metrics
	// RateLimiter counts requests against the rate limits (ratelimit.Redis
	// to share them between replicas); default: in process memory.
	RateLimiter ratelimit.Limiter
	// AgentRateLimit is each agent's dashboard limit in requests per
	// minute; default DefaultAgentRateLimit.
	AgentRateLimit int
	// Actions runs AI Actions (default: production settings, public
	// https addresses only).
	Actions *actions.Executor
	// LLM is the chat-completions model behind AI answers; without it they
	// fail with EUnavailable.
	LLM *llm.Client
	// PublicURL is the server's address as users reach it, the base of the
	// links in the emails the service queues (invitations, password
	// resets). Empty means no email is sent (no SMTP server is
	// configured), and operations that need email fail with EUnavailable.
	PublicURL string
	// Blobs keeps attachments' bytes; without it uploads are refused with
	// EUnavailable. Signing their links needs Secrets.
	Blobs Blobs
	// PresenceInterval is how often a connected widget's presence is
	// written for away emails (DefaultPresenceInterval); it must stay well
	// under a minute, the shortest delay.
	PresenceInterval time.Duration
}

// New returns a Service over store.
func New(store *db.Store, opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.KeyCacheTTL == 0 {
		// Changes invalidate the cache at once through Run; the TTL only
		// bounds staleness while the event listener is down.
		opt.KeyCacheTTL = 30 * time.Second
	}
	if opt.RateLimiter == nil {
		opt.RateLimiter = ratelimit.NewMemory(opt.Now)
	}
	if opt.AgentRateLimit <= 0 {
		opt.AgentRateLimit = DefaultAgentRateLimit
	}
	if opt.Actions == nil {
		opt.Actions = actions.New(actions.Config{})
	}
	if opt.Generator == nil {
		opt.Generator = answer.NewExtractive()
	}
	if opt.LiveRecheck <= 0 {
		opt.LiveRecheck = 10 * time.Second
	}
	if opt.AnswerCacheTTL == 0 {
		opt.AnswerCacheTTL = 10 * time.Minute
	}
	if opt.PresenceInterval <= 0 {
		opt.PresenceInterval = DefaultPresenceInterval
	}
	return &Service{
		store: store, events: opt.Events, secrets: opt.Secrets, log: opt.Logger, now: opt.Now,
		keys: newKeyCache(opt.KeyCacheTTL), searcher: opt.Search,
		limiter: opt.RateLimiter, agentMin: opt.AgentRateLimit,
		actions: opt.Actions, llm: opt.LLM, recheck: opt.LiveRecheck,
		generator: opt.Generator, answers: newAnswerCache(opt.AnswerCacheTTL), metrics: opt.Metrics,
		argon:     make(chan struct{}, runtime.GOMAXPROCS(0)),
		publicURL: strings.TrimRight(opt.PublicURL, "/"),
		blobs:     opt.Blobs,
		presence:  opt.PresenceInterval,
	}
}

// Store returns the service's store.
func (s *Service) Store() *db.Store { return s.store }

// Ready reports whether the services behind Helpium answer.
func (s *Service) Ready(ctx context.Context) map[string]error {
	return map[string]error{"postgres": s.store.Ping(ctx)}
}

// clock returns the current time in UTC at PostgreSQL's precision
// (microseconds), so a value returned on write equals the one read back.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}
