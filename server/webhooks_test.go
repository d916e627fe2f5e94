package server_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// receiver is a webhook receiver: the third party Helpium calls.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	answer   func(n int, r received) int // status for the n-th request (1-based)
	delayFor func(n int) time.Duration
}

type received struct {
	Header http.Header
	Body   []byte
	Event  struct {
		ID          string          `json:"id"`
		Type        string          `json:"type"`
		CreatedAt   string          `json:"created_at"`
		WorkspaceID string          `json:"workspace_id"`
		Actor       map[string]any  `json:"actor"`
		Data        json.RawMessage `json:"data"`
	}
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rec := received{Header: req.Header.Clone(), Body: body}
		json.Unmarshal(body, &rec.Event) //nolint:errcheck // checked by the tests
		r.mu.Lock()
		r.got = append(r.got, rec)
		n := len(r.got)
		answer, delay := r.answer, r.delayFor
		r.mu.Unlock()
		if delay != nil {
			time.Sleep(delay(n))
		}
		status := http.StatusOK
		if answer != nil {
			status = answer(n, rec)
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"received": %d}`, n)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// waitFor waits until the receiver got requests that cond accepts.
func (r *receiver) waitFor(t *testing.T, what string, cond func([]received) bool) []received {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := r.requests()
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			var types []string
			for _, g := range got {
				types = append(types, g.Event.Type)
			}
			t.Fatalf("waiting for %s; received %v", what, types)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ofType(got []received, typ string) []received {
	var out []received
	for _, g := range got {
		if g.Event.Type == typ {
			out = append(out, g)
		}
	}
	return out
}

// verify checks a request's signature as docs/webhooks.md says a receiver
// should: some v1 is the HMAC of "t.body" under one of the secrets, and t
// is recent.
func verify(r received, secrets ...string) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(r.Header.Get("Helpium-Signature"), ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	var unix int64
	if _, err := fmt.Sscan(ts, &unix); err != nil || time.Since(time.Unix(unix, 0)).Abs() > 5*time.Minute {
		return false
	}
	for _, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		mac.Write([]byte(ts + "." + string(r.Body)))
		want := hex.EncodeToString(mac.Sum(nil))
		for _, sig := range sigs {
			if hmac.Equal([]byte(sig), []byte(want)) {
				return true
			}
		}
	}
	return false
}

// webhookApp is a test server whose webhooks may call rec (on loopback,
// listed as for development).
func webhookApp(t *testing.T, recs ...*receiver) *apptest.App {
	var hosts []string
	for _, r := range recs {
		hosts = append(hosts, strings.TrimPrefix(r.URL, "http://"))
	}
	return apptest.New(t, service.Options{Actions: actions.New(actions.Config{AllowHTTPHosts: hosts, Timeout: 2 * time.Second})})
}

type endpointOut struct {
	Endpoint struct {
		ID, URL, DisabledReason string
		Enabled                 bool
	}
	Secret string
}

func createEndpoint(t *testing.T, app *apptest.App, token, workspaceID, url string, types []string, internal bool) endpointOut {
	t.Helper()
	var out struct{ CreateWebhookEndpoint endpointOut }
	mustGraphQL(t, app.AgentGraphQL(t, token, `mutation($w: ID!, $in: WebhookEndpointInput!) {
		createWebhookEndpoint(workspaceId: $w, input: $in) { endpoint { id url enabled disabledReason } secret } }`,
		map[string]any{"w": workspaceID, "in": map[string]any{"url": url, "eventTypes": types, "includeInternalNotes": internal, "description": "CRM sync"}}, &out))
	return out.CreateWebhookEndpoint
}

var allEventTypes = []string{"CONVERSATION_CREATED", "CONVERSATION_UPDATED", "MESSAGE_CREATED", "CUSTOMER_IDENTIFIED", "ARTICLE_PUBLISHED", "ARTICLE_UNPUBLISHED"}

// TestWebhookEvents: every event type reaches a subscribed endpoint, signed,
// with its actor and the GraphQL types' names, once.
func TestWebhookEvents(t *testing.T) {
	rec := newReceiver(t)
	app := webhookApp(t, rec)
	o := app.Owned(t, "Acme")
	ws := o.Workspace
	ep := createEndpoint(t, app, o.Token, ws.ID, rec.URL+"/hooks", allEventTypes, false)
	if !strings.HasPrefix(ep.Secret, "whsec_") || !ep.Endpoint.Enabled {
		t.Fatalf("created %+v", ep)
	}
	var me struct{ Me struct{ ID string } }
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `{ me { id } }`, nil, &me))

	conv, token := startConversation(t, app, ws.APIKey, "Where is my parcel?")
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "On its way."}) { created } }`, map[string]any{"c": conv}, nil))
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { addInternalNote(input: {conversationId: $c, body: "VIP customer"}) { id } }`, map[string]any{"c": conv}, nil))
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!, $a: ID) { assignConversation(conversationId: $c, agentId: $a) { id } }`, map[string]any{"c": conv, "a": me.Me.ID}, nil))
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { setConversationStatus(conversationId: $c, status: RESOLVED) { id } }`, map[string]any{"c": conv}, nil))
	if res := app.Request(t, "POST", "/api/customer/tracking/identify", ws.APIKey, map[string]any{"email": "ann@example.com", "name": "Ann", "widget_token": token}); res.Status != 200 {
		t.Fatalf("identify: %d %s", res.Status, res.Body)
	}
	if res := app.Multipart(t, "POST", "/api/customer/conversations/"+token+"/messages", ws.APIKey, map[string]string{"body": "Thanks, but it is not here"},
		[]apptest.File{{Name: "doorstep.png", Data: pngBytes}}); res.Status != 201 {
		t.Fatalf("send: %d %s", res.Status, res.Body)
	}
	var art struct{ CreateArticle struct{ ID string } }
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { createArticle(input: {workspaceId: $w, title: "Returns", body: "Send it back.", status: PUBLISHED}) { id } }`, map[string]any{"w": ws.ID}, &art))
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($a: ID!) { unpublishArticle(id: $a) { id } }`, map[string]any{"a": art.CreateArticle.ID}, nil))

	want := map[string]int{"conversation.created": 1, "message.created": 3, "conversation.updated": 3, "customer.identified": 1,
		"article.published": 1, "article.unpublished": 1}
	got := rec.waitFor(t, "every event", func(got []received) bool {
		for typ, n := range want {
			if len(ofType(got, typ)) < n {
				return false
			}
		}
		return true
	})
	time.Sleep(300 * time.Millisecond) // room for a stray extra delivery
	got = rec.requests()
	ids := map[string]bool{}
	for _, r := range got {
		if !verify(r, ep.Secret) || verify(r, "whsec_wrong") {
			t.Errorf("%s: signature %q does not verify", r.Event.Type, r.Header.Get("Helpium-Signature"))
		}
		if r.Header.Get("Helpium-Event-Id") != r.Event.ID || r.Header.Get("Helpium-Event-Type") != r.Event.Type ||
			r.Event.WorkspaceID != ws.ID || ids[r.Event.ID] {
			t.Errorf("%s: headers %v, event %+v", r.Event.Type, r.Header, r.Event)
		}
		ids[r.Event.ID] = true
	}
	for typ, n := range want {
		if len(ofType(got, typ)) != n {
			t.Errorf("%d %s events, want %d", len(ofType(got, typ)), typ, n)
		}
	}
	// The payloads: who did it, and what, in the GraphQL names.
	type payload struct {
		Conversation struct {
			ID, Status string
			Assignee   *struct{ ID string }
		}
		Message struct {
			ID, Body, Author string
			Internal         bool
			Attachments      []struct {
				Filename, ContentType, Kind string
				Size                        int
			}
		}
		Customer struct{ Email string }
		Article  struct{ Title, Status string }
		Changed  []string
	}
	decode := func(r received) payload {
		var p payload
		if err := json.Unmarshal(r.Event.Data, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	actor := func(r received) string { return fmt.Sprint(r.Event.Actor["kind"], "/", r.Event.Actor["id"]) }
	msgs := ofType(got, "message.created")
	bodies := map[string]string{}
	for _, m := range msgs {
		p := decode(m)
		bodies[p.Message.Body] = p.Message.Author + " " + actor(m)
		if files := fmt.Sprint(p.Message.Attachments); (p.Message.Body == "Thanks, but it is not here") != (files == fmt.Sprintf("[{doorstep.png image/png IMAGE %d}]", len(pngBytes))) {
			t.Errorf("message %q lists files %s", p.Message.Body, files)
		}
		if p.Message.Internal || p.Conversation.ID != conv {
			t.Errorf("message %+v", p)
		}
	}
	if bodies["On its way."] != "AGENT agent/"+me.Me.ID || !strings.HasPrefix(bodies["Where is my parcel?"], "CUSTOMER customer/") || bodies["VIP customer"] != "" {
		t.Errorf("message events: %v (the internal note must not be sent)", bodies)
	}
	var changes []string
	for _, u := range ofType(got, "conversation.updated") {
		p := decode(u)
		changes = append(changes, strings.Join(p.Changed, "+")+"="+p.Conversation.Status+" by "+actor(u))
	}
	wantChanges := []string{"assignee=OPEN by agent/" + me.Me.ID, "status=RESOLVED by agent/" + me.Me.ID}
	if len(changes) != 3 || changes[0] != wantChanges[0] || changes[1] != wantChanges[1] || !strings.HasPrefix(changes[2], "status=OPEN by customer/") {
		t.Errorf("conversation.updated: %q (the last: the customer's message reopened it)", changes)
	}
	if p := decode(ofType(got, "customer.identified")[0]); p.Customer.Email != "ann@example.com" || p.Conversation.ID != conv {
		t.Errorf("customer.identified %+v", p)
	}
	if p := decode(ofType(got, "article.unpublished")[0]); p.Article.Title != "Returns" || p.Article.Status != "DRAFT" || actor(ofType(got, "article.unpublished")[0]) != "agent/"+me.Me.ID {
		t.Errorf("article.unpublished %+v", p)
	}

	// The deliveries are listed with their answers; the secret is not, and
	// never reaches the logs.
	var list struct {
		WebhookEndpoint struct {
			Deliveries []struct {
				EventID, EventType, Status string
				Attempts                   int
				ResponseStatus             *int
				ResponseBody               *string
				LatencyMs                  *int
			}
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 100) {
		eventId eventType status attempts responseStatus responseBody latencyMs } } }`, map[string]any{"id": ep.Endpoint.ID}, &list))
	if len(list.WebhookEndpoint.Deliveries) != len(got) {
		t.Errorf("%d deliveries listed, %d received", len(list.WebhookEndpoint.Deliveries), len(got))
	}
	for _, d := range list.WebhookEndpoint.Deliveries {
		if d.Status != "SUCCEEDED" || d.Attempts != 1 || d.ResponseStatus == nil || *d.ResponseStatus != 200 || d.ResponseBody == nil ||
			!strings.HasPrefix(*d.ResponseBody, `{"received":`) || d.LatencyMs == nil || !ids[d.EventID] {
			t.Errorf("delivery %+v", d)
		}
	}
	if strings.Contains(app.LogText(), ep.Secret) {
		t.Error("the secret is in the logs")
	}
}

