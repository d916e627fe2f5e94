// Package loader holds per-request dataloaders: each relation the GraphQL
// schema resolves (customer, assignee, last message, message windows, a
// customer's conversations, a membership's workspace) is
// fetched for all parents of a request in one query. Batch functions are
// service methods, so access rules apply to them as to any other read.
package loader

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// wait is how long a loader collects keys before fetching. Sibling fields
// are resolved concurrently, so their keys arrive within microseconds.
const wait = 2 * time.Millisecond

// Loaders are one request's dataloaders.
type Loaders struct {
	Customer      *dataloadgen.Loader[string, *helpium.Customer]
	Agent         *dataloadgen.Loader[string, *helpium.Agent]
	LastMessage   *dataloadgen.Loader[string, *helpium.Message]
	MessageWindow *dataloadgen.Loader[service.MessageWindow, *helpium.MessageConnection]
	Workspace     *dataloadgen.Loader[string, *helpium.Workspace]
	// CustomerConversations: a customer's first conversations.
	CustomerConversations *dataloadgen.Loader[service.CustomerConversations, *helpium.ConversationConnection]
	// Attachments: a message's files.
	Attachments *dataloadgen.Loader[string, []*helpium.Attachment]
	// ReadState: a conversation's read state for the calling agent.
	ReadState *dataloadgen.Loader[string, *helpium.ReadState]
	// Conversation: conversations by id.
	Conversation *dataloadgen.Loader[string, *helpium.Conversation]
}

// list adapts a service batch method returning values in key order.
func list[K comparable, V any](fetch func(context.Context, []K) ([]V, error)) func(context.Context, []K) ([]V, []error) {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		vals, err := fetch(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return vals, nil
	}
}

// New returns fresh loaders over svc.
func New(svc *service.Service) *Loaders {
	opt := dataloadgen.WithWait(wait)
	return &Loaders{
		Customer:              dataloadgen.NewLoader(list(svc.Inbox.CustomersByIDs), opt),
		Agent:                 dataloadgen.NewLoader(list(svc.Inbox.AgentsByIDs), opt),
		LastMessage:           dataloadgen.NewLoader(list(svc.Inbox.LastMessages), opt),
		MessageWindow:         dataloadgen.NewLoader(list(svc.Inbox.MessageWindows), opt),
		Workspace:             dataloadgen.NewLoader(list(svc.Workspaces.WorkspacesByIDs), opt),
		CustomerConversations: dataloadgen.NewLoader(list(svc.Inbox.CustomersConversations), opt),
		Attachments:           dataloadgen.NewLoader(list(svc.Files.MessageAttachments), opt),
		ReadState:             dataloadgen.NewLoader(list(svc.Inbox.ReadStates), opt),
		Conversation:          dataloadgen.NewLoader(list(svc.Inbox.ConversationsByIDs), opt),
	}
}

type ctxKey struct{}

// Middleware gives every request its own loaders, so nothing cached
// crosses requests or callers. WebSocket connections get none: they live
// long, and a subscription event must not see values cached by an earlier
// one.
func Middleware(svc *service.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), New(svc))))
	})
}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the request's loaders, or fresh ones (batching within one
// field only) where the context has none.
func For(ctx context.Context, svc *service.Service) *Loaders {
	if l, ok := ctx.Value(ctxKey{}).(*Loaders); ok {
		return l
	}
	return New(svc)
}
