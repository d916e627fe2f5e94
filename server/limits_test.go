package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

func TestQueryDepthAndComplexityLimits(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o, err := app.Service.CreateWorkspaceWithOwner(context.Background(), "Acme", "")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"w": o.Workspace.ID}

	// Nesting customer → conversations → node → customer ... 14 levels deep.
	deep := `query($w: ID!) { conversations(workspaceId: $w, first: 1) { edges { node { customer { conversations(first: 1) { edges { node {
		customer { conversations(first: 1) { edges { node { customer { id } } } } } } } } } } } } }`
	errs := app.AgentGraphQL(t, o.Token, deep, vars, nil)
	if len(errs) != 1 || errs[0].Code() != "invalid_input" || !strings.Contains(errs[0].Message, "levels deep") {
		t.Errorf("deep query: %+v", errs)
	}

	// 100 conversations × 100 messages is far over the complexity budget.
	wide := `query($w: ID!) { conversations(workspaceId: $w, first: 100) { edges { node { messages(first: 100) { edges { node { body author createdAt } } } } } } }`
	errs = app.AgentGraphQL(t, o.Token, wide, vars, nil)
	if len(errs) != 1 || !strings.Contains(strings.ToLower(errs[0].Message), "complexity") {
		t.Errorf("expensive query: %+v", errs)
	}

	// The dashboard's inbox query stays well within both.
	ok := `query($w: ID!) { conversations(workspaceId: $w, first: 50) { totalCount edges { node { id customer { name } assignee { name } lastMessage { body } messages(last: 5) { edges { node { body } } } } } } }`
	if errs := app.AgentGraphQL(t, o.Token, ok, vars, nil); len(errs) > 0 {
		t.Errorf("inbox query refused: %+v", errs)
	}
}
