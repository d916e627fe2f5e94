package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

func TestInternalNotesNeverReachTheWidget(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	conv, token := startConversation(t, app, key, "Where is my refund?")
	const note = "INTERNAL: customer is on the fraud watch list"
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!, $b: String!) { addInternalNote(input: {conversationId: $c, body: $b}) { id internal } }`,
		map[string]any{"c": conv, "b": note}, nil))
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "Refund sent today."}) { created } }`,
		map[string]any{"c": conv}, nil))

	// The agent sees all three, the note flagged internal.
	var agentView struct {
		Conversation struct {
			Messages struct {
				Edges []struct {
					Node struct {
						Body     string
						Internal bool
						Author   string
					}
				}
			}
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!) { conversation(id: $c) { messages { edges { node { body internal author } } } } }`, map[string]any{"c": conv}, &agentView))
	if e := agentView.Conversation.Messages.Edges; len(e) != 3 || !e[1].Node.Internal || e[2].Node.Author != "AGENT" {
		t.Fatalf("agent view: %+v", agentView)
	}

	// No widget endpoint, REST or GraphQL, shows the note; the reply is visible.
	widgetReads := []func() string{
		func() string {
			return string(app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages", key, nil).Body)
		},
		func() string {
			return string(app.Request(t, "GET", "/api/customer/conversations/"+token, key, nil).Body)
		},
		func() string {
			return string(app.Request(t, "POST", "/graphql", key, map[string]any{"query": `query($t: String!) { widgetMessages(token: $t) { messages { body } } }`, "variables": map[string]any{"t": token}}).Body)
		},
		func() string {
			return string(app.Request(t, "POST", "/graphql", key, map[string]any{"query": `query($t: String!) { widgetConversation(token: $t) { lastMessage { body } messages(last: 10) { edges { node { body } } } } }`, "variables": map[string]any{"t": token}}).Body)
		},
		func() string { return readSSE(t, app, key, token, 3*time.Second, 2) },
	}
	for i, read := range widgetReads {
		body := read()
		if strings.Contains(body, "INTERNAL") {
			t.Errorf("widget read %d shows the internal note: %s", i, body)
		}
		if i != 1 && !strings.Contains(body, "Refund sent today.") {
			t.Errorf("widget read %d misses the agent reply: %s", i, body)
		}
	}
	// The agent reply is authored by an agent in the widget's REST view.
	var page restPage
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages", key, nil).JSON(t, &page)
	if len(page.Messages) != 2 || page.Messages[1].Author != "agent" {
		t.Errorf("widget messages %+v", page.Messages)
	}
}

// readSSE reads the conversation's event stream until want message events
// arrived or timeout passed, and returns what it read.
func readSSE(t *testing.T, app *apptest.App, key, token string, timeout time.Duration, want int, header ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", app.URL+"/api/customer/conversations/"+token+"/events?api_key="+key, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("events: %d %s", res.StatusCode, ct)
	}
	var sb strings.Builder
	buf := make([]byte, 4096)
	for strings.Count(sb.String(), "event: message") < want {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}

func TestWidgetEventStreamResumes(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	conv, token := startConversation(t, app, key, "one")
	app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", key, map[string]any{"body": "two"})

	// A fresh stream replays the history, then delivers a live agent reply.
	done := make(chan string)
	go func() { done <- readSSE(t, app, key, token, 10*time.Second, 3) }()
	time.Sleep(300 * time.Millisecond)
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "three"}) { created } }`, map[string]any{"c": conv}, nil))
	got := <-done
	for _, want := range []string{`"body":"one"`, `"body":"two"`, `"body":"three"`} {
		if !strings.Contains(got, want) {
			t.Fatalf("stream misses %s:\n%s", want, got)
		}
	}
	// Resuming with the id of the second event yields only the third.
	ids := sseIDs(got)
	if len(ids) != 3 {
		t.Fatalf("event ids %v", ids)
	}
	resumed := readSSE(t, app, key, token, 3*time.Second, 1, "Last-Event-ID", ids[1])
	if strings.Contains(resumed, `"body":"one"`) || strings.Contains(resumed, `"body":"two"`) || !strings.Contains(resumed, `"body":"three"`) {
		t.Errorf("resume after %s:\n%s", ids[1], resumed)
	}
	// Another workspace's key gets not_found, without a stream.
	other := app.Workspace(t, "Other")
	res := app.Request(t, "GET", "/api/customer/conversations/"+token+"/events?api_key="+other.APIKey, "", nil)
	if res.Status != http.StatusNotFound {
		t.Errorf("other workspace: %d %s", res.Status, res.Body)
	}
}

