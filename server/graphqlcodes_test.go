package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// documentedCodes are the error codes the README documents.
var documentedCodes = map[string]bool{
	"unauthenticated": true, "not_found": true, "method_not_allowed": true, "payload_too_large": true,
	"unsupported_media_type": true, "invalid_input": true, "forbidden": true, "too_many_requests": true,
	"internal": true, "unavailable": true, "search_unavailable": true, "conflict": true,
}

// TestEveryGraphQLErrorHasACode: requests GraphQL refuses in every way a
// client can send them answer errors that each carry a documented code in
// extensions.code, in the GraphQL shape, and none of them is internal.
func TestEveryGraphQLErrorHasACode(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	auth := "Bearer " + o.Token
	post := func(contentType, body string) *http.Request {
		req, _ := http.NewRequest("POST", app.URL+"/graphql", strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		return req
	}
	get := func(q url.Values) *http.Request {
		req, _ := http.NewRequest("GET", app.URL+"/graphql?"+q.Encode(), nil)
		return req
	}
	for _, c := range []struct {
		name string
		req  *http.Request
		want string
	}{
		{"an invalid Time argument", post("application/json", `{"query":"query($w: ID!) { stats(workspaceId: $w, from: \"yesterday\", to: \"2026-12-01T00:00:00Z\") { conversations } }","variables":{"w":"`+o.Workspace.ID+`"}}`), "invalid_input"},
		{"an invalid Time variable", post("application/json", `{"query":"query($w: ID!, $f: Time!) { stats(workspaceId: $w, from: $f, to: $f) { conversations } }","variables":{"w":"`+o.Workspace.ID+`","f":"soon"}}`), "invalid_input"},
		{"a persisted query not found", post("application/json", `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"`+strings.Repeat("ab", 32)+`"}}}`), ""},
		{"a persisted query with the wrong hash", post("application/json", `{"query":"{ me { id } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"`+strings.Repeat("cd", 32)+`"}}}`), "invalid_input"},
		{"text/plain", post("text/plain", `{"query":"{ me { id } }"}`), "unsupported_media_type"},
		{"no content type", post("", `{"query":"{ me { id } }"}`), "unsupported_media_type"},
		{"a mutation over GET", get(url.Values{"query": {`mutation { logout }`}}), "method_not_allowed"},
		{"bad variables over GET", get(url.Values{"query": {`{ me { id } }`}, "variables": {`{not json`}}), "invalid_input"},
		{"PUT", func() *http.Request {
			r, _ := http.NewRequest("PUT", app.URL+"/graphql", strings.NewReader(`{"query":"{ me { id } }"}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}(), "method_not_allowed"},
	} {
		c.req.Header.Set("Authorization", auth)
		res, err := http.DefaultClient.Do(c.req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var body struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(raw, &body); err != nil || len(body.Errors) == 0 {
			t.Errorf("%s: %d %s; want GraphQL errors", c.name, res.StatusCode, raw)
			continue
		}
		for _, e := range body.Errors {
			code, _ := e.Extensions["code"].(string)
			if !documentedCodes[code] || code == "internal" || c.want != "" && code != c.want {
				t.Errorf("%s: error %q with code %q, want %s (status %d)", c.name, e.Message, code, c.want, res.StatusCode)
			}
		}
	}
	if logs := app.LogText(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("client mistakes were logged as errors:\n%s", logs)
	}
}

// TestGraphQLOverHTTP: statuses and media types as the GraphQL over HTTP
// specification gives them, for both media types a client may accept.
func TestGraphQLOverHTTP(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	const gqlResponse = "application/graphql-response+json"
	// Valid, and 14 levels deep: a conversation's customer's conversations...
	deep := `{ conversation(id: \"` + o.Workspace.ID + `\") { ` + strings.Repeat("customer { conversations { edges { node { ", 3) + "id" + strings.Repeat(" } } } }", 3) + " } }"
	for _, c := range []struct {
		name, body, token string
		json, graphQL     int  // the status with each media type
		data              bool // the answer has a data entry (in graphql-response+json)
	}{
		{"success", `{"query":"{ me { id } }"}`, o.Token, 200, 200, true},
		{"a field error (no token)", `{"query":"{ me { id } }"}`, "", 200, 200, true},
		{"a syntax error", `{"query":"{ me { id "}`, o.Token, 200, 400, false},
		{"a validation error", `{"query":"{ nope }"}`, o.Token, 200, 400, false},
		{"over the depth limit", `{"query":"` + deep + `"}`, o.Token, 200, 400, false},
		{"a body that is not JSON", `{"query":`, o.Token, 400, 400, false},
		{"a body that is not UTF-8", "{\"query\":\"{ me { id } }\",\"operationName\":\"\xff\"}", o.Token, 400, 400, false},
		{"a refused token", `{"query":"{ me { id } }"}`, "at_not-a-token", 401, 401, false},
	} {
		for _, accept := range []string{"", "application/json", gqlResponse + ", application/json;q=0.9"} {
			req, _ := http.NewRequest("POST", app.URL+"/graphql", strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			wantType, wantStatus := "application/json", c.json
			if strings.HasPrefix(accept, gqlResponse) {
				wantType, wantStatus = gqlResponse, c.graphQL
			}
			var body map[string]json.RawMessage
			json.Unmarshal(raw, &body) //nolint:errcheck // checked below
			_, hasData := body["data"]
			if res.StatusCode != wantStatus || !strings.HasPrefix(res.Header.Get("Content-Type"), wantType) || body["errors"] == nil && c.name != "success" ||
				wantType == gqlResponse && hasData != c.data {
				t.Errorf("%s, Accept %q: %d %s %s; want %d %s (data: %v)", c.name, accept, res.StatusCode, res.Header.Get("Content-Type"), raw, wantStatus, wantType, c.data)
			}
		}
	}
}
