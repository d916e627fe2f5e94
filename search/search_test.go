package search_test

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/internal/devstack"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/service"
)

// helpCenter is a small knowledge base written for these tests.
var helpCenter = []helpium.ArticleInput{
	article("pw", "Reset your password", "If you forgot your password, choose **Forgot password?** on the sign-in screen.\n\n## The email\nWe send a link that works for 30 minutes. Check your spam folder if it does not arrive."),
	article("ship", "Shipping times", "Standard shipping takes 2 to 4 working days.\n\n## Express\nOrders placed before 15:00 arrive the next working day."),
	article("refund", "Refunds for returned items", "Once the warehouse receives your return, the refund reaches your card within 5 working days."),
	article("cards", "Payment methods", "We accept credit cards, debit cards and PayPal. Apple Pay works in the mobile app."),
}

func article(id, title, body string) helpium.ArticleInput {
	published := helpium.ArticlePublished
	return helpium.ArticleInput{ExternalID: &id, Title: title, Body: body, Status: &published}
}

type searchResponse struct {
	Results []struct {
		ArticleID string  `json:"article_id"`
		Title     string  `json:"title"`
		URL       *string `json:"url"`
		Snippet   string  `json:"snippet"`
		Score     float64 `json:"score"`
	} `json:"results"`
}

func (r searchResponse) titles() []string {
	var out []string
	for _, x := range r.Results {
		out = append(out, x.Title)
	}
	return out
}

func restSearch(t *testing.T, app *apptest.App, key string, body any) searchResponse {
	t.Helper()
	res := app.Request(t, http.MethodPost, "/api/customer/search", key, body)
	if res.Status != http.StatusOK {
		t.Fatalf("search %v: status %d %s", body, res.Status, res.Body)
	}
	var out searchResponse
	res.JSON(t, &out)
	return out
}

