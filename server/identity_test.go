package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/secret"
	"github.com/helpium/helpium/service"
)

type restCustomer struct {
	ID       string  `json:"id"`
	Email    *string `json:"email"`
	Name     *string `json:"name"`
	Verified bool    `json:"verified"`
}

// identify posts to the identify endpoint and records the response body.
func identify(t *testing.T, app *apptest.App, key string, body map[string]any, seen *strings.Builder) (apptest.Response, restCustomer) {
	t.Helper()
	res := app.Request(t, "POST", "/api/customer/tracking/identify", key, body)
	seen.Write(res.Body)
	var c restCustomer
	if res.Status == http.StatusOK {
		res.JSON(t, &c)
	}
	return res, c
}

func TestIdentifyCreatesUpdatesAndLinks(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	var seen strings.Builder
	conv, token := startConversation(t, app, key, "hi")

	res, c := identify(t, app, key, map[string]any{"email": "Ann@Example.com", "name": "Ann", "widget_token": token}, &seen)
	if res.Status != 200 || c.ID == "" || *c.Email != "Ann@Example.com" || *c.Name != "Ann" || c.Verified {
		t.Fatalf("identify: %d %s", res.Status, res.Body)
	}
	// Re-identifying with another case of the email updates the same customer.
	_, c2 := identify(t, app, key, map[string]any{"email": "ann@example.COM", "name": "Ann Lee", "widget_token": token}, &seen)
	if c2.ID != c.ID || *c2.Name != "Ann Lee" {
		t.Errorf("re-identify: %+v, first %+v", c2, c)
	}
	// The agent sees the customer on the conversation.
	var out struct {
		Conversation struct{ Customer struct{ ID, Name string } }
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!) { conversation(id: $c) { customer { id name } } }`, map[string]any{"c": conv}, &out))
	if out.Conversation.Customer.ID != c.ID || out.Conversation.Customer.Name != "Ann Lee" {
		t.Errorf("conversation customer %+v", out)
	}
	// The same operation over GraphQL returns the same customer.
	var g struct {
		Identify struct {
			ID, Email string
			Verified  bool
		}
	}
	mustGraphQL(t, app.GraphQL(t, key, `mutation($t: String!) { identify(input: {email: "ANN@example.com", widgetToken: $t}) { id email verified } }`, map[string]any{"t": token}, &g))
	if g.Identify.ID != c.ID {
		t.Errorf("graphql identify %+v", g)
	}

	for _, bad := range []struct {
		body  map[string]any
		code  string
		field string
	}{
		{map[string]any{"email": "not-an-email", "widget_token": token}, "invalid_input", "email"},
		{map[string]any{"name": "x", "widget_token": token}, "invalid_input", "email"},
		{map[string]any{"email": "a@b.test"}, "invalid_input", "widget_token"},
		{map[string]any{"email": "a@b.test", "widget_token": "wt_" + strings.Repeat("x", 43)}, "not_found", ""},
		{map[string]any{"email": "a@b.test", "widget_token": token, "bearer_token": 42}, "invalid_input", "bearer_token"},
		{map[string]any{"email": "a@b.test", "widget_token": token, "bearer_token": ""}, "invalid_input", "bearer_token"},
	} {
		res, _ := identify(t, app, key, bad.body, &seen)
		checkEnvelope(t, "identify "+bad.code, res, map[string]int{"invalid_input": 422, "not_found": 404}[bad.code], bad.code, bad.field)
	}
	// A token of another workspace is not found.
	other := app.Workspace(t, "Other")
	res, _ = identify(t, app, other.APIKey, map[string]any{"email": "a@b.test", "widget_token": token}, &seen)
	checkEnvelope(t, "other workspace", res, 404, "not_found", "")
}

func TestVerifiedHistoryAcrossDevices(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	secretKey, err := app.Service.Identity.IdentitySecret(agentCtx(t, app, o.Token), o.Workspace.ID)
	if err != nil {
		t.Fatal(err)
	}
	hash := service.UserHash(secretKey, "ann@example.com")
	var seen strings.Builder
	list := func(token string) []string {
		t.Helper()
		res := app.Request(t, "GET", "/api/customer/conversations", key, nil, "X-Widget-Token", token)
		if res.Status != 200 {
			t.Fatalf("list: %d %s", res.Status, res.Body)
		}
		var out struct{ Conversations []restConversation }
		res.JSON(t, &out)
		var ids []string
		for _, c := range out.Conversations {
			ids = append(ids, c.ID)
		}
		return ids
	}

	laptop, laptopToken := startConversation(t, app, key, "from my laptop")
	if res, c := identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": laptopToken, "user_hash": hash}, &seen); res.Status != 200 || !c.Verified {
		t.Fatalf("verified identify: %d %s", res.Status, res.Body)
	}
	phone, phoneToken := startConversation(t, app, key, "from my phone")
	identify(t, app, key, map[string]any{"email": "ANN@example.com", "widget_token": phoneToken, "user_hash": hash}, &seen)
	if got := list(phoneToken); len(got) != 2 || got[0] != phone || got[1] != laptop {
		t.Errorf("verified phone sees %v, want [%s %s]", got, phone, laptop)
	}
	// Someone who only knows Ann's email links their conversation to her,
	// but learns nothing stored about her, sees nothing else, and her
	// verified sessions do not list theirs.
	spy, spyToken := startConversation(t, app, key, "I am Ann, honest")
	res, c := identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": spyToken}, &seen)
	if res.Status != 200 || c.Verified || c.Name != nil {
		t.Fatalf("unverified identify: %d %s; want verified false and no stored name", res.Status, res.Body)
	}
	if got := list(spyToken); len(got) != 1 || got[0] != spy {
		t.Errorf("unverified session sees %v, want only %s", got, spy)
	}
	if got := list(phoneToken); len(got) != 2 || got[0] != phone || got[1] != laptop {
		t.Errorf("after the unverified identify, Ann's phone sees %v, want [%s %s]", got, phone, laptop)
	}
	var spyConv struct {
		Conversation struct {
			IdentityVerified bool
			Customer         struct{ Email string }
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!) { conversation(id: $c) { identityVerified customer { email } } }`, map[string]any{"c": spy}, &spyConv))
	if spyConv.Conversation.IdentityVerified || spyConv.Conversation.Customer.Email != "ann@example.com" {
		t.Errorf("agents see the spy's conversation as %+v; want Ann's, not verified", spyConv.Conversation)
	}
	// A wrong hash is refused, and a hash for another email does not verify.
	res, _ = identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": spyToken, "user_hash": strings.Repeat("ab", 32)}, &seen)
	checkEnvelope(t, "wrong hash", res, 401, "unauthenticated", "")
	res, _ = identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": spyToken, "user_hash": service.UserHash(secretKey, "bob@example.com")}, &seen)
	checkEnvelope(t, "hash of another email", res, 401, "unauthenticated", "")
	if got := list(spyToken); len(got) != 1 {
		t.Errorf("after refused identifies the spy sees %v", got)
	}
	// Missing or foreign widget tokens.
	checkEnvelope(t, "no token", app.Request(t, "GET", "/api/customer/conversations", key, nil), 422, "invalid_input", "X-Widget-Token")
	other := app.Workspace(t, "Other")
	checkEnvelope(t, "foreign key", app.Request(t, "GET", "/api/customer/conversations", other.APIKey, nil, "X-Widget-Token", phoneToken), 404, "not_found", "")

	// Required verification refuses identify without a valid hash.
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { setIdentityVerification(workspaceId: $w, required: true) { requireIdentityVerification } }`, map[string]any{"w": o.Workspace.ID}, nil))
	_, tok := startConversation(t, app, key, "new")
	res, _ = identify(t, app, key, map[string]any{"email": "zed@example.com", "widget_token": tok}, &seen)
	checkEnvelope(t, "required verification", res, 401, "unauthenticated", "")
	if res, _ := identify(t, app, key, map[string]any{"email": "zed@example.com", "widget_token": tok, "user_hash": service.UserHash(secretKey, "zed@example.com")}, &seen); res.Status != 200 {
		t.Errorf("verified identify under required verification: %d %s", res.Status, res.Body)
	}
	// Rotating the secret invalidates old hashes.
	var rot struct {
		RotateIdentitySecret struct{ IdentitySecret string }
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { rotateIdentitySecret(workspaceId: $w) { identitySecret } }`, map[string]any{"w": o.Workspace.ID}, &rot))
	if rot.RotateIdentitySecret.IdentitySecret == secretKey {
		t.Error("secret did not change")
	}
	// An agent (not admin) may not read the secret.
	ann := app.Member(t, o.Workspace.ID, "agent@acme.test", "agent")
	errs := app.AgentGraphQL(t, ann.Token, `query($w: ID!) { workspace(id: $w) { identitySecret } }`, map[string]any{"w": o.Workspace.ID}, nil)
	if len(errs) != 1 || errs[0].Code() != "forbidden" {
		t.Errorf("agent reads identity secret: %+v", errs)
	}
}

