package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/helpium/helpium"
)

// DocumentGuard refuses a document before gqlgen validates it, whatever its
// caller: validation compares the fields of a selection set pairwise, so a
// document of thousands of repeated fields ({ __typename __typename ... })
// costs seconds of CPU before any authentication. It parses the document
// (linear time, at most MaxTokens tokens) and refuses, as invalid_input:
//   - a selection set of more than MaxSelections fields, or a document of
//     more than MaxFields;
//   - an operation that selects one of the Once root fields more than once
//     (aliases included): each is an expensive or guessable operation (a
//     login or other account operation, an invitation, a search, an
//     answer, an identify, a conversation or message), and a request gets
//     one of each, so that aliases cannot multiply what
//     the per-request rate limits allow.
//
// Documents it accepts are remembered (by their text), so a repeated one is
// not parsed twice. Register it after the persisted-query extension, which
// fills in the document's text.
type DocumentGuard struct {
	MaxTokens, MaxSelections, MaxFields int
	Once                                []string
	accepted                            *lru.LRU[bool]
}

// NewDocumentGuard returns the guard with the limits the server uses.
func NewDocumentGuard() *DocumentGuard {
	return &DocumentGuard{
		MaxTokens: 10_000, MaxSelections: 100, MaxFields: 2_000,
		Once: []string{"login", "searchArticles", "answer", "identify", "createConversation", "sendMessage",
			"changePassword", "requestPasswordReset", "resetPassword", "acceptInvitation", "inviteAgent"},
		accepted: lru.New[bool](1000),
	}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*DocumentGuard)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (*DocumentGuard) ExtensionName() string { return "DocumentGuard" }

// Validate implements graphql.HandlerExtension.
func (*DocumentGuard) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (g *DocumentGuard) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if raw.Query == "" {
		return nil // gqlgen reports the missing document
	}
	if _, ok := g.accepted.Get(ctx, raw.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: raw.Query}, g.MaxTokens)
	if err != nil {
		// A syntax error is gqlgen's to report; too many tokens is ours,
		// and gqlgen's parser has the same limit (SetParserTokenLimit).
		return nil
	}
	if msg := g.check(doc); msg != "" {
		e := gqlerror.Errorf("%s", msg)
		e.Extensions = map[string]any{"code": helpium.EInvalid}
		return e
	}
	g.accepted.Add(ctx, raw.Query, true)
	return nil
}

// check returns why doc is refused, or "".
func (g *DocumentGuard) check(doc *ast.QueryDocument) string {
	fields := 0
	var walk func(set ast.SelectionSet) string
	walk = func(set ast.SelectionSet) string {
		if n := countFields(set); n > g.MaxSelections {
			return fmt.Sprintf("A selection set has %d fields; the limit is %d.", n, g.MaxSelections)
		}
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if fields++; fields > g.MaxFields {
					return fmt.Sprintf("The document selects more than %d fields.", g.MaxFields)
				}
				if msg := walk(s.SelectionSet); msg != "" {
					return msg
				}
			case *ast.InlineFragment:
				if msg := walk(s.SelectionSet); msg != "" {
					return msg
				}
			}
		}
		return ""
	}
	for _, f := range doc.Fragments {
		if msg := walk(f.SelectionSet); msg != "" {
			return msg
		}
	}
	for _, op := range doc.Operations {
		if msg := walk(op.SelectionSet); msg != "" {
			return msg
		}
		counts := map[string]int{}
		rootFields(op.SelectionSet, doc.Fragments, counts, 0)
		for _, name := range g.Once {
			if counts[name] > 1 {
				return fmt.Sprintf("An operation may select %s once; this one does %d times.", name, counts[name])
			}
		}
	}
	return ""
}

// countFields counts the fields of one selection set, inline fragments
// included (what validation compares pairwise).
func countFields(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n++
		case *ast.InlineFragment:
			n += countFields(s.SelectionSet)
		}
	}
	return n
}

// rootFields counts the operation's root fields by name, through fragments.
func rootFields(set ast.SelectionSet, frags ast.FragmentDefinitionList, counts map[string]int, depth int) {
	if depth > 16 { // fragment cycles are refused by validation
		return
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			counts[s.Name]++
		case *ast.InlineFragment:
			rootFields(s.SelectionSet, frags, counts, depth+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				rootFields(f.SelectionSet, frags, counts, depth+1)
			}
		}
	}
}
