package actions

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/helpium/helpium"
)

const testToken = "cust-token-Zq9!/+x"

var loopback = netip.MustParseAddr("127.0.0.1")

func testAction(method helpium.ActionMethod, tmpl, schema string, needsToken bool, headers ...string) *helpium.Action {
	a := &helpium.Action{
		ID: "a1", Name: "test", Method: method, URLTemplate: tmpl,
		Parameters: helpium.JSON(schema), RequiresCustomerToken: needsToken,
	}
	for i := 0; i+1 < len(headers); i += 2 {
		v := headers[i+1]
		a.Headers = append(a.Headers, helpium.ActionHeader{Name: headers[i], Value: &v})
	}
	return a
}

// fakeResolver maps host names to addresses; other names go to the
// system resolver.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return net.DefaultResolver.LookupNetIP(ctx, network, host)
}

func mustRun(t *testing.T, e *Executor, c Call) *helpium.ActionResult {
	t.Helper()
	res, err := e.Run(context.Background(), c)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

func errText(r *helpium.ActionResult) string {
	if r.Error == nil {
		return ""
	}
	return *r.Error
}

// TestRunAgainstCustomerApp runs actions against an https "customer
// application" that checks the token, the escaped path, the query and the
// body.
func TestRunAgainstCustomerApp(t *testing.T) {
	var calls atomic.Int32
	app := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+testToken && r.URL.Path != "/public" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch {
		case r.Method == "GET" && strings.HasPrefix(r.URL.EscapedPath(), "/orders/"):
			if r.Header.Get("X-Api-Version") != "2" {
				http.Error(w, "no version header", 400)
				return
			}
			json.NewEncoder(w).Encode(map[string]any{
				"raw_path": r.URL.EscapedPath(), "raw_query": r.URL.RawQuery, "status": "shipped",
			})
		case r.Method == "POST" && r.URL.Path == "/refunds":
			var body map[string]any
			json.NewDecoder(r.Body).Decode(&body)
			json.NewEncoder(w).Encode(map[string]any{"content_type": r.Header.Get("Content-Type"), "got": body})
		case r.URL.Path == "/echo":
			fmt.Fprintf(w, `{"you_sent": %q}`, r.Header.Get("Authorization"))
		case r.URL.Path == "/public":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "all systems go")
		default:
			http.NotFound(w, r)
		}
	}))
	defer app.Close()
	e := New(Config{
		Policy:    AllowAddrs(PublicOnly, loopback),
		TLSConfig: &tls.Config{RootCAs: app.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs},
	})
	schema := `{"type": "object", "properties": {"order_id": {"type": "string"}, "expand": {"type": "string"}, "limit": {"type": "integer"}}, "required": ["order_id"]}`
	get := testAction("GET", app.URL+"/orders/{order_id}?expand={expand}", schema, true, "X-Api-Version", "2")

	res := mustRun(t, e, Call{Action: get, BearerToken: testToken, Input: []byte(`{"order_id": "A/1 ?#..", "expand": "items&x=1", "limit": 5}`)})
	if !res.OK() || res.Status != 200 || res.Truncated || res.Text != nil {
		t.Fatalf("result %+v %s", res, errText(res))
	}
	var got map[string]string
	json.Unmarshal(res.JSON, &got)
	if got["raw_path"] != "/orders/A%2F1%20%3F%23.." || got["raw_query"] != "expand=items%26x%3D1&limit=5" {
		t.Errorf("escaping: %v", got)
	}

	post := testAction("POST", app.URL+"/refunds", `{"type": "object", "properties": {"amount": {"type": "number"}, "reason": {"type": "string"}}}`, true)
	res = mustRun(t, e, Call{Action: post, BearerToken: testToken, Input: []byte(`{"amount": 12.50, "reason": "late"}`)})
	var echoed struct {
		ContentType string         `json:"content_type"`
		Got         map[string]any `json:"got"`
	}
	json.Unmarshal(res.JSON, &echoed)
	if !res.OK() || echoed.ContentType != "application/json" || echoed.Got["amount"] != 12.5 || echoed.Got["reason"] != "late" {
		t.Errorf("post: %+v %s", res, res.JSON)
	}

	// An application echoing the token back never gets it into the result.
	echo := testAction("GET", app.URL+"/echo", `{"type": "object"}`, true)
	res = mustRun(t, e, Call{Action: echo, BearerToken: testToken})
	if strings.Contains(string(res.JSON), testToken) || !strings.Contains(string(res.JSON), "[redacted]") {
		t.Errorf("token echoed: %s", res.JSON)
	}

	// Text bodies come back as text; non-2xx is a result, not an error.
	res = mustRun(t, e, Call{Action: testAction("GET", app.URL+"/public", `{"type": "object"}`, false)})
	if res.Text == nil || *res.Text != "all systems go" || res.JSON != nil {
		t.Errorf("text: %+v", res)
	}
	res = mustRun(t, e, Call{Action: testAction("DELETE", app.URL+"/nothing", `{"type": "object"}`, true), BearerToken: testToken})
	if res.Status != 404 || res.OK() || res.Error != nil {
		t.Errorf("404: %+v", res)
	}

	// Input problems are errors, before anything is sent.
	before := calls.Load()
	for _, tc := range []struct {
		call  Call
		field string
	}{
		{Call{Action: get, BearerToken: testToken, Input: []byte(`{"expand": "x"}`)}, "input"},
		{Call{Action: get, BearerToken: testToken, Input: []byte(`{"order_id": 7}`)}, "input.order_id"},
		{Call{Action: get, BearerToken: testToken, Input: []byte(`{"order_id": ".."}`)}, "input.order_id"},
		{Call{Action: get, BearerToken: testToken, Input: []byte(`"x"`)}, "input"},
		{Call{Action: get, Input: []byte(`{"order_id": "1"}`)}, "conversationId"},
	} {
		_, err := e.Run(context.Background(), tc.call)
		if helpium.ErrorCode(err) != helpium.EInvalid || helpium.ErrorField(err) != tc.field {
			t.Errorf("%s: got %v, want invalid_input on %s", tc.call.Input, err, tc.field)
		}
	}
	if calls.Load() != before {
		t.Errorf("invalid calls reached the application")
	}
}

