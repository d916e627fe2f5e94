package server_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// TestLongestValidMessageFitsTheBodyLimit: a message of 20,000 emoji, the
// longest valid body, is accepted even when the client writes every one
// as a JSON escape pair (240,000 bytes).
func TestLongestValidMessageFitsTheBodyLimit(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	_, token := startConversation(t, app, ws.APIKey, "hi")
	body := `{"body":"` + strings.Repeat(`\ud83d\ude00`, 20_000) + `"}`
	res := app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", ws.APIKey, body, "Content-Type", "application/json")
	var m restMessage
	res.JSON(t, &m)
	if res.Status != 201 || m.Body != strings.Repeat("😀", 20_000) {
		t.Errorf("20,000 escaped emoji: %d, %d characters stored", res.Status, len([]rune(m.Body)))
	}
}

// TestEmailsWithInvisibleCharactersRefused: an address with a zero-width
// space or a direction mark looks like another one and is refused, naming
// the field.
func TestEmailsWithInvisibleCharactersRefused(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	_, token := startConversation(t, app, ws.APIKey, "hi")
	for _, email := range []string{"ann\u200b@example.com", "ann@exam\u200eple.com", "\u2060ann@example.com"} {
		res := app.Request(t, "POST", "/api/customer/tracking/identify", ws.APIKey, map[string]any{"email": email, "widget_token": token})
		var env struct{ Error struct{ Code, Field string } }
		res.JSON(t, &env)
		if res.Status != 422 || env.Error.Field != "email" {
			t.Errorf("email %q: %d %+v, want 422 naming email", email, res.Status, env.Error)
		}
	}
}

// TestMessageTimesFollowTheirOrder: messages sent to one conversation at
// once are numbered in commit order, and their created_at never goes back
// in that order.
func TestMessageTimesFollowTheirOrder(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	app.SetRateLimits(t, ws.ID, apptest.Generous)
	_, token := startConversation(t, app, ws.APIKey, "hi")
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", ws.APIKey, map[string]any{"body": fmt.Sprintf("m%d", i)})
		}()
	}
	wg.Wait()
	var page struct {
		Messages []struct {
			Body      string
			CreatedAt time.Time `json:"created_at"`
		}
	}
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages?limit=200", ws.APIKey, nil).JSON(t, &page)
	if len(page.Messages) != 31 {
		t.Fatalf("%d messages, want 31", len(page.Messages))
	}
	if !sort.SliceIsSorted(page.Messages, func(i, j int) bool { return page.Messages[i].CreatedAt.Before(page.Messages[j].CreatedAt) }) {
		for i := 1; i < len(page.Messages); i++ {
			if page.Messages[i].CreatedAt.Before(page.Messages[i-1].CreatedAt) {
				t.Errorf("message %d (%s) is stamped %v, before message %d's %v", i, page.Messages[i].Body, page.Messages[i].CreatedAt, i-1, page.Messages[i-1].CreatedAt)
			}
		}
	}
}