func importKB(t *testing.T, app *apptest.App, ws *helpium.Workspace, in []helpium.ArticleInput) *helpium.ImportResult {
	t.Helper()
	res, err := app.Service.Knowledge.ImportArticles(context.Background(), ws.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	app.WaitIndexed(t, ws.ID, time.Minute)
	return res
}

func TestImportAndSearch(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(t, "Acme")
	if res := importKB(t, app, ws, helpCenter); res.Created != 4 {
		t.Fatalf("import = %+v, want 4 created", res)
	}

	got := restSearch(t, app, ws.APIKey, map[string]any{"query": "I can't get into my account"})
	if len(got.Results) == 0 || got.Results[0].Title != "Reset your password" {
		t.Fatalf("results %v, want Reset your password first", got.titles())
	}
	first := got.Results[0]
	if first.Snippet == "" || len([]rune(first.Snippet)) > 300 || first.Score <= 0 || first.Score > 1 || first.ArticleID == "" {
		t.Errorf("result %+v: want a snippet of at most 300 characters and a score in (0, 1]", first)
	}
	if got := restSearch(t, app, ws.APIKey, map[string]any{"query": "express delivery cutoff time", "limit": 1}); len(got.Results) != 1 || got.Results[0].Title != "Shipping times" {
		t.Errorf("limit 1: %v, want [Shipping times]", got.titles())
	}
	if got := restSearch(t, app, ws.APIKey, map[string]any{"query": "password", "locale": "de"}); len(got.Results) != 0 {
		t.Errorf("locale de: %v, want nothing", got.titles())
	}
	// Unrelated questions fall below the relevance threshold.
	if got := restSearch(t, app, ws.APIKey, map[string]any{"query": "zxqv blorf"}); len(got.Results) != 0 {
		t.Errorf("nonsense query: %v, want nothing", got.titles())
	}

	// Re-importing updates by external id instead of duplicating.
	changed := append([]helpium.ArticleInput(nil), helpCenter...)
	changed[1] = article("ship", "Delivery times", "Standard delivery takes 2 to 4 working days.\n\n## Express\nOrders placed before 15:00 arrive the next working day.")
	res := importKB(t, app, ws, changed)
	if res.Created != 0 || res.Updated != 1 || res.Unchanged != 3 {
		t.Errorf("re-import = %+v, want 1 updated, 3 unchanged", res)
	}
	got = restSearch(t, app, ws.APIKey, map[string]any{"query": "express orders next working day", "limit": 20})
	if n := strings.Count(strings.Join(got.titles(), "|"), "times"); n != 1 || got.Results[0].Title != "Delivery times" {
		t.Errorf("after re-import: %v, want Delivery times once", got.titles())
	}

	// The same search over GraphQL, for the widget.
	var data struct {
		SearchArticles struct {
			Results []struct{ ArticleID, Title, Snippet string }
		}
	}
	if errs := app.GraphQL(t, ws.APIKey, `query($q: String!) { searchArticles(query: $q) { results { articleId title snippet score } } }`,
		map[string]any{"q": "forgot my login password"}, &data); len(errs) > 0 {
		t.Fatalf("graphql: %v", errs)
	}
	if len(data.SearchArticles.Results) == 0 || data.SearchArticles.Results[0].Title != "Reset your password" {
		t.Errorf("graphql results %+v", data.SearchArticles.Results)
	}
}

func TestAgentSearchAndArticleAdmin(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(t, "Acme")
	admin := app.Member(t, ws.ID, "admin@acme.test", helpium.RoleAdmin)
	agent := app.Member(t, ws.ID, "agent@acme.test", helpium.RoleAgent)

	var created struct {
		CreateArticle struct{ ID, Slug, Status string }
	}
	errs := app.AgentGraphQL(t, admin.Token, `mutation($in: CreateArticleInput!) { createArticle(input: $in) { id slug status } }`,
		map[string]any{"in": map[string]any{"workspaceId": ws.ID, "title": "Cancel your subscription", "body": "Open **Settings > Plan** and choose Cancel. You keep access until the end of the paid period.", "tags": []string{"Billing"}}}, &created)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	a := created.CreateArticle
	if a.Slug != "cancel-your-subscription" || a.Status != "DRAFT" {
		t.Fatalf("created %+v, want derived slug and DRAFT", a)
	}
	// Agents read but do not write.
	if errs := app.AgentGraphQL(t, agent.Token, `mutation($id: ID!) { publishArticle(id: $id) { id } }`, map[string]any{"id": a.ID}, nil); len(errs) == 0 || errs[0].Code() != helpium.EForbidden {
		t.Fatalf("agent publish: %v, want forbidden", errs)
	}
	app.WaitIndexed(t, ws.ID, time.Minute)

	agentSearch := func(includeDrafts bool) []string {
		var out struct {
			SearchArticles struct{ Results []struct{ Title string } }
		}
		if errs := app.AgentGraphQL(t, agent.Token, `query($ws: ID!, $d: Boolean) { searchArticles(workspaceId: $ws, query: "how do I stop my plan", includeDrafts: $d) { results { title } } }`,
			map[string]any{"ws": ws.ID, "d": includeDrafts}, &out); len(errs) > 0 {
			t.Fatal(errs)
		}
		var titles []string
		for _, r := range out.SearchArticles.Results {
			titles = append(titles, r.Title)
		}
		return titles
	}
	widget := func() []string {
		return restSearch(t, app, ws.APIKey, map[string]any{"query": "how do I stop my plan"}).titles()
	}
	if got := agentSearch(true); len(got) != 1 {
		t.Errorf("agent with drafts: %v, want the draft", got)
	}
	if got := agentSearch(false); len(got) != 0 {
		t.Errorf("agent without drafts: %v, want nothing", got)
	}
	if got := widget(); len(got) != 0 {
		t.Errorf("widget sees a draft: %v", got)
	}
	if errs := app.GraphQL(t, ws.APIKey, `{ searchArticles(query: "plan", includeDrafts: true) { results { title } } }`, nil, nil); len(errs) == 0 || errs[0].Code() != helpium.EForbidden {
		t.Errorf("widget asking for drafts: %v, want forbidden", errs)
	}

	mutate := func(op string) {
		t.Helper()
		if errs := app.AgentGraphQL(t, admin.Token, `mutation($id: ID!) { `+op+`(id: $id) { id } }`, map[string]any{"id": a.ID}, nil); len(errs) > 0 {
			t.Fatalf("%s: %v", op, errs)
		}
		app.WaitIndexed(t, ws.ID, time.Minute)
	}
	mutate("publishArticle")
	if got := widget(); len(got) != 1 || got[0] != "Cancel your subscription" {
		t.Fatalf("published: widget sees %v", got)
	}
	mutate("unpublishArticle")
	if got := widget(); len(got) != 0 {
		t.Errorf("unpublished: widget still sees %v", got)
	}
	mutate("publishArticle")
	if errs := app.AgentGraphQL(t, admin.Token, `mutation($id: ID!) { deleteArticle(id: $id) }`, map[string]any{"id": a.ID}, nil); len(errs) > 0 {
		t.Fatal(errs)
	}
	app.WaitIndexed(t, ws.ID, time.Minute)
	if got := widget(); len(got) != 0 {
		t.Errorf("deleted: widget still sees %v", got)
	}
	if got := agentSearch(true); len(got) != 0 {
		t.Errorf("deleted: agent still sees %v", got)
	}

	// Listing with filters and a count.
	for _, in := range helpCenter {
		if _, err := app.Service.Knowledge.ImportArticles(context.Background(), ws.ID, []helpium.ArticleInput{in}); err != nil {
			t.Fatal(err)
		}
	}
	var list struct {
		Articles struct {
			TotalCount int
			Edges      []struct{ Node struct{ Title string } }
			PageInfo   struct{ HasNextPage bool }
		}
	}
	if errs := app.AgentGraphQL(t, agent.Token, `query($ws: ID!) { articles(workspaceId: $ws, filter: {status: PUBLISHED, text: "working days"}, first: 1) { totalCount edges { node { title } } pageInfo { hasNextPage } } }`,
		map[string]any{"ws": ws.ID}, &list); len(errs) > 0 {
		t.Fatal(errs)
	}
	if list.Articles.TotalCount != 2 || len(list.Articles.Edges) != 1 || !list.Articles.PageInfo.HasNextPage {
		t.Errorf("articles = %+v, want 2 in total, 1 on the page", list.Articles)
	}
}

func TestArticleValidation(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{BM25Only: true})
	ws := app.Workspace(t, "Acme")
	admin := app.Member(t, ws.ID, "admin@acme.test", helpium.RoleAdmin)
	tests := []struct {
		name  string
		in    map[string]any
		code  string
		field string
	}{
		{"blank title", map[string]any{"title": "  ", "body": "x"}, helpium.EInvalid, "input.title"},
		{"blank body", map[string]any{"title": "T", "body": ""}, helpium.EInvalid, "input.body"},
		{"bad slug", map[string]any{"title": "T", "body": "x", "slug": "Not A Slug"}, helpium.EInvalid, "input.slug"},
		{"bad locale", map[string]any{"title": "T", "body": "x", "locale": "english!"}, helpium.EInvalid, "input.locale"},
		{"bad url", map[string]any{"title": "T", "body": "x", "url": "javascript:alert(1)"}, helpium.EInvalid, "input.url"},
		{"long tag", map[string]any{"title": "T", "body": "x", "tags": []string{strings.Repeat("t", 51)}}, helpium.EInvalid, "input.tags[0]"},
		{"ok", map[string]any{"title": "Taken", "body": "x"}, "", ""},
		{"slug taken", map[string]any{"title": "Taken!", "body": "y"}, helpium.EConflict, "input.slug"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in["workspaceId"] = ws.ID
			errs := app.AgentGraphQL(t, admin.Token, `mutation($in: CreateArticleInput!) { createArticle(input: $in) { id } }`, map[string]any{"in": tt.in}, nil)
			if tt.code == "" {
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Code() != tt.code || errs[0].Extensions["field"] != tt.field {
				t.Fatalf("errors %+v, want %s on %s", errs, tt.code, tt.field)
			}
		})
	}
}