// TestSSRFRefusals checks that the production policy refuses internal
// addresses, by IP, by name and through redirects, without ever connecting.
func TestSSRFRefusals(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	port := target.Listener.Addr().(*net.TCPAddr).Port
	resolver := fakeResolver{
		"internal.example.test": {netip.MustParseAddr("10.1.2.3")},
		"metadata.example.test": {netip.MustParseAddr("169.254.169.254")},
		"mixed.example.test":    {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("192.168.1.10")},
		"loop.example.test":     {loopback},
	}
	prod := New(Config{Resolver: resolver, Timeout: 3 * time.Second})
	schema := `{"type": "object"}`
	for _, tc := range []struct{ url, reason string }{
		{fmt.Sprintf("https://127.0.0.1:%d/x", port), "loopback"},
		{fmt.Sprintf("https://[::1]:%d/x", port), "loopback"},
		{fmt.Sprintf("https://localhost:%d/x", port), "loopback"},
		{fmt.Sprintf("https://loop.example.test:%d/x", port), "loopback"},
		{"https://10.0.0.1/x", "private"},
		{"https://169.254.169.254/latest/meta-data/", "link-local"},
		{"https://metadata.example.test/latest/meta-data/", "link-local"},
		{"https://internal.example.test/admin", "private"},
		{"https://mixed.example.test/", "private"},
		{"https://[::ffff:127.0.0.1]/", "loopback"},
		{"https://[fd00:ec2::254]/", "private"},
		{"https://100.64.0.1/", "carrier-grade NAT"},
		{"https://0.0.0.0/", "unspecified"},
		{"https://[::]/", "unspecified"},
		{"https://224.0.0.1/", "multicast"},
		{"https://[fe80::1]/", "link-local"},
		{"https://[64:ff9b::a00:1]/", "private"}, // NAT64 of 10.0.0.1
		{"https://172.16.5.4/", "private"},
		{"https://192.168.0.1/", "private"},
	} {
		res := mustRun(t, prod, Call{Action: testAction("GET", tc.url, schema, false)})
		if res.Status != 0 || !strings.HasPrefix(errText(res), "Refused") || !strings.Contains(errText(res), "address not allowed") {
			t.Errorf("%s: status %d, error %q; want a refusal", tc.url, res.Status, errText(res))
		}
		// The message names the host but never what a name resolved to.
		u, _ := url.Parse(tc.url)
		addrs := resolver[u.Hostname()]
		for _, a := range addrs {
			if strings.Contains(errText(res), a.String()) {
				t.Errorf("%s: the error %q reveals the address %s", tc.url, errText(res), a)
			}
		}
		// The policy itself names why, for the logs.
		if a, err := netip.ParseAddr(u.Hostname()); err == nil {
			addrs = append(addrs, a)
		}
		named := len(addrs) == 0 // localhost: the system resolver's answer
		for _, a := range addrs {
			if err := PublicOnly(a.Unmap()); err != nil && strings.Contains(err.Error(), tc.reason) {
				named = true
			}
		}
		if !named {
			t.Errorf("%s: the policy does not name %q for %v", tc.url, tc.reason, addrs)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the target was reached %d times", hits.Load())
	}

	// Redirects to internal addresses are refused at the hop. The first
	// server is on loopback, allowed only for this test.
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	defer redirector.Close()
	e := New(Config{
		Policy:         AllowAddrs(PublicOnly, loopback),
		Resolver:       resolver,
		AllowHTTPHosts: []string{strings.TrimPrefix(redirector.URL, "http://")},
		Timeout:        3 * time.Second,
	})
	for _, to := range []string{
		"https://10.0.0.1/",
		"https://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"https://internal.example.test/",
		fmt.Sprintf("https://[::1]:%d/", port),
	} {
		a := testAction("GET", redirector.URL+"/go?to="+url.QueryEscape(to), schema, false)
		res := mustRun(t, e, Call{Action: a})
		if !strings.HasPrefix(errText(res), "Refused") {
			t.Errorf("redirect to %s: %+v %q", to, res, errText(res))
		}
	}
	// A redirect from https to plain http is refused unless allowlisted.
	res := mustRun(t, e, Call{Action: testAction("GET", redirector.URL+"/go?to="+url.QueryEscape("http://example.com/"), schema, false)})
	if !strings.Contains(errText(res), "not https") {
		t.Errorf("redirect to http: %q", errText(res))
	}
	if hits.Load() != 0 {
		t.Errorf("the target was reached %d times", hits.Load())
	}

	// Plain http to a host that is not allowlisted never leaves.
	_, err := New(Config{}).Run(context.Background(), Call{Action: testAction("GET", "http://example.com/x", schema, false)})
	if helpium.ErrorCode(err) != helpium.EInvalid || !strings.Contains(helpium.ErrorMessage(err), "HELPIUM_OUTBOUND_ALLOW_HOSTS") {
		t.Errorf("http not allowlisted: %v", err)
	}
}

func TestRedirects(t *testing.T) {
	var authOnOther atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authOnOther.Store(r.Header.Get("Authorization") + "|" + r.Header.Get("X-Secret"))
		io.WriteString(w, "other")
	}))
	defer other.Close()
	otherPort := other.Listener.Addr().(*net.TCPAddr).Port
	var hops atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/loop":
			hops.Add(1)
			http.Redirect(w, r, "/loop", http.StatusFound)
		case r.URL.Path == "/away":
			http.Redirect(w, r, fmt.Sprintf("http://other.example.test:%d/x", otherPort), http.StatusFound)
		case r.URL.Path == "/hop":
			n := len(r.URL.Query()["n"])
			if n < 3 {
				http.Redirect(w, r, r.URL.String()+"&n=1", http.StatusFound)
				return
			}
			io.WriteString(w, "arrived")
		}
	}))
	defer srv.Close()
	e := New(Config{
		Policy:         AllowAddrs(PublicOnly, loopback),
		Resolver:       fakeResolver{"other.example.test": {loopback}},
		AllowHTTPHosts: []string{"127.0.0.1", "other.example.test"},
	})
	res := mustRun(t, e, Call{Action: testAction("GET", srv.URL+"/loop", `{"type": "object"}`, false)})
	if errText(res) != "Stopped after 3 redirects." || hops.Load() != 4 {
		t.Errorf("loop: %q after %d requests", errText(res), hops.Load())
	}
	res = mustRun(t, e, Call{Action: testAction("GET", srv.URL+"/hop?n=1", `{"type": "object"}`, false)})
	if !res.OK() || *res.Text != "arrived" {
		t.Errorf("three hops: %+v %q", res, errText(res))
	}
	// Credentials do not follow a redirect to another host.
	res = mustRun(t, e, Call{Action: testAction("GET", srv.URL+"/away", `{"type": "object"}`, true, "X-Secret", "s3"), BearerToken: testToken})
	if !res.OK() || authOnOther.Load() != "|" {
		t.Errorf("cross-host redirect: %+v, other saw %q", res, authOnOther.Load())
	}
}

