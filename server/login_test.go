package server_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

const loginMutation = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`

// TestLoginBackoff: after five failed sign-ins an address is locked for
// 1 s, then 2 s, 4 s... (the right password waits too, and costs no
// password check), the same whether or not an account has the address;
// the lock ends on time, a success clears the count, and a restart (another
// server on the same database) keeps it.
func TestLoginBackoff(t *testing.T) {
	start := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	var now atomic.Pointer[time.Time]
	now.Store(&start)
	clock := func() time.Time { return *now.Load() }
	advance := func(d time.Duration) { t := now.Load().Add(d); now.Store(&t) }
	app := apptest.New(t, service.Options{Now: clock})
	o := app.Owned(t, "Acme")
	login := func(a *apptest.App, email, password string) (string, int) {
		var out struct{ Login struct{ Token string } }
		errs := a.GraphQL(t, "", loginMutation, map[string]any{"e": email, "p": password}, &out)
		if len(errs) == 0 {
			return "ok", 0
		}
		secs, _ := errs[0].Extensions["retryAfter"].(float64)
		return errs[0].Code(), int(secs)
	}
	for _, email := range []string{o.Email, "nobody-here@acme.test"} {
		for i := 1; i <= 5; i++ {
			if code, _ := login(app, email, "wrong-password"); code != "unauthenticated" {
				t.Fatalf("%s: failure %d: %s, want unauthenticated", email, i, code)
			}
		}
		// The sixth failure locks the address for 1 s; the seventh, after
		// it, for 2 s.
		if code, _ := login(app, email, "wrong-password"); code != "unauthenticated" {
			t.Fatalf("%s: failure 6: %s", email, code)
		}
		if code, secs := login(app, email, o.Password); code != "too_many_requests" || secs != 1 {
			t.Errorf("%s: during the 1 s lock: %s after %d s, want too_many_requests after 1", email, code, secs)
		}
		advance(time.Second)
		if code, _ := login(app, email, "wrong-password"); code != "unauthenticated" {
			t.Fatalf("%s: failure 7: %s", email, code)
		}
		if code, secs := login(app, email, "wrong-password"); code != "too_many_requests" || secs != 2 {
			t.Errorf("%s: during the 2 s lock: %s after %d s, want too_many_requests after 2", email, code, secs)
		}
		// A restarted server (another on the same database) keeps the lock.
		other := apptest.Start(t, app.DatabaseURL, service.Options{Now: clock})
		if code, _ := login(other, email, o.Password); code != "too_many_requests" {
			t.Errorf("%s: another server during the lock: %s, want too_many_requests", email, code)
		}
		advance(time.Minute) // past the lock, and a full per-client budget again
	}
	if code, _ := login(app, o.Email, o.Password); code != "ok" {
		t.Fatalf("the right password after the lock: %s", code)
	}
	// The success cleared the count: five more failures are free again.
	for i := 1; i <= 6; i++ {
		if code, _ := login(app, o.Email, "wrong-password"); code != "unauthenticated" {
			t.Fatalf("after a success, failure %d: %s", i, code)
		}
	}
}

// TestLoginPerClientLimit: one client IP gets 20 sign-in attempts a minute,
// whatever addresses it tries.
func TestLoginPerClientLimit(t *testing.T) {
	app := apptest.New(t, service.Options{})
	var codes []string
	for i := range 22 {
		var out struct{ Login struct{ Token string } }
		errs := app.GraphQL(t, "", loginMutation, map[string]any{"e": fmt.Sprintf("guess-%d@acme.test", i), "p": "wrong"}, &out)
		codes = append(codes, errs[0].Code())
	}
	for i, c := range codes {
		want := "unauthenticated"
		if i >= 20 {
			want = "too_many_requests"
		}
		if c != want {
			t.Errorf("attempt %d: %s, want %s (all: %v)", i+1, c, want, codes)
			break
		}
	}
}
