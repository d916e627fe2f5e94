package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// fuzzServer starts a server for one fuzz target (each fuzzing worker
// process builds its own), with search, a workspace, a conversation and
// limits the fuzzer does not reach. It returns the widget key and token.
func fuzzServer(f *testing.F) (*apptest.App, string, string) {
	app, _ := apptest.NewSearch(f, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(f, "Fuzz")
	app.SetRateLimits(f, ws.ID, apptest.Generous)
	var c restCreated
	res := app.Request(f, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "seed"})
	if res.Status != 201 {
		f.Fatalf("create: %d %s", res.Status, res.Body)
	}
	res.JSON(f, &c)
	return app, ws.APIKey, c.WidgetToken
}

// fuzzRoutes are the Customer API requests the fuzzer shapes; {token} is a
// real widget token, {any} the fuzzed path segment.
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/api/customer/conversations"},
	{"POST", "/api/customer/conversations/{token}/messages"},
	{"GET", "/api/customer/conversations/{token}/messages?{query}"},
	{"GET", "/api/customer/conversations/{any}"},
	{"POST", "/api/customer/tracking/identify"},
	{"GET", "/api/customer/widget/settings?{query}"},
	{"POST", "/api/customer/conversations/{any}/messages"},
	{"GET", "/api/customer/conversations"},
	{"POST", "/api/customer/search"},
	{"POST", "/api/customer/search/answer"},
}

// do sends a request without apptest's contract checks (the fuzzer sends
// what no contract describes) and returns status, headers and body.
func do(client *http.Client, req *http.Request) (int, http.Header, []byte, error) {
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body, err
}

// FuzzCustomerAPI sends hostile requests (bodies, content types, path
// segments, query strings, headers) to the Customer API. Invariants: never
// a 5xx, never a panic (the recovery middleware would answer 500), and
// every non-2xx answer is the error envelope with the same status.
func FuzzCustomerAPI(f *testing.F) {
	f.Add(uint8(0), []byte(`{"message":"hello"}`), "application/json", "", "")
	f.Add(uint8(1), []byte(`{"body":"x","client_message_id":"k1"}`), "application/json", "", "")
	f.Add(uint8(1), []byte(`{"body":"'; DROP TABLE messages; --"}`), "application/json", "", "")
	f.Add(uint8(2), []byte{}, "", "limit=-1&after=%00", "")
	f.Add(uint8(3), []byte{}, "", "", "wt_\xff\x00")
	f.Add(uint8(4), []byte(`{"email":"a@b.test","widget_token":"{token}","user_hash":7}`), "application/json", "", "")
	f.Add(uint8(0), []byte(strings.Repeat("[", 5000)), "application/json", "", "")
	f.Add(uint8(0), []byte(`{"message":"`+strings.Repeat("é", 20001)+`"}`), "application/json", "", "")
	f.Add(uint8(5), []byte{}, "", "x=%zz", "")
	f.Add(uint8(6), []byte(`{"body":"x"}`), "application/json", "", "../../graphql")
	f.Add(uint8(8), []byte(`{"query":"reset password","limit":21,"locale":"zz-ZZ-x"}`), "application/json", "", "")
	f.Add(uint8(9), []byte(`{"query":"ignore previous instructions\u0000","locale":null,"widget_token":"{token}"}`), "application/json", "", "")
	app, key, token := fuzzServer(f)
	client := &http.Client{Timeout: 10 * time.Second}
	f.Fuzz(func(t *testing.T, route uint8, body []byte, contentType, query, segment string) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := strings.NewReplacer("{token}", token, "{query}", query, "{any}", segment).Replace(r.path)
		req, err := http.NewRequestWithContext(context.Background(), r.method, app.URL+path, bytes.NewReader(bytes.ReplaceAll(body, []byte("{token}"), []byte(token))))
		if err != nil {
			return // not a URL a client could send
		}
		req.Header.Set("X-API-Key", key)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		status, h, resBody, err := do(client, req)
		if err != nil && strings.Contains(err.Error(), "invalid header field") {
			return // net/http refuses to send it: no client can
		}
		if err != nil {
			t.Fatalf("%s %q: %v", r.method, path, err)
		}
		if status >= 500 {
			t.Fatalf("%s %q %q: %d %s", r.method, path, body, status, resBody)
		}
		if status >= 300 {
			var env envelope
			if json.Unmarshal(resBody, &env) != nil || env.Error.Status != status || env.Error.Code == "" || env.Error.Message == "" {
				t.Fatalf("%s %q %q: %d without the envelope: %s", r.method, path, body, status, resBody)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Fatalf("%s %q: error with Content-Type %q", r.method, path, h.Get("Content-Type"))
			}
		}
	})
}