func TestTimeoutAndSizeCap(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/slow-body":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"a": `)
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/big":
			w.Header().Set("Content-Type", "application/json")
			n := DefaultMaxResponseBytes
			if r.URL.Query().Get("over") != "" {
				n++
			}
			io.WriteString(w, `"`+strings.Repeat("x", n-2)+`"`)
		}
	}))
	defer srv.Close()
	defer close(release)
	e := New(Config{Policy: AllowAddrs(PublicOnly, loopback), AllowHTTPHosts: []string{"127.0.0.1"}, Timeout: 200 * time.Millisecond})
	for _, path := range []string{"/slow", "/slow-body"} {
		start := time.Now()
		res := mustRun(t, e, Call{Action: testAction("GET", srv.URL+path, `{"type": "object"}`, false)})
		if errText(res) != "The request timed out after 200ms." || time.Since(start) > 3*time.Second || res.Duration < 200*time.Millisecond {
			t.Errorf("%s: %q after %s", path, errText(res), time.Since(start))
		}
	}
	if e.Timeout() != 200*time.Millisecond || New(Config{}).Timeout() != 10*time.Second {
		t.Error("timeouts")
	}

	e = New(Config{Policy: AllowAddrs(PublicOnly, loopback), AllowHTTPHosts: []string{"127.0.0.1"}})
	res := mustRun(t, e, Call{Action: testAction("GET", srv.URL+"/big", `{"type": "object"}`, false)})
	if !res.OK() || res.Truncated || len(res.JSON) != DefaultMaxResponseBytes {
		t.Errorf("exactly 1 MiB: truncated=%v len=%d %q", res.Truncated, len(res.JSON), errText(res))
	}
	res = mustRun(t, e, Call{Action: testAction("GET", srv.URL+"/big?over=1", `{"type": "object"}`, false)})
	if res.OK() || !res.Truncated || res.JSON != nil || res.Text == nil || len(*res.Text) != DefaultMaxResponseBytes ||
		errText(res) != "The response was larger than 1 MiB and was cut off." {
		t.Errorf("over 1 MiB: truncated=%v %q", res.Truncated, errText(res))
	}
}

