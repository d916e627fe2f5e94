// Package graph is Helpium's GraphQL layer: gqlgen's generated executor,
// resolvers that each make one service call, and the error presenter.
package graph

//go:generate go tool gqlgen generate

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// Resolver holds the resolvers' dependencies. It is never regenerated.
type Resolver struct {
	Service *service.Service
}

// NewSchema returns the executable schema with complexity costs that scale
// with page sizes, so a query asking for 100 conversations × 100 messages
// costs what it will cost to run.
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	cfg := Config{Resolvers: r}
	page := func(child int, first, last *int) int {
		n := helpium.DefaultPageSize
		if first != nil {
			n = *first
		} else if last != nil {
			n = *last
		}
		return 1 + child*max(n, 1)
	}
	cfg.Complexity.Conversation.Messages = func(child int, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	cfg.Complexity.Customer.Conversations = func(child int, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	cfg.Complexity.Query.Conversations = func(child int, _ string, _ *helpium.ConversationFilter, _ *helpium.ConversationOrder, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	cfg.Complexity.Query.Customers = func(child int, _ string, _ *string, first *int, _ *string) int {
		return page(child, first, nil)
	}
	cfg.Complexity.Query.Articles = func(child int, _ string, _ *helpium.ArticleFilter, first *int, _ *string) int {
		return page(child, first, nil)
	}
	cfg.Complexity.Query.WidgetMessages = func(child int, _ string, _ *string, limit *int) int {
		return page(child, limit, nil)
	}
	return NewExecutableSchema(cfg)
}
