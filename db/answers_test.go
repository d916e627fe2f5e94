package db_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
)

// handover is the Handover the service builds for answer a in the
// workspace: into the conversation behind token, or, with token "", into a
// new conversation under newToken.
func handover(workspaceID string, a *helpium.AnswerRecord, token, newToken string, now time.Time) db.Handover {
	msg := func(author helpium.AuthorKind, body string, answerID *string) *helpium.Message {
		return &helpium.Message{ID: uuid.NewString(), WorkspaceID: workspaceID, Author: author, Body: body, AnswerID: answerID, CreatedAt: now}
	}
	h := db.Handover{WorkspaceID: workspaceID, AnswerID: a.ID, Now: now,
		Question: msg(helpium.AuthorCustomer, a.Question, &a.ID),
		Answer:   msg(helpium.AuthorBot, a.Answer.Text, &a.ID),
		Note:     msg(helpium.AuthorSystem, helpium.HandoverNote, nil),
	}
	if token != "" {
		h.TokenHash = helpium.HashToken(token)
	} else {
		h.NewTokenHash = helpium.HashToken(newToken)
		h.Conversation = &helpium.Conversation{ID: uuid.NewString(), InstallationID: a.InstallationID}
	}
	return h
}

// qa is what a handover of a adds before any note: the question and the
// answer.
func qa(a *helpium.AnswerRecord) []string {
	return []string{"customer: " + a.Question, "bot: " + a.Answer.Text}
}

