// Package actions runs AI Actions: HTTP calls into a workspace's own
// application, built from an admin's URL template and a JSON Schema for the
// parameters, sent on behalf of an agent or of the AI answering a customer.
//
// The executor is the single place these calls happen. It refuses to reach
// anything but public addresses, checked on the address actually dialled
// (after DNS resolution, so rebinding between check and connect is
// impossible) and again on every redirect; it bounds time and response
// size; and it keeps the customer's token out of every error it returns.
package actions

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/helpium/helpium"
)

// Defaults.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	MaxRedirects            = 3
)

// Resolver looks up the addresses of a host name.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config configures an Executor. The zero value is the production setup.
type Config struct {
	// AllowHTTPHosts may be called over plain http and on any address
	// (loopback and private ones included), for development and tests
	// only: host names or IP addresses, optionally with :port. Every other
	// host needs https and a public address.
	AllowHTTPHosts []string
	// Policy decides which addresses may be dialled (PublicOnly if nil).
	Policy AddrPolicy
	// Resolver looks up host names (net.DefaultResolver if nil).
	Resolver Resolver
	// Timeout bounds a whole call, redirects and body included
	// (DefaultTimeout if zero).
	Timeout time.Duration
	// MaxResponseBytes caps the response body (DefaultMaxResponseBytes if
	// zero); a longer body is cut off and the call reported as failed.
	MaxResponseBytes int64
	// TLSConfig is cloned for https connections (tests trust an httptest
	// server's certificate with it).
	TLSConfig *tls.Config
}

// Executor validates action definitions and runs action calls. It is safe
// for concurrent use.
type Executor struct {
	cfg       Config
	allowHTTP map[string]bool
	transport *http.Transport
}

// New returns an Executor for cfg.
func New(cfg Config) *Executor {
	if cfg.Policy == nil {
		cfg.Policy = PublicOnly
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	e := &Executor{cfg: cfg, allowHTTP: map[string]bool{}}
	for _, h := range cfg.AllowHTTPHosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			e.allowHTTP[h] = true
		}
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	}
	e.transport = &http.Transport{
		Proxy:                  nil, // a proxy would dial for us, past the address policy
		DialContext:            e.dial,
		TLSClientConfig:        tlsConfig,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        60 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return e
}

// Timeout returns how long a call may take.
func (e *Executor) Timeout() time.Duration { return e.cfg.Timeout }

// MaxResponseBytes returns the response size cap.
func (e *Executor) MaxResponseBytes() int64 { return e.cfg.MaxResponseBytes }

// RefusedError is a connection the address policy refused.
type RefusedError struct {
	Host   string
	Reason error // which address and why; never shown to users
}

// Error names the host, not the address it resolved to: a caller must not
// learn what an internal name resolves to.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: address not allowed; actions may only reach public internet addresses", e.Host)
}

// dial resolves addr's host, refuses the connection unless every address
// passes the policy, and dials the checked addresses themselves; the
// dialer's Control checks the socket's address once more.
func (e *Executor) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = e.cfg.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("could not resolve %s", host)
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("%s has no addresses", host)
		}
	}
	policy := e.cfg.Policy
	if e.allowHTTP[strings.ToLower(host)] || e.allowHTTP[strings.ToLower(addr)] {
		policy = func(netip.Addr) error { return nil } // listed for development
	}
	for _, ip := range ips {
		if err := policy(ip); err != nil {
			return nil, &RefusedError{Host: host, Reason: err}
		}
	}
	d := &net.Dialer{
		Timeout: e.cfg.Timeout,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &RefusedError{Host: host, Reason: err}
			}
			if err := policy(ap.Addr()); err != nil {
				return &RefusedError{Host: host, Reason: err}
			}
			return nil
		},
	}
	var firstErr error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// httpAllowed reports whether u may use plain http.
func (e *Executor) httpAllowed(u *url.URL) bool {
	return e.allowHTTP[strings.ToLower(u.Host)] || e.allowHTTP[strings.ToLower(u.Hostname())]
}

// SchemeAllowed reports whether u may be called: https, or http for a host
// listed in Config.AllowHTTPHosts.
func (e *Executor) SchemeAllowed(u *url.URL) bool { return u != nil && e.schemeAllowed(u) }

func (e *Executor) schemeAllowed(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return e.httpAllowed(u)
	}
	return false
}

var headerName = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")

// reservedHeaders are set by the executor or the HTTP transport.
var reservedHeaders = []string{
	"host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
	"te", "trailer", "upgrade", "expect", "accept-encoding",
}