// TestWebhookRetries: a receiver that fails, times out or is gone.
func TestWebhookRetries(t *testing.T) {
	flaky, slow, gone := newReceiver(t), newReceiver(t), newReceiver(t)
	flaky.answer = func(n int, _ received) int { return map[bool]int{true: 500, false: 200}[n <= 2] }
	slow.delayFor = func(n int) time.Duration { return map[bool]time.Duration{true: 3 * time.Second, false: 0}[n == 1] }
	gone.answer = func(int, received) int { return http.StatusGone }
	app := webhookApp(t, flaky, slow, gone)
	o := app.Owned(t, "Acme")
	ws := o.Workspace
	types := []string{"CONVERSATION_CREATED"}
	epFlaky := createEndpoint(t, app, o.Token, ws.ID, flaky.URL, types, false)
	createEndpoint(t, app, o.Token, ws.ID, slow.URL, types, false)
	epGone := createEndpoint(t, app, o.Token, ws.ID, gone.URL, types, false)

	conv, _ := startConversation(t, app, ws.APIKey, "hello")
	// 500, 500, then 200: three attempts of one event, the same id.
	got := flaky.waitFor(t, "the third attempt", func(g []received) bool { return len(g) >= 3 })
	if got[0].Event.ID != got[2].Event.ID || got[0].Header.Get("Helpium-Event-Id") != got[1].Header.Get("Helpium-Event-Id") {
		t.Errorf("retries carry other ids: %s %s %s", got[0].Event.ID, got[1].Event.ID, got[2].Event.ID)
	}
	// A receiver that answers after the 2 s timeout gets the event again.
	got = slow.waitFor(t, "a retry after the timeout", func(g []received) bool { return len(g) >= 2 })
	if got[0].Event.ID != got[1].Event.ID {
		t.Error("the retry after a timeout has another id")
	}
	// 410 disables the endpoint; it receives nothing more.
	gone.waitFor(t, "the 410", func(g []received) bool { return len(g) == 1 })
	var ep struct {
		WebhookEndpoint struct {
			Enabled        bool
			DisabledReason string
			Deliveries     []struct{ Status, Error string }
		}
	}
	query := `query($id: ID!) { webhookEndpoint(id: $id) { enabled disabledReason deliveries { status error } } }`
	deadline := time.Now().Add(10 * time.Second)
	for {
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, query, map[string]any{"id": epGone.Endpoint.ID}, &ep))
		if !ep.WebhookEndpoint.Enabled || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ep.WebhookEndpoint.Enabled || !strings.Contains(ep.WebhookEndpoint.DisabledReason, "410") || ep.WebhookEndpoint.Deliveries[0].Status != "FAILED" {
		t.Errorf("after a 410: %+v", ep.WebhookEndpoint)
	}
	startConversation(t, app, ws.APIKey, "another")
	flaky.waitFor(t, "the next event", func(g []received) bool { return len(ofType(g, "conversation.created")) >= 4 })
	time.Sleep(200 * time.Millisecond)
	if n := len(gone.requests()); n != 1 {
		t.Errorf("the disabled endpoint received %d requests", n)
	}

	// Redelivery sends the same event again, under its id; a test event
	// goes to the endpoint asked.
	var flakyEp struct {
		WebhookEndpoint struct {
			Deliveries []struct{ ID, EventID string }
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($id: ID!) { webhookEndpoint(id: $id) { deliveries { id eventId } } }`, map[string]any{"id": epFlaky.Endpoint.ID}, &flakyEp))
	first := flakyEp.WebhookEndpoint.Deliveries[len(flakyEp.WebhookEndpoint.Deliveries)-1]
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { status } }`, map[string]any{"d": first.ID}, nil))
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($e: ID!) { sendTestWebhook(id: $e) { status } }`, map[string]any{"e": epFlaky.Endpoint.ID}, nil))
	got = flaky.waitFor(t, "the redelivery and the test", func(g []received) bool {
		return len(ofType(g, "webhook.test")) == 1 && len(g) >= 6
	})
	n := 0
	for _, g := range got {
		if g.Event.ID == first.EventID && g.Event.Type == "conversation.created" {
			n++
		}
	}
	if n != 4 { // three attempts, then the redelivery
		t.Errorf("the first event arrived %d times, want 4", n)
	}
	var data struct{ Conversation struct{ ID string } }
	json.Unmarshal(got[0].Event.Data, &data) //nolint:errcheck
	if data.Conversation.ID != conv {
		t.Errorf("first event for %s, want %s", data.Conversation.ID, conv)
	}

	// A rotated secret: both sign for a day.
	var rot struct{ RotateWebhookSecret endpointOut }
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($e: ID!) { rotateWebhookSecret(id: $e) { secret } }`, map[string]any{"e": epFlaky.Endpoint.ID}, &rot))
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($e: ID!) { sendTestWebhook(id: $e) { status } }`, map[string]any{"e": epFlaky.Endpoint.ID}, nil))
	got = flaky.waitFor(t, "a test after the rotation", func(g []received) bool { return len(ofType(g, "webhook.test")) == 2 })
	last := ofType(got, "webhook.test")[1]
	if !verify(last, rot.RotateWebhookSecret.Secret) || !verify(last, epFlaky.Secret) || strings.Count(last.Header.Get("Helpium-Signature"), "v1=") != 2 {
		t.Errorf("after rotation: %q", last.Header.Get("Helpium-Signature"))
	}
}

// TestWebhookTargets: https and public addresses only, unless listed for
// development.
func TestWebhookTargets(t *testing.T) {
	rec := newReceiver(t)
	app := webhookApp(t) // the receiver is not listed
	o := app.Owned(t, "Acme")
	for _, url := range []string{rec.URL, "ftp://example.com/", "https://user:pw@example.com/", "not a url"} {
		errs := app.AgentGraphQL(t, o.Token, `mutation($w: ID!, $in: WebhookEndpointInput!) { createWebhookEndpoint(workspaceId: $w, input: $in) { secret } }`,
			map[string]any{"w": o.Workspace.ID, "in": map[string]any{"url": url, "eventTypes": []string{"CONVERSATION_CREATED"}}}, nil)
		if len(errs) != 1 || errs[0].Code() != "invalid_input" || errs[0].Extensions["field"] != "input.url" {
			t.Errorf("%s: %+v", url, errs)
		}
	}
	// https on loopback: accepted as a URL, refused when dialled.
	loop := "https://" + strings.TrimPrefix(rec.URL, "http://") + "/hooks"
	ep := createEndpoint(t, app, o.Token, o.Workspace.ID, loop, []string{"CONVERSATION_CREATED"}, false)
	startConversation(t, app, o.Workspace.APIKey, "hello")
	var out struct {
		WebhookEndpoint struct{ Deliveries []struct{ Error *string } }
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($id: ID!) { webhookEndpoint(id: $id) { deliveries { error } } }`, map[string]any{"id": ep.Endpoint.ID}, &out))
		if d := out.WebhookEndpoint.Deliveries; len(d) > 0 && d[0].Error != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := out.WebhookEndpoint.Deliveries; len(d) != 1 || d[0].Error == nil || !strings.Contains(*d[0].Error, "address not allowed") {
		t.Errorf("delivery to loopback: %+v", d)
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("the receiver was reached %d times", n)
	}
	// Neither the GraphQL schema nor any query shows a secret after creation.
	var typ struct {
		Type struct{ Fields []struct{ Name string } } `json:"__type"`
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `{ __type(name: "WebhookEndpoint") { fields { name } } }`, nil, &typ))
	for _, f := range typ.Type.Fields {
		if strings.Contains(strings.ToLower(f.Name), "secret") {
			t.Errorf("WebhookEndpoint.%s", f.Name)
		}
	}
}