func TestSearchValidation(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{BM25Only: true})
	ws := app.Workspace(t, "Acme")
	tests := []struct {
		name  string
		body  any
		want  int
		field string
	}{
		{"missing query", map[string]any{}, 422, "query"},
		{"blank query", map[string]any{"query": " \n\t "}, 422, "query"},
		{"500 characters is fine", map[string]any{"query": strings.Repeat("a", 500)}, 200, ""},
		{"501 characters", map[string]any{"query": strings.Repeat("a", 501)}, 422, "query"},
		{"trimmed", map[string]any{"query": "  password\n"}, 200, ""},
		{"limit 0", map[string]any{"query": "x", "limit": 0}, 422, "limit"},
		{"limit 21", map[string]any{"query": "x", "limit": 21}, 422, "limit"},
		{"limit 20", map[string]any{"query": "x", "limit": 20}, 200, ""},
		{"limit not a number", map[string]any{"query": "x", "limit": "5"}, 422, "limit"},
		{"bad locale", map[string]any{"query": "x", "locale": "EN_us!"}, 422, "locale"},
		{"NUL", map[string]any{"query": "a\x00b"}, 422, "query"},
		{"not JSON", "query=x", 422, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res apptest.Response
			if s, ok := tt.body.(string); ok {
				res = app.Request(t, http.MethodPost, "/api/customer/search", ws.APIKey, s, "Content-Type", "application/json")
			} else {
				res = app.Request(t, http.MethodPost, "/api/customer/search", ws.APIKey, tt.body)
			}
			if res.Status != tt.want {
				t.Fatalf("status %d %s, want %d", res.Status, res.Body, tt.want)
			}
			if tt.want == 422 {
				var env struct{ Error struct{ Code, Field string } }
				res.JSON(t, &env)
				if env.Error.Code != helpium.EInvalid || env.Error.Field != tt.field {
					t.Errorf("error %+v, want invalid_input on %s", env.Error, tt.field)
				}
			}
		})
	}
	if res := app.Request(t, http.MethodPost, "/api/customer/search", "", map[string]any{"query": "x"}); res.Status != http.StatusUnauthorized {
		t.Errorf("without a key: %d", res.Status)
	}
}

