package server_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

type restMessage struct {
	ID              string  `json:"id"`
	ConversationID  string  `json:"conversation_id"`
	Author          string  `json:"author"`
	Body            string  `json:"body"`
	ClientMessageID *string `json:"client_message_id"`
	CreatedAt       string  `json:"created_at"`
}

type restConversation struct {
	ID            string  `json:"id"`
	Status        string  `json:"status"`
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
	LastMessageAt *string `json:"last_message_at"`
}

type restCreated struct {
	Conversation restConversation `json:"conversation"`
	Message      restMessage      `json:"message"`
	WidgetToken  string           `json:"widget_token"`
}

type restPage struct {
	Messages   []restMessage `json:"messages"`
	NextCursor *string       `json:"next_cursor"`
	HasMore    bool          `json:"has_more"`
}

type gqlMessage struct {
	ID              string  `json:"id"`
	ConversationID  string  `json:"conversationId"`
	Author          string  `json:"author"`
	Body            string  `json:"body"`
	ClientMessageID *string `json:"clientMessageId"`
	CreatedAt       string  `json:"createdAt"`
}

type gqlConversation struct {
	ID            string  `json:"id"`
	Status        string  `json:"status"`
	CreatedAt     string  `json:"createdAt"`
	UpdatedAt     string  `json:"updatedAt"`
	LastMessageAt *string `json:"lastMessageAt"`
}

const messageFields = `id conversationId author body clientMessageId createdAt`
const conversationFields = `id status createdAt updatedAt lastMessageAt`

// sameInstant compares two RFC 3339 timestamps as instants.
func sameInstant(t *testing.T, what, a, b string) {
	t.Helper()
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	if err1 != nil || err2 != nil || !ta.Equal(tb) {
		t.Errorf("%s: %q and %q differ", what, a, b)
	}
}

func sameMessage(t *testing.T, r restMessage, g gqlMessage) {
	t.Helper()
	if r.ID != g.ID || r.ConversationID != g.ConversationID || r.Body != g.Body ||
		strings.ToUpper(r.Author) != g.Author || (r.ClientMessageID == nil) != (g.ClientMessageID == nil) ||
		(r.ClientMessageID != nil && *r.ClientMessageID != *g.ClientMessageID) {
		t.Errorf("REST message %+v and GraphQL message %+v differ", r, g)
	}
	sameInstant(t, "message created_at", r.CreatedAt, g.CreatedAt)
}

func sameConversation(t *testing.T, r restConversation, g gqlConversation) {
	t.Helper()
	if r.ID != g.ID || strings.ToUpper(r.Status) != g.Status {
		t.Errorf("REST conversation %+v and GraphQL conversation %+v differ", r, g)
	}
	sameInstant(t, "created_at", r.CreatedAt, g.CreatedAt)
	sameInstant(t, "updated_at", r.UpdatedAt, g.UpdatedAt)
	if r.LastMessageAt == nil || g.LastMessageAt == nil {
		t.Fatalf("last_message_at missing: %v %v", r.LastMessageAt, g.LastMessageAt)
	}
	sameInstant(t, "last_message_at", *r.LastMessageAt, *g.LastMessageAt)
}