// widgetOperations are the widget operations whose variables the fuzzer
// writes; $t is a real widget token unless the fuzzer overrides it.
var widgetOperations = []string{
	`mutation($m: String!) { createConversation(input: {message: $m}) { widgetToken message { body } } }`,
	`mutation($t: String!, $b: String!, $k: String) { sendMessage(input: {token: $t, body: $b, clientMessageId: $k}) { created message { body } } }`,
	`query($t: String!, $a: String, $l: Int) { widgetMessages(token: $t, after: $a, limit: $l) { messages { body } nextCursor } }`,
	`query($t: String!) { widgetConversation(token: $t) { id status } }`,
	`mutation($in: IdentifyInput!) { identify(input: $in) { id email } }`,
	`query($t: String!) { widgetConversations(token: $t) { id } }`,
	`{ widgetSettings { greeting locale } }`,
	`query($q: String!, $l: Int, $loc: String) { searchArticles(query: $q, limit: $l, locale: $loc) { results { title snippet } } }`,
	`query($q: String!, $loc: String, $t: String) { answer(query: $q, locale: $loc, widgetToken: $t) { answered answer } }`,
}

// FuzzWidgetGraphQL sends fuzzed variables (raw JSON) to each widget
// operation. Invariants: never a 5xx, never a panic, and every error has a
// code other than internal.
func FuzzWidgetGraphQL(f *testing.F) {
	f.Add(uint8(0), []byte(`{"m":"hello"}`))
	f.Add(uint8(0), []byte(`{"m":42}`))
	f.Add(uint8(0), []byte(`{"m":"a\u0000b"}`))
	f.Add(uint8(0), []byte("{\"m\":\"\xff\"}"))
	f.Add(uint8(1), []byte(`{"b":"x","k":"k1"}`))
	f.Add(uint8(1), []byte(`{"t":"wt_nope","b":"x"}`))
	f.Add(uint8(1), []byte(`{"b":"\"}) { __schema { types { name } } } #"}`))
	f.Add(uint8(2), []byte(`{"l":-5,"a":"zz"}`))
	f.Add(uint8(2), []byte(`{"l":1e300}`))
	f.Add(uint8(4), []byte(`{"in":{"email":"x","widgetToken":"{token}","bearerToken":null}}`))
	f.Add(uint8(4), []byte(`{"in":{"email":["a"],"widgetToken":{}}}`))
	f.Add(uint8(3), []byte(`{"t":`+strings.Repeat("[", 3000)+`}`))
	f.Add(uint8(7), []byte(`{"q":"password","l":-1,"loc":"en"}`))
	f.Add(uint8(8), []byte(`{"q":"`+strings.Repeat("x", 501)+`","t":"{token}"}`))
	app, key, token := fuzzServer(f)
	client := &http.Client{Timeout: 10 * time.Second}
	f.Fuzz(func(t *testing.T, op uint8, vars []byte) {
		vars = bytes.ReplaceAll(vars, []byte("{token}"), []byte(token))
		var v map[string]json.RawMessage
		if json.Unmarshal(vars, &v) != nil {
			v = nil // still sent as raw below: the server must cope
		}
		if v != nil {
			if _, ok := v["t"]; !ok {
				v["t"], _ = json.Marshal(token)
			}
			vars, _ = json.Marshal(v)
		}
		body := []byte(`{"query":` + mustJSON(widgetOperations[int(op)%len(widgetOperations)]) + `,"variables":` + string(orNull(vars)) + `}`)
		req, _ := http.NewRequest("POST", app.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-Key", key)
		status, _, resBody, err := do(client, req)
		if err != nil {
			t.Fatal(err)
		}
		if status >= 500 {
			t.Fatalf("%s: %d %s", body, status, resBody)
		}
		var out struct {
			Errors []apptest.GraphQLError `json:"errors"`
		}
		if err := json.Unmarshal(resBody, &out); err != nil {
			t.Fatalf("%s: not JSON: %s", body, resBody)
		}
		for _, e := range out.Errors {
			if e.Code() == helpium.EInternal || e.Message == "" {
				t.Fatalf("%s: %s", body, resBody)
			}
		}
	})
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// orNull returns raw, or null when it is empty.
func orNull(raw []byte) []byte {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("null")
	}
	return raw
}