func sseIDs(stream string) []string {
	var ids []string
	for _, line := range strings.Split(stream, "\n") {
		if id, ok := strings.CutPrefix(line, "id: "); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestSubscriptionsAcrossInstances(t *testing.T) {
	one := apptest.New(t, service.Options{})
	two := apptest.Start(t, one.DatabaseURL, service.Options{})
	o := one.Owned(t, "Acme")
	conv, token := startConversation(t, one, o.Workspace.APIKey, "hello")
	auth := map[string]any{"Authorization": "Bearer " + o.Token}

	// Subscribed on instance two; written through instance one.
	msgs := two.Subscribe(t, auth, `subscription($c: ID!) { messageAdded(conversationId: $c) { body author internal } }`, map[string]any{"c": conv})
	changes := two.Subscribe(t, auth, `subscription($w: ID!) { conversationChanged(workspaceId: $w) { change conversation { id status } } }`, map[string]any{"w": o.Workspace.ID})
	time.Sleep(300 * time.Millisecond) // let both subscriptions start listening

	one.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", o.Workspace.APIKey, map[string]any{"body": "from the widget"})
	var m struct {
		MessageAdded struct {
			Body, Author string
			Internal     bool
		}
	}
	if errs := msgs.Next(t, 10*time.Second, &m); len(errs) > 0 || m.MessageAdded.Body != "from the widget" || m.MessageAdded.Author != "CUSTOMER" {
		t.Fatalf("messageAdded: %+v %+v", errs, m)
	}
	var ch struct {
		ConversationChanged struct {
			Change       string
			Conversation struct{ ID, Status string }
		}
	}
	if errs := changes.Next(t, 10*time.Second, &ch); len(errs) > 0 || ch.ConversationChanged.Change != "MESSAGE" || ch.ConversationChanged.Conversation.ID != conv {
		t.Fatalf("conversationChanged: %+v %+v", errs, ch)
	}

	mustGraphQL(t, one.AgentGraphQL(t, o.Token, `mutation($c: ID!) { addInternalNote(input: {conversationId: $c, body: "note"}) { id } }`, map[string]any{"c": conv}, nil))
	if errs := msgs.Next(t, 10*time.Second, &m); len(errs) > 0 || m.MessageAdded.Body != "note" || !m.MessageAdded.Internal {
		t.Fatalf("internal note to agents: %+v %+v", errs, m)
	}
	mustGraphQL(t, one.AgentGraphQL(t, o.Token, `mutation($c: ID!) { setConversationStatus(conversationId: $c, status: RESOLVED) { id } }`, map[string]any{"c": conv}, nil))
	for {
		if errs := changes.Next(t, 10*time.Second, &ch); len(errs) > 0 {
			t.Fatal(errs)
		}
		if ch.ConversationChanged.Change == "STATUS" {
			break
		}
	}
	if ch.ConversationChanged.Conversation.Status != "RESOLVED" {
		t.Errorf("status change: %+v", ch)
	}
	// A widget key cannot subscribe to agent streams.
	s := two.Subscribe(t, map[string]any{"X-API-Key": o.Workspace.APIKey}, `subscription($c: ID!) { messageAdded(conversationId: $c) { body } }`, map[string]any{"c": conv})
	if errs := s.Next(t, 5*time.Second, nil); len(errs) == 0 || errs[0].Code() != "unauthenticated" {
		t.Errorf("widget key on messageAdded: %+v", errs)
	}
}

// queryCounter counts SQL statements run through bun.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (q *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) { q.n.Add(1) }

func TestInboxQueryRunsConstantSQL(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ctx := context.Background()
	o := app.Owned(t, "Acme")
	agent := app.Member(t, o.Workspace.ID, "ann@acme.test", helpium.RoleAgent)
	app.SetRateLimits(t, o.Workspace.ID, apptest.Generous) // 50 conversations from one IP
	for i := range 50 {
		conv, token := startConversation(t, app, o.Workspace.APIKey, fmt.Sprintf("question %d", i))
		app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", o.Workspace.APIKey, map[string]any{"body": "more"})
		var cust string
		if err := app.DB.QueryRowContext(ctx, `INSERT INTO customers (id, workspace_id, email, name) VALUES (gen_random_uuid(), ?, ?, ?) RETURNING id`,
			o.Workspace.ID, fmt.Sprintf("c%d@x.test", i), fmt.Sprintf("Customer %d", i)).Scan(&cust); err != nil {
			t.Fatal(err)
		}
		if _, err := app.DB.ExecContext(ctx, "UPDATE conversations SET customer_id = ?, assignee_id = ? WHERE id = ?", cust, agent.Agent.ID, conv); err != nil {
			t.Fatal(err)
		}
	}
	counter := &queryCounter{}
	app.DB.AddQueryHook(counter)
	query := `query($w: ID!, $n: Int!) { conversations(workspaceId: $w, first: $n) { totalCount edges { node {
		customer { name } assignee { name } lastMessage { body } messages(last: 5) { edges { node { body } } } } } } }`
	count := func(n int) int64 {
		var out struct {
			Conversations struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Customer    struct{ Name string }
						Assignee    struct{ Name string }
						LastMessage struct{ Body string }
						Messages    struct {
							Edges []struct{ Node struct{ Body string } }
						}
					}
				}
			}
		}
		app.AgentGraphQL(t, o.Token, `{ me { id } }`, nil, nil) // same auth cost before each measure
		before := counter.n.Load()
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, query, map[string]any{"w": o.Workspace.ID, "n": n}, &out))
		used := counter.n.Load() - before
		edges := out.Conversations.Edges
		if len(edges) != n || out.Conversations.TotalCount != 50 {
			t.Fatalf("first %d: %d edges, total %d", n, len(edges), out.Conversations.TotalCount)
		}
		for _, e := range edges {
			if !strings.HasPrefix(e.Node.Customer.Name, "Customer ") || e.Node.Assignee.Name != "ann" ||
				e.Node.LastMessage.Body != "more" || len(e.Node.Messages.Edges) != 2 {
				t.Fatalf("edge %+v", e)
			}
		}
		return used
	}
	five, fifty := count(5), count(50)
	if five != fifty {
		t.Errorf("SQL statements: %d for 5 conversations, %d for 50", five, fifty)
	}
	if fifty > 10 {
		t.Errorf("%d SQL statements for the inbox query; want a handful", fifty)
	}
	t.Logf("inbox query: %d SQL statements for 5 and for 50 conversations", fifty)
}