func TestBearerTokensEncryptedRotatedClearedNeverShown(t *testing.T) {
	k1 := secret.NewKeySpec("k1")
	ring1, _ := secret.ParseKeyring(k1)
	app := apptest.New(t, service.Options{Secrets: ring1})
	ctx := context.Background()
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	var seen strings.Builder
	const bearer = "tok-SECRET-7f3a9c-customer-api"
	secretKey, err := app.Service.Identity.IdentitySecret(agentCtx(t, app, o.Token), o.Workspace.ID)
	if err != nil {
		t.Fatal(err)
	}
	hash := service.UserHash(secretKey, "ann@example.com")
	_, token := startConversation(t, app, key, "hi")
	res, c := identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": token, "bearer_token": bearer, "user_hash": hash}, &seen)
	if res.Status != 200 {
		t.Fatalf("identify: %d %s", res.Status, res.Body)
	}
	raw := func() (ciphertext []byte, keyID *string, row string) {
		t.Helper()
		if err := app.DB.QueryRowContext(ctx, "SELECT bearer_token_ciphertext, bearer_token_key_id, row_to_json(c)::text FROM customers c WHERE id = ?", c.ID).Scan(&ciphertext, &keyID, &row); err != nil {
			t.Fatal(err)
		}
		return
	}
	ct, kid, row := raw()
	if ct == nil || *kid != "k1" || strings.Contains(string(ct), bearer) || strings.Contains(row, bearer) || strings.Contains(row, "SECRET") {
		t.Fatalf("stored: key %v, row %s", kid, row)
	}
	var has struct{ Customer struct{ HasBearerToken bool } }
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!) { customer(id: $c) { hasBearerToken } }`, map[string]any{"c": c.ID}, &has))
	if !has.Customer.HasBearerToken {
		t.Error("hasBearerToken false after identify with a token")
	}

	// Leaving the field out keeps the token; a new one replaces it.
	identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": token, "name": "Ann", "user_hash": hash}, &seen)
	if ct2, _, _ := raw(); string(ct2) != string(ct) {
		t.Error("identify without bearer_token changed the stored token")
	}
	identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": token, "bearer_token": bearer + "-v2", "user_hash": hash}, &seen)
	ct2, _, _ := raw()
	if string(ct2) == string(ct) {
		t.Error("re-identify did not replace the token")
	}

	// An unverified session's token is kept, sealed, with its own
	// conversation, and the customer gets none.
	const bobBearer = "tok-SECRET-7f3a9c-bob-session"
	bobConv, bobToken := startConversation(t, app, key, "hello")
	_, bob := identify(t, app, key, map[string]any{"email": "bob@example.com", "widget_token": bobToken, "bearer_token": bobBearer}, &seen)
	session := func() (ciphertext []byte, keyID *string, row string) {
		t.Helper()
		if err := app.DB.QueryRowContext(ctx, "SELECT bearer_token_ciphertext, bearer_token_key_id, row_to_json(c)::text FROM conversations c WHERE id = ?", bobConv).Scan(&ciphertext, &keyID, &row); err != nil {
			t.Fatal(err)
		}
		return
	}
	if sct, skid, srow := session(); sct == nil || *skid != "k1" || strings.Contains(srow, "SECRET") {
		t.Fatalf("session token: key %v, row %s", skid, srow)
	}
	var bobHas struct{ Customer struct{ HasBearerToken bool } }
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!) { customer(id: $c) { hasBearerToken } }`, map[string]any{"c": bob.ID}, &bobHas))
	if bobHas.Customer.HasBearerToken {
		t.Error("an unverified identify stored its token on the customer")
	}

	// Rotation: with k2 first, `keys rotate` re-encrypts both under k2, and
	// each still decrypts to its latest value, bound to its owner.
	ring2, _ := secret.ParseKeyring(secret.NewKeySpec("k2") + "," + k1)
	rotated := service.New(db.NewStore(app.DB), service.Options{Secrets: ring2})
	if n, err := rotated.Identity.RotateBearerTokens(ctx); err != nil || n != 2 {
		t.Fatalf("rotate: %d %v", n, err)
	}
	sct, skid, _ := session()
	if pt, err := ring2.Open(*skid, sct, []byte("bearer:"+o.Workspace.ID+":conversation:"+bobConv)); err != nil || string(pt) != bobBearer {
		t.Errorf("rotated session token opens to %q, %v", pt, err)
	}
	if _, err := ring2.Open(*skid, sct, []byte("bearer:"+o.Workspace.ID+":"+bob.ID)); err == nil {
		t.Error("a session token opens as the customer's")
	}
	ct3, kid3, _ := raw()
	if *kid3 != "k2" {
		t.Errorf("after rotation the key is %s", *kid3)
	}
	if pt, err := ring2.Open("k2", ct3, []byte("bearer:"+o.Workspace.ID+":"+c.ID)); err != nil || string(pt) != bearer+"-v2" {
		t.Errorf("rotated token opens to %q, %v", pt, err)
	}
	if _, err := ring1.Open("k2", ct3, nil); err == nil {
		t.Error("the old keyring opens a token sealed under the new key")
	}

	// null clears it, the customer's after a verified identify, the
	// session's after an unverified one.
	identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": token, "bearer_token": nil, "user_hash": hash}, &seen)
	if ct4, kid4, _ := raw(); ct4 != nil || kid4 != nil {
		t.Errorf("null left %x under %v", ct4, kid4)
	}
	identify(t, app, key, map[string]any{"email": "bob@example.com", "widget_token": bobToken, "bearer_token": nil}, &seen)
	if sct, skid, _ := session(); sct != nil || skid != nil {
		t.Errorf("null left the session's token %x under %v", sct, skid)
	}

	// The token never appeared in a response or a log line.
	everything := seen.String() + app.LogText()
	for _, s := range []string{bearer, bobBearer, "SECRET-7f3a9c"} {
		if strings.Contains(everything, s) {
			t.Errorf("bearer token %q leaked into responses or logs", s)
		}
	}
}

