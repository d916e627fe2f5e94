package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// Hostile input beyond the envelope table of TestCustomerAPIErrors: what
// is accepted is stored and returned byte for byte, what is refused is a
// 4xx envelope naming the field, over REST and GraphQL alike.

// verbatim are texts that must survive a round trip unchanged.
var verbatim = []string{
	`Robert'); DROP TABLE conversations;--`,
	`' OR '1'='1' --`,
	`"; SELECT pg_sleep(10); --`,
	`$1 $$ E'\x00' \\ %s %d`,
	`"}) { __schema { types { name } } } #`,
	`mutation { rotateWidgetKey(workspaceId: "x") { widgetKey } }`,
	`{"message": "nested json"}`,
	`<script>alert(1)</script><img src=x onerror=alert(2)>`,
	"\u202eRTL override\u202c, zero\u200dwidth, combining e\u0301, emoji 👩🏽‍💻",
	"tabs\tand\nnewlines\r\n inside",
	strings.Repeat("𝄞", 20000), // 20,000 characters of 4 bytes: at the limit, 80 kB over GraphQL
}

func TestHostileTextStoredVerbatim(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	app.SetRateLimits(t, ws.ID, apptest.Generous)
	_, token := startConversation(t, app, ws.APIKey, "start")
	for i, text := range verbatim {
		// REST bodies are capped at 256 KiB; every text here fits.
		res := app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", ws.APIKey, map[string]any{"body": text})
		var m restMessage
		res.JSON(t, &m)
		if res.Status != 201 || m.Body != text {
			t.Errorf("REST %d: %d, body %q", i, res.Status, truncateForLog(m.Body))
		}
		var out struct {
			SendMessage struct {
				Message struct{ Body string }
			}
		}
		mustGraphQL(t, app.GraphQL(t, ws.APIKey, `mutation($t: String!, $b: String!) { sendMessage(input: {token: $t, body: $b}) { message { body } } }`,
			map[string]any{"t": token, "b": text}, &out))
		if out.SendMessage.Message.Body != text {
			t.Errorf("GraphQL %d: body %q", i, truncateForLog(out.SendMessage.Message.Body))
		}
	}
	// Read back through both transports: every text twice, unchanged.
	var page restPage
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages?limit=200", ws.APIKey, nil).JSON(t, &page)
	got := map[string]int{}
	for _, m := range page.Messages {
		got[m.Body]++
	}
	for i, text := range verbatim {
		if got[text] != 2 {
			t.Errorf("text %d read back %d times, want 2", i, got[text])
		}
	}
	var gq struct {
		WidgetMessages struct{ Messages []struct{ Body string } }
	}
	mustGraphQL(t, app.GraphQL(t, ws.APIKey, `query($t: String!) { widgetMessages(token: $t, limit: 200) { messages { body } } }`, map[string]any{"t": token}, &gq))
	if len(gq.WidgetMessages.Messages) != len(page.Messages) {
		t.Errorf("GraphQL reads %d messages, REST %d", len(gq.WidgetMessages.Messages), len(page.Messages))
	}
	for i, m := range gq.WidgetMessages.Messages {
		if m.Body != page.Messages[i].Body {
			t.Errorf("message %d differs between REST and GraphQL", i)
		}
	}
}