func TestTenantIsolation(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	a, b := app.Workspace(t, "A"), app.Workspace(t, "B")
	importKB(t, app, a, helpCenter[:2])
	importKB(t, app, b, []helpium.ArticleInput{
		article("pw", "Reset your password (B)", "B's own password help: use the reset link on the sign-in page."),
		article("secret", "B internal pricing", "Our secret wholesale prices for shipping and passwords."),
	})
	ids := map[string]bool{}
	for _, q := range []string{"reset password", "shipping", "secret wholesale prices", "pricing"} {
		for _, r := range restSearch(t, app, a.APIKey, map[string]any{"query": q, "limit": 20}).Results {
			if strings.Contains(r.Title, "B") {
				t.Errorf("workspace A searching %q sees %q", q, r.Title)
			}
			ids[r.ArticleID] = true
		}
	}
	if len(ids) == 0 {
		t.Fatal("workspace A found nothing at all")
	}
	got := restSearch(t, app, b.APIKey, map[string]any{"query": "secret wholesale prices"})
	if len(got.Results) == 0 || got.Results[0].Title != "B internal pricing" {
		t.Errorf("workspace B: %v", got.titles())
	}
	for _, r := range got.Results {
		if ids[r.ArticleID] {
			t.Errorf("workspace B sees A's article %s", r.Title)
		}
	}
	// A widget cannot name another workspace.
	if errs := app.GraphQL(t, a.APIKey, `query($ws: ID) { searchArticles(query: "pricing", workspaceId: $ws) { results { title } } }`, map[string]any{"ws": b.ID}, nil); len(errs) == 0 || errs[0].Code() != helpium.ENotFound {
		t.Errorf("widget of A naming B: %v, want not_found", errs)
	}
}

func TestSearchUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{WeaviateURL: closed})
	ws := app.Workspace(t, "Acme")
	if _, err := app.Service.Knowledge.ImportArticles(context.Background(), ws.ID, helpCenter); err != nil {
		t.Fatalf("article writes must succeed while the index is down: %v", err)
	}
	start := time.Now()
	res := app.Request(t, http.MethodPost, "/api/customer/search", ws.APIKey, map[string]any{"query": "password"})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("search took %v, want under 2s", took)
	}
	var env struct{ Error struct{ Code string } }
	res.JSON(t, &env)
	if res.Status != http.StatusServiceUnavailable || env.Error.Code != helpium.ESearchUnavailable {
		t.Fatalf("status %d %s, want 503 search_unavailable", res.Status, res.Body)
	}
	if res := app.Request(t, http.MethodPost, "/api/customer/conversations", ws.APIKey, map[string]any{"message": "hello"}); res.Status != http.StatusCreated {
		t.Errorf("conversations while search is down: %d %s", res.Status, res.Body)
	}
	if res := app.Request(t, http.MethodGet, "/api/customer/widget/settings", ws.APIKey, nil); res.Status != http.StatusOK {
		t.Errorf("widget settings while search is down: %d", res.Status)
	}
}