// TestAllowedHostsForDevelopment: a host:port listed for development may be
// called over http on loopback under the production policy; the same host
// on another port may not.
func TestAllowedHostsForDevelopment(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok": true}`))
	}))
	defer target.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(100) }))
	defer other.Close()
	e := New(Config{AllowHTTPHosts: []string{strings.TrimPrefix(target.URL, "http://")}, Timeout: 3 * time.Second})
	schema := `{"type": "object"}`
	if res := mustRun(t, e, Call{Action: testAction("GET", target.URL+"/x", schema, false)}); res.Status != 200 {
		t.Errorf("listed host: %+v %s", res, errText(res))
	}
	if _, err := e.Run(context.Background(), Call{Action: testAction("GET", other.URL+"/x", schema, false)}); helpium.ErrorCode(err) != helpium.EInvalid {
		t.Errorf("another port over http: %v", err)
	}
	other443 := "https://" + strings.TrimPrefix(other.URL, "http://") + "/x"
	if res := mustRun(t, e, Call{Action: testAction("GET", other443, schema, false)}); res.Status != 0 || !strings.HasPrefix(errText(res), "Refused") {
		t.Errorf("another port on loopback: %+v %s", res, errText(res))
	}
	if hits.Load() != 1 {
		t.Errorf("hits %d, want 1", hits.Load())
	}
}
