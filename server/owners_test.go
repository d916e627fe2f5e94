package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// TestLastOwnerStaysUnderConcurrency: two owners demoting, or removing,
// themselves at the same moment cannot both succeed; the workspace always
// keeps an owner.
func TestLastOwnerStaysUnderConcurrency(t *testing.T) {
	app := apptest.New(t, service.Options{})
	for round := range 5 {
		for _, op := range []string{
			`mutation($w: ID!, $a: ID!) { setAgentRole(workspaceId: $w, agentId: $a, role: AGENT) { role } }`,
			`mutation($w: ID!, $a: ID!) { removeAgent(workspaceId: $w, agentId: $a) }`,
		} {
			o := app.Owned(t, fmt.Sprintf("Acme %d", round))
			second := app.Member(t, o.Workspace.ID, fmt.Sprintf("second-%d@acme.test", round), helpium.RoleOwner)
			first, _, err := app.Service.Store().FindAgentByEmail(context.Background(), o.Email)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			codes := make([]string, 2)
			for i, who := range []struct{ token, id string }{{o.Token, first.ID}, {second.Token, second.Agent.ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs := app.AgentGraphQL(t, who.token, op, map[string]any{"w": o.Workspace.ID, "a": who.id}, nil)
					codes[i] = "ok"
					if len(errs) > 0 {
						codes[i] = errs[0].Code()
					}
				}()
			}
			wg.Wait()
			var owners int
			if err := app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM memberships WHERE workspace_id = '"+o.Workspace.ID+"' AND role = 'owner'").Scan(&owners); err != nil {
				t.Fatal(err)
			}
			ok := (codes[0] == "ok") != (codes[1] == "ok")
			if owners != 1 || !ok || (codes[0] != "ok" && codes[0] != "conflict") || (codes[1] != "ok" && codes[1] != "conflict") {
				t.Errorf("round %d, %.30s: results %v, %d owners left; want one ok, one conflict and one owner", round, op, codes, owners)
			}
		}
	}
}
