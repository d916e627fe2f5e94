package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// BenchmarkInboxQuery runs the agent app's inbox query (make bench's
// inbox workload: 50 conversations with customer, assignee and last
// message) through the server's handler, without a network in between, so
// its profile is the server's own cost per request.
func BenchmarkInboxQuery(b *testing.B) {
	app := apptest.New(b, service.Options{AgentRateLimit: 1 << 30})
	o := app.Owned(b, "Acme")
	app.SetRateLimits(b, o.Workspace.ID, apptest.Generous)
	ctx := context.Background()
	for i := range 50 {
		res := app.Request(b, "POST", "/api/customer/conversations", o.Workspace.APIKey, map[string]any{"message": fmt.Sprintf("question %d", i)})
		var c restCreated
		res.JSON(b, &c)
		if _, err := app.DB.ExecContext(ctx, `WITH cust AS (INSERT INTO customers (id, workspace_id, email, name)
			VALUES (gen_random_uuid(), ?, ?, ?) RETURNING id)
			UPDATE conversations SET customer_id = (SELECT id FROM cust), assignee_id = (SELECT agent_id FROM memberships WHERE workspace_id = ? LIMIT 1) WHERE id = ?`,
			o.Workspace.ID, fmt.Sprintf("c%d@x.test", i), fmt.Sprintf("Customer %d", i), o.Workspace.ID, c.Conversation.ID); err != nil {
			b.Fatal(err)
		}
	}
	body, _ := json.Marshal(map[string]any{"query": `query($w: ID!) { conversations(workspaceId: $w, first: 50) { edges { node {
		id status createdAt updatedAt lastMessageAt
		customer { id email name } assignee { id name email } lastMessage { id author body createdAt } } } } }`,
		"variables": map[string]any{"w": o.Workspace.ID}})
	h := app.Server.Config.Handler
	do := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+o.Token)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := do(); w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) || bytes.Count(w.Body.Bytes(), []byte(`"Customer `)) != 50 {
		b.Fatalf("inbox: %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := do(); w.Code != http.StatusOK {
				b.Errorf("inbox: %d %s", w.Code, w.Body)
			}
		}
	})
}