func TestHostileJSON(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	app.SetRateLimits(t, ws.ID, apptest.Generous)
	_, token := startConversation(t, app, ws.APIKey, "start")
	msgs := "/api/customer/conversations/" + token + "/messages"
	json := []string{"Content-Type", "application/json"}
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	cases := []struct {
		name, path, body string
		status           int
		code, field      string
	}{
		{"nesting 20,000 deep", msgs, `{"body":` + deep(20000) + `}`, 422, "invalid_input", "body"},
		{"nesting deep in an unknown field", msgs, `{"body":"x","extra":` + deep(20000) + `}`, 422, "invalid_input", "body"},
		{"unterminated nesting", msgs, `{"body":` + strings.Repeat("[", 30000), 422, "invalid_input", "body"},
		{"number for body", msgs, `{"body": 1e400}`, 422, "invalid_input", "body"},
		{"boolean for body", msgs, `{"body": true}`, 422, "invalid_input", "body"},
		{"array for message", "/api/customer/conversations", `{"message": ["hi"]}`, 422, "invalid_input", "message"},
		{"number for email", "/api/customer/tracking/identify", `{"email": 12, "widget_token": "` + token + `"}`, 422, "invalid_input", "email"},
		{"object for widget token", "/api/customer/tracking/identify", `{"email": "a@b.test", "widget_token": {"$ne": null}}`, 422, "invalid_input", "widget_token"},
		{"invalid UTF-8 in a key", msgs, "{\"b\xffody\": \"x\"}", 422, "invalid_input", "body"},
		{"lone surrogate escape", msgs, `{"body": "\ud800"}`, 201, "", ""}, // decoded as U+FFFD, valid UTF-8
		{"NUL in client id", msgs, `{"body": "x", "client_message_id": "a\u0000b"}`, 422, "invalid_input", "client_message_id"},
		{"UTF-16 body", msgs, "\xff\xfe{\x00}\x00", 422, "invalid_input", "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := app.Request(t, "POST", c.path, ws.APIKey, c.body, json...)
			if c.status < 300 {
				if res.Status != c.status {
					t.Errorf("%d %s", res.Status, res.Body)
				}
				return
			}
			checkEnvelope(t, c.name, res, c.status, c.code, c.field)
		})
	}

	// Duplicate keys: the last one wins, as in JavaScript's JSON.parse.
	res := app.Request(t, "POST", msgs, ws.APIKey, `{"body":"first","body":"second"}`, json...)
	var m restMessage
	res.JSON(t, &m)
	if res.Status != 201 || m.Body != "second" {
		t.Errorf("duplicate keys: %d %q", res.Status, m.Body)
	}

	// GraphQL variables: wrong types, invalid UTF-8, NUL, deep nesting and
	// undecodable bodies are input errors, never internal ones.
	for name, body := range map[string]string{
		"number for string":   `{"query":"mutation($m: String!) { createConversation(input: {message: $m}) { widgetToken } }","variables":{"m":42}}`,
		"object for string":   `{"query":"mutation($m: String!) { createConversation(input: {message: $m}) { widgetToken } }","variables":{"m":{"$gt":""}}}`,
		"invalid UTF-8":       "{\"query\":\"mutation($m: String!) { createConversation(input: {message: $m}) { widgetToken } }\",\"variables\":{\"m\":\"\xff\"}}",
		"NUL":                 `{"query":"mutation($m: String!) { createConversation(input: {message: $m}) { widgetToken } }","variables":{"m":"a\u0000b"}}`,
		"deep variables":      `{"query":"query($t: String!) { widgetConversation(token: $t) { id } }","variables":{"t":` + deep(20000) + `}}`,
		"unterminated":        `{"query":"{ widgetSettings { greeting } }","variables":` + strings.Repeat("[", 20000),
		"duplicate variables": `{"query":"query($t: String!) { widgetConversation(token: $t) { id } }","variables":{"t":"a","t":"` + token + `"}}`,
	} {
		t.Run("GraphQL "+name, func(t *testing.T) {
			res := app.Request(t, "POST", "/graphql", ws.APIKey, body, json...)
			if res.Status >= 500 || strings.Contains(string(res.Body), `"internal"`) {
				t.Errorf("%d %s", res.Status, truncateForLog(string(res.Body)))
			}
			// gqlgen coerces a number to String (more lenient than the
			// spec); the stored text is then its decimal form.
			if name != "duplicate variables" && name != "number for string" && !strings.Contains(string(res.Body), `"errors"`) {
				t.Errorf("accepted: %s", truncateForLog(string(res.Body)))
			}
		})
	}
}

func truncateForLog(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// TestGraphQLBodyOverLimit: a GraphQL body over 1 MiB is refused with 413
// as a GraphQL errors list (what GraphQL clients read), whether its size
// is declared up front or only found while reading it.
func TestGraphQLBodyOverLimit(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	big := `{"query":"{ widgetSettings { greeting } }","variables":{"pad":"` + strings.Repeat("a", 1<<20) + `"}}`
	// A string declares its length; an io.Reader is sent chunked, so the
	// limit is found while reading.
	for _, body := range []any{big, strings.NewReader(big)} {
		res := app.Request(t, "POST", "/graphql", ws.APIKey, body, "Content-Type", "application/json")
		var out struct {
			Errors []apptest.GraphQLError
			Error  any
		}
		res.JSON(t, &out)
		if res.Status != http.StatusRequestEntityTooLarge || out.Error != nil ||
			len(out.Errors) != 1 || out.Errors[0].Code() != helpium.EPayloadTooLarge || out.Errors[0].Message == "" {
			t.Errorf("%T body: %d %+v", body, res.Status, out)
		}
	}
}
