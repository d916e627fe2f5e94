package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
)

// Transcripts: bounds on what one email carries.
const (
	transcriptMaxLines = 2000
	transcriptMaxBytes = 1 << 20
)

// RequestTranscript emails the whole conversation behind a widget token
// (every message but internal notes) to its identified customer's address:
// never to an address the caller names, so the widget cannot send mail
// anywhere. A conversation gets helpium.TranscriptsPerHour an hour, an
// address helpium.TranscriptsPerAddressPerHour from the workspace, counted
// in the database (so on every replica and across restarts). Returns
// ENotFound for an unknown token, EInvalid naming email when the
// conversation has no customer with an address or they unsubscribed,
// ETooManyRequests over a limit and EUnavailable when this server sends no
// email.
func (s *Notifications) RequestTranscript(ctx context.Context, token string) error {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return err
	}
	hash, err := widgetTokenHash(token)
	if err != nil {
		return err
	}
	if err := emailEnabled(s.publicURL, "Transcripts"); err != nil {
		return err
	}
	now := s.clock()
	err = s.store.QueueTranscript(ctx, db.TranscriptRequest{
		WorkspaceID: ws.ID, TokenHash: hash, Since: now.Add(-time.Hour), MaxLines: transcriptMaxLines + 1,
		Decide: func(st *db.TranscriptState) error { return decideTranscript(st, now) },
		Compose: func(st *db.TranscriptState, lines []db.ConversationLine) (*helpium.Email, error) {
			return s.composeTranscript(ws.ID, st, lines), nil
		},
	})
	if err != nil {
		return err
	}
	s.metrics.CustomerEmailQueued(string(db.MailTranscript))
	return nil
}

// decideTranscript refuses a transcript without an address to send it to,
// to a customer who unsubscribed, or over a limit.
func decideTranscript(st *db.TranscriptState, now time.Time) error {
	switch {
	case st.CustomerEmail == "":
		return helpium.Invalid("email", "This conversation has no email address to send the transcript to: identify the customer with their email first (POST /tracking/identify).")
	case st.Unsubscribed:
		return helpium.Invalid("email", "This address has unsubscribed from this help desk's emails.")
	case st.ForConversation >= helpium.TranscriptsPerHour:
		return tooManyTranscripts(st.OldestForConversation, now, fmt.Sprintf("at most %d transcripts an hour per conversation", helpium.TranscriptsPerHour))
	case st.ToAddress >= helpium.TranscriptsPerAddressPerHour:
		return tooManyTranscripts(st.OldestToAddress, now, fmt.Sprintf("at most %d transcripts an hour per address", helpium.TranscriptsPerAddressPerHour))
	}
	return nil
}

// tooManyTranscripts is ETooManyRequests until the oldest transcript of
// the window is an hour old.
func tooManyTranscripts(oldest, now time.Time, rule string) error {
	secs := max(int(oldest.Add(time.Hour).Sub(now).Seconds()+0.999), 1)
	e := helpium.Errorf(helpium.ETooManyRequests, "Too many transcripts (%s). Try again in %d seconds.", rule, secs)
	e.RetryAfter = secs
	return e
}

// composeTranscript writes a transcript email: every line, cut short with
// a note beyond transcriptMaxBytes, and an unsubscribe link.
func (s *Notifications) composeTranscript(workspaceID string, st *db.TranscriptState, lines []db.ConversationLine) *helpium.Email {
	team := oneLine(st.WorkspaceName)
	var w strings.Builder
	fmt.Fprintf(&w, "%s,\n\nHere is the transcript of your conversation with %s, as you asked.\n\n", greeting(st.CustomerName), team)
	cut := len(lines) > transcriptMaxLines
	for _, l := range lines[:min(len(lines), transcriptMaxLines)] {
		if w.Len() > transcriptMaxBytes {
			cut = true
			break
		}
		writeLine(&w, l, team)
	}
	if cut {
		w.WriteString("(The transcript stops here: the conversation is longer than one email holds.)\n\n")
	}
	unsubscribe := s.unsubscribeURL(st.CustomerID)
	fmt.Fprintf(&w, "To get no more emails about your conversations with %s, unsubscribe:\n%s\n", team, unsubscribe)
	m := s.newEmail(workspaceID, st.CustomerEmail, "Your conversation with "+team, w.String())
	m.ListUnsubscribe = unsubscribe
	return m
}
