package db_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
)

// TestPageReadsItsRelations: the relations an inbox page reads in its own
// statement are what the per-relation reads (the loaders' queries) return
// to the same agent, including what that agent may not see.
func TestPageReadsItsRelations(t *testing.T) {
	f := newFixture(t)
	ws, elsewhere := f.workspace("Acme"), f.workspace("Other")
	ann, bob, carl := f.agent("ann@example.com"), f.agent("bob@example.com"), f.agent("carl@example.com")
	for _, m := range []struct{ ws, agent string }{{ws, ann}, {ws, bob}, {elsewhere, carl}} {
		if _, err := f.store.DB().ExecContext(f.ctx, `INSERT INTO memberships (workspace_id, agent_id, role, created_at) VALUES (?, ?, 'agent', now())`, m.ws, m.agent); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	customer := func(email string) string {
		id := uuid.NewString()
		if _, err := f.store.DB().ExecContext(f.ctx, `INSERT INTO customers (id, workspace_id, email, name) VALUES (?, ?, ?, 'Cy')`, id, ws, email); err != nil {
			t.Fatal(err)
		}
		return id
	}
	link := func(c *helpium.Conversation, customerID, assigneeID any) {
		if _, err := f.store.DB().ExecContext(f.ctx, `UPDATE conversations SET customer_id = ?, assignee_id = ? WHERE id = ?`, customerID, assigneeID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name         string
		customer     bool
		assignee     string // "" for none
		note         bool   // the newest message is an internal note
		wantAssignee bool
	}{
		{"customer, assignee and a note last", true, bob, true, true},
		{"no customer, no assignee", false, "", false, false},
		{"an assignee who shares no workspace with the reader", true, carl, false, false},
	}
	for i, tc := range cases {
		c := f.conversation(ws, uuid.NewString(), nil, t0.Add(time.Duration(i)*time.Minute))
		var cust, assignee any
		if tc.customer {
			cust = customer(uuid.NewString() + "@x.test")
		}
		if tc.assignee != "" {
			assignee = tc.assignee
		}
		link(c, cust, assignee)
		f.message(c, helpium.AuthorAgent, tc.note, "last of "+tc.name, t0.Add(time.Hour+time.Duration(i)*time.Minute))
	}

	all := helpium.ConversationInclude{Customer: true, Assignee: true, LastMessage: true}
	n := 10
	conn, err := f.store.FindConversations(f.ctx, ws, ann, helpium.ConversationFilter{}, helpium.DefaultConversationOrder, helpium.Page{First: &n}, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(conn.Edges) != len(cases) || conn.Related == nil {
		t.Fatalf("%d edges, related %v; want %d with relations", len(conn.Edges), conn.Related, len(cases))
	}
	scope := db.Scope{AgentID: ann}
	ids := make([]string, len(conn.Edges))
	for i, e := range conn.Edges {
		ids[i] = e.Node.ID
	}
	last, err := f.store.FindLastMessages(f.ctx, scope, ids)
	if err != nil {
		t.Fatal(err)
	}
	// Newest first: the cases in reverse.
	for i, e := range conn.Edges {
		tc, c := cases[len(cases)-1-i], e.Node
		t.Run(tc.name, func(t *testing.T) {
			got := conn.Related.Customers[c.ID]
			if tc.customer != (got != nil) {
				t.Errorf("customer %+v; want one: %v", got, tc.customer)
			}
			if got != nil {
				want, err := f.store.FindCustomersByIDs(f.ctx, scope, []string{*c.CustomerID})
				if err != nil || len(want) != 1 || !reflect.DeepEqual(got, want[0]) {
					t.Errorf("customer %+v; the loader's %+v (%v)", got, want, err)
				}
			}
			a := conn.Related.Assignees[c.ID]
			if tc.wantAssignee != (a != nil) {
				t.Errorf("assignee %+v; want one: %v", a, tc.wantAssignee)
			}
			if c.AssigneeID != nil {
				want, err := f.store.FindAgentsByIDs(f.ctx, scope, []string{*c.AssigneeID})
				if err != nil || (a == nil) != (len(want) == 0) || (a != nil && !reflect.DeepEqual(a, want[0])) {
					t.Errorf("assignee %+v; the loader's %+v (%v)", a, want, err)
				}
			}
			m := conn.Related.LastMessages[c.ID]
			if m == nil || m.Body != "last of "+tc.name || m.Internal != tc.note || !reflect.DeepEqual(m, last[c.ID]) {
				t.Errorf("last message %+v; want %q (internal %v), the loader's %+v", m, "last of "+tc.name, tc.note, last[c.ID])
			}
		})
	}

	// Without relations asked for, none are read.
	plain, err := f.store.FindConversations(f.ctx, ws, ann, helpium.ConversationFilter{}, helpium.DefaultConversationOrder, helpium.Page{First: &n}, helpium.ConversationInclude{})
	if err != nil || len(plain.Edges) != len(cases) || plain.Related != nil {
		t.Fatalf("plain page: %d edges, related %v, %v", len(plain.Edges), plain.Related, err)
	}
}