func TestWidgetSettingsSameOverRESTAndGraphQL(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")

	res := app.Request(t, "GET", "/api/customer/widget/settings", ws.APIKey, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	var rest struct {
		Colors        struct{ Primary, Background, Text string } `json:"colors"`
		Position      string                                     `json:"position"`
		Greeting      string                                     `json:"greeting"`
		LauncherText  string                                     `json:"launcher_text"`
		Locale        string                                     `json:"locale"`
		BusinessHours struct {
			Timezone           string  `json:"timezone"`
			IsOpen             bool    `json:"is_open"`
			NextChangeAt       *string `json:"next_change_at"`
			OutOfOfficeMessage *string `json:"out_of_office_message"`
		} `json:"business_hours"`
	}
	res.JSON(t, &rest)

	var gql struct {
		WidgetSettings struct {
			Colors        struct{ Primary, Background, Text string }
			Position      string
			Greeting      string
			LauncherText  string
			Locale        string
			BusinessHours struct {
				Timezone           string
				IsOpen             bool
				NextChangeAt       *string
				OutOfOfficeMessage *string
			}
		}
	}
	errs := app.GraphQL(t, ws.APIKey, `{ widgetSettings { colors { primary background text } position greeting launcherText locale
		businessHours { timezone isOpen nextChangeAt outOfOfficeMessage } } }`, nil, &gql)
	if len(errs) > 0 {
		t.Fatalf("graphql errors: %+v", errs)
	}
	g := gql.WidgetSettings
	if rest.Colors != g.Colors || rest.Greeting != g.Greeting || rest.LauncherText != g.LauncherText ||
		rest.Locale != g.Locale || g.Position != "BOTTOM_RIGHT" || rest.Position != "bottom-right" ||
		rest.BusinessHours.IsOpen != g.BusinessHours.IsOpen || rest.BusinessHours.Timezone != g.BusinessHours.Timezone {
		t.Errorf("REST %+v and GraphQL %+v differ", rest, g)
	}
	if rest.Colors.Primary != ws.Widget.Colors.Primary || rest.Greeting != ws.Widget.Greeting {
		t.Errorf("settings %+v do not match the workspace's %+v", rest, ws.Widget)
	}
	// A new workspace has business hours disabled: always open, no change.
	if !rest.BusinessHours.IsOpen || rest.BusinessHours.NextChangeAt != nil || rest.BusinessHours.OutOfOfficeMessage != nil {
		t.Errorf("business hours %+v, want open with no next change", rest.BusinessHours)
	}
}

func TestConversationOverRESTReadThroughGraphQL(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")

	res := app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "  My parcel is late  "})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: status %d: %s", res.Status, res.Body)
	}
	var created restCreated
	res.JSON(t, &created)
	if created.Message.Body != "My parcel is late" || created.Message.Author != "customer" || created.Conversation.Status != "open" {
		t.Errorf("created %+v", created)
	}
	if !strings.HasPrefix(created.WidgetToken, "wt_") || len(created.WidgetToken) < 43 {
		t.Errorf("widget token %q is too short", created.WidgetToken)
	}

	cid := "c-1"
	res = app.Request(t, "POST", "/api/customer/conversations/"+created.WidgetToken+"/messages", ws.APIKey,
		map[string]any{"body": "Any news?", "client_message_id": cid})
	if res.Status != http.StatusCreated {
		t.Fatalf("send: status %d: %s", res.Status, res.Body)
	}
	var sent restMessage
	res.JSON(t, &sent)

	var restConv restConversation
	app.Request(t, "GET", "/api/customer/conversations/"+created.WidgetToken, ws.APIKey, nil).JSON(t, &restConv)
	var page restPage
	app.Request(t, "GET", "/api/customer/conversations/"+created.WidgetToken+"/messages", ws.APIKey, nil).JSON(t, &page)

	var gql struct {
		WidgetConversation gqlConversation
		WidgetMessages     struct {
			Messages   []gqlMessage
			NextCursor *string
			HasMore    bool
		}
	}
	errs := app.GraphQL(t, ws.APIKey, `query($t: String!) {
		widgetConversation(token: $t) { `+conversationFields+` }
		widgetMessages(token: $t) { messages { `+messageFields+` } nextCursor hasMore } }`,
		map[string]any{"t": created.WidgetToken}, &gql)
	if len(errs) > 0 {
		t.Fatalf("graphql errors: %+v", errs)
	}
	sameConversation(t, restConv, gql.WidgetConversation)
	if restConv.ID != created.Conversation.ID {
		t.Errorf("conversation id %s, created %s", restConv.ID, created.Conversation.ID)
	}
	if len(page.Messages) != 2 || len(gql.WidgetMessages.Messages) != 2 {
		t.Fatalf("REST %d messages, GraphQL %d, want 2", len(page.Messages), len(gql.WidgetMessages.Messages))
	}
	sameMessage(t, created.Message, gql.WidgetMessages.Messages[0])
	sameMessage(t, sent, gql.WidgetMessages.Messages[1])
	for i := range page.Messages {
		sameMessage(t, page.Messages[i], gql.WidgetMessages.Messages[i])
	}
	if *page.NextCursor != *gql.WidgetMessages.NextCursor || page.HasMore || gql.WidgetMessages.HasMore {
		t.Errorf("paging differs: REST %v %v, GraphQL %v %v", *page.NextCursor, page.HasMore, *gql.WidgetMessages.NextCursor, gql.WidgetMessages.HasMore)
	}
	sameInstant(t, "last_message_at follows the latest message", *restConv.LastMessageAt, sent.CreatedAt)
}

