// Package metrics defines Helpium's Prometheus metrics on a registry of
// its own (no global state), served at /metrics.
package metrics

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds every collector. A nil *Metrics is valid and records
// nothing, so packages can take one optionally.
type Metrics struct {
	registry *prometheus.Registry

	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	rateLimited   *prometheus.CounterVec
	search        *prometheus.HistogramVec
	embed         *prometheus.HistogramVec
	indexerErrors prometheus.Counter
	answerCache   *prometheus.CounterVec
	streams       *prometheus.GaugeVec
	webhooks      *prometheus.CounterVec
	uploadBytes   *prometheus.CounterVec
	uploadRefused *prometheus.CounterVec
	customerMail  *prometheus.CounterVec
	unsubscribes  prometheus.Counter
}

// latencyBuckets cover 0.5 ms to 10 s.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New creates the collectors with the Go runtime and process collectors.
func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		registry: r,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpium_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "helpium_http_request_duration_seconds", Help: "HTTP request latency by route and method.", Buckets: latencyBuckets,
		}, []string{"route", "method"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpium_rate_limited_total", Help: "Requests refused with 429, by limit.",
		}, []string{"limit"}),
		search: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "helpium_search_duration_seconds", Help: "Knowledge-base search and answer latency.", Buckets: latencyBuckets,
		}, []string{"kind"}),
		embed: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "helpium_embed_duration_seconds", Help: "Embedder latency per call, by embedder.", Buckets: latencyBuckets,
		}, []string{"embedder"}),
		indexerErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "helpium_indexer_errors_total", Help: "Failed attempts to index knowledge-base changes (they are retried).",
		}),
		answerCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpium_answer_cache_total", Help: "Answer cache lookups by result (hit or miss).",
		}, []string{"result"}),
		streams: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "helpium_live_connections", Help: "Open live connections: widget event streams (sse) and GraphQL subscriptions (websocket).",
		}, []string{"kind"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpium_webhook_deliveries_total", Help: "Webhook delivery attempts by result: succeeded, retried, failed (given up) or skipped.",
		}, []string{"result"}),
		uploadBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpium_attachment_bytes_total", Help: "Attachment bytes by what happened to them: stored, or deleted (swept or discarded uploads).",
		}, []string{"op"}),
		uploadRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpium_attachment_refused_total", Help: "Files refused by reason: too_large, type, type_not_allowed, empty, too_many.",
		}, []string{"reason"}),
		customerMail: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpium_customer_emails_total", Help: "Emails to customers queued, by kind: away (replies they missed) or transcript.",
		}, []string{"kind"}),
		unsubscribes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "helpium_email_unsubscribes_total", Help: "Unsubscribe links followed (RFC 8058 one-click included).",
		}),
	}
	r.MustRegister(m.requests, m.latency, m.rateLimited, m.search, m.embed, m.indexerErrors, m.answerCache, m.streams, m.webhooks, m.uploadBytes, m.uploadRefused,
		m.customerMail, m.unsubscribes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveRequest records one HTTP request.
func (m *Metrics) ObserveRequest(route, method, status string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, status).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// RateLimited counts a request refused by limit.
func (m *Metrics) RateLimited(limit string) {
	if m != nil {
		m.rateLimited.WithLabelValues(limit).Inc()
	}
}

// ObserveSearch records a search ("search") or answer ("answer") latency.
func (m *Metrics) ObserveSearch(kind string, d time.Duration) {
	if m != nil {
		m.search.WithLabelValues(kind).Observe(d.Seconds())
	}
}

// ObserveEmbed records one embedder call.
func (m *Metrics) ObserveEmbed(embedder string, d time.Duration) {
	if m != nil {
		m.embed.WithLabelValues(embedder).Observe(d.Seconds())
	}
}

// IndexerError counts a failed indexing attempt.
func (m *Metrics) IndexerError() {
	if m != nil {
		m.indexerErrors.Inc()
	}
}

// WebhookDelivery counts a webhook delivery attempt by result.
func (m *Metrics) WebhookDelivery(result string) {
	if m != nil {
		m.webhooks.WithLabelValues(result).Inc()
	}
}

// AttachmentBytes counts n bytes of attachments stored or deleted.
func (m *Metrics) AttachmentBytes(op string, n int64) {
	if m != nil {
		m.uploadBytes.WithLabelValues(op).Add(float64(n))
	}
}

// AttachmentRefused counts a file refused for reason.
func (m *Metrics) AttachmentRefused(reason string) {
	if m != nil {
		m.uploadRefused.WithLabelValues(reason).Inc()
	}
}

// CustomerEmailQueued counts an email to a customer queued, by kind.
func (m *Metrics) CustomerEmailQueued(kind string) {
	if m != nil {
		m.customerMail.WithLabelValues(kind).Inc()
	}
}

// EmailUnsubscribed counts an unsubscribe link followed.
func (m *Metrics) EmailUnsubscribed() {
	if m != nil {
		m.unsubscribes.Inc()
	}
}

// AnswerCache counts an answer cache hit or miss.
func (m *Metrics) AnswerCache(hit bool) {
	if m == nil {
		return
	}
	if hit {
		m.answerCache.WithLabelValues("hit").Inc()
	} else {
		m.answerCache.WithLabelValues("miss").Inc()
	}
}

// StreamOpened counts an open live connection of kind ("sse" or
// "websocket"); call the returned function when it closes.
func (m *Metrics) StreamOpened(kind string) func() {
	if m == nil {
		return func() {}
	}
	g := m.streams.WithLabelValues(kind)
	g.Inc()
	return g.Dec
}

// WatchDB exports the connection pool's statistics.
func (m *Metrics) WatchDB(db *sql.DB) {
	if m != nil {
		m.registry.MustRegister(collectors.NewDBStatsCollector(db, "helpium"))
	}
}

// Gauge exports a value read at scrape time, e.g. the outbox depth.
func (m *Metrics) Gauge(name, help string, read func() float64) {
	if m != nil {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read))
	}
}