// CheckDefinition validates what an admin saves and normalises it in
// place (trimmed name, description and URL; upper-case method; compact
// schema). Errors are EInvalid naming the input field: name, description,
// method, urlTemplate, parameters or headers.N.name / headers.N.value.
func (e *Executor) CheckDefinition(in *helpium.ActionInput) error {
	in.Name = strings.TrimSpace(in.Name)
	if err := helpium.ValidateActionName("name", in.Name); err != nil {
		return err
	}
	if err := helpium.CheckText("description", in.Description, helpium.MaxActionDescriptionLength, true); err != nil {
		return err
	}
	in.Description = strings.TrimSpace(in.Description)
	in.Method = helpium.ActionMethod(strings.ToUpper(string(in.Method)))
	if !in.Method.Valid() {
		return helpium.Invalid("method", "method must be GET, POST, PUT, PATCH or DELETE")
	}
	tmpl, err := ParseTemplate("urlTemplate", in.URLTemplate)
	if err != nil {
		return err
	}
	in.URLTemplate = strings.TrimSpace(in.URLTemplate)
	// A listed host may use http and any address, as when it is called.
	listed := e.allowHTTP[strings.ToLower(tmpl.Host())] || e.allowHTTP[strings.ToLower(tmpl.Hostname())]
	if tmpl.Scheme() != "https" && !listed {
		return helpium.Invalid("urlTemplate", "urlTemplate must use https (plain http is allowed only for hosts in HELPIUM_OUTBOUND_ALLOW_HOSTS)")
	}
	if ip, err := netip.ParseAddr(strings.Trim(tmpl.Hostname(), "[]")); err == nil && !listed {
		if err := e.cfg.Policy(ip); err != nil {
			return helpium.Invalid("urlTemplate", "urlTemplate: %v; actions may only reach public internet addresses", err)
		}
	}
	sch, err := CompileSchema("parameters", in.Parameters)
	if err != nil {
		return err
	}
	in.Parameters = helpium.JSON(in.Parameters).Compact()
	for _, p := range tmpl.Params() {
		if !sch.HasProperty(p) {
			return helpium.Invalid("urlTemplate", "urlTemplate uses {%s}, which is not a property of the parameters schema", p)
		}
	}
	if len(in.Headers) > helpium.MaxActionHeaders {
		return helpium.Invalid("headers", "at most %d headers", helpium.MaxActionHeaders)
	}
	seen := map[string]bool{}
	for i := range in.Headers {
		h := &in.Headers[i]
		field := fmt.Sprintf("headers[%d]", i)
		h.Name = strings.TrimSpace(h.Name)
		lower := strings.ToLower(h.Name)
		switch {
		case !headerName.MatchString(h.Name) || len(h.Name) > 100:
			return helpium.Invalid(field+".name", "%s.name must be an HTTP header name like X-Api-Version", field)
		case slices.Contains(reservedHeaders, lower) || strings.HasPrefix(lower, "proxy-"):
			return helpium.Invalid(field+".name", "%s is set by Helpium and cannot be configured", h.Name)
		case lower == "authorization" && in.RequiresCustomerToken:
			return helpium.Invalid(field+".name", "Authorization carries the customer's token for this action and cannot also be configured")
		case seen[lower]:
			return helpium.Invalid(field+".name", "%s is configured twice", h.Name)
		}
		seen[lower] = true
		if !utf8.ValidString(h.Value) || strings.ContainsAny(h.Value, "\r\n\x00") || len(h.Value) > helpium.MaxActionHeaderValueLength {
			return helpium.Invalid(field+".value", "%s.value must be one line of at most %d characters", field, helpium.MaxActionHeaderValueLength)
		}
	}
	return nil
}

// Call is one action call to make.
type Call struct {
	Action *helpium.Action
	// Input is the parameters as a JSON object.
	Input []byte
	// BearerToken is the customer's token, sent as Authorization: Bearer
	// when the action requires it. It never appears in a result or error.
	BearerToken string
}

// Run validates the call's input against the action's schema, fills the
// URL and sends the request. Input problems (before anything is sent) are
// EInvalid errors naming "input" or "input.<param>". A call that was
// attempted always yields a result: a refused address, a timeout, a
// network failure or an oversized body set result.Error.
func (e *Executor) Run(ctx context.Context, c Call) (*helpium.ActionResult, error) {
	req, err := e.prepare(ctx, c)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res := &helpium.ActionResult{Action: c.Action}
	e.send(req, c, res)
	res.Duration = time.Since(start)
	return res, nil
}

// prepare builds the request for a call.
func (e *Executor) prepare(ctx context.Context, c Call) (*http.Request, error) {
	a := c.Action
	tmpl, err := ParseTemplate("urlTemplate", a.URLTemplate)
	if err != nil {
		return nil, helpium.Internal(fmt.Errorf("stored action %s: %w", a.ID, err))
	}
	sch, err := CompileSchema("parameters", a.Parameters)
	if err != nil {
		return nil, helpium.Internal(fmt.Errorf("stored action %s: %w", a.ID, err))
	}
	input, err := DecodeInput(c.Input)
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(input); err != nil {
		return nil, err
	}
	u, err := tmpl.Fill(input)
	if err != nil {
		return nil, err
	}
	if !e.schemeAllowed(u) {
		return nil, helpium.Invalid("urlTemplate", "This action's URL uses plain http, which is allowed only for hosts in HELPIUM_OUTBOUND_ALLOW_HOSTS.")
	}
	if a.RequiresCustomerToken && c.BearerToken == "" {
		return nil, helpium.Invalid("conversationId", "This action needs the customer's bearer token, and none is available.")
	}
	rest := map[string]any{}
	for k, v := range input {
		if !slices.Contains(tmpl.Params(), k) {
			rest[k] = v
		}
	}
	var body io.Reader
	if a.Method.HasBody() {
		raw, err := json.Marshal(rest)
		if err != nil {
			return nil, helpium.Invalid("input", "input cannot be encoded as JSON")
		}
		body = bytes.NewReader(raw)
	} else if len(rest) > 0 {
		q := u.Query()
		keys := make([]string, 0, len(rest))
		for k := range rest {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			for _, s := range queryValues(rest[k]) {
				q.Add(k, s)
			}
		}
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, string(a.Method), u.String(), body)
	if err != nil {
		return nil, helpium.Invalid("input", "the parameters do not make a valid request")
	}
	for _, h := range a.Headers {
		if h.Value != nil {
			req.Header.Set(h.Name, *h.Value)
		}
	}
	req.Header.Set("User-Agent", "Helpium-Actions/1")
	req.Header.Set("Accept", "application/json, text/plain;q=0.9, */*;q=0.5")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.RequiresCustomerToken {
		req.Header.Set("Authorization", "Bearer "+c.BearerToken)
	}
	return req, nil
}