// TestMessageWindowsOfLongConversations checks the batched message windows
// (messages(first|last: N) without a cursor, and lastMessage) on
// conversations longer than the window, with internal notes among the
// messages: agents see the notes, the widget never does.
func TestMessageWindowsOfLongConversations(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	app.SetRateLimits(t, o.Workspace.ID, apptest.Generous)
	conv, token := startConversation(t, app, key, "m1")
	for i := 2; i <= 8; i++ {
		app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", key, map[string]any{"body": fmt.Sprintf("m%d", i)})
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { addInternalNote(input: {conversationId: $c, body: "note"}) { id } }`,
		map[string]any{"c": conv}, nil))
	startConversation(t, app, key, "only one")

	type window struct {
		LastMessage struct{ Body string }
		Messages    struct {
			Edges    []struct{ Node struct{ Body string } }
			PageInfo struct{ HasNextPage, HasPreviousPage bool }
		}
	}
	bodies := func(w window) string {
		var b []string
		for _, e := range w.Messages.Edges {
			b = append(b, e.Node.Body)
		}
		return strings.Join(b, ",")
	}
	tests := []struct {
		name       string
		args       string
		want       string
		wantLast   string
		more, prev bool
	}{
		{"last 3", "last: 3", "m7,m8,note", "note", false, true},
		{"first 3", "first: 3", "m1,m2,m3", "note", true, false},
		{"last 20", "last: 20", "m1,m2,m3,m4,m5,m6,m7,m8,note", "note", false, false},
	}
	for _, tt := range tests {
		t.Run("agent "+tt.name, func(t *testing.T) {
			var out struct {
				Conversations struct{ Edges []struct{ Node window } }
			}
			q := fmt.Sprintf(`query($w: ID!) { conversations(workspaceId: $w, first: 10, orderBy: {field: CREATED_AT, direction: ASC}) { edges { node {
				lastMessage { body } messages(%s) { edges { node { body } } pageInfo { hasNextPage hasPreviousPage } } } } } }`, tt.args)
			mustGraphQL(t, app.AgentGraphQL(t, o.Token, q, map[string]any{"w": o.Workspace.ID}, &out))
			if len(out.Conversations.Edges) != 2 {
				t.Fatalf("%d conversations, want 2", len(out.Conversations.Edges))
			}
			long, short := out.Conversations.Edges[0].Node, out.Conversations.Edges[1].Node
			if got := bodies(long); got != tt.want {
				t.Errorf("messages(%s) = %s, want %s", tt.args, got, tt.want)
			}
			if p := long.Messages.PageInfo; p.HasNextPage != tt.more || p.HasPreviousPage != tt.prev {
				t.Errorf("pageInfo %+v, want next %v previous %v", p, tt.more, tt.prev)
			}
			if long.LastMessage.Body != tt.wantLast {
				t.Errorf("lastMessage %q, want %q", long.LastMessage.Body, tt.wantLast)
			}
			if bodies(short) != "only one" || short.LastMessage.Body != "only one" {
				t.Errorf("short conversation: %+v", short)
			}
		})
	}
	// The widget's view of the same windows skips the note.
	var w struct{ WidgetConversation window }
	mustGraphQL(t, app.GraphQL(t, key, `query($t: String!) { widgetConversation(token: $t) { lastMessage { body } messages(last: 3) { edges { node { body } } pageInfo { hasNextPage hasPreviousPage } } } }`,
		map[string]any{"t": token}, &w))
	if got := bodies(w.WidgetConversation); got != "m6,m7,m8" || w.WidgetConversation.LastMessage.Body != "m8" || !w.WidgetConversation.Messages.PageInfo.HasPreviousPage {
		t.Errorf("widget window %s, last %q, %+v", got, w.WidgetConversation.LastMessage.Body, w.WidgetConversation.Messages.PageInfo)
	}
}

// TestEventStreamOutlivesServerTimeouts runs the widget's event stream on a
// server whose read and write timeouts are one second, as helpium serve's
// are 30 and 60 seconds: a reply written after both have passed still
// arrives on the open stream.
func TestEventStreamOutlivesServerTimeouts(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	conv, token := startConversation(t, app, key, "hello")

	short := httptest.NewUnstartedServer(app.Server.Config.Handler)
	server.Timeouts{ReadHeader: time.Second, Read: time.Second, Write: time.Second, Idle: 5 * time.Second}.Apply(short.Config)
	short.Start()
	t.Cleanup(func() { short.CloseClientConnections(); short.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", short.URL+"/api/customer/conversations/"+token+"/events?api_key="+key, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("events: %d", res.StatusCode)
	}
	got := make(chan string, 1)
	go func() {
		var sb strings.Builder
		buf := make([]byte, 4096)
		for !strings.Contains(sb.String(), "after the timeouts") {
			n, err := res.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		got <- sb.String()
	}()
	time.Sleep(2500 * time.Millisecond) // past the read and write timeouts
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "after the timeouts"}) { created } }`,
		map[string]any{"c": conv}, nil))
	select {
	case body := <-got:
		if !strings.Contains(body, "after the timeouts") {
			t.Fatalf("the stream ended before the reply arrived:\n%s", body)
		}
	case <-ctx.Done():
		t.Fatal("no reply on the stream")
	}
}