func TestUnverifiedIdentifyCannotReplaceAVerifiedCustomersToken(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ctx := context.Background()
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	secretKey, _ := app.Service.Identity.IdentitySecret(agentCtx(t, app, o.Token), o.Workspace.ID)
	var seen strings.Builder
	_, t1 := startConversation(t, app, key, "hi")
	_, c := identify(t, app, key, map[string]any{"email": "ann@example.com", "name": "Ann", "widget_token": t1, "bearer_token": "ann-real-token",
		"user_hash": service.UserHash(secretKey, "ann@example.com")}, &seen)
	var before []byte
	app.DB.QueryRowContext(ctx, "SELECT bearer_token_ciphertext FROM customers WHERE id = ?", c.ID).Scan(&before) //nolint:errcheck

	_, t2 := startConversation(t, app, key, "hello")
	res, c2 := identify(t, app, key, map[string]any{"email": "ann@example.com", "name": "Mallory", "widget_token": t2, "bearer_token": "mallory-token"}, &seen)
	if res.Status != 200 || c2.ID != c.ID || c2.Verified || c2.Name == nil || *c2.Name != "Mallory" {
		t.Errorf("unverified identify of a verified customer: %d %s; want her id, the claimed name, not verified", res.Status, res.Body)
	}
	var after []byte
	var name string
	app.DB.QueryRowContext(ctx, "SELECT bearer_token_ciphertext, name FROM customers WHERE id = ?", c.ID).Scan(&after, &name) //nolint:errcheck
	if string(after) != string(before) || name != "Ann" {
		t.Errorf("an unverified identify changed a verified customer (token changed: %v, name %q)", string(after) != string(before), name)
	}
}

// agentCtx returns a context acting as the agent owning token.
func agentCtx(t *testing.T, app *apptest.App, token string) context.Context {
	t.Helper()
	a, err := app.Service.Accounts.AuthenticateAgentToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return withActor(a)
}
