package server_test

import (
	"fmt"
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

// manyFields returns a query of sets root fields, each selecting per fields.
func manyFields(sets, per int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range sets {
		fmt.Fprintf(&b, " w%d: widgetSettings {", i)
		for j := range per {
			fmt.Fprintf(&b, " g%d: greeting", j)
		}
		b.WriteString(" }")
	}
	b.WriteString(" }")
	return b.String()
}

// TestOversizedDocumentsRefusedBeforeValidation: documents whose validation
// would cost quadratic CPU are refused as invalid_input before it, without
// authentication, and an operation selects each expensive or guessable
// root field once: aliases cannot multiply logins, searches or answers.
func TestOversizedDocumentsRefusedBeforeValidation(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	aliases := func(n int, field string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, " a%d: %s", i, field)
		}
		return b.String()
	}
	for _, c := range []struct {
		name, key, query, want string
	}{
		{"16,000 fields (171 KiB), past the parser's token limit", "", "{" + strings.Repeat(" __typename", 16_000) + " }", "token limit"},
		{"3,000 fields in one selection set", "", "{" + strings.Repeat(" __typename", 3_000) + " }", "selection set has 3000 fields"},
		{"2,730 fields over 30 selection sets of 90", "", manyFields(30, 90), "more than 2000 fields"},
		{"two logins", "", `mutation {` + aliases(2, `login(email: "a@example.com", password: "x") { token }`) + ` }`, "login once"},
		{"two searches", ws.APIKey, `query {` + aliases(2, `searchArticles(query: "password") { results { title } }`) + ` }`, "searchArticles once"},
		{"two logins through a fragment", "", `mutation { ...L a: login(email: "a@example.com", password: "y") { token } } fragment L on Mutation { login(email: "a@example.com", password: "x") { token } }`, "login once"},
	} {
		errs := app.GraphQL(t, c.key, c.query, nil, nil)
		if len(errs) != 1 || errs[0].Code() != "invalid_input" || !strings.Contains(errs[0].Message, c.want) {
			t.Errorf("%s: %+v; want one invalid_input error saying %q", c.name, errs, c.want)
		}
	}
	// What stays within the limits works: a selection set of 100 fields,
	// one search beside other fields.
	var out map[string]any
	if errs := app.GraphQL(t, ws.APIKey, "{"+strings.Repeat(" __typename", 100)+" }", nil, &out); len(errs) != 0 {
		t.Errorf("100 fields: %+v", errs)
	}
	if errs := app.GraphQL(t, ws.APIKey, `query { widgetSettings { greeting } searchArticles(query: "password") { results { title } } }`, nil, &out); len(errs) != 0 &&
		errs[0].Code() == "invalid_input" {
		t.Errorf("one search beside settings: %+v", errs)
	}
}
