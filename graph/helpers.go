package graph

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/graph/loader"
	"github.com/helpium/helpium/service"
)

// loadOptional loads key through l, or returns nil for a nil key.
func loadOptional[V any](ctx context.Context, l *dataloadgen.Loader[string, *V], key *string) (*V, error) {
	if key == nil {
		return nil, nil
	}
	return l.Load(ctx, *key)
}

func (r *Resolver) loaders(ctx context.Context) *loader.Loaders { return loader.For(ctx, r.Service) }

// conversationMessages pages a conversation's messages: windows without a
// cursor (the inbox preview) are batched across conversations.
func (r *Resolver) conversationMessages(ctx context.Context, c *helpium.Conversation, page helpium.Page) (*helpium.MessageConnection, error) {
	if page.After == nil && page.Before == nil {
		n, fromEnd, err := page.Size()
		if err != nil {
			return nil, err
		}
		return r.loaders(ctx).MessageWindow.Load(ctx, service.MessageWindow{ConversationID: c.ID, N: n, FromEnd: fromEnd})
	}
	return r.Service.ConversationMessages(ctx, c.ID, page)
}

func orderOrDefault(o *helpium.ConversationOrder) helpium.ConversationOrder {
	if o == nil {
		return helpium.ConversationOrder{Field: helpium.OrderUpdatedAt, Direction: helpium.Desc}
	}
	return *o
}

func filterOrEmpty(f *helpium.ConversationFilter) helpium.ConversationFilter {
	if f == nil {
		return helpium.ConversationFilter{}
	}
	return *f
}