func TestHandOver(t *testing.T) {
	f := newFixture(t)
	ws, other := f.workspace("Acme"), f.workspace("Other")
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	install := ptr("install-handover-0001")
	a := make([]*helpium.AnswerRecord, 6)
	for i := 1; i < len(a); i++ {
		a[i] = f.answer(ws, fmt.Sprintf("Question %d?", i), true, install, t0)
	}
	elsewhereAnswer := f.answer(other, "A question elsewhere?", true, nil, t0)
	workspaceOf := map[string]string{elsewhereAnswer.ID: other}
	for _, r := range a[1:] {
		workspaceOf[r.ID] = ws
	}
	started := f.conversation(ws, "wt_started", nil, at(0))
	elsewhere := f.conversation(other, "wt_elsewhere", nil, at(0))
	note := "system: " + helpium.HandoverNote
	join := func(parts ...[]string) []string { return slices.Concat(parts...) }
	hello := []string{"customer: Hello"}

	first := handover(ws, a[1], "", "wt_new", at(1))
	newConv := first.Conversation.ID
	unknown := handover(ws, &helpium.AnswerRecord{ID: uuid.NewString(), Question: "Unknown?"}, "", "wt_unknown", at(7))
	for _, step := range []struct {
		name   string
		before func()
		h      db.Handover
		code   string
		// On success: the conversation returned, whether it was created,
		// the question returned (its id; "" for the handover's own), the
		// first handover's time and the status.
		conv         string
		created      bool
		question     string
		handedOverAt time.Time
		status       helpium.ConversationStatus
		// After the step: a conversation's transcript, the conversation
		// the answer went to ("" none), and one that must not exist.
		of         string
		transcript []string
		answerTo   string
		absent     string
	}{
		{name: "no conversation yet: a new one with the question, the answer and the note", h: first,
			conv: newConv, created: true, handedOverAt: at(1), status: helpium.StatusOpen,
			of: newConv, transcript: join(qa(a[1]), []string{note}), answerTo: newConv},
		{name: "the same answer again adds nothing and returns the stored question", h: handover(ws, a[1], "", "wt_new", at(2)),
			conv: newConv, question: first.Question.ID, handedOverAt: at(1), status: helpium.StatusOpen,
			of: newConv, transcript: join(qa(a[1]), []string{note}), answerTo: newConv},
		{name: "the same answer, naming its conversation by token", h: handover(ws, a[1], "wt_new", "", at(3)),
			conv: newConv, question: first.Question.ID, handedOverAt: at(1), status: helpium.StatusOpen,
			of: newConv, transcript: join(qa(a[1]), []string{note}), answerTo: newConv},
		{name: "another answer continues it by token, without a second note", h: handover(ws, a[2], "wt_new", "", at(4)),
			conv: newConv, handedOverAt: at(1), status: helpium.StatusOpen,
			of: newConv, transcript: join(qa(a[1]), []string{note}, qa(a[2])), answerTo: newConv},
		{name: "a handed-over answer into another conversation", h: handover(ws, a[1], "wt_started", "", at(5)), code: helpium.EConflict,
			of: started.ID, transcript: hello, answerTo: newConv},
		{name: "a handed-over answer into a new conversation", h: handover(ws, a[1], "", "wt_new_2", at(6)), code: helpium.EConflict,
			of: newConv, transcript: join(qa(a[1]), []string{note}, qa(a[2])), answerTo: newConv},
		{name: "an unknown answer", h: unknown, code: helpium.ENotFound},
		{name: "another workspace's answer", h: handover(ws, elsewhereAnswer, "", "wt_elsewhere_answer", at(8)), code: helpium.ENotFound},
		{name: "an unknown token", h: handover(ws, a[3], "wt_nope", "", at(9)), code: helpium.ENotFound,
			of: started.ID, transcript: hello},
		{name: "another workspace's conversation", h: handover(ws, a[3], "wt_elsewhere", "", at(10)), code: helpium.ENotFound,
			of: elsewhere.ID, transcript: hello},
		{name: "a conversation the customer started gets the note at its first handover", h: handover(ws, a[3], "wt_started", "", at(11)),
			conv: started.ID, handedOverAt: at(11), status: helpium.StatusOpen,
			of: started.ID, transcript: join(hello, qa(a[3]), []string{note}), answerTo: started.ID},
		{name: "resolved, the handover's question reopens it, without a second note",
			before: func() { f.setStatus(started, helpium.StatusResolved, at(12)) },
			h:      handover(ws, a[4], "wt_started", "", at(13)),
			conv:   started.ID, handedOverAt: at(11), status: helpium.StatusOpen,
			of: started.ID, transcript: join(hello, qa(a[3]), []string{note}, qa(a[4])), answerTo: started.ID},
		{name: "closed and reopened by the customer, still no second note",
			before: func() {
				f.setStatus(started, helpium.StatusClosed, at(14))
				f.message(started, helpium.AuthorCustomer, false, "One more thing", at(15))
			},
			h:    handover(ws, a[5], "wt_started", "", at(16)),
			conv: started.ID, handedOverAt: at(11), status: helpium.StatusOpen,
			of: started.ID, transcript: join(hello, qa(a[3]), []string{note}, qa(a[4]), []string{"customer: One more thing"}, qa(a[5])), answerTo: started.ID},
	} {
		if step.before != nil {
			step.before()
		}
		h := step.h
		if h.Conversation != nil && step.conv != h.Conversation.ID {
			step.absent = h.Conversation.ID
		}
		conv, question, created, err := f.store.HandOver(f.ctx, h)
		if code(err) != step.code {
			t.Errorf("%s: error %v, want code %q", step.name, err, step.code)
			continue
		}
		if err == nil {
			wantQuestion := step.question
			if wantQuestion == "" {
				wantQuestion = h.Question.ID
			}
			switch {
			case conv.ID != step.conv || created != step.created:
				t.Errorf("%s: conversation %s (created %v), want %s (created %v)", step.name, conv.ID, created, step.conv, step.created)
			case question.ID != wantQuestion || question.ConversationID != step.conv || question.Author != helpium.AuthorCustomer || question.Seq == 0:
				t.Errorf("%s: question %+v, want %s in %s", step.name, question, wantQuestion, step.conv)
			case conv.HandedOverAt == nil || !conv.HandedOverAt.Equal(step.handedOverAt):
				t.Errorf("%s: handed over at %v, want %v", step.name, conv.HandedOverAt, step.handedOverAt)
			case conv.Status != step.status || conv.AIMayAnswer():
				t.Errorf("%s: status %s, AI may answer %v", step.name, conv.Status, conv.AIMayAnswer())
			}
			// What HandOver returns is what is stored.
			stored, err := f.store.FindConversationByID(f.ctx, db.Scope{WorkspaceID: ws}, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.LastSeq != conv.LastSeq || stored.Status != conv.Status || !sameTime(stored.HandedOverAt, conv.HandedOverAt) {
				t.Errorf("%s: returned %+v, stored %+v", step.name, conv, stored)
			}
		}
		if step.of != "" {
			if got := f.transcript(step.of); !slices.Equal(got, step.transcript) {
				t.Errorf("%s: transcript\n%q\nwant\n%q", step.name, got, step.transcript)
			}
		}
		if wsID, ok := workspaceOf[h.AnswerID]; ok {
			rec, err := f.store.FindAnswer(f.ctx, wsID, h.AnswerID)
			if err != nil {
				t.Fatal(err)
			}
			if got := deref(rec.ConversationID); got != step.answerTo {
				t.Errorf("%s: the answer went to %q, want %q", step.name, got, step.answerTo)
			}
		}
		if step.absent != "" {
			if _, err := f.store.FindConversationByID(f.ctx, db.Scope{WorkspaceID: ws}, step.absent); code(err) != helpium.ENotFound {
				t.Errorf("%s: conversation %s exists (%v)", step.name, step.absent, err)
			}
		}
	}

	// The copied messages name their answer; the note names none.
	msgs, err := f.store.FindMessages(f.ctx, newConv, 0, 10, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		want := ""
		if m.Author != helpium.AuthorSystem {
			want = a[1].ID
			if m.Seq > 3 {
				want = a[2].ID
			}
		}
		if deref(m.AnswerID) != want {
			t.Errorf("message %d (%s) names answer %q, want %q", m.Seq, m.Author, deref(m.AnswerID), want)
		}
	}
	// A new conversation keeps the answer's installation and has no
	// customer yet.
	c, err := f.store.FindConversationByID(f.ctx, db.Scope{WorkspaceID: ws}, newConv)
	if err != nil {
		t.Fatal(err)
	}
	if deref(c.InstallationID) != *install || c.CustomerID != nil || c.FirstResponseAt != nil {
		t.Errorf("the new conversation: installation %v, customer %v, first response %v", c.InstallationID, c.CustomerID, c.FirstResponseAt)
	}
}

// TestHandOverConcurrently: retries racing each other start one
// conversation, and answers racing into one conversation add one note.
func TestHandOverConcurrently(t *testing.T) {
	f := newFixture(t)
	ws := f.workspace("Acme")
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	const n = 6
	race := func(h func(i int) db.Handover) (convs, questions []string, created int, errs []error) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conv, q, c, err := f.store.HandOver(f.ctx, h(i))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				convs, questions = append(convs, conv.ID), append(questions, q.ID)
				if c {
					created++
				}
			}()
		}
		wg.Wait()
		return
	}

	retried := f.answer(ws, "Where is my parcel?", true, nil, now)
	convs, questions, created, errs := race(func(int) db.Handover { return handover(ws, retried, "", "wt_retried", now) })
	if len(errs) > 0 || created != 1 || len(slices.Compact(slices.Sorted(slices.Values(convs)))) != 1 ||
		len(slices.Compact(slices.Sorted(slices.Values(questions)))) != 1 {
		t.Fatalf("%d retries at once: errors %v, %d created, conversations %q, questions %q", n, errs, created, convs, questions)
	}
	if got := f.transcript(convs[0]); len(got) != 3 {
		t.Errorf("after %d retries at once: %q", n, got)
	}

	c := f.conversation(ws, "wt_busy", nil, now)
	answers := make([]*helpium.AnswerRecord, n)
	for i := range answers {
		answers[i] = f.answer(ws, fmt.Sprintf("Question %d?", i), true, nil, now)
	}
	convs, _, created, errs = race(func(i int) db.Handover { return handover(ws, answers[i], "wt_busy", "", now) })
	if len(errs) > 0 || created != 0 || len(convs) != n {
		t.Fatalf("%d answers into one conversation at once: errors %v, %d created", n, errs, created)
	}
	got := f.transcript(c.ID)
	notes := 0
	for _, m := range got {
		if m == "system: "+helpium.HandoverNote {
			notes++
		}
	}
	if notes != 1 || len(got) != 1+2*n+1 {
		t.Errorf("%d answers into one conversation at once: %d notes in %q", n, notes, got)
	}
}

