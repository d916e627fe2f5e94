package server_test

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

type inboxPage struct {
	Conversations struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		Edges []struct {
			Node struct{ ID, Status string }
		}
	}
}

func (p inboxPage) ids() []string {
	var out []string
	for _, e := range p.Conversations.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

func TestInboxFiltersOrderAndPaging(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	ann := app.Member(t, o.Workspace.ID, "ann@acme.test", helpium.RoleAgent)
	key := o.Workspace.APIKey

	// Five conversations, created in order c0..c4.
	var ids []string
	for _, text := range []string{"parcel lost in transit", "refund for order", "locker code broken", "parcel damaged", "change address"} {
		id, _ := startConversation(t, app, key, text)
		ids = append(ids, id)
	}
	run := func(vars map[string]any) inboxPage {
		t.Helper()
		vars["w"] = o.Workspace.ID
		var p inboxPage
		mustGraphQL(t, app.AgentGraphQL(t, ann.Token, `query($w: ID!, $f: ConversationFilter, $o: ConversationOrder, $first: Int, $after: String, $last: Int, $before: String) {
			conversations(workspaceId: $w, filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
				totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id status } } } }`, vars, &p))
		return p
	}
	same := func(name string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %v, want %v", name, got, want)
				return
			}
		}
	}

	// Default: most recently updated first.
	same("default order", run(map[string]any{}).ids(), ids[4], ids[3], ids[2], ids[1], ids[0])
	same("created ascending", run(map[string]any{"o": map[string]any{"field": "CREATED_AT", "direction": "ASC"}}).ids(), ids...)

	// Changes: assign c1 to Ann, resolve c2, a customer message bumps c0.
	mustGraphQL(t, app.AgentGraphQL(t, ann.Token, `mutation($c: ID!, $a: ID) { assignConversation(conversationId: $c, agentId: $a) { id } }`, map[string]any{"c": ids[1], "a": ann.Agent.ID}, nil))
	mustGraphQL(t, app.AgentGraphQL(t, ann.Token, `mutation($c: ID!) { setConversationStatus(conversationId: $c, status: RESOLVED) { id } }`, map[string]any{"c": ids[2]}, nil))
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { addInternalNote(input: {conversationId: $c, body: "escalate to carrier"}) { id } }`, map[string]any{"c": ids[3]}, nil))
	since := time.Now().UTC()
	time.Sleep(5 * time.Millisecond)
	mustGraphQL(t, app.AgentGraphQL(t, ann.Token, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "On it"}) { created } }`, map[string]any{"c": ids[0]}, nil))

	same("status", run(map[string]any{"f": map[string]any{"status": []string{"RESOLVED"}}}).ids(), ids[2])
	same("assigned to me", run(map[string]any{"f": map[string]any{"assignee": map[string]any{"me": true}}}).ids(), ids[1])
	same("assigned to ann", run(map[string]any{"f": map[string]any{"assignee": map[string]any{"agentId": ann.Agent.ID}}}).ids(), ids[1])
	if p := run(map[string]any{"f": map[string]any{"assignee": map[string]any{"none": true}}}); p.Conversations.TotalCount != 4 {
		t.Errorf("unassigned: %d", p.Conversations.TotalCount)
	}
	same("updated since", run(map[string]any{"f": map[string]any{"updatedSince": since.Format(time.RFC3339Nano)}}).ids(), ids[0])
	same("text in messages", run(map[string]any{"f": map[string]any{"text": "parcel"}, "o": map[string]any{"field": "CREATED_AT", "direction": "ASC"}}).ids(), ids[0], ids[3])
	same("text in internal notes", run(map[string]any{"f": map[string]any{"text": "carrier"}}).ids(), ids[3])
	same("text with two words", run(map[string]any{"f": map[string]any{"text": "parcel damaged"}}).ids(), ids[3])

	// Paging forward and back through the default order covers every
	// conversation exactly once, with consistent page info.
	all := run(map[string]any{}).ids()
	var forward []string
	var after any
	for pages := 0; ; pages++ {
		p := run(map[string]any{"first": 2, "after": after})
		forward = append(forward, p.ids()...)
		if p.Conversations.TotalCount != 5 || p.Conversations.PageInfo.HasPreviousPage != (after != nil) {
			t.Errorf("page %d info %+v", pages, p.Conversations.PageInfo)
		}
		if !p.Conversations.PageInfo.HasNextPage {
			break
		}
		after = *p.Conversations.PageInfo.EndCursor
	}
	same("forward pages", forward, all...)
	var backward []string
	var before any
	for {
		p := run(map[string]any{"last": 2, "before": before})
		backward = append(p.ids(), backward...)
		if !p.Conversations.PageInfo.HasPreviousPage {
			break
		}
		before = *p.Conversations.PageInfo.StartCursor
	}
	same("backward pages", backward, all...)

	// Bad input names the field.
	for _, c := range []struct {
		vars  map[string]any
		field string
	}{
		{map[string]any{"first": 101}, "first"},
		{map[string]any{"first": 1, "last": 1}, "first"},
		{map[string]any{"after": "garbage"}, "after"},
		{map[string]any{"after": base64.RawURLEncoding.EncodeToString([]byte("k1:1764000000000000:not-an-id"))}, "after"},
		{map[string]any{"f": map[string]any{"assignee": map[string]any{"agentId": "ann"}}}, "filter.assignee.agentId"},
		{map[string]any{"f": map[string]any{"customerId": "c1"}}, "filter.customerId"},
		{map[string]any{"f": map[string]any{"assignee": map[string]any{"me": true, "none": true}}}, "filter.assignee"},
	} {
		c.vars["w"] = o.Workspace.ID
		errs := app.AgentGraphQL(t, ann.Token, `query($w: ID!, $f: ConversationFilter, $first: Int, $after: String, $last: Int) {
			conversations(workspaceId: $w, filter: $f, first: $first, after: $after, last: $last) { totalCount } }`, c.vars, nil)
		if len(errs) != 1 || errs[0].Code() != "invalid_input" || errs[0].Extensions["field"] != c.field {
			t.Errorf("%v: %+v", c.vars, errs)
		}
	}
}

