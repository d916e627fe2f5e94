// Package graph is Helpium's GraphQL layer: gqlgen's generated executor,
// resolvers that each make one service call, and the error presenter.
package graph

//go:generate go run github.com/99designs/gqlgen generate

import "github.com/helpium/helpium/service"

// Resolver holds the resolvers' dependencies. It is never regenerated.
type Resolver struct {
	Service *service.Service
}