// queryValues renders a parameter for the query string: scalars as text,
// arrays of scalars as repeated values, anything else as JSON.
func queryValues(v any) []string {
	if s, err := scalarString(v); err == nil {
		return []string{s}
	}
	if arr, ok := v.([]any); ok {
		out := make([]string, 0, len(arr))
		for _, x := range arr {
			s, err := scalarString(x)
			if err != nil {
				raw, _ := json.Marshal(v)
				return []string{string(raw)}
			}
			out = append(out, s)
		}
		return out
	}
	raw, _ := json.Marshal(v)
	return []string{string(raw)}
}

var (
	errTooManyRedirects = errors.New("too many redirects")
	errRedirectNotHTTPS = errors.New("the redirect is not https")
)

// send makes the request and fills res.
func (e *Executor) send(req *http.Request, c Call, res *helpium.ActionResult) {
	origin := req.URL.Host
	client := &http.Client{
		Transport: e.transport,
		Timeout:   e.cfg.Timeout,
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return errTooManyRedirects
			}
			if !e.schemeAllowed(r.URL) {
				return fmt.Errorf("%w: %s", errRedirectNotHTTPS, r.URL.Redacted())
			}
			if !strings.EqualFold(r.URL.Host, origin) {
				// Credentials never follow a redirect to another host.
				r.Header.Del("Authorization")
				for _, h := range c.Action.Headers {
					r.Header.Del(h.Name)
				}
			}
			return nil
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		res.Error = ptr(describe(err, c.BearerToken, e.cfg.Timeout))
		return
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	raw, err := io.ReadAll(io.LimitReader(resp.Body, e.cfg.MaxResponseBytes+1))
	if err != nil {
		res.Error = ptr(describe(err, c.BearerToken, e.cfg.Timeout))
		return
	}
	if int64(len(raw)) > e.cfg.MaxResponseBytes {
		raw = raw[:e.cfg.MaxResponseBytes]
		res.Truncated = true
		res.Error = ptr(fmt.Sprintf("The response was larger than %s and was cut off.", byteSize(e.cfg.MaxResponseBytes)))
	}
	raw = redact(raw, c.BearerToken)
	if !res.Truncated && isJSON(resp.Header.Get("Content-Type"), raw) {
		res.JSON = helpium.JSON(raw)
		return
	}
	if len(raw) > 0 || res.Truncated {
		text := strings.ToValidUTF8(string(raw), "\uFFFD")
		res.Text = &text
	}
}

// describe turns a failed request into a message safe to show: it names
// what went wrong without echoing headers, and never contains the token.
func describe(err error, token string, timeout time.Duration) string {
	var refused *RefusedError
	var msg string
	switch {
	case errors.As(err, &refused):
		msg = "Refused: " + refused.Error() + "."
	case errors.Is(err, errRedirectNotHTTPS):
		msg = "Refused: the redirect to another address is not https."
	case errors.Is(err, errTooManyRedirects):
		msg = fmt.Sprintf("Stopped after %d redirects.", MaxRedirects)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		msg = fmt.Sprintf("The request timed out after %s.", timeout)
	case errors.Is(err, context.Canceled):
		msg = "The request was cancelled."
	default:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		msg = "The request failed: " + err.Error() + "."
	}
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "[redacted]")
	}
	return msg
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// redact removes the customer's token from a response body, in case the
// application echoes the request's headers back.
func redact(body []byte, token string) []byte {
	if token == "" || len(body) == 0 {
		return body
	}
	body = bytes.ReplaceAll(body, []byte(token), []byte("[redacted]"))
	if quoted, err := json.Marshal(token); err == nil {
		escaped := quoted[1 : len(quoted)-1]
		body = bytes.ReplaceAll(body, escaped, []byte("[redacted]"))
	}
	return body
}

func isJSON(contentType string, raw []byte) bool {
	ct := strings.ToLower(contentType)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	if ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return false
	}
	return json.Valid(raw)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func ptr[T any](v T) *T { return &v }