// TestSubscriptionsEndWhenAccessEnds: an agent's live subscriptions end
// once their token is revoked or they are removed from the workspace, and
// deliver nothing written after that.
func TestSubscriptionsEndWhenAccessEnds(t *testing.T) {
	app := apptest.New(t, service.Options{LiveRecheck: 100 * time.Millisecond})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	conv, token := startConversation(t, app, key, "hello")
	tests := []struct {
		name string
		end  func(t *testing.T, agent apptest.Member)
	}{
		{"logout", func(t *testing.T, agent apptest.Member) {
			mustGraphQL(t, app.AgentGraphQL(t, agent.Token, `mutation { logout }`, nil, nil))
		}},
		{"removed from the workspace", func(t *testing.T, agent apptest.Member) {
			mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!, $a: ID!) { removeAgent(workspaceId: $w, agentId: $a) }`,
				map[string]any{"w": o.Workspace.ID, "a": agent.Agent.ID}, nil))
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agent := app.Member(t, o.Workspace.ID, fmt.Sprintf("agent%d@acme.test", i), helpium.RoleAgent)
			auth := map[string]any{"Authorization": "Bearer " + agent.Token}
			subs := []*apptest.Subscription{
				app.Subscribe(t, auth, `subscription($c: ID!) { messageAdded(conversationId: $c) { body } }`, map[string]any{"c": conv}),
				app.Subscribe(t, auth, `subscription($w: ID!) { conversationChanged(workspaceId: $w) { change } }`, map[string]any{"w": o.Workspace.ID}),
			}
			time.Sleep(300 * time.Millisecond) // both listening
			app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", key, map[string]any{"body": "before"})
			for _, s := range subs {
				if typ, payload := s.NextMessage(t, 5*time.Second); typ != "next" || strings.Contains(string(payload), "errors") {
					t.Fatalf("before: %s %s", typ, payload)
				}
			}
			tt.end(t, agent)
			time.Sleep(300 * time.Millisecond) // past the recheck interval
			app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", key, map[string]any{"body": "after"})
			for _, s := range subs {
				if typ, payload := s.NextMessage(t, 5*time.Second); typ != "complete" {
					t.Errorf("after access ended: %s %s, want complete", typ, payload)
				}
			}
		})
	}
}

// TestCustomerConversationsBatched: a customer list's conversations
// (conversations(first: N) { totalCount ... } under each customer) come
// from batched queries whose pages and counts match the workspace's conversations filtered by
// customer, cursors included, with the same number of SQL statements for 2
// customers as for 6.
func TestCustomerConversationsBatched(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ctx := context.Background()
	o := app.Owned(t, "Acme")
	app.SetRateLimits(t, o.Workspace.ID, apptest.Generous)
	other := app.Owned(t, "Other") // its conversations must never show up
	app.SetRateLimits(t, other.Workspace.ID, apptest.Generous)
	startConversation(t, app, other.Workspace.APIKey, "elsewhere")
	minutes := 0
	for i := range 6 { // customer i has i conversations
		var cust string
		if err := app.DB.QueryRowContext(ctx, `INSERT INTO customers (id, workspace_id, email, created_at) VALUES (gen_random_uuid(), ?, ?, now() - make_interval(mins => ?)) RETURNING id`,
			o.Workspace.ID, fmt.Sprintf("c%d@x.test", i), i).Scan(&cust); err != nil {
			t.Fatal(err)
		}
		for j := range i {
			conv, _ := startConversation(t, app, o.Workspace.APIKey, fmt.Sprintf("c%d q%d", i, j))
			minutes++
			if _, err := app.DB.ExecContext(ctx, "UPDATE conversations SET customer_id = ?, updated_at = now() - make_interval(mins => ?) WHERE id = ?", cust, (minutes*7)%23, conv); err != nil {
				t.Fatal(err)
			}
		}
	}
	type page struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
	ids := func(p page) (out []string) {
		for _, e := range p.Edges {
			out = append(out, e.Node.ID)
		}
		return out
	}
	type customer struct {
		ID            string
		Conversations page
	}
	counter := &queryCounter{}
	app.DB.AddQueryHook(counter)
	// list returns the first n customers and the SQL statements it took.
	list := func(n int) ([]customer, int64) {
		var out struct {
			Customers struct{ Edges []struct{ Node customer } }
		}
		app.AgentGraphQL(t, o.Token, `{ me { id } }`, nil, nil) // same auth cost before each measure
		before := counter.n.Load()
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!, $n: Int!) { customers(workspaceId: $w, first: $n) { edges { node { id
			conversations(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } } } }`, map[string]any{"w": o.Workspace.ID, "n": n}, &out))
		used := counter.n.Load() - before
		t.Logf("%d customers: %d SQL statements", n, used)
		if len(out.Customers.Edges) != n {
			t.Fatalf("%d customers, want %d", len(out.Customers.Edges), n)
		}
		nodes := make([]customer, n)
		for i, e := range out.Customers.Edges {
			nodes[i] = e.Node
		}
		return nodes, used
	}
	_, two := list(2)
	customers, six := list(6)
	if two != six {
		t.Errorf("SQL statements: %d for 2 customers, %d for 6", two, six)
	}
	for _, c := range customers {
		var want struct{ Conversations page }
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!, $c: ID!) { conversations(workspaceId: $w, filter: {customerId: $c}, first: 2) {
			totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"w": o.Workspace.ID, "c": c.ID}, &want))
		got := c.Conversations
		deref := func(s *string) string {
			if s == nil {
				return "<nil>"
			}
			return *s
		}
		if fmt.Sprint(ids(got)) != fmt.Sprint(ids(want.Conversations)) || got.PageInfo.HasNextPage != want.Conversations.PageInfo.HasNextPage ||
			got.TotalCount != want.Conversations.TotalCount ||
			deref(got.PageInfo.EndCursor) != deref(want.Conversations.PageInfo.EndCursor) {
			t.Errorf("customer %s: batched %+v, filtered %+v", c.ID, got, want.Conversations)
		}
		// The batched page's cursor continues on the unbatched path, and
		// the pages together hold all of the customer's conversations.
		seen := len(got.Edges)
		for p := got; p.PageInfo.HasNextPage; {
			var next struct{ Customer struct{ Conversations page } }
			mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!, $a: String) { customer(id: $c) { conversations(first: 2, after: $a) {
				edges { node { id } } pageInfo { hasNextPage endCursor } } } }`, map[string]any{"c": c.ID, "a": p.PageInfo.EndCursor}, &next))
			p = next.Customer.Conversations
			seen += len(p.Edges)
		}
		if seen != want.Conversations.TotalCount {
			t.Errorf("customer %s: %d conversations paged, %d counted", c.ID, seen, want.Conversations.TotalCount)
		}
	}
	// Another workspace's owner asking for this workspace's customers is
	// refused before any batching.
	if errs := app.AgentGraphQL(t, other.Token, `query($c: ID!) { customer(id: $c) { conversations(first: 2) { edges { node { id } } } } }`,
		map[string]any{"c": customers[5].ID}, nil); len(errs) == 0 || errs[0].Code() != "not_found" {
		t.Errorf("other workspace: %+v", errs)
	}
}

// TestMembershipWorkspacesBatched: an agent's memberships resolve their
// workspaces in one query, the same number of SQL statements for one
// workspace as for four, each membership with its own workspace.
func TestMembershipWorkspacesBatched(t *testing.T) {
	app := apptest.New(t, service.Options{})
	counter := &queryCounter{}
	app.DB.AddQueryHook(counter)
	var token string
	names := map[string]string{} // workspace id -> name
	measure := func() int64 {
		var out struct {
			MyWorkspaces []struct {
				Role      string
				Workspace struct{ ID, Name string }
			}
		}
		app.AgentGraphQL(t, token, `{ me { id } }`, nil, nil) // same auth cost before each measure
		before := counter.n.Load()
		mustGraphQL(t, app.AgentGraphQL(t, token, `{ myWorkspaces { role workspace { id name } } }`, nil, &out))
		used := counter.n.Load() - before
		if len(out.MyWorkspaces) != len(names) {
			t.Fatalf("%d memberships, want %d", len(out.MyWorkspaces), len(names))
		}
		for _, m := range out.MyWorkspaces {
			if m.Role != "AGENT" || names[m.Workspace.ID] == "" || m.Workspace.Name != names[m.Workspace.ID] {
				t.Errorf("membership %+v", m)
			}
		}
		return used
	}
	var one int64
	for i := range 4 {
		o := app.Owned(t, fmt.Sprintf("Shop %d", i))
		names[o.Workspace.ID] = o.Workspace.Name
		token = app.Member(t, o.Workspace.ID, "ann@x.test", helpium.RoleAgent).Token
		if i == 0 {
			one = measure()
		}
	}
	if four := measure(); four != one {
		t.Errorf("SQL statements: %d for 1 workspace, %d for 4", one, four)
	}
}

// sqlRecorder keeps the SQL of the statements that contain a marker.
type sqlRecorder struct {
	marker string
	mu     sync.Mutex
	sql    []string
}

func (r *sqlRecorder) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (r *sqlRecorder) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.marker != "" && strings.Contains(e.Query, r.marker) && strings.HasPrefix(e.Query, "SELECT") {
		r.sql = append(r.sql, e.Query)
	}
}

// stop makes the recorder keep nothing more (bun hooks cannot be removed).
func (r *sqlRecorder) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.marker = ""
}

func (r *sqlRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sql
	r.sql = nil
	return s
}

// planNode is one node of EXPLAIN (ANALYZE, FORMAT JSON).
type planNode struct {
	NodeType    string     `json:"Node Type"`
	Relation    string     `json:"Relation Name"`
	ActualRows  float64    `json:"Actual Rows"`
	ActualLoops float64    `json:"Actual Loops"`
	Plans       []planNode `json:"Plans"`
}

// rowsRead runs sql under EXPLAIN ANALYZE and returns how many rows of
// table its scans returned in all, and the sorts in its plan. Sequential
// scans are off: a test-sized table is cheaper to read whole, so the plan
// shows what PostgreSQL does with a large one, where an index in the
// list's order is the only way to stop early.
func rowsRead(t *testing.T, app *apptest.App, sql, table string) (rows float64, sorts []string) {
	t.Helper()
	ctx := context.Background()
	tx, err := app.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	var out string
	if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+sql).Scan(&out); err != nil {
		t.Fatalf("explain %s: %v", sql, err)
	}
	var plans []struct{ Plan planNode }
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) != 1 {
		t.Fatalf("explain output %s: %v", out, err)
	}
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.Relation == table {
			rows += n.ActualRows * n.ActualLoops
		}
		if strings.HasSuffix(n.NodeType, "Sort") {
			sorts = append(sorts, n.NodeType)
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(plans[0].Plan)
	return rows, sorts
}

// TestListPagesReadOnlyTheirRows: a page of the inbox, the articles or the
// customers list reads its rows from an index in list order and stops there, also
// after a cursor, instead of reading and sorting the whole workspace.
func TestListPagesReadOnlyTheirRows(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ctx := context.Background()
	o := app.Owned(t, "Acme")
	const total, first = 40, 5
	if _, err := app.DB.ExecContext(ctx, `
		INSERT INTO customers (id, workspace_id, email, name, created_at)
		SELECT gen_random_uuid(), ?, 'c' || i || '@x.test', 'C' || i, now() - i * interval '1 minute' FROM generate_series(1, ?) i;
		INSERT INTO conversations (id, workspace_id, token_hash, status, created_at, updated_at, last_message_at)
		SELECT gen_random_uuid(), ?, decode(md5(random()::text), 'hex'), 'open', now() - i * interval '1 minute', now() - (i % 7) * interval '1 minute',
			CASE WHEN i % 2 = 0 THEN now() - (i % 5) * interval '1 minute' END
		FROM generate_series(1, ?) i;
		INSERT INTO articles (id, workspace_id, title, body, slug, locale, created_at)
		SELECT gen_random_uuid(), ?, 'A' || i, 'Body', 'a-' || i, 'en', now() - (i / 3) * interval '1 minute' FROM generate_series(1, ?) i;
		ANALYZE customers; ANALYZE conversations; ANALYZE articles;`, o.Workspace.ID, total, o.Workspace.ID, total, o.Workspace.ID, total); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, table, query string
	}{
		{"inbox by update", "conversations", `query($w: ID!, $n: Int!, $a: String) { list: conversations(workspaceId: $w, first: $n, after: $a) {
			pageInfo { endCursor } edges { node { id } } } }`},
		{"inbox with customer, assignee and last message in its statement", "conversations", `query($w: ID!, $n: Int!, $a: String) {
			list: conversations(workspaceId: $w, first: $n, after: $a) { pageInfo { endCursor } edges { node { id
			customer { name } assignee { name } lastMessage { body } } } } }`},
		{"inbox by update, oldest first", "conversations", `query($w: ID!, $n: Int!, $a: String) { list: conversations(workspaceId: $w, first: $n, after: $a,
			orderBy: {field: UPDATED_AT, direction: ASC}) { pageInfo { endCursor } edges { node { id } } } }`},
		{"inbox by creation", "conversations", `query($w: ID!, $n: Int!, $a: String) { list: conversations(workspaceId: $w, first: $n, after: $a,
			orderBy: {field: CREATED_AT, direction: DESC}) { pageInfo { endCursor } edges { node { id } } } }`},
		{"inbox by last message", "conversations", `query($w: ID!, $n: Int!, $a: String) { list: conversations(workspaceId: $w, first: $n, after: $a,
			orderBy: {field: LAST_MESSAGE_AT, direction: DESC}) { pageInfo { endCursor } edges { node { id } } } }`},
		{"articles", "articles", `query($w: ID!, $n: Int!, $a: String) { list: articles(workspaceId: $w, first: $n, after: $a) {
			pageInfo { endCursor } edges { node { id } } } }`},
		{"customers", "customers", `query($w: ID!, $n: Int!, $a: String) { list: customers(workspaceId: $w, first: $n, after: $a) {
			pageInfo { endCursor } edges { node { id } } } }`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &sqlRecorder{marker: "FROM " + tc.table + " AS "}
			app.DB.AddQueryHook(rec)
			defer rec.stop()
			var after any
			seen := map[string]bool{}
			for p := range 2 {
				var out struct {
					List struct {
						PageInfo struct{ EndCursor string }
						Edges    []struct{ Node struct{ ID string } }
					}
				}
				rec.take()
				mustGraphQL(t, app.AgentGraphQL(t, o.Token, tc.query, map[string]any{"w": o.Workspace.ID, "n": first, "a": after}, &out))
				if len(out.List.Edges) != first {
					t.Fatalf("page %d: %d rows, want %d", p+1, len(out.List.Edges), first)
				}
				for _, e := range out.List.Edges {
					if seen[e.Node.ID] {
						t.Fatalf("page %d repeats %s", p+1, e.Node.ID)
					}
					seen[e.Node.ID] = true
				}
				stmts := rec.take()
				if len(stmts) == 0 {
					t.Fatalf("page %d: no SELECT on %s recorded", p+1, tc.table)
				}
				for _, sql := range stmts {
					rows, sorts := rowsRead(t, app, sql, tc.table)
					if rows > first+1 || len(sorts) > 0 {
						t.Errorf("page %d reads %v rows of %d and sorts %v; want at most %d and no sort:\n%s", p+1, rows, total, sorts, first+1, sql)
					}
				}
				after = out.List.PageInfo.EndCursor
			}
		})
	}
}
