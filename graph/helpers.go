package graph

import (
	"context"
	"sort"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/vikstrous/dataloadgen"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/graph/loader"
	"github.com/helpium/helpium/graph/model"
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
	return r.Service.Inbox.ConversationMessages(ctx, c.ID, page)
}

// customerConversations pages a customer's conversations: pages without a
// cursor (a customer list's preview) are batched across customers.
func (r *Resolver) customerConversations(ctx context.Context, c *helpium.Customer, page helpium.Page) (*helpium.ConversationConnection, error) {
	if page.After == nil && page.Before == nil && page.Last == nil {
		n, _, err := page.Size()
		if err != nil {
			return nil, err
		}
		return r.loaders(ctx).CustomerConversations.Load(ctx, service.CustomerConversations{WorkspaceID: c.WorkspaceID, CustomerID: c.ID, N: n})
	}
	return r.Service.Inbox.Conversations(ctx, c.WorkspaceID, helpium.ConversationFilter{CustomerID: &c.ID}, orderOrDefault(nil), page, helpium.ConversationInclude{})
}

// membershipWorkspace loads a membership's workspace, batched across the
// caller's memberships; one the caller has left meanwhile is not found.
func (r *Resolver) membershipWorkspace(ctx context.Context, m *helpium.Membership) (*helpium.Workspace, error) {
	ws, err := r.loaders(ctx).Workspace.Load(ctx, m.WorkspaceID)
	if err == nil && ws == nil {
		err = helpium.Errorf(helpium.ENotFound, "Workspace not found.")
	}
	return ws, err
}

func orderOrDefault(o *helpium.ConversationOrder) helpium.ConversationOrder {
	if o == nil {
		return helpium.DefaultConversationOrder
	}
	return *o
}

func filterOrEmpty(f *helpium.ConversationFilter) helpium.ConversationFilter {
	if f == nil {
		return helpium.ConversationFilter{}
	}
	return *f
}

// inboxLookahead is what a conversations query asks for beyond the page:
// the relations its statement reads, the fields of each node, and whether
// it counts them all.
type inboxLookahead struct {
	include helpium.ConversationInclude
	node    []graphql.CollectedField
	count   bool
}

// inboxSelection looks ahead at the fields requested under conversations.
func inboxSelection(ctx context.Context) (sel inboxLookahead) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return sel
	}
	oc := graphql.GetOperationContext(ctx)
	for _, e := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		switch e.Name {
		case "totalCount":
			sel.count = true
		case "edges":
			for _, n := range graphql.CollectFields(oc, e.Selections, nil) {
				if n.Name == "node" {
					sel.node = append(sel.node, graphql.CollectFields(oc, n.Selections, nil)...)
				}
			}
		}
	}
	for _, f := range sel.node {
		switch f.Name {
		case "customer":
			sel.include.Customer = true
		case "assignee":
			sel.include.Assignee = true
		case "lastMessage":
			sel.include.LastMessage = true
		}
	}
	return sel
}

