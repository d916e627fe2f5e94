package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// typeRef is the shape clients' standard introspection queries use: nine
// levels of ofType.
const typeRef = `fragment TypeRef on __Type { kind name ` +
	`ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ` +
	`ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } } }`

const standardIntrospection = `query IntrospectionQuery { __schema {
	queryType { name } mutationType { name } subscriptionType { name }
	types { ...FullType }
	directives { name description locations args(includeDeprecated: true) { ...InputValue } } } }
fragment FullType on __Type { kind name description specifiedByURL
	fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
	inputFields(includeDeprecated: true) { ...InputValue }
	interfaces { ...TypeRef }
	enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
	possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
` + typeRef

// nest wraps inner in n levels of field selections.
func nest(field string, n int, inner string) string {
	return strings.Repeat(field+" { ", n) + inner + strings.Repeat(" }", n)
}

func TestDepthLimit(t *testing.T) {
	limit := DepthLimit{Max: 12, MaxIntrospectionLists: 3}
	for _, tc := range []struct {
		name, query string
		ok          bool
	}{
		{"the standard introspection query", standardIntrospection, true},
		{"12 levels", "{ " + nest("a", 11, "b") + " }", true},
		{"13 levels", "{ " + nest("a", 12, "b") + " }", false},
		{"13 levels through fragments", "{ ...F } fragment F on Query { " + nest("a", 12, "b") + " }", false},
		{"ofType 40 deep", `{ __type(name: "Query") { ` + nest("ofType", 40, "name") + ` } }`, true},
		{"ofType past the backstop", `{ __type(name: "Query") { ` + nest("ofType", 70, "name") + ` } }`, false},
		// Lists within lists multiply the answer's size.
		{"fields of fields of fields", `{ __type(name: "Query") { fields { type { fields { type { fields { name } } } } } } }`, true},
		{"four nested lists", `{ __type(name: "Query") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }`, false},
		{"four nested lists in fragments", `{ __schema { types { ...T } } } fragment T on __Type { fields { type { fields { type { fields { name } } } } } }`, false},
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
		gerr := limit.MutateOperationContext(context.Background(), oc)
		if (gerr == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, gerr, tc.ok)
		}
		if gerr != nil && gerr.Extensions["code"] != "invalid_input" {
			t.Errorf("%s: code %v", tc.name, gerr.Extensions["code"])
		}
	}
}
