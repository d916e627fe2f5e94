package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// TestThreeReplicas drives the widget and dashboard flow through three
// server instances on one PostgreSQL, Weaviate and Redis, alternating
// between them: no instance keeps state another needs.
func TestThreeReplicas(t *testing.T) {
	// One PostgreSQL, one Weaviate and one Redis (shared rate limits).
	limiter := apptest.RedisLimiter(t, apptest.RedisURL(t), "replicas-"+t.Name())
	opts := service.Options{RateLimiter: limiter}
	first := apptest.New(t, opts)
	replicas := []*apptest.App{first, apptest.Start(t, first.DatabaseURL, opts), apptest.Start(t, first.DatabaseURL, opts)}
	at := func(i int) *apptest.App { return replicas[i%len(replicas)] }
	o := first.Owned(t, "Acme")
	key := o.Workspace.APIKey

	conv, token := startConversation(t, at(0), key, "message 0")
	// The customer listens on replica 2 while everything else goes elsewhere.
	stream := make(chan string, 1)
	go func() { stream <- readSSE(t, at(2), key, token, 15*time.Second, 7) }()
	time.Sleep(300 * time.Millisecond)

	for i := 1; i <= 4; i++ {
		res := at(i).Request(t, "POST", "/api/customer/conversations/"+token+"/messages", key,
			map[string]any{"body": fmt.Sprintf("message %d", i), "client_message_id": fmt.Sprintf("m-%d", i)})
		if res.Status != 201 {
			t.Fatalf("replica %d: %d %s", i%3, res.Status, res.Body)
		}
		// The retry lands on the next replica and is still recognised.
		if res := at(i+1).Request(t, "POST", "/api/customer/conversations/"+token+"/messages", key,
			map[string]any{"body": fmt.Sprintf("message %d", i), "client_message_id": fmt.Sprintf("m-%d", i)}); res.Status != 200 {
			t.Fatalf("retry on replica %d: %d %s", (i+1)%3, res.Status, res.Body)
		}
	}
	mustGraphQL(t, at(1).AgentGraphQL(t, o.Token, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "agent reply"}) { created } }`, map[string]any{"c": conv}, nil))
	mustGraphQL(t, at(0).AgentGraphQL(t, o.Token, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "second reply"}) { created } }`, map[string]any{"c": conv}, nil))

	for i, app := range replicas {
		var page restPage
		app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages", key, nil).JSON(t, &page)
		var bodies []string
		for _, m := range page.Messages {
			bodies = append(bodies, m.Body)
		}
		if got := strings.Join(bodies, "|"); got != "message 0|message 1|message 2|message 3|message 4|agent reply|second reply" {
			t.Errorf("replica %d reads %s", i, got)
		}
	}
	got := <-stream
	for _, want := range []string{"message 0", "message 4", "agent reply", "second reply"} {
		if !strings.Contains(got, `"body":"`+want+`"`) {
			t.Errorf("the stream on replica 2 misses %q", want)
		}
	}
	// Settings changed through one replica reach the others at once: the
	// change is published to every replica's widget-key cache.
	mustGraphQL(t, at(0).AgentGraphQL(t, o.Token, `mutation($w: ID!) { updateWidgetSettings(workspaceId: $w, patch: {greeting: "Changed"}) { id } }`, map[string]any{"w": o.Workspace.ID}, nil))
	for i := range replicas {
		deadline := time.Now().Add(2 * time.Second)
		for {
			var s struct{ Greeting string }
			at(i).Request(t, "GET", "/api/customer/widget/settings", key, nil).JSON(t, &s)
			if s.Greeting == "Changed" {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("replica %d still shows %q", i, s.Greeting)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
