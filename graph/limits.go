package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpium/helpium"
)

// DepthLimit refuses operations whose selections nest deeper than Max, before
// any resolver runs. Introspection (the fields under __schema and __type)
// answers from the schema in memory, and clients' standard introspection
// query nests 15 levels or more, most of them ofType chains whose answers
// end with the type's real wrapping: so an introspection subtree counts as
// one level, and is limited instead by how deeply it nests the
// introspection types' lists (types, fields, args...), which multiply the
// size of the answer: at most MaxIntrospectionLists (3 for the standard
// query), within a backstop of 64 levels in all.
type DepthLimit struct{ Max, MaxIntrospectionLists int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

// ExtensionName implements graphql.HandlerExtension.
func (DepthLimit) ExtensionName() string { return "DepthLimit" }

// Validate implements graphql.HandlerExtension.
func (DepthLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (d DepthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	depth := measure(oc.Operation.SelectionSet, oc.Doc.Fragments, false, 0)
	var err *gqlerror.Error
	switch {
	case depth.regular > d.Max:
		err = gqlerror.Errorf("The query is nested %d levels deep; the limit is %d.", depth.regular, d.Max)
	case depth.lists > d.MaxIntrospectionLists:
		err = gqlerror.Errorf("The introspection query nests lists %d deep; the limit is %d.", depth.lists, d.MaxIntrospectionLists)
	case depth.total > maxTotalDepth:
		err = gqlerror.Errorf("The query is nested %d levels deep; the limit is %d.", depth.total, maxTotalDepth)
	default:
		return nil
	}
	err.Extensions = map[string]any{"code": helpium.EInvalid}
	return err
}

const maxTotalDepth = 64

// introspectionLists are the list fields of the introspection types.
var introspectionLists = map[string]bool{
	"types": true, "fields": true, "inputFields": true, "interfaces": true,
	"possibleTypes": true, "enumValues": true, "args": true, "directives": true,
}

// depth is how deeply a selection set nests: regular levels (an
// introspection subtree counting one), nested introspection lists, and all
// levels.
type depth struct{ regular, lists, total int }

func measure(set ast.SelectionSet, frags ast.FragmentDefinitionList, introspection bool, seen int) depth {
	var out depth
	if seen > maxTotalDepth { // fragment cycles are rejected by validation; this is a backstop
		out.total = seen
		return out
	}
	for _, sel := range set {
		var d depth
		switch s := sel.(type) {
		case *ast.Field:
			in := introspection || s.Name == "__schema" || s.Name == "__type"
			child := measure(s.SelectionSet, frags, in, seen+1)
			d = depth{regular: 1 + child.regular, lists: child.lists, total: 1 + child.total}
			if in {
				d.regular = 1
				if introspectionLists[s.Name] && len(s.SelectionSet) > 0 {
					d.lists++
				}
			}
		case *ast.InlineFragment:
			d = measure(s.SelectionSet, frags, introspection, seen+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = measure(f.SelectionSet, frags, introspection, seen+1)
			}
		}
		out.regular, out.lists, out.total = max(out.regular, d.regular), max(out.lists, d.lists), max(out.total, d.total)
	}
	return out
}
