// Package service holds Helpium's business operations. GraphQL resolvers and
// REST handlers both call it, so every rule of an operation (who may call
// it, tenant scoping, the rate limit it charges) is written once, here.
//
// The service is split by area. Each area is a type that holds only what
// its operations use, so its fields say what a change there may touch;
// Service holds one of each, built by New. The areas and their files:
//
//	Accounts       agents' sign-in and its limits, sessions, access tokens,
//	               passwords, invitations, members: account.go, agent.go,
//	               login.go, password.go
//	Workspaces     workspaces, the widget key (cached), widget settings,
//	               business hours, allowed origins: workspace.go, settings.go
//	Rates          rate-limit charges and a workspace's limits: limits.go
//	Conversations  the widget's side of a conversation, by its widget token:
//	               messages, reads, rating, resuming: conversation.go
//	Inbox          the agents' side: inbox, loaders, replies, notes,
//	               assignment, status, reads, customers, stats: inbox.go
//	Live           message and change streams, typing and activity: live.go,
//	               activity.go
//	Knowledge      articles and search (article.go), AI answers (answer.go),
//	               votes, handovers, content gaps (feedback.go)
//	Identity       identify, identity verification, customers' bearer
//	               tokens: identity.go
//	Actions        AI Actions and the answers that call them: action.go
//	Webhooks       endpoints and deliveries: webhook.go
//	Files          attachments and a workspace's attachment limits:
//	               attachment.go
//	Notifications  away emails and widget presence (away.go), transcripts
//	               (transcript.go), the links emails carry (emaillinks.go)
//
// Shared by every area: base (the store, the clock, the logger) and the
// access checks on it in access.go (a workspace's role, a conversation
// for an agent or for a widget token), and what email needs in email.go.
// A workspace's settings, whichever area owns them, are stored through
// Workspaces.updateWorkspace, which also drops the cached widget key.
//
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

// Service runs Helpium's operations over the store, one part per area.
// Each part holds only what its operations use; main and the transports
// call them by area (svc.Inbox.Conversations, svc.Knowledge.Answer).
type Service struct {
	Accounts      *Accounts      // agents: sign-in, sessions, tokens, passwords, invitations, members
	Workspaces    *Workspaces    // workspaces, their widget key and settings
	Rates         *Rates         // the rate limits requests are charged against
	Conversations *Conversations // the widget's side of a conversation
	Inbox         *Inbox         // the agents' side: inbox, replies, notes, assignment, customers, stats
	Live          *Live          // live streams: messages, changes, typing and reads
	Knowledge     *Knowledge     // articles, search, AI answers, their feedback and content gaps
	Identity      *Identity      // who a widget's customer is, and their bearer tokens
	Actions       *Actions       // AI Actions: definitions, runs, audit, answers that call them
	Webhooks      *Webhooks      // webhook endpoints and deliveries
	Files         *Files         // attachments: uploads, signed links, sweeps
	Notifications *Notifications // customers' emails: away emails, transcripts, their links

	store  *db.Store
	events *events.Broker
}

// base is what every area holds: the store, the clock and the logger. The
// access checks on it (access.go) are the same for every area.
type base struct {
	store *db.Store
	now   func() time.Time
	log   *slog.Logger
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
	// Generator writes answers (when nil, the extractive generator, scoring
	// sentences with Search when it is an answer.Similarity).
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
		g := answer.NewExtractive()
		g.Similarity, _ = opt.Search.(answer.Similarity) // sentences scored with the search's embedder
		opt.Generator = g
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
	b := base{store: store, now: opt.Now, log: opt.Logger}
	publicURL := strings.TrimRight(opt.PublicURL, "/")
	workspaces := &Workspaces{base: b, keys: newKeyCache(opt.KeyCacheTTL), publicURL: publicURL}
	rates := &Rates{base: b, workspaces: workspaces, limiter: opt.RateLimiter, agentMin: opt.AgentRateLimit, metrics: opt.Metrics}
	files := &Files{base: b, workspaces: workspaces, blobs: opt.Blobs, secrets: opt.Secrets, metrics: opt.Metrics}
	notifications := &Notifications{base: b, workspaces: workspaces, secrets: opt.Secrets, publicURL: publicURL,
		metrics: opt.Metrics, presence: opt.PresenceInterval}
	identity := &Identity{base: b, workspaces: workspaces, secrets: opt.Secrets}
	actions := &Actions{base: b, identity: identity, actions: opt.Actions, llm: opt.LLM}
	return &Service{
		Accounts: &Accounts{base: b, workspaces: workspaces, limiter: opt.RateLimiter, publicURL: publicURL,
			argon: make(chan struct{}, runtime.GOMAXPROCS(0))},
		Workspaces: workspaces,
		Rates:      rates,
		Conversations: &Conversations{base: b, rates: rates, files: files, notifications: notifications,
			secrets: opt.Secrets},
		Inbox: &Inbox{base: b, files: files},
		Live: &Live{base: b, workspaces: workspaces, files: files, notifications: notifications,
			events: opt.Events, recheck: opt.LiveRecheck},
		Knowledge: &Knowledge{base: b, rates: rates, actions: actions, searcher: opt.Search, generator: opt.Generator,
			answers: newAnswerCache(opt.AnswerCacheTTL), secrets: opt.Secrets, metrics: opt.Metrics},
		Identity:      identity,
		Actions:       actions,
		Webhooks:      &Webhooks{base: b, secrets: opt.Secrets, actions: opt.Actions},
		Files:         files,
		Notifications: notifications,
		store:         store,
		events:        opt.Events,
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
func (b *base) clock() time.Time {
	return b.now().UTC().Truncate(time.Microsecond)
}