func TestCustomerMessageReopensAndStats(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ctx := context.Background()
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	c1, t1 := startConversation(t, app, key, "first")
	c2, _ := startConversation(t, app, key, "second")
	startConversation(t, app, key, "third")
	// c1: replied after 60 s, resolved after 600 s. c2: replied after 120 s.
	base := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for _, u := range []struct {
		id             string
		created, reply time.Duration
		resolved       *time.Duration
	}{
		{c1, 0, 60 * time.Second, ptr(600 * time.Second)},
		{c2, time.Hour, 120 * time.Second, nil},
	} {
		var resolved any
		status := "open"
		if u.resolved != nil {
			resolved, status = base.Add(u.created+*u.resolved), "resolved"
		}
		if _, err := app.DB.ExecContext(ctx, `UPDATE conversations SET created_at = ?, first_response_at = ?, resolved_at = ?, status = ? WHERE id = ?`,
			base.Add(u.created), base.Add(u.created+u.reply), resolved, status, u.id); err != nil {
			t.Fatal(err)
		}
	}
	var st struct {
		Stats struct {
			Opened, Resolved, OpenNow                           int
			MedianFirstResponseSeconds, MedianResolutionSeconds *float64
			Days                                                []struct {
				Date             string
				Opened, Resolved int
			}
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!) { stats(workspaceId: $w, from: "2026-03-09T00:00:00Z", to: "2026-03-12T00:00:00Z") {
		opened resolved openNow medianFirstResponseSeconds medianResolutionSeconds days { date opened resolved } } }`, map[string]any{"w": o.Workspace.ID}, &st))
	s := st.Stats
	if s.Opened != 2 || s.Resolved != 1 || s.OpenNow != 2 || s.MedianFirstResponseSeconds == nil || *s.MedianFirstResponseSeconds != 90 ||
		s.MedianResolutionSeconds == nil || *s.MedianResolutionSeconds != 600 {
		t.Errorf("stats %+v", s)
	}
	if len(s.Days) != 3 || s.Days[1].Date != "2026-03-10" || s.Days[1].Opened != 2 || s.Days[0].Opened != 0 || s.Days[1].Resolved != 1 {
		t.Errorf("days %+v", s.Days)
	}

	// A customer message reopens a resolved conversation and clears resolved_at.
	app.Request(t, "POST", "/api/customer/conversations/"+t1+"/messages", key, map[string]any{"body": "still broken"})
	var conv struct {
		Conversation struct {
			Status     string
			ResolvedAt *string
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!) { conversation(id: $c) { status resolvedAt } }`, map[string]any{"c": c1}, &conv))
	if conv.Conversation.Status != "OPEN" || conv.Conversation.ResolvedAt != nil {
		t.Errorf("after a customer message: %+v", conv)
	}
	errs := app.AgentGraphQL(t, o.Token, `query($w: ID!) { stats(workspaceId: $w, from: "2026-03-09T00:00:00Z", to: "2025-03-12T00:00:00Z") { opened } }`, map[string]any{"w": o.Workspace.ID}, nil)
	if len(errs) != 1 || errs[0].Code() != "invalid_input" {
		t.Errorf("reversed period: %+v", errs)
	}
}

func ptr[T any](v T) *T { return &v }
