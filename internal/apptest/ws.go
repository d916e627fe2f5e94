package apptest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// Subscription is a GraphQL subscription over graphql-transport-ws, or
// (from Socket) a connection that runs operations one at a time.
type Subscription struct {
	conn *websocket.Conn
	ctx  context.Context
	ops  int
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Subscribe opens a WebSocket to the server, authenticates with init (the
// connection_init payload) and starts query. It is closed when the test ends.
func (a *App) Subscribe(t testing.TB, init map[string]any, query string, vars map[string]any) *Subscription {
	t.Helper()
	s := a.Socket(t, init)
	sub, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	s.send(t, wsMessage{ID: "1", Type: "subscribe", Payload: sub})
	return s
}

// SubscribeLive is Subscribe for a subscription that follows live events:
// it returns once the subscription listens, since the server starts it
// after answering, and events published before then are not replayed.
func (a *App) SubscribeLive(t testing.TB, init map[string]any, query string, vars map[string]any) *Subscription {
	t.Helper()
	n := a.Events.Subscribers()
	s := a.Subscribe(t, init, query, vars)
	waitFor(t, "the subscription to listen", func() bool { return a.Events.Subscribers() > n })
	return s
}

// Socket opens a WebSocket to the server and authenticates with init (the
// connection_init payload); Do runs operations on it. It is closed when the
// test ends.
func (a *App) Socket(t testing.TB, init map[string]any) *Subscription {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(a.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(websocket.StatusNormalClosure, "") })
	s := &Subscription{conn: conn, ctx: ctx}
	payload, _ := json.Marshal(init)
	s.send(t, wsMessage{Type: "connection_init", Payload: payload})
	if m := s.read(t, 5*time.Second); m.Type != "connection_ack" {
		t.Fatalf("connection_init answered with %s %s", m.Type, m.Payload)
	}
	return s
}

// Do runs a query or mutation on a socket from Socket, decodes its data
// into out and returns its GraphQL errors.
func (s *Subscription) Do(t testing.TB, query string, vars map[string]any, out any) []GraphQLError {
	t.Helper()
	s.ops++
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	s.send(t, wsMessage{ID: "op" + strconv.Itoa(s.ops), Type: "subscribe", Payload: payload})
	m := s.read(t, 10*time.Second)
	switch m.Type {
	case "error": // refused before execution; no complete follows
		var errs []GraphQLError
		json.Unmarshal(m.Payload, &errs) //nolint:errcheck
		return errs
	case "next":
		var body struct {
			Data   json.RawMessage `json:"data"`
			Errors []GraphQLError  `json:"errors"`
		}
		if err := json.Unmarshal(m.Payload, &body); err != nil {
			t.Fatalf("decode %s: %v", m.Payload, err)
		}
		if out != nil && len(body.Data) > 0 && string(body.Data) != "null" {
			if err := json.Unmarshal(body.Data, out); err != nil {
				t.Fatalf("decode data %s: %v", body.Data, err)
			}
		}
		if c := s.read(t, 10*time.Second); c.Type != "complete" {
			t.Fatalf("operation ended with %s %s, want complete", c.Type, c.Payload)
		}
		return body.Errors
	}
	t.Fatalf("unexpected %s message: %s", m.Type, m.Payload)
	return nil
}

func (s *Subscription) send(t testing.TB, m wsMessage) {
	t.Helper()
	if err := wsjson.Write(s.ctx, s.conn, m); err != nil {
		t.Fatalf("websocket write: %v", err)
	}
}

func (s *Subscription) read(t testing.TB, timeout time.Duration) wsMessage {
	t.Helper()
	for {
		ctx, cancel := context.WithTimeout(s.ctx, timeout)
		var m wsMessage
		err := wsjson.Read(ctx, s.conn, &m)
		cancel()
		if err != nil {
			t.Fatalf("websocket read: %v", err)
		}
		if m.Type == "ping" {
			s.send(t, wsMessage{Type: "pong"})
			continue
		}
		return m
	}
}

// Next waits up to timeout for the next result and decodes its data into
// out; it returns the result's GraphQL errors.
func (s *Subscription) Next(t testing.TB, timeout time.Duration, out any) []GraphQLError {
	t.Helper()
	m := s.read(t, timeout)
	switch m.Type {
	case "next":
		var body struct {
			Data   json.RawMessage `json:"data"`
			Errors []GraphQLError  `json:"errors"`
		}
		if err := json.Unmarshal(m.Payload, &body); err != nil {
			t.Fatalf("decode %s: %v", m.Payload, err)
		}
		if out != nil && len(body.Data) > 0 && string(body.Data) != "null" {
			if err := json.Unmarshal(body.Data, out); err != nil {
				t.Fatalf("decode data %s: %v", body.Data, err)
			}
		}
		return body.Errors
	case "error":
		var errs []GraphQLError
		json.Unmarshal(m.Payload, &errs) //nolint:errcheck
		return errs
	}
	t.Fatalf("unexpected %s message: %s", m.Type, m.Payload)
	return nil
}

// NextMessage waits up to timeout for the next protocol message and returns
// its type ("next", "error", "complete") and payload.
func (s *Subscription) NextMessage(t testing.TB, timeout time.Duration) (string, json.RawMessage) {
	t.Helper()
	m := s.read(t, timeout)
	return m.Type, m.Payload
}

// NextMessageWithin is NextMessage for checking that nothing arrives: it
// returns an empty type when nothing came within timeout, after which the
// socket is closed (a read cut short by its deadline closes it).
func (s *Subscription) NextMessageWithin(t testing.TB, timeout time.Duration) (string, json.RawMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	var m wsMessage
	if err := wsjson.Read(ctx, s.conn, &m); err != nil {
		if ctx.Err() != nil {
			return "", nil
		}
		t.Fatalf("websocket read: %v", err)
	}
	return m.Type, m.Payload
}
