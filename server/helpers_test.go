package server_test

import (
	"context"

	"github.com/helpium/helpium"
)

func withActor(a *helpium.Actor) context.Context {
	return helpium.WithActor(context.Background(), a)
}