func TestConversationOverGraphQLReadThroughREST(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")

	var created struct {
		CreateConversation struct {
			Conversation gqlConversation
			Message      gqlMessage
			WidgetToken  string
		}
	}
	errs := app.GraphQL(t, ws.APIKey, `mutation($m: String!) { createConversation(input: {message: $m}) {
		conversation { `+conversationFields+` } message { `+messageFields+` } widgetToken } }`,
		map[string]any{"m": "Hello from GraphQL"}, &created)
	if len(errs) > 0 {
		t.Fatalf("graphql errors: %+v", errs)
	}
	token := created.CreateConversation.WidgetToken

	var sent struct {
		SendMessage struct {
			Message gqlMessage
			Created bool
		}
	}
	errs = app.GraphQL(t, ws.APIKey, `mutation($t: String!) { sendMessage(input: {token: $t, body: "Second", clientMessageId: "x"}) {
		message { `+messageFields+` } created } }`, map[string]any{"t": token}, &sent)
	if len(errs) > 0 || !sent.SendMessage.Created {
		t.Fatalf("send: %+v %+v", errs, sent)
	}

	var conv restConversation
	res := app.Request(t, "GET", "/api/customer/conversations/"+token, ws.APIKey, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	res.JSON(t, &conv)
	var page restPage
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages", ws.APIKey, nil).JSON(t, &page)
	if len(page.Messages) != 2 {
		t.Fatalf("got %d messages, want 2", len(page.Messages))
	}
	sameMessage(t, page.Messages[0], created.CreateConversation.Message)
	sameMessage(t, page.Messages[1], sent.SendMessage.Message)
	if conv.ID != created.CreateConversation.Conversation.ID || conv.Status != "open" {
		t.Errorf("conversation %+v", conv)
	}
}

func TestIdempotentRetry(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	var created restCreated
	app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "hi"}).JSON(t, &created)
	path := "/api/customer/conversations/" + created.WidgetToken + "/messages"

	first := app.Request(t, "POST", path, ws.APIKey, map[string]any{"body": "once", "client_message_id": "retry-1"})
	second := app.Request(t, "POST", path, ws.APIKey, map[string]any{"body": "once", "client_message_id": "retry-1"})
	if first.Status != http.StatusCreated || second.Status != http.StatusOK {
		t.Fatalf("statuses %d then %d, want 201 then 200", first.Status, second.Status)
	}
	var m1, m2 restMessage
	first.JSON(t, &m1)
	second.JSON(t, &m2)
	if m1.ID != m2.ID || m1.Body != m2.Body {
		t.Errorf("retry returned %+v, original %+v", m2, m1)
	}
	sameInstant(t, "retry created_at", m1.CreatedAt, m2.CreatedAt)

	// The same retry through GraphQL reports created: false.
	var out struct {
		SendMessage struct {
			Message struct{ ID string }
			Created bool
		}
	}
	errs := app.GraphQL(t, ws.APIKey, `mutation($t: String!) { sendMessage(input: {token: $t, body: "once", clientMessageId: "retry-1"}) { message { id } created } }`,
		map[string]any{"t": created.WidgetToken}, &out)
	if len(errs) > 0 || out.SendMessage.Created || out.SendMessage.Message.ID != m1.ID {
		t.Errorf("graphql retry: %+v %+v", errs, out)
	}
	// Another id is a new message; no id at all is always a new message.
	app.Request(t, "POST", path, ws.APIKey, map[string]any{"body": "once", "client_message_id": "retry-2"})
	app.Request(t, "POST", path, ws.APIKey, map[string]any{"body": "no id"})
	app.Request(t, "POST", path, ws.APIKey, map[string]any{"body": "no id"})

	var page restPage
	app.Request(t, "GET", path, ws.APIKey, nil).JSON(t, &page)
	var bodies []string
	for _, m := range page.Messages {
		bodies = append(bodies, m.Body)
	}
	if got := strings.Join(bodies, "|"); got != "hi|once|once|no id|no id" {
		t.Errorf("messages %q", got)
	}
}

