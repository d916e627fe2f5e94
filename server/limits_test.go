package server_test

import (
	"strings"
	"testing"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

func TestQueryDepthAndComplexityLimits(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
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
	if len(errs) != 1 || !strings.Contains(strings.ToLower(errs[0].Message), "complexity") || errs[0].Code() != "invalid_input" {
		t.Errorf("expensive query: %+v", errs)
	}
	// Requests the schema refuses are the client's input too, as in REST.
	for name, q := range map[string]string{
		"syntax":      `query { me { id `,
		"no field":    `query { me { id shoeSize } }`,
		"wrong enum":  `query($w: ID!) { conversations(workspaceId: $w, filter: {status: [LOST]}) { totalCount } }`,
		"wrong type":  `query($w: ID!) { conversations(workspaceId: $w, first: "ten") { totalCount } }`,
		"unknown arg": `query { me(color: 1) { id } }`,
	} {
		errs := app.AgentGraphQL(t, o.Token, q, vars, nil)
		if len(errs) == 0 || errs[0].Code() != "invalid_input" || errs[0].Extensions["graphqlCode"] == nil {
			t.Errorf("%s: %+v; want invalid_input with gqlgen's code alongside", name, errs)
		}
	}

	// The dashboard's inbox query stays well within both.
	ok := `query($w: ID!) { conversations(workspaceId: $w, first: 50) { totalCount edges { node { id customer { name } assignee { name } lastMessage { body } messages(last: 5) { edges { node { body } } } } } } }`
	if errs := app.AgentGraphQL(t, o.Token, ok, vars, nil); len(errs) > 0 {
		t.Errorf("inbox query refused: %+v", errs)
	}
}
