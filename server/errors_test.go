package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

type envelope struct {
	Error struct {
		Message string `json:"message"`
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Field   string `json:"field"`
	} `json:"error"`
}

// checkEnvelope asserts res is the error envelope with status and code, and
// (when field is set) names the field.
func checkEnvelope(t *testing.T, name string, res apptest.Response, status int, code, field string) {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(res.Body, &env); err != nil {
		t.Errorf("%s: body %q is not the error envelope", name, res.Body)
		return
	}
	if res.Status != status || env.Error.Status != status || env.Error.Code != code || env.Error.Message == "" {
		t.Errorf("%s: got %d %+v, want %d %s", name, res.Status, env.Error, status, code)
	}
	if field != "" && (env.Error.Field != field || !strings.Contains(env.Error.Message, field)) {
		t.Errorf("%s: error %+v does not name field %q", name, env.Error, field)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: content type %q", name, ct)
	}
}

func TestCustomerAPIErrors(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	key := ws.APIKey
	var created restCreated
	app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "hi"}).JSON(t, &created)
	msgs := "/api/customer/conversations/" + created.WidgetToken + "/messages"
	unknownToken := "wt_" + strings.Repeat("A", 43)
	json := []string{"Content-Type", "application/json"}

	cases := []struct {
		name, method, path, key string
		body                    any
		header                  []string
		status                  int
		code, field             string
	}{
		{"missing key", "GET", "/api/customer/widget/settings", "", nil, nil, 401, "unauthenticated", ""},
		{"unknown key", "GET", "/api/customer/widget/settings", "pk_nope", nil, nil, 401, "unauthenticated", ""},
		{"missing key on create", "POST", "/api/customer/conversations", "", map[string]any{"message": "x"}, nil, 401, "unauthenticated", ""},
		{"missing key on messages", "GET", msgs, "", nil, nil, 401, "unauthenticated", ""},
		{"unknown route", "GET", "/api/customer/nothing", key, nil, nil, 404, "not_found", ""},
		{"unknown route outside the API", "GET", "/nothing", "", nil, nil, 404, "not_found", ""},
		{"unknown token", "GET", "/api/customer/conversations/" + unknownToken, key, nil, nil, 404, "not_found", ""},
		{"malformed token", "GET", "/api/customer/conversations/garbage", key, nil, nil, 404, "not_found", ""},
		{"unknown token messages", "POST", "/api/customer/conversations/" + unknownToken + "/messages", key, map[string]any{"body": "x"}, nil, 404, "not_found", ""},
		{"wrong method", "DELETE", "/api/customer/conversations", key, nil, nil, 405, "method_not_allowed", ""},
		{"wrong method on settings", "POST", "/api/customer/widget/settings", key, nil, nil, 405, "method_not_allowed", ""},
		{"text body", "POST", "/api/customer/conversations", key, "message=hi", []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", ""},
		{"no content type", "POST", "/api/customer/conversations", key, `{"message":"hi"}`, nil, 415, "unsupported_media_type", ""},
		{"body over 256 KiB", "POST", "/api/customer/conversations", key, `{"message":"` + strings.Repeat("a", 260<<10) + `"}`, json, 413, "payload_too_large", ""},
		{"malformed JSON", "POST", "/api/customer/conversations", key, `{"message":`, json, 422, "invalid_input", "body"},
		{"JSON syntax error", "POST", "/api/customer/conversations", key, `{"message" "x"}`, json, 422, "invalid_input", "body"},
		{"empty body", "POST", "/api/customer/conversations", key, "", json, 422, "invalid_input", "body"},
		{"array body", "POST", "/api/customer/conversations", key, `["hi"]`, json, 422, "invalid_input", "body"},
		{"two JSON values", "POST", "/api/customer/conversations", key, `{"message":"a"}{"message":"b"}`, json, 422, "invalid_input", "body"},
		{"number for message", "POST", "/api/customer/conversations", key, `{"message": 42}`, json, 422, "invalid_input", "message"},
		{"missing message", "POST", "/api/customer/conversations", key, `{"text": "hi"}`, json, 422, "invalid_input", "message"},
		{"null message", "POST", "/api/customer/conversations", key, `{"message": null}`, json, 422, "invalid_input", "message"},
		{"blank message", "POST", "/api/customer/conversations", key, map[string]any{"message": " \t\n "}, nil, 422, "invalid_input", "message"},
		{"message too long", "POST", "/api/customer/conversations", key, map[string]any{"message": strings.Repeat("é", 20001)}, nil, 422, "invalid_input", "message"},
		{"invalid UTF-8", "POST", "/api/customer/conversations", key, "{\"message\": \"bad \xff\xfe\"}", json, 422, "invalid_input", "message"},
		{"NUL byte", "POST", "/api/customer/conversations", key, `{"message": "a\u0000b"}`, json, 422, "invalid_input", "message"},
		{"blank body", "POST", msgs, key, map[string]any{"body": ""}, nil, 422, "invalid_input", "body"},
		{"object for body", "POST", msgs, key, `{"body": {"x": 1}}`, json, 422, "invalid_input", "body"},
		{"body too long", "POST", msgs, key, map[string]any{"body": strings.Repeat("x", 20001)}, nil, 422, "invalid_input", "body"},
		{"number for client id", "POST", msgs, key, `{"body": "x", "client_message_id": 7}`, json, 422, "invalid_input", "client_message_id"},
		{"client id too long", "POST", msgs, key, map[string]any{"body": "x", "client_message_id": strings.Repeat("k", 101)}, nil, 422, "invalid_input", "client_message_id"},
		{"limit zero", "GET", msgs + "?limit=0", key, nil, nil, 422, "invalid_input", "limit"},
		{"limit over 200", "GET", msgs + "?limit=201", key, nil, nil, 422, "invalid_input", "limit"},
		{"limit not a number", "GET", msgs + "?limit=ten", key, nil, nil, 422, "invalid_input", "limit"},
		{"bad cursor", "GET", msgs + "?after=not-a-cursor", key, nil, nil, 422, "invalid_input", "after"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := app.Request(t, c.method, c.path, c.key, c.body, c.header...)
			checkEnvelope(t, c.name, res, c.status, c.code, c.field)
		})
	}

	// None of the refused requests stored anything.
	var page restPage
	app.Request(t, "GET", msgs, key, nil).JSON(t, &page)
	if len(page.Messages) != 1 {
		t.Errorf("%d messages after refused requests, want 1", len(page.Messages))
	}
}

