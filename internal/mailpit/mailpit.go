// Package mailpit reads the mail a test Mailpit received, through its HTTP
// API, so that tests check what Helpium really sent over SMTP.
package mailpit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"testing"
	"time"
)

// Client reads one Mailpit's messages.
type Client struct {
	URL string
}

// FromEnv returns a client of the Mailpit at MAILPIT_URL, which `make test`
// starts, failing the test when it is not set.
func FromEnv(t testing.TB) *Client {
	t.Helper()
	u := os.Getenv("MAILPIT_URL")
	if u == "" {
		t.Fatal("MAILPIT_URL is not set: run the tests with `make test`, which starts Mailpit")
	}
	return &Client{URL: u}
}

// Address is a sender or recipient.
type Address struct {
	Name    string
	Address string
}

// Message is a received email.
type Message struct {
	ID        string // Mailpit's id
	MessageID string // the Message-ID header, without angle brackets
	From      Address
	To        []Address
	Subject   string
	Text      string // the decoded plain-text body
}

// To returns the messages received for address, oldest first, with their
// bodies.
func (c *Client) To(t testing.TB, address string) []Message {
	t.Helper()
	var list struct {
		Messages []Message `json:"messages"`
	}
	c.get(t, "/api/v1/search?limit=1000&query="+url.QueryEscape(fmt.Sprintf("to:%q", address)), &list)
	out := make([]Message, 0, len(list.Messages))
	for i := len(list.Messages) - 1; i >= 0; i-- { // newest first in the API
		var m Message
		c.get(t, "/api/v1/message/"+url.PathEscape(list.Messages[i].ID), &m)
		out = append(out, m)
	}
	return out
}

// Wait waits up to 20 seconds until n messages have been received for
// address and returns them, failing the test otherwise.
func (c *Client) Wait(t testing.TB, address string, n int) []Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := c.To(t, address)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit: %d messages to %s after 20s, want %d", len(got), address, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Headers returns a message's raw headers.
func (c *Client) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	c.get(t, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// Token returns the token of the link to path in m's body
// (…path#token=TOKEN), failing the test when there is none.
func Token(t testing.TB, m Message, path string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(path) + `#token=([A-Za-z0-9_\-]+)`)
	match := re.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("no %s link in the email %q:\n%s", path, m.Subject, m.Text)
	}
	return match[1]
}

func (c *Client) get(t testing.TB, path string, v any) {
	t.Helper()
	res, err := http.Get(c.URL + path)
	if err != nil {
		t.Fatalf("mailpit: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("mailpit: GET %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("mailpit: GET %s: %v", path, err)
	}
}