// preloadInbox primes the request's loaders with the relations read with
// the page, and reads what the page's statement does not (message windows,
// the total count) for the whole page at once. The per-node resolvers then
// find everything cached, so the number of queries does not depend on the
// page size or on scheduling.
func (r *Resolver) preloadInbox(ctx context.Context, conn *helpium.ConversationConnection, sel inboxLookahead) error {
	if len(conn.Edges) == 0 {
		return nil
	}
	l := r.loaders(ctx)
	if rel := conn.Related; rel != nil {
		for _, e := range conn.Edges {
			c := e.Node
			if rel.Customers != nil && c.CustomerID != nil {
				l.Customer.Prime(*c.CustomerID, rel.Customers[c.ID])
			}
			if rel.Assignees != nil && c.AssigneeID != nil {
				l.Agent.Prime(*c.AssigneeID, rel.Assignees[c.ID])
			}
			if rel.LastMessages != nil {
				l.LastMessage.Prime(c.ID, rel.LastMessages[c.ID])
			}
		}
	}
	var jobs []func() error
	if sel.count && conn.Count != nil {
		// Counted alongside the message windows; the field then reads the
		// remembered result.
		jobs = append(jobs, func() error { _, err := conn.Count(); return err })
	}
	oc := graphql.GetOperationContext(ctx)
	for _, f := range sel.node {
		if f.Name != "messages" {
			continue
		}
		args := f.ArgumentMap(oc.Variables)
		page := helpium.Page{First: intArg(args["first"]), Last: intArg(args["last"])}
		if args["after"] != nil || args["before"] != nil {
			continue
		}
		n, fromEnd, err := page.Size()
		if err != nil {
			continue // the field resolver reports it
		}
		keys := make([]service.MessageWindow, len(conn.Edges))
		for i, e := range conn.Edges {
			keys[i] = service.MessageWindow{ConversationID: e.Node.ID, N: n, FromEnd: fromEnd}
		}
		jobs = append(jobs, func() error { return prime(ctx, l.MessageWindow, keys, r.Service.Inbox.MessageWindows) })
	}
	errs := make(chan error, len(jobs))
	for _, job := range jobs {
		go func() { errs <- job() }()
	}
	var first error
	for range jobs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// prime fetches keys with fetch and stores the results in l's cache.
func prime[K comparable, V any](ctx context.Context, l *dataloadgen.Loader[K, V], keys []K, fetch func(context.Context, []K) ([]V, error)) error {
	if len(keys) == 0 {
		return nil
	}
	vals, err := fetch(ctx, keys)
	if err != nil {
		return err
	}
	for i, k := range keys {
		l.Prime(k, vals[i])
	}
	return nil
}

func intArg(v any) *int {
	switch n := v.(type) {
	case int:
		return &n
	case int64:
		i := int(n)
		return &i
	case *int:
		return n
	}
	return nil
}

// localizedMessages lists a locale → message map, sorted by locale.
func localizedMessages(m map[string]string) []*model.LocalizedMessage {
	out := make([]*model.LocalizedMessage, 0, len(m))
	for loc, msg := range m {
		out = append(out, &model.LocalizedMessage{Locale: loc, Message: msg})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Locale < out[j].Locale })
	return out
}

// messageMap turns input messages into a map; nil stays nil (no change).
func messageMap(in []*model.LocalizedMessageInput) map[string]string {
	if in == nil {
		return nil
	}
	m := make(map[string]string, len(in))
	for _, x := range in {
		m[x.Locale] = x.Message
	}
	return m
}

// deref is *p, or def for nil.
func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// uploads turns the files of a multipart request into the service's.
func uploads(files []*graphql.Upload) []helpium.Upload {
	out := make([]helpium.Upload, 0, len(files))
	for _, f := range files {
		if f != nil {
			out = append(out, helpium.Upload{Filename: f.Filename, DeclaredType: f.ContentType, Content: f.File})
		}
	}
	return out
}

// readState returns a conversation's read state as the caller sees it:
// the one the service set already, the widget's, or the calling agent's
// through the request's loader.
func readState(ctx context.Context, svc *service.Service, c *helpium.Conversation) (*helpium.ReadState, error) {
	if c.Read != nil {
		return c.Read, nil
	}
	if a := helpium.ActorFrom(ctx); a != nil && a.Agent == nil {
		return svc.Conversations.WidgetReadState(ctx, c)
	}
	return loader.For(ctx, svc).ReadState.Load(ctx, c.ID)
}

// answerFilter builds the answers query's filter; from defaults to the
// beginning, to to now (the service's).
func answerFilter(helpful, answered *bool, from, to *time.Time, first *int) helpium.AnswerFilter {
	f := helpium.AnswerFilter{Helpful: helpful, Answered: answered, Limit: 50}
	if from != nil {
		f.From = *from
	}
	if to != nil {
		f.To = *to
	}
	if first != nil {
		f.Limit = *first
	}
	return f
}
