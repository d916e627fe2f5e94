package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/service"
)

// feedbackApp is a service on a fresh database, without HTTP: a workspace
// with its owner, an admin and an agent, and, when asked for, a search
// index on the test Weaviate holding two published articles.
type feedbackApp struct {
	t     *testing.T
	ctx   context.Context
	svc   *service.Service
	store *db.Store
	now   time.Time // the service's clock
	ws    *helpium.Workspace
	// Callers: the workspace's widget, owner, admin and agent.
	widget, owner, admin, agent context.Context
}

var feedbackKB = []helpium.ArticleInput{
	publishedArticle("reset", "Reset your password", "If you forgot your password, open the sign-in page and choose **Forgot password**. Open the link we email you within 30 minutes and choose a new password."),
	publishedArticle("refund", "Refunds", "We refund unused subscriptions within 14 days of purchase. Go to **Billing → Invoices** and choose **Request refund**."),
}

func publishedArticle(id, title, body string) helpium.ArticleInput {
	published := helpium.ArticlePublished
	return helpium.ArticleInput{ExternalID: &id, Title: title, Body: body, Status: &published}
}

func newFeedbackApp(t *testing.T, withSearch bool) *feedbackApp {
	t.Helper()
	ctx := context.Background()
	bdb, err := db.Open(ctx, dbtest.NewURL(t), db.Options{MaxOpenConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	app := &feedbackApp{t: t, ctx: ctx, store: db.NewStore(bdb), now: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	opt := service.Options{Logger: log, Secrets: apptest.TestKeyring(t), Now: func() time.Time { return app.now }}
	var index *search.Index
	if withSearch {
		wv, err := search.NewWeaviate(apptest.WeaviateURL(t))
		if err != nil {
			t.Fatal(err)
		}
		index = search.NewIndex(wv, apptest.TestEmbedder(t), search.IndexOptions{Cache: app.store})
		opt.Search = index
	}
	app.svc = service.New(app.store, opt)
	o, err := app.svc.Accounts.CreateWorkspaceWithOwner(ctx, "Acme", "")
	if err != nil {
		t.Fatal(err)
	}
	app.ws = o.Workspace
	app.widget = app.widgetOf(o.Workspace)
	app.owner = app.agentWith(o.Token)
	app.admin = app.member(o.Workspace.ID, "ada@acme.test", helpium.RoleAdmin)
	app.agent = app.member(o.Workspace.ID, "ann@acme.test", helpium.RoleAgent)
	if withSearch {
		if _, err := app.svc.Knowledge.ImportArticles(ctx, app.ws.ID, feedbackKB); err != nil {
			t.Fatal(err)
		}
		runIndexer(t, app.store, index, log, app.ws.ID)
	}
	return app
}

// runIndexer drains the search outbox in the background until the test
// ends, and waits until the workspace's articles are indexed.
func runIndexer(t *testing.T, store *db.Store, index *search.Index, log *slog.Logger, workspaceID string) {
	t.Helper()
	ix := search.NewIndexer(store, index, log, search.IndexerOptions{Poll: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(time.Minute)
	for {
		b, err := store.FindOutboxBacklog(context.Background(), workspaceID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d article changes not indexed after a minute (last error: %v)", b.Pending, b.LastError)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// widgetOf is a context acting as the workspace's widget.
func (a *feedbackApp) widgetOf(ws *helpium.Workspace) context.Context {
	return helpium.WithActor(a.ctx, &helpium.Actor{Workspace: ws})
}

// agentWith is a context acting as the agent owning token.
func (a *feedbackApp) agentWith(token string) context.Context {
	a.t.Helper()
	actor, err := a.svc.Accounts.AuthenticateAgentToken(a.ctx, token)
	if err != nil {
		a.t.Fatal(err)
	}
	return helpium.WithActor(a.ctx, actor)
}

// member adds an agent with role to the workspace and acts as them.
func (a *feedbackApp) member(workspaceID, email string, role helpium.Role) context.Context {
	a.t.Helper()
	_, token, _, err := a.svc.Accounts.CreateMember(a.ctx, workspaceID, email, "", role)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.agentWith(token)
}

// workspace creates another workspace, and returns it with its owner.
func (a *feedbackApp) workspace(name string) (*helpium.Workspace, context.Context) {
	a.t.Helper()
	o, err := a.svc.Accounts.CreateWorkspaceWithOwner(a.ctx, name, "")
	if err != nil {
		a.t.Fatal(err)
	}
	return o.Workspace, a.agentWith(o.Token)
}

// kept returns the workspace's kept answers, newest first.
func (a *feedbackApp) kept(workspaceID string) []*helpium.AnswerRecord {
	a.t.Helper()
	recs, err := a.store.FindAnswers(a.ctx, workspaceID, helpium.AnswerFilter{From: a.now.Add(-365 * 24 * time.Hour), To: a.now.Add(time.Hour), Limit: 200})
	if err != nil {
		a.t.Fatal(err)
	}
	return recs
}

// keep stores an answer a widget was given, as the answer step does.
func (a *feedbackApp) keep(workspaceID, question string, answered bool, installationID *string, at time.Time) *helpium.AnswerRecord {
	a.t.Helper()
	rec := &helpium.AnswerRecord{ID: uuid.NewString(), WorkspaceID: workspaceID, Question: question, Locale: "en",
		Answer:         helpium.Answer{Answered: answered, Text: "The answer.", Sources: []helpium.AnswerSource{}, Generator: helpium.GeneratorExtractive},
		InstallationID: installationID, CreatedAt: at}
	if err := a.store.InsertAnswer(a.ctx, rec); err != nil {
		a.t.Fatal(err)
	}
	return rec
}

// code is err's code, or "" for nil.
func code(err error) string {
	if err == nil {
		return ""
	}
	return helpium.ErrorCode(err)
}

func ptr[T any](v T) *T { return &v }

// TestAnswerKeepsWidgetAnswers: every answer a widget is given is kept
// under an id of its own, for the customer's vote and a handover; an
// agent's preview is not.
func TestAnswerKeepsWidgetAnswers(t *testing.T) {
	app := newFeedbackApp(t, true)
	other, otherOwner := app.workspace("Other") // no articles: it refuses
	install := "install-keep-0001"
	ids := map[string]bool{}
	for _, tc := range []struct {
		name        string
		ctx         context.Context
		in          helpium.AnswerInput
		code, field string
		answered    bool
		kept        string // the workspace it is kept in, if any
	}{
		{name: "a widget's answer", ctx: app.widget, in: helpium.AnswerInput{Query: "I forgot my password", InstallationID: &install},
			answered: true, kept: app.ws.ID},
		{name: "the same question from the cache, under a new id", ctx: app.widget, in: helpium.AnswerInput{Query: "i forgot my password!"},
			answered: true, kept: app.ws.ID},
		{name: "a refusal", ctx: app.widgetOf(other), in: helpium.AnswerInput{Query: "I forgot my password"}, kept: other.ID},
		{name: "an agent's preview", ctx: app.owner, in: helpium.AnswerInput{Query: "I forgot my password", WorkspaceID: &app.ws.ID}, answered: true},
		{name: "an agent's preview, as the widget's installation", ctx: app.agent, in: helpium.AnswerInput{Query: "How do I get a refund?", WorkspaceID: &app.ws.ID, InstallationID: &install}, answered: true},
		{name: "an agent naming a conversation", ctx: app.owner, in: helpium.AnswerInput{Query: "refund", WorkspaceID: &app.ws.ID, WidgetToken: ptr("wt_x")},
			code: helpium.EInvalid, field: "widgetToken"},
		{name: "an agent naming no workspace", ctx: app.owner, in: helpium.AnswerInput{Query: "refund"}, code: helpium.EInvalid, field: "workspaceId"},
		{name: "an agent of another workspace", ctx: otherOwner, in: helpium.AnswerInput{Query: "refund", WorkspaceID: &app.ws.ID}, code: helpium.ENotFound},
		{name: "a widget naming another workspace", ctx: app.widget, in: helpium.AnswerInput{Query: "refund", WorkspaceID: &other.ID}, code: helpium.ENotFound},
		{name: "a bad installation id", ctx: app.widget, in: helpium.AnswerInput{Query: "refund", InstallationID: ptr("x")}, code: helpium.EInvalid, field: "installationId"},
		{name: "a blank question", ctx: app.widget, in: helpium.AnswerInput{Query: "  "}, code: helpium.EInvalid, field: "query"},
		{name: "no caller", ctx: app.ctx, in: helpium.AnswerInput{Query: "refund"}, code: helpium.EUnauthenticated},
	} {
		before := map[string]int{app.ws.ID: len(app.kept(app.ws.ID)), other.ID: len(app.kept(other.ID))}
		a, err := app.svc.Knowledge.Answer(tc.ctx, tc.in)
		if code(err) != tc.code || helpium.ErrorField(err) != tc.field {
			t.Errorf("%s: error %v (field %q), want %q on %q", tc.name, err, helpium.ErrorField(err), tc.code, tc.field)
			continue
		}
		after := map[string]int{app.ws.ID: len(app.kept(app.ws.ID)), other.ID: len(app.kept(other.ID))}
		if tc.kept != "" {
			before[tc.kept]++
		}
		if !sameCounts(before, after) {
			t.Errorf("%s: kept answers %v, want %v", tc.name, after, before)
		}
		if err != nil {
			continue
		}
		if a.Answered != tc.answered || a.HandedOver {
			t.Errorf("%s: answered %v, handed over %v", tc.name, a.Answered, a.HandedOver)
		}
		if tc.kept == "" {
			if a.ID != nil {
				t.Errorf("%s: an answer not kept has id %s", tc.name, *a.ID)
			}
			continue
		}
		if a.ID == nil || ids[*a.ID] {
			t.Errorf("%s: id %v, want a new one", tc.name, a.ID)
			continue
		}
		ids[*a.ID] = true
		rec := app.kept(tc.kept)[0]
		if rec.ID != *a.ID || rec.Question != tc.in.Query || deref(rec.InstallationID) != deref(tc.in.InstallationID) ||
			rec.Answer.Answered != a.Answered || rec.Answer.Text != a.Text || len(rec.Answer.Sources) != len(a.Sources) ||
			rec.Answer.Generator != a.Generator || rec.ConversationID != nil || rec.Feedback != nil || !rec.CreatedAt.Equal(app.now) {
			t.Errorf("%s: kept %+v, answered %+v", tc.name, rec, a)
		}
	}
}

func sameCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestAnswerInsideAConversation: asked from a conversation, the AI answers
// until a person has taken over (a handover or an agent's reply); then it
// says so in the customer's language, and nothing is kept.
func TestAnswerInsideAConversation(t *testing.T) {
	app := newFeedbackApp(t, true)
	other, _ := app.workspace("Other")
	start := func(ctx context.Context) *helpium.NewConversation {
		t.Helper()
		nc, err := app.svc.Conversations.CreateConversation(ctx, "Hello", nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return nc
	}
	do := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	handOver := func(token *string) string {
		t.Helper()
		a, err := app.svc.Knowledge.Answer(app.widget, helpium.AnswerInput{Query: "How do I get a refund?"})
		if err != nil || a.ID == nil {
			t.Fatalf("answer to hand over: %+v, %v", a, err)
		}
		nc, err := app.svc.Knowledge.HandOver(app.widget, helpium.HandoverInput{AnswerID: *a.ID, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		return nc.WidgetToken
	}
	for _, tc := range []struct {
		name       string
		token      func() string
		locale     string
		code       string
		handedOver bool
	}{
		{name: "only the customer has written", token: func() string { return start(app.widget).WidgetToken }},
		{name: "an internal note is not a reply", token: func() string {
			nc := start(app.widget)
			do(app.svc.Inbox.AddInternalNote(app.agent, nc.Conversation.ID, "Ask billing", nil))
			return nc.WidgetToken
		}},
		{name: "resolved without a reply", token: func() string {
			nc := start(app.widget)
			do(app.svc.Inbox.SetConversationStatus(app.agent, nc.Conversation.ID, helpium.StatusResolved))
			return nc.WidgetToken
		}},
		{name: "an empty token names no conversation", token: func() string { return "" }},
		{name: "an agent replied", handedOver: true, token: func() string {
			nc := start(app.widget)
			do(app.svc.Inbox.ReplyToConversation(app.agent, nc.Conversation.ID, "I'm here.", nil, nil))
			return nc.WidgetToken
		}},
		{name: "an agent replied, asked in German", locale: "de", handedOver: true, token: func() string {
			nc := start(app.widget)
			do(app.svc.Inbox.ReplyToConversation(app.agent, nc.Conversation.ID, "I'm here.", nil, nil))
			return nc.WidgetToken
		}},
		{name: "an agent replied, asked in a language without a message", locale: "pt-BR", handedOver: true, token: func() string {
			nc := start(app.widget)
			do(app.svc.Inbox.ReplyToConversation(app.agent, nc.Conversation.ID, "I'm here.", nil, nil))
			return nc.WidgetToken
		}},
		{name: "handed over into a new conversation", handedOver: true, token: func() string { return handOver(nil) }},
		{name: "handed over into the customer's conversation", handedOver: true, token: func() string {
			nc := start(app.widget)
			return handOver(&nc.WidgetToken)
		}},
		{name: "handed over, resolved and reopened by the customer", handedOver: true, token: func() string {
			token := handOver(nil)
			c, err := app.svc.Conversations.ConversationByToken(app.widget, token)
			if err != nil {
				t.Fatal(err)
			}
			do(app.svc.Inbox.SetConversationStatus(app.agent, c.ID, helpium.StatusResolved))
			do(app.svc.Conversations.SendMessage(app.widget, token, "One more thing", nil, nil))
			return token
		}},
		{name: "an unknown token", code: helpium.ENotFound, token: func() string { return "wt_" + strings.Repeat("a", 43) }},
		{name: "not a token", code: helpium.ENotFound, token: func() string { return "nope" }},
		{name: "another workspace's conversation", code: helpium.ENotFound, token: func() string { return start(app.widgetOf(other)).WidgetToken }},
	} {
		token := tc.token()
		in := helpium.AnswerInput{Query: "I forgot my password", WidgetToken: &token}
		if tc.locale != "" {
			in.Locale = &tc.locale
		}
		before := len(app.kept(app.ws.ID))
		a, err := app.svc.Knowledge.Answer(app.widget, in)
		if code(err) != tc.code {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.code)
			continue
		}
		kept := len(app.kept(app.ws.ID)) - before
		switch {
		case err != nil:
			if kept != 0 {
				t.Errorf("%s: %d answers kept after an error", tc.name, kept)
			}
		case tc.handedOver:
			locale := tc.locale
			if locale == "" {
				locale = app.ws.Widget.Locale
			}
			if !a.HandedOver || a.Answered || a.ID != nil || a.Text != helpium.HandedOverMessage(locale) ||
				a.Sources == nil || len(a.Sources) != 0 || a.Generator != helpium.GeneratorNone || kept != 0 {
				t.Errorf("%s: %+v (%d kept), want the handed-over message for %s, not kept", tc.name, a, kept, locale)
			}
		default:
			if a.HandedOver || !a.Answered || a.ID == nil || kept != 1 {
				t.Errorf("%s: %+v (%d kept), want an answer, kept", tc.name, a, kept)
			}
		}
	}
	// The messages differ by language: the test above can tell them apart.
	if helpium.HandedOverMessage("de") == helpium.HandedOverMessage("en") || helpium.HandedOverMessage("pt-BR") != helpium.HandedOverMessage("en") {
		t.Error("HandedOverMessage does not follow the locale")
	}
}

func TestRateAnswer(t *testing.T) {
	app := newFeedbackApp(t, false)
	other, otherOwner := app.workspace("Other")
	rec := app.keep(app.ws.ID, "I forgot my password", true, nil, app.now.Add(-time.Minute))
	elsewhere := app.keep(other.ID, "I forgot my password", true, nil, app.now.Add(-time.Minute))
	type vote struct {
		helpful bool
		comment *string
	}
	long := strings.Repeat("é", helpium.MaxFeedbackComment)
	for i, step := range []struct {
		name        string
		ctx         context.Context
		answerID    string
		helpful     bool
		comment     *string
		code, field string
		want        *vote // the vote stored after the step
	}{
		{name: "no, with a comment, trimmed", ctx: app.widget, answerID: rec.ID, comment: ptr("  Still locked out \n"),
			want: &vote{false, ptr("Still locked out")}},
		{name: "a change of mind replaces the vote and its comment", ctx: app.widget, answerID: rec.ID, helpful: true,
			want: &vote{true, nil}},
		{name: "a blank comment is none", ctx: app.widget, answerID: rec.ID, comment: ptr("   "),
			want: &vote{false, nil}},
		{name: "the longest comment", ctx: app.widget, answerID: rec.ID, comment: &long,
			want: &vote{false, &long}},
		{name: "a comment too long", ctx: app.widget, answerID: rec.ID, helpful: true, comment: ptr(long + "x"), code: helpium.EInvalid, field: "comment",
			want: &vote{false, &long}},
		{name: "a comment that is not UTF-8", ctx: app.widget, answerID: rec.ID, helpful: true, comment: ptr("caf\xe9"), code: helpium.EInvalid, field: "comment",
			want: &vote{false, &long}},
		{name: "an unknown answer", ctx: app.widget, answerID: uuid.NewString(), helpful: true, code: helpium.ENotFound,
			want: &vote{false, &long}},
		{name: "not an id", ctx: app.widget, answerID: "nope", helpful: true, code: helpium.ENotFound,
			want: &vote{false, &long}},
		{name: "another workspace's answer", ctx: app.widget, answerID: elsewhere.ID, helpful: true, code: helpium.ENotFound,
			want: &vote{false, &long}},
		{name: "an agent is not the customer", ctx: app.owner, answerID: rec.ID, helpful: true, code: helpium.EUnauthenticated,
			want: &vote{false, &long}},
		{name: "another workspace's owner", ctx: otherOwner, answerID: rec.ID, helpful: true, code: helpium.EUnauthenticated,
			want: &vote{false, &long}},
		{name: "no caller", ctx: app.ctx, answerID: rec.ID, helpful: true, code: helpium.EUnauthenticated,
			want: &vote{false, &long}},
	} {
		app.now = app.now.Add(time.Second)
		fb, err := app.svc.Knowledge.RateAnswer(step.ctx, step.answerID, step.helpful, step.comment)
		if code(err) != step.code || helpium.ErrorField(err) != step.field {
			t.Errorf("%s: error %v (field %q), want %q on %q", step.name, err, helpium.ErrorField(err), step.code, step.field)
			continue
		}
		if err == nil && (fb.AnswerID != rec.ID || fb.Helpful != step.want.helpful || !sameString(fb.Comment, step.want.comment) || !fb.SubmittedAt.Equal(app.now)) {
			t.Errorf("%s: returned %+v", step.name, fb)
		}
		got := app.kept(app.ws.ID)[0].Feedback
		if got == nil || got.Helpful != step.want.helpful || !sameString(got.Comment, step.want.comment) {
			t.Errorf("step %d, %s: stored %+v, want %+v", i, step.name, got, step.want)
		}
	}
	if fb := app.kept(other.ID)[0].Feedback; fb != nil {
		t.Errorf("another workspace's answer got a vote: %+v", fb)
	}
}

func sameString(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// TestContentGapsAccess: the report is for admins and owners, over a
// period that is not empty.
func TestContentGapsAccess(t *testing.T) {
	app := newFeedbackApp(t, true)
	_, otherOwner := app.workspace("Other")
	noSearch := service.New(app.store, service.Options{Secrets: apptest.TestKeyring(t), Now: func() time.Time { return app.now }})
	from, to := app.now.Add(-time.Hour), app.now
	for _, tc := range []struct {
		name        string
		svc         *service.Service
		ctx         context.Context
		workspace   string
		from, to    time.Time
		code, field string
	}{
		{"the owner", app.svc, app.owner, app.ws.ID, from, to, "", ""},
		{"an admin", app.svc, app.admin, app.ws.ID, from, to, "", ""},
		{"an agent", app.svc, app.agent, app.ws.ID, from, to, helpium.EForbidden, ""},
		{"another workspace's owner", app.svc, otherOwner, app.ws.ID, from, to, helpium.ENotFound, ""},
		{"not a workspace id", app.svc, app.owner, "nope", from, to, helpium.ENotFound, ""},
		{"the widget", app.svc, app.widget, app.ws.ID, from, to, helpium.EUnauthenticated, ""},
		{"no caller", app.svc, app.ctx, app.ws.ID, from, to, helpium.EUnauthenticated, ""},
		{"to before from", app.svc, app.admin, app.ws.ID, to, from, helpium.EInvalid, "to"},
		{"an empty period", app.svc, app.admin, app.ws.ID, from, from, helpium.EInvalid, "to"},
		{"an agent on a server without search", noSearch, app.agent, app.ws.ID, from, to, helpium.EForbidden, ""},
		{"an empty period on a server without search", noSearch, app.admin, app.ws.ID, from, from, helpium.EInvalid, "to"},
		{"an admin on a server without search", noSearch, app.admin, app.ws.ID, from, to, helpium.ESearchUnavailable, ""},
	} {
		rep, err := tc.svc.Knowledge.ContentGaps(tc.ctx, tc.workspace, tc.from, tc.to)
		if code(err) != tc.code || helpium.ErrorField(err) != tc.field {
			t.Errorf("%s: error %v (field %q), want %q on %q", tc.name, err, helpium.ErrorField(err), tc.code, tc.field)
			continue
		}
		if err == nil && (rep.Clusters == nil || !rep.From.Equal(tc.from) || !rep.To.Equal(tc.to)) {
			t.Errorf("%s: report %+v", tc.name, rep)
		}
	}
}

// TestContentGaps: the refused and down-voted questions of the period,
// repeats counted once per group with their number, and the deflection of
// the answers given in it.
func TestContentGaps(t *testing.T) {
	app := newFeedbackApp(t, true)
	other, _ := app.workspace("Other")
	from, to := app.now.Add(-time.Hour), app.now.Add(time.Minute)
	ago := func(min int) time.Time { return app.now.Add(-time.Duration(min) * time.Minute) }
	voteNo := func(r *helpium.AnswerRecord) {
		if _, err := app.store.SaveAnswerFeedback(app.ctx, r.WorkspaceID, r.ID, false, nil, r.CreatedAt); err != nil {
			t.Fatal(err)
		}
	}
	browser := "install-gaps-0001"
	// Gaps: a question refused three times, written three ways that
	// normalise alike, and one answered but voted "no".
	app.keep(app.ws.ID, "how do i export my data to csv", false, nil, ago(40))
	app.keep(app.ws.ID, "How do I export my data to CSV??", false, nil, ago(30))
	app.keep(app.ws.ID, "How do I export my data to CSV?", false, nil, ago(10))
	voteNo(app.keep(app.ws.ID, "Do you ship to Canada?", true, &browser, ago(20)))
	// Not gaps: helped, or not voted on.
	app.keep(app.ws.ID, "How do I reset my password?", true, nil, ago(25))
	app.keep(app.ws.ID, "How do I get a refund?", true, nil, ago(15))
	// Outside the period, or another workspace's.
	app.keep(app.ws.ID, "What is your phone number?", false, nil, ago(61))
	app.keep(app.ws.ID, "Do you have gift cards?", false, nil, to)
	app.keep(other.ID, "Can I pay with PayPal?", false, nil, ago(5))
	// The browser that was told about Canada starts a conversation.
	if _, err := app.svc.Conversations.CreateConversation(app.widget, "About shipping to Canada", nil, &browser, nil); err != nil {
		t.Fatal(err)
	}

	rep, err := app.svc.Knowledge.ContentGaps(app.admin, app.ws.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	for _, c := range rep.Clusters {
		groups = append(groups, fmt.Sprint(c.Size, c.Examples))
		if c.Articles == nil || len(c.Articles) > 3 {
			t.Errorf("%v: articles %+v, want at most 3", c.Examples, c.Articles)
		}
	}
	want := []string{"3 [How do I export my data to CSV?]", "1 [Do you ship to Canada?]"}
	if rep.Questions != 4 || !slices.Equal(groups, want) {
		t.Errorf("%d questions in groups %q; want 4 in %q", rep.Questions, groups, want)
	}
	// Three answers given (refusals aside), one followed by a
	// conversation from the same browser.
	if d := rep.Deflection; d.Answers != 3 || d.LedToConversation != 1 || d.Rate() == nil || *d.Rate() != 0.6667 {
		t.Errorf("deflection %+v, want 3 answers, 1 led to a conversation", d)
	}

	// A period without gaps has no groups, and an empty list rather than
	// none.
	rep, err = app.svc.Knowledge.ContentGaps(app.owner, app.ws.ID, ago(24), ago(21))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 0 || rep.Clusters == nil || len(rep.Clusters) != 0 || rep.Deflection.Answers != 0 {
		t.Errorf("a period without gaps: %+v", rep)
	}
}