func TestChunkedBodyOverLimit(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	// No Content-Length: the limit is enforced while reading.
	body := strings.NewReader(`{"message":"` + strings.Repeat("a", 300<<10) + `"}`)
	res := app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, body, "Content-Type", "application/json")
	checkEnvelope(t, "chunked", res, 413, "payload_too_large", "")
}

func TestMessageLengthBoundary(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	// 20,000 characters of two bytes each: accepted, stored verbatim.
	long := strings.Repeat("é", 20000)
	res := app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": long})
	if res.Status != http.StatusCreated {
		t.Fatalf("20,000 characters: %d %s", res.Status, res.Body[:200])
	}
	var created restCreated
	res.JSON(t, &created)
	var page restPage
	app.Request(t, "GET", "/api/customer/conversations/"+created.WidgetToken+"/messages", ws.APIKey, nil).JSON(t, &page)
	if page.Messages[0].Body != long {
		t.Error("stored body differs from the one sent")
	}
}

func TestGraphQLErrorCodesMatchREST(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	cases := []struct {
		name, key, query string
		vars             map[string]any
		code, field      string
	}{
		{"no key", "", `{ widgetSettings { greeting } }`, nil, "unauthenticated", ""},
		{"unknown token", ws.APIKey, `{ widgetConversation(token: "wt_nope") { id } }`, nil, "not_found", ""},
		{"blank message", ws.APIKey, `mutation { createConversation(input: {message: "  "}) { widgetToken } }`, nil, "invalid_input", "input.message"},
		{"long message", ws.APIKey, `mutation($m: String!) { createConversation(input: {message: $m}) { widgetToken } }`,
			map[string]any{"m": strings.Repeat("x", 20001)}, "invalid_input", "input.message"},
		{"bad limit", ws.APIKey, `{ widgetMessages(token: "wt_x", limit: 500) { hasMore } }`, nil, "invalid_input", "limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := app.GraphQL(t, c.key, c.query, c.vars, nil)
			if len(errs) != 1 || errs[0].Code() != c.code {
				t.Fatalf("errors %+v, want one %s", errs, c.code)
			}
			if c.field != "" && errs[0].Extensions["field"] != c.field {
				t.Errorf("field %v, want %s", errs[0].Extensions["field"], c.field)
			}
		})
	}
	// An unknown key is refused before execution with the same code.
	res := app.Request(t, "POST", "/graphql", "pk_nope", map[string]any{"query": "{ widgetSettings { greeting } }"})
	if res.Status != 401 || !strings.Contains(string(res.Body), `"code":"unauthenticated"`) {
		t.Errorf("unknown key: %d %s", res.Status, res.Body)
	}
}