func TestRateConversation(t *testing.T) {
	f := newFixture(t)
	ws, other := f.workspace("Acme"), f.workspace("Other")
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	c := f.conversation(ws, "wt_rated", nil, at(0))
	closed := f.conversation(ws, "wt_closed", nil, at(0))
	for _, step := range []struct {
		name      string
		before    func()
		workspace string
		token     string
		rating    int
		comment   *string
		code      string
		// The rating stored after the step, on the conversation behind
		// the token.
		want *helpium.CSAT
	}{
		{name: "open", workspace: ws, token: "wt_rated", rating: 5, code: helpium.EConflict},
		{name: "pending", before: func() { f.setStatus(c, helpium.StatusPending, at(1)) }, workspace: ws, token: "wt_rated", rating: 5, code: helpium.EConflict},
		{name: "resolved", before: func() { f.setStatus(c, helpium.StatusResolved, at(2)) }, workspace: ws, token: "wt_rated", rating: 4, comment: ptr("Quick and kind"),
			want: &helpium.CSAT{Rating: 4, Comment: ptr("Quick and kind"), SubmittedAt: at(3)}},
		{name: "twice", workspace: ws, token: "wt_rated", rating: 1, code: helpium.EConflict,
			want: &helpium.CSAT{Rating: 4, Comment: ptr("Quick and kind"), SubmittedAt: at(3)}},
		{name: "reopened by the customer and resolved again: rated once",
			before: func() {
				f.message(c, helpium.AuthorCustomer, false, "One more thing", at(5))
				f.setStatus(c, helpium.StatusResolved, at(6))
			}, workspace: ws, token: "wt_rated", rating: 2, code: helpium.EConflict,
			want: &helpium.CSAT{Rating: 4, Comment: ptr("Quick and kind"), SubmittedAt: at(3)}},
		{name: "another workspace's token", workspace: other, token: "wt_rated", rating: 1, code: helpium.ENotFound},
		{name: "an unknown token", workspace: ws, token: "wt_unknown", rating: 1, code: helpium.ENotFound},
		{name: "closed, without a comment", before: func() { f.setStatus(closed, helpium.StatusClosed, at(8)) }, workspace: ws, token: "wt_closed", rating: 1,
			want: &helpium.CSAT{Rating: 1, SubmittedAt: at(9)}},
	} {
		if step.before != nil {
			step.before()
		}
		now := t0
		if step.want != nil {
			now = step.want.SubmittedAt
		}
		got, err := f.store.RateConversation(f.ctx, step.workspace, helpium.HashToken(step.token), step.rating, step.comment, now)
		if code(err) != step.code {
			t.Errorf("%s: error %v, want code %q", step.name, err, step.code)
			continue
		}
		if err == nil && !sameCSAT(got.CSAT, step.want) {
			t.Errorf("%s: returned %s, want %s", step.name, csatString(got.CSAT), csatString(step.want))
		}
		if step.code == helpium.ENotFound {
			continue
		}
		stored, err := f.store.FindConversationByToken(f.ctx, step.workspace, helpium.HashToken(step.token))
		if err != nil {
			t.Fatal(err)
		}
		if !sameCSAT(stored.CSAT, step.want) {
			t.Errorf("%s: stored %s, want %s", step.name, csatString(stored.CSAT), csatString(step.want))
		}
	}
	// Rating changes nothing else.
	got, err := f.store.FindConversationByToken(f.ctx, ws, helpium.HashToken("wt_closed"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != helpium.StatusClosed || got.LastSeq != 1 || !got.UpdatedAt.Equal(at(8)) {
		t.Errorf("a rated conversation: status %s, last seq %d, updated %v", got.Status, got.LastSeq, got.UpdatedAt)
	}
}

func sameCSAT(a, b *helpium.CSAT) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Rating == b.Rating && deref(a.Comment) == deref(b.Comment) && (a.Comment == nil) == (b.Comment == nil) && a.SubmittedAt.Equal(b.SubmittedAt)
}

func csatString(c *helpium.CSAT) string {
	if c == nil {
		return "none"
	}
	comment := "nil"
	if c.Comment != nil {
		comment = fmt.Sprintf("%q", *c.Comment)
	}
	return fmt.Sprintf("%d %s at %v", c.Rating, comment, c.SubmittedAt)
}

func TestDeflection(t *testing.T) {
	f := newFixture(t)
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	from, to := t0, t0.Add(72*time.Hour)
	asked := t0.Add(time.Hour) // when the answers below are given, unless said
	const day = helpium.DeflectionWindow
	type answer struct {
		answered   bool
		install    string        // "" for none
		at         time.Duration // after asked
		handedOver bool
	}
	type conversation struct {
		install   string
		at        time.Duration // after asked
		elsewhere bool          // in another workspace
	}
	yes := answer{answered: true, install: "install-a-0001"}
	later := func(a answer, d time.Duration) answer { a.at = d; return a }
	for _, tc := range []struct {
		name          string
		answers       []answer
		conversations []conversation
		window        time.Duration
		answered, led int
	}{
		{"no answers", nil, nil, day, 0, 0},
		{"an answer and nothing after it", []answer{yes}, nil, day, 1, 0},
		{"handed over", []answer{{answered: true, install: "install-a-0001", handedOver: true}}, nil, day, 1, 1},
		{"handed over, without an installation", []answer{{answered: true, handedOver: true}}, nil, day, 1, 1},
		{"a conversation from the same installation within the window", []answer{yes}, []conversation{{"install-a-0001", time.Hour, false}}, day, 1, 1},
		{"a conversation at the answer's time", []answer{yes}, []conversation{{"install-a-0001", 0, false}}, day, 1, 1},
		{"a conversation just inside the window", []answer{yes}, []conversation{{"install-a-0001", day - time.Microsecond, false}}, day, 1, 1},
		{"a conversation at the window's end", []answer{yes}, []conversation{{"install-a-0001", day, false}}, day, 1, 0},
		{"a conversation after the window", []answer{yes}, []conversation{{"install-a-0001", day + time.Hour, false}}, day, 1, 0},
		{"a conversation before the answer", []answer{yes}, []conversation{{"install-a-0001", -time.Minute, false}}, day, 1, 0},
		{"a conversation from another installation", []answer{yes}, []conversation{{"install-b-0001", time.Hour, false}}, day, 1, 0},
		{"neither has an installation", []answer{{answered: true}}, []conversation{{"", time.Hour, false}}, day, 1, 0},
		{"the same installation in another workspace", []answer{yes}, []conversation{{"install-a-0001", time.Hour, true}}, day, 1, 0},
		{"several conversations after one answer count once", []answer{yes}, []conversation{{"install-a-0001", time.Hour, false}, {"install-a-0001", 2 * time.Hour, false}}, day, 1, 1},
		{"one conversation after two answers from one browser", []answer{yes, later(yes, time.Minute)}, []conversation{{"install-a-0001", time.Hour, false}}, day, 2, 2},
		{"only the browser that asked", []answer{yes, {answered: true, install: "install-b-0001"}}, []conversation{{"install-a-0001", time.Hour, false}}, day, 2, 1},
		{"a refusal is not an answer, handed over or not", []answer{{answered: false, install: "install-a-0001", handedOver: true}, {answered: false, install: "install-a-0001"}},
			[]conversation{{"install-a-0001", time.Hour, false}}, day, 0, 0},
		{"an answer at the period's start counts", []answer{later(yes, from.Sub(asked))}, nil, day, 1, 0},
		{"an answer before the period does not", []answer{later(yes, from.Sub(asked)-time.Microsecond)}, []conversation{{"install-a-0001", 0, false}}, day, 0, 0},
		{"an answer at the period's end does not", []answer{later(yes, to.Sub(asked))}, nil, day, 0, 0},
		{"a conversation after the period still counts", []answer{later(yes, to.Sub(asked)-time.Hour)}, []conversation{{"install-a-0001", to.Sub(asked) + time.Hour, false}}, day, 1, 1},
		{"a shorter window, inside", []answer{yes}, []conversation{{"install-a-0001", 80 * time.Minute, false}}, 90 * time.Minute, 1, 1},
		{"a shorter window, outside", []answer{yes}, []conversation{{"install-a-0001", 100 * time.Minute, false}}, 90 * time.Minute, 1, 0},
		{"a window of seconds", []answer{yes}, []conversation{{"install-a-0001", 1500 * time.Millisecond, false}}, 2 * time.Second, 1, 1},
	} {
		{
			ws, elsewhere := f.workspace("Acme"), f.workspace("Elsewhere")
			for i, a := range tc.answers {
				var install *string
				if a.install != "" {
					install = &a.install
				}
				rec := f.answer(ws, fmt.Sprintf("Question %d?", i), a.answered, install, asked.Add(a.at))
				if a.handedOver {
					if _, _, _, err := f.store.HandOver(f.ctx, handover(ws, rec, "", fmt.Sprintf("wt_%s_%d", ws, i), asked.Add(a.at))); err != nil {
						t.Fatal(err)
					}
				}
			}
			for i, c := range tc.conversations {
				var install *string
				if c.install != "" {
					install = &c.install
				}
				in := ws
				if c.elsewhere {
					in = elsewhere
				}
				f.conversation(in, fmt.Sprintf("wt_%s_c%d", ws, i), install, asked.Add(c.at))
			}
			answered, led, err := f.store.Deflection(f.ctx, ws, from, to, tc.window)
			if err != nil || answered != tc.answered || led != tc.led {
				t.Errorf("%s: Deflection = %d answered, %d led to a conversation (%v); want %d, %d", tc.name, answered, led, err, tc.answered, tc.led)
			}
		}
	}
}

func TestFindGapQuestions(t *testing.T) {
	f := newFixture(t)
	ws, other := f.workspace("Acme"), f.workspace("Other")
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	from, to := at(0), at(60)
	vote := func(a *helpium.AnswerRecord, helpful bool) {
		if _, err := f.store.SaveAnswerFeedback(f.ctx, a.WorkspaceID, a.ID, helpful, nil, a.CreatedAt.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	type answer struct {
		question string
		answered bool
		vote     *bool // nil: none
		min      int
		ws       string
	}
	yes, no := ptr(true), ptr(false)
	for _, a := range []answer{
		{"refused, no vote", false, nil, 10, ws},
		{"answered, voted no", true, no, 20, ws},
		{"answered, voted yes", true, yes, 30, ws},
		{"answered, no vote", true, nil, 40, ws},
		{"refused, voted yes", false, yes, 50, ws},
		{"refused, voted no", false, no, 55, ws},
		{"refused at the period's start", false, nil, 0, ws},
		{"refused before the period", false, nil, -1, ws},
		{"voted no at the period's end", true, no, 60, ws},
		{"refused in another workspace", false, nil, 15, other},
	} {
		rec := f.answer(a.ws, a.question, a.answered, nil, at(a.min))
		if a.vote != nil {
			vote(rec, *a.vote)
		}
	}
	// A vote can change: "no" then "yes" leaves an answer helped.
	changed := f.answer(ws, "answered, voted no then yes", true, nil, at(45))
	vote(changed, false)
	vote(changed, true)

	for _, tc := range []struct {
		name     string
		from, to time.Time
		limit    int
		want     []string
	}{
		{"the period, newest first", from, to, 100, []string{"refused, voted no", "refused, voted yes", "answered, voted no", "refused, no vote", "refused at the period's start"}},
		{"up to the limit, the newest", from, to, 2, []string{"refused, voted no", "refused, voted yes"}},
		{"a narrower period", at(11), at(50), 100, []string{"answered, voted no"}},
		{"an empty period", at(21), at(21), 100, []string{}},
	} {
		recs, err := f.store.FindGapQuestions(f.ctx, ws, tc.from, tc.to, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, r := range recs {
			got = append(got, r.Question)
			if r.WorkspaceID != ws {
				t.Errorf("%s: %q is another workspace's", tc.name, r.Question)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
