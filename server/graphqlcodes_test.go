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