func TestHealthAndRequestID(t *testing.T) {
	app := apptest.New(t, service.Options{})
	res := app.Request(t, "GET", "/healthz", "", nil)
	if res.Status != 200 || !strings.Contains(string(res.Body), `"ok"`) {
		t.Errorf("healthz: %d %s", res.Status, res.Body)
	}
	res = app.Request(t, "GET", "/readyz", "", nil, "X-Request-ID", "req-123")
	if res.Status != 200 || !strings.Contains(string(res.Body), `"postgres":"ok"`) || !strings.Contains(string(res.Body), `"weaviate":"ok"`) {
		t.Errorf("readyz: %d %s", res.Status, res.Body)
	}
	if res.Header.Get("X-Request-ID") != "req-123" {
		t.Errorf("request id not echoed: %q", res.Header.Get("X-Request-ID"))
	}
	if res := app.Request(t, "GET", "/healthz", "", nil); len(res.Header.Get("X-Request-ID")) < 16 {
		t.Errorf("no request id generated: %q", res.Header.Get("X-Request-ID"))
	}
	if !strings.Contains(app.LogText(), `"request_id":"req-123"`) {
		t.Error("request id missing from the access log")
	}
}

func TestOpenAPIServedAndRendered(t *testing.T) {
	app := apptest.New(t, service.Options{})
	res := app.Request(t, "GET", "/api/customer/openapi.json", "", nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if res.Status != 200 || json.Unmarshal(res.Body, &doc) != nil || !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/conversations/{token}/messages"]["post"] == nil {
		t.Errorf("openapi.json: %d %.200s", res.Status, res.Body)
	}
	// The served document itself is valid OpenAPI 3.1 (as validators and
	// code generators read it), readable from other origins, licensed, and
	// declares the limits the server enforces.
	if res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("openapi.json without CORS: %v", res.Header)
	}
	served, err := openapi3.NewLoader().LoadFromData(res.Body)
	if err != nil {
		t.Fatalf("load the served document: %v", err)
	}
	if err := served.Validate(context.Background()); err != nil {
		t.Errorf("the served document is invalid: %v", err)
	}
	if served.Info.License == nil || served.Info.License.Name == "" {
		t.Error("no info.license")
	}
	limits := func(path, method, field string) (uint64, *uint64) {
		body := served.Paths.Find(path).GetOperation(method).RequestBody.Value.Content.Get("application/json").Schema.Value
		p := body.Properties[field].Value
		return p.MinLength, p.MaxLength
	}
	for _, f := range []struct {
		path, method, field string
		max                 uint64
	}{
		{"/conversations", "POST", "message", helpium.MaxMessageLength},
		{"/conversations/{token}/messages", "POST", "body", helpium.MaxMessageLength},
		{"/search", "POST", "query", helpium.MaxSearchQuery},
		{"/search/answer", "POST", "query", helpium.MaxSearchQuery},
	} {
		if min, max := limits(f.path, f.method, f.field); min != 1 || max == nil || *max != f.max {
			t.Errorf("%s %s %s: length %d..%v, want 1..%d", f.method, f.path, f.field, min, max, f.max)
		}
	}
	// The rendered docs show code as code and every request field.
	res = app.Request(t, "GET", "/api/customer/docs", "", nil)
	page := string(res.Body)
	if res.Status != 200 || !strings.Contains(page, "/api/customer/widget/settings") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("docs: %d %.200s", res.Status, res.Body)
	}
	for _, want := range []string{"<code>X-API-Key</code>", "<code>client_message_id</code>", "<code>installation_id</code>", "<code>Last-Event-ID</code>", "at most 20000 characters"} {
		if !strings.Contains(page, want) {
			t.Errorf("docs lack %s", want)
		}
	}
	if strings.Contains(page, "`") {
		t.Error("docs show Markdown backticks")
	}
}

// TestHEAD: HEAD answers as GET would, without a body, on every GET route
// but the event stream.
func TestHEAD(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	for _, path := range []string{"/healthz", "/api/customer/widget/settings", "/api/customer/openapi.json", "/api/customer/docs", "/app/invitation"} {
		get := app.Request(t, "GET", path, ws.APIKey, nil)
		head := app.Request(t, "HEAD", path, ws.APIKey, nil)
		if head.Status != get.Status || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || len(head.Body) != 0 {
			t.Errorf("HEAD %s: %d %q %d bytes; GET: %d %q", path, head.Status, head.Header.Get("Content-Type"), len(head.Body), get.Status, get.Header.Get("Content-Type"))
		}
	}
	_, token := startConversation(t, app, ws.APIKey, "hello")
	if res := app.Request(t, "HEAD", "/api/customer/conversations/"+token+"/events", ws.APIKey, nil); res.Status != 405 {
		t.Errorf("HEAD on the event stream: %d", res.Status)
	}
}