func TestConcurrentRetriesStoreOneMessage(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	var created restCreated
	app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "hi"}).JSON(t, &created)
	path := "/api/customer/conversations/" + created.WidgetToken + "/messages"

	const n = 8
	statuses := make(chan int, n)
	for range n {
		go func() {
			statuses <- app.Request(t, "POST", path, ws.APIKey, map[string]any{"body": "race", "client_message_id": "same"}).Status
		}()
	}
	count := map[int]int{}
	for range n {
		count[<-statuses]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusOK] != n-1 {
		t.Errorf("statuses %v, want one 201 and %d 200", count, n-1)
	}
	var page restPage
	app.Request(t, "GET", path, ws.APIKey, nil).JSON(t, &page)
	if len(page.Messages) != 2 {
		t.Errorf("%d messages stored, want 2", len(page.Messages))
	}
}

func TestCrossWorkspaceTokenIsNotFound(t *testing.T) {
	app := apptest.New(t, service.Options{})
	a := app.Workspace(t, "A")
	b := app.Workspace(t, "B")
	var created restCreated
	app.Request(t, "POST", "/api/customer/conversations", a.APIKey, map[string]any{"message": "secret of A"}).JSON(t, &created)
	base := "/api/customer/conversations/" + created.WidgetToken

	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", base, nil},
		{"GET", base + "/messages", nil},
		{"POST", base + "/messages", map[string]any{"body": "intrusion"}},
		{"POST", base + "/messages", map[string]any{"body": "intrusion", "client_message_id": "k"}},
	} {
		res := app.Request(t, c.method, c.path, b.APIKey, c.body)
		if res.Status != http.StatusNotFound || !strings.Contains(string(res.Body), `"code":"not_found"`) {
			t.Errorf("%s %s with B's key: %d %s", c.method, c.path, res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "secret of A") || strings.Contains(string(res.Body), created.Conversation.ID) {
			t.Errorf("%s %s leaks A's data: %s", c.method, c.path, res.Body)
		}
	}
	for _, q := range []string{
		`query($t: String!) { widgetConversation(token: $t) { id } }`,
		`query($t: String!) { widgetMessages(token: $t) { messages { body } } }`,
		`mutation($t: String!) { sendMessage(input: {token: $t, body: "intrusion"}) { created } }`,
	} {
		errs := app.GraphQL(t, b.APIKey, q, map[string]any{"t": created.WidgetToken}, nil)
		if len(errs) != 1 || errs[0].Code() != "not_found" {
			t.Errorf("%s with B's key: %+v", q, errs)
		}
	}
	// Nothing was added to A's conversation.
	var page restPage
	app.Request(t, "GET", base+"/messages", a.APIKey, nil).JSON(t, &page)
	if len(page.Messages) != 1 {
		t.Errorf("A's conversation has %d messages, want 1", len(page.Messages))
	}
}