// TestOutboxAcrossWeaviateOutage runs its own Weaviate, stops it, writes
// articles (the writes succeed and wait in the outbox, retried with
// backoff), restarts it and checks that the index catches up.
func TestOutboxAcrossWeaviateOutage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	wv, err := devstack.StartWeaviate(ctx, devstack.WeaviateOptions{DataDir: filepath.Join(dir, "weaviate"), Log: &testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wv.Stop() })
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{
		WeaviateURL: wv.URL(),
		Indexer:     search.IndexerOptions{Poll: 100 * time.Millisecond, MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second},
	})
	ws := app.Workspace(t, "Acme")
	importKB(t, app, ws, helpCenter[:2])
	if got := restSearch(t, app, ws.APIKey, map[string]any{"query": "forgot password"}); len(got.Results) == 0 {
		t.Fatal("nothing indexed before the outage")
	}

	if err := wv.Stop(); err != nil {
		t.Fatal(err)
	}
	res, err := app.Service.Knowledge.ImportArticles(ctx, ws.ID, append([]helpium.ArticleInput{
		article("pw", "Reset your password", "Gone: this article now talks about something else entirely, like gardening tips."),
	}, helpCenter[2:]...))
	if err != nil || res.Created != 2 || res.Updated != 1 {
		t.Fatalf("import during the outage = %+v, %v; writes must succeed", res, err)
	}
	store := db.NewStore(app.DB)
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := store.FindOutboxBacklog(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Pending != 3 {
			t.Fatalf("backlog %d during the outage, want 3", b.Pending)
		}
		if b.LastError != nil {
			break // the indexer tried, failed and rescheduled
		}
		if time.Now().After(deadline) {
			t.Fatal("the indexer never tried during the outage")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if res := app.Request(t, http.MethodPost, "/api/customer/search", ws.APIKey, map[string]any{"query": "password"}); res.Status != http.StatusServiceUnavailable {
		t.Errorf("search during the outage: %d, want 503", res.Status)
	}

	if err := wv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	app.WaitIndexed(t, ws.ID, time.Minute)
	if got := restSearch(t, app, ws.APIKey, map[string]any{"query": "refund for my returned item"}); len(got.Results) == 0 || got.Results[0].Title != "Refunds for returned items" {
		t.Errorf("after the outage: %v, want the article written during it", got.titles())
	}
	if got := restSearch(t, app, ws.APIKey, map[string]any{"query": "gardening tips"}); len(got.Results) == 0 || got.Results[0].Title != "Reset your password" {
		t.Errorf("after the outage: %v, want the article updated during it", got.titles())
	}
}

type testLog struct{ t *testing.T }

func (l *testLog) Write(p []byte) (int, error) { return len(p), nil }

// TestRelevanceThresholdAndLimit checks that the threshold and the limit
// together give the same articles as filtering the full ranking: the best
// articles whose most similar chunk reaches the threshold, in score order,
// however many of the top articles the threshold drops (similarities are
// computed a few articles at a time).
func TestRelevanceThresholdAndLimit(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(t, "Acme")
	importKB(t, app, ws, helpCenter)
	wv, err := search.NewWeaviate(apptest.WeaviateURL(t))
	if err != nil {
		t.Fatal(err)
	}
	emb := apptest.TestEmbedder(t)
	index := func(minSim float64) *search.Index {
		return search.NewIndex(wv, emb, search.IndexOptions{MinSimilarity: &minSim})
	}
	ctx := context.Background()
	const query = "how long until my money comes back"
	all, err := index(-1).Search(ctx, ws.ID, helpium.SearchQuery{Text: query, Limit: 20, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(helpCenter) {
		t.Fatalf("threshold -1 returned %d articles, want all %d", len(all), len(helpCenter))
	}
	best := func(h *helpium.ArticleHit) float64 {
		m := -1.0
		for _, p := range h.Passages {
			if p.Similarity == 0 {
				t.Fatalf("%s: passage %d has no similarity", h.Title, p.Chunk)
			}
			m = max(m, p.Similarity)
		}
		return m
	}
	sims := make([]float64, len(all))
	for i, h := range all {
		sims[i] = best(h)
	}
	// Thresholds between the articles' similarities, so that each drops a
	// different set, top articles included.
	sorted := append([]float64(nil), sims...)
	slices.Sort(sorted)
	for i := range sorted {
		threshold := sorted[i] - 1e-6
		for _, limit := range []int{1, 2, 3} {
			var want []string
			for j, h := range all {
				if sims[j] >= threshold && len(want) < limit {
					want = append(want, h.Title)
				}
			}
			got, err := index(threshold).Search(ctx, ws.ID, helpium.SearchQuery{Text: query, Limit: limit, Locale: "en"})
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, h := range got {
				titles = append(titles, h.Title)
			}
			if !slices.Equal(titles, want) {
				t.Errorf("threshold %.3f limit %d: %v, want %v (similarities %v)", threshold, limit, titles, want, sims)
			}
		}
	}
}