func TestMessagePaging(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	var created restCreated
	app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "m1"}).JSON(t, &created)
	path := "/api/customer/conversations/" + created.WidgetToken + "/messages"
	for _, b := range []string{"m2", "m3", "m4", "m5"} {
		app.Request(t, "POST", path, ws.APIKey, map[string]any{"body": b})
	}

	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		q := path + "?limit=2"
		if cursor != "" {
			q += "&after=" + cursor
		}
		var page restPage
		res := app.Request(t, "GET", q, ws.APIKey, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		res.JSON(t, &page)
		for _, m := range page.Messages {
			got = append(got, m.Body)
		}
		cursor = *page.NextCursor
		if !page.HasMore {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if strings.Join(got, ",") != "m1,m2,m3,m4,m5" {
		t.Errorf("paged %v", got)
	}
	// Polling at the end returns nothing and the same cursor; a new message
	// then shows up after it.
	var empty restPage
	app.Request(t, "GET", path+"?after="+cursor, ws.APIKey, nil).JSON(t, &empty)
	if len(empty.Messages) != 0 || empty.HasMore || *empty.NextCursor != cursor {
		t.Errorf("poll at end: %+v", empty)
	}
	app.Request(t, "POST", path, ws.APIKey, map[string]any{"body": "m6"})
	var next restPage
	app.Request(t, "GET", path+"?after="+cursor, ws.APIKey, nil).JSON(t, &next)
	if len(next.Messages) != 1 || next.Messages[0].Body != "m6" {
		t.Errorf("poll after new message: %+v", next)
	}
}

// TestWidgetBusinessHoursStatusOverHTTP sets opening hours through GraphQL
// and reads the computed status over REST and GraphQL at fixed times in
// the workspace's timezone (Europe/Amsterdam is UTC+1 in December).
func TestWidgetBusinessHoursStatusOverHTTP(t *testing.T) {
	var now atomic.Pointer[time.Time]
	app := apptest.New(t, service.Options{Now: func() time.Time { return *now.Load() }})
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	start := at("2026-12-05T12:00:00Z")
	now.Store(&start)
	o := app.Owned(t, "Acme")
	var ranges []map[string]any
	for _, d := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"} {
		ranges = append(ranges, map[string]any{"day": d, "start": "09:00", "end": "17:00"})
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!, $in: BusinessHoursInput!) { updateBusinessHours(workspaceId: $w, input: $in) { id } }`,
		map[string]any{"w": o.Workspace.ID, "in": map[string]any{"enabled": true, "timezone": "Europe/Amsterdam", "ranges": ranges,
			"closures": []any{map[string]any{"date": "2026-12-25", "reason": "Christmas"}}, "outOfOfficeMessage": "Back on Monday."}}, nil))

	tests := []struct {
		name, now  string
		open       bool
		nextChange string
	}{
		{"Saturday noon", "2026-12-05T12:00:00Z", false, "2026-12-07T08:00:00Z"},
		{"Monday morning", "2026-12-07T09:30:00Z", true, "2026-12-07T16:00:00Z"},
		{"Friday evening", "2026-12-11T16:30:00Z", false, "2026-12-14T08:00:00Z"},
		{"Christmas closure", "2026-12-25T10:00:00Z", false, "2026-12-28T08:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := at(tt.now)
			now.Store(&v)
			var rest struct {
				BusinessHours struct {
					IsOpen             bool    `json:"is_open"`
					NextChangeAt       *string `json:"next_change_at"`
					OutOfOfficeMessage *string `json:"out_of_office_message"`
				} `json:"business_hours"`
			}
			app.Request(t, "GET", "/api/customer/widget/settings", o.Workspace.APIKey, nil).JSON(t, &rest)
			var gql struct {
				WidgetSettings struct {
					BusinessHours struct {
						IsOpen             bool
						NextChangeAt       *string
						OutOfOfficeMessage *string
					}
				}
			}
			mustGraphQL(t, app.GraphQL(t, o.Workspace.APIKey, `{ widgetSettings { businessHours { isOpen nextChangeAt outOfOfficeMessage } } }`, nil, &gql))
			r, g := rest.BusinessHours, gql.WidgetSettings.BusinessHours
			if r.IsOpen != tt.open || r.NextChangeAt == nil || *r.NextChangeAt != tt.nextChange {
				t.Errorf("REST: open %v, next change %v; want %v, %s", r.IsOpen, r.NextChangeAt, tt.open, tt.nextChange)
			}
			wantOOO := !tt.open
			if (r.OutOfOfficeMessage != nil) != wantOOO || wantOOO && *r.OutOfOfficeMessage != "Back on Monday." {
				t.Errorf("REST out-of-office message %v when open is %v", r.OutOfOfficeMessage, r.IsOpen)
			}
			if g.IsOpen != r.IsOpen || g.NextChangeAt == nil || *g.NextChangeAt != *r.NextChangeAt || (g.OutOfOfficeMessage == nil) != (r.OutOfOfficeMessage == nil) {
				t.Errorf("GraphQL %+v differs from REST %+v", g, r)
			}
		})
	}
}

// TestCreateConversationRetry: a create with a client message id and an
// installation id can be retried (its answer lost): the retry from the
// same installation returns the conversation the first request started,
// under the same widget token, and never starts another; over REST and
// GraphQL, also when ten requests arrive at once. The client message id
// alone gives nobody else anything: another installation, or none, starts
// a conversation of its own, and the first token keeps working.
func TestCreateConversationRetry(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	other := app.Workspace(t, "Other")
	app.SetRateLimits(t, ws.ID, apptest.Generous)
	const victim, attacker = "install-victim-0123456789", "install-attacker-0123456789"
	create := func(key, id, installation string) (int, restCreated) {
		body := map[string]any{"message": "Where is my parcel?", "client_message_id": id}
		if installation != "" {
			body["installation_id"] = installation
		}
		res := app.Request(t, "POST", "/api/customer/conversations", key, body)
		var c restCreated
		if res.Status == 200 || res.Status == 201 {
			res.JSON(t, &c)
		}
		return res.Status, c
	}
	works := func(token string) bool {
		return app.Request(t, "GET", "/api/customer/conversations/"+token, ws.APIKey, nil).Status == 200
	}
	status1, first := create(ws.APIKey, "order-1001", victim)
	status2, retry := create(ws.APIKey, "order-1001", victim)
	if status1 != 201 || status2 != 200 {
		t.Fatalf("statuses %d, %d; want 201 then 200", status1, status2)
	}
	if retry.Conversation.ID != first.Conversation.ID || retry.Message.ID != first.Message.ID || retry.WidgetToken != first.WidgetToken {
		t.Errorf("retry %+v of %+v: want the same conversation, message and token", retry, first)
	}
	// Another installation, or none, with the same client message id: a
	// conversation of its own; the first token still works.
	for _, installation := range []string{attacker, ""} {
		status, c := create(ws.APIKey, "order-1001", installation)
		if status != 201 || c.Conversation.ID == first.Conversation.ID {
			t.Errorf("installation %q with the victim's client message id: %d, conversation %s; want 201 and a new one", installation, status, c.Conversation.ID)
		}
	}
	if !works(first.WidgetToken) {
		t.Errorf("the first token stopped working after others used its client message id")
	}
	if status, c := create(other.APIKey, "order-1001", victim); status != 201 || c.Conversation.ID == first.Conversation.ID {
		t.Errorf("the same ids in another workspace: %d %s", status, c.Conversation.ID)
	}
	for _, bad := range []string{"short", strings.Repeat("x", 129), "has spaces in it 0123456789"} {
		res := app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "hi", "client_message_id": "x", "installation_id": bad})
		var env struct{ Error struct{ Code, Field string } }
		res.JSON(t, &env)
		if res.Status != 422 || env.Error.Field != "installation_id" {
			t.Errorf("installation_id %q: %d %+v, want 422 on installation_id", bad, res.Status, env.Error)
		}
	}

	// GraphQL, with the same store underneath.
	var g1, g2 struct {
		CreateConversation struct {
			Created      bool
			WidgetToken  string
			Conversation struct{ ID string }
		}
	}
	q := `mutation($m: String!, $k: String, $i: String) { createConversation(input: {message: $m, clientMessageId: $k, installationId: $i}) { created widgetToken conversation { id } } }`
	mustGraphQL(t, app.GraphQL(t, ws.APIKey, q, map[string]any{"m": "hello", "k": "gql-1", "i": victim}, &g1))
	mustGraphQL(t, app.GraphQL(t, ws.APIKey, q, map[string]any{"m": "hello", "k": "gql-1", "i": victim}, &g2))
	if !g1.CreateConversation.Created || g2.CreateConversation.Created || g1.CreateConversation.Conversation.ID != g2.CreateConversation.Conversation.ID ||
		g1.CreateConversation.WidgetToken != g2.CreateConversation.WidgetToken {
		t.Errorf("GraphQL: %+v then %+v", g1, g2)
	}

	// Ten at once: one starts the conversation, the others find it, and
	// every one of them gets the same, working token.
	type result struct {
		status int
		c      restCreated
	}
	results := make(chan result, 10)
	for range 10 {
		go func() {
			s, c := create(ws.APIKey, "race-1", victim)
			results <- result{s, c}
		}()
	}
	created, tokens := 0, map[string]bool{}
	for range 10 {
		r := <-results
		if r.status == 201 {
			created++
		} else if r.status != 200 {
			t.Errorf("concurrent retry: status %d", r.status)
		}
		tokens[r.c.WidgetToken] = true
	}
	if created != 1 || len(tokens) != 1 {
		t.Errorf("ten concurrent starts: %d created, %d distinct tokens; want 1 and 1", created, len(tokens))
	}
	for tok := range tokens {
		if !works(tok) {
			t.Errorf("the concurrent starts' token does not work")
		}
	}
	var n int
	if err := app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM messages WHERE client_message_id = 'race-1'").Scan(&n); err != nil || n != 1 {
		t.Errorf("%d first messages stored for race-1 (%v)", n, err)
	}
}
