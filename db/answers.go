package db

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type answerRow struct {
	bun.BaseModel `bun:"table:answers"`

	ID              string                 `bun:"id,pk,type:uuid"`
	WorkspaceID     string                 `bun:"workspace_id,type:uuid"`
	Question        string                 `bun:"question"`
	Locale          string                 `bun:"locale"`
	Answer          string                 `bun:"answer"`
	Answered        bool                   `bun:"answered"`
	Sources         []helpium.AnswerSource `bun:"sources,type:jsonb"`
	Confidence      float64                `bun:"confidence"`
	Generator       string                 `bun:"generator"`
	InstallationID  *string                `bun:"installation_id"`
	ConversationID  *string                `bun:"conversation_id,type:uuid"`
	Helpful         *bool                  `bun:"helpful"`
	FeedbackComment *string                `bun:"feedback_comment"`
	FeedbackAt      bun.NullTime           `bun:"feedback_at"`
	CreatedAt       time.Time              `bun:"created_at"`
}

func (r *answerRow) toRecord() *helpium.AnswerRecord {
	id := r.ID
	rec := &helpium.AnswerRecord{
		ID: r.ID, WorkspaceID: r.WorkspaceID, Question: r.Question, Locale: r.Locale,
		Answer: helpium.Answer{ID: &id, Answered: r.Answered, Text: r.Answer, Sources: r.Sources,
			Confidence: r.Confidence, Generator: helpium.AnswerGenerator(r.Generator)},
		InstallationID: r.InstallationID, ConversationID: r.ConversationID, CreatedAt: r.CreatedAt.UTC(),
	}
	if rec.Answer.Sources == nil {
		rec.Answer.Sources = []helpium.AnswerSource{}
	}
	if r.Helpful != nil {
		rec.Feedback = &helpium.AnswerFeedback{AnswerID: r.ID, Helpful: *r.Helpful, Comment: r.FeedbackComment, SubmittedAt: r.FeedbackAt.Time.UTC()}
	}
	return rec
}

// InsertAnswer keeps an answer a widget was given.
func (s *Store) InsertAnswer(ctx context.Context, a *helpium.AnswerRecord) error {
	row := &answerRow{
		ID: a.ID, WorkspaceID: a.WorkspaceID, Question: a.Question, Locale: a.Locale,
		Answer: a.Answer.Text, Answered: a.Answer.Answered, Sources: a.Answer.Sources, Confidence: a.Answer.Confidence,
		Generator: string(a.Answer.Generator), InstallationID: a.InstallationID, CreatedAt: a.CreatedAt,
	}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr(err, "answer")
}

// SaveAnswerFeedback records the customer's vote on an answer of the
// workspace, replacing an earlier one. Returns ENotFound for an answer of
// another workspace or none.
func (s *Store) SaveAnswerFeedback(ctx context.Context, workspaceID, answerID string, helpful bool, comment *string, now time.Time) (*helpium.AnswerFeedback, error) {
	row := new(answerRow)
	err := s.db.NewUpdate().Model(row).
		Set("helpful = ?", helpful).Set("feedback_comment = ?", comment).Set("feedback_at = ?", now).
		Where("id = ?", answerID).Where("workspace_id = ?", workspaceID).
		Returning("*").Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "answer")
	}
	return row.toRecord().Feedback, nil
}

// FindAnswers returns a workspace's kept answers created in [From, To),
// newest first.
func (s *Store) FindAnswers(ctx context.Context, workspaceID string, f helpium.AnswerFilter) ([]*helpium.AnswerRecord, error) {
	var rows []answerRow
	q := s.db.NewSelect().Model(&rows).Where("workspace_id = ?", workspaceID).
		Where("created_at >= ? AND created_at < ?", f.From, f.To).
		OrderExpr("created_at DESC, id DESC").Limit(int64(f.Limit))
	if f.Helpful != nil {
		q = q.Where("helpful = ?", *f.Helpful)
	}
	if f.Answered != nil {
		q = q.Where("answered = ?", *f.Answered)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr(err, "answers")
	}
	return each(rows, (*answerRow).toRecord), nil
}

// FindGapQuestions returns up to limit answers created in [from, to) that
// left the customer without help: refused, or voted "no". Newest first.
func (s *Store) FindGapQuestions(ctx context.Context, workspaceID string, from, to time.Time, limit int) ([]*helpium.AnswerRecord, error) {
	var rows []answerRow
	err := s.db.NewSelect().Model(&rows).Where("workspace_id = ?", workspaceID).
		Where("created_at >= ? AND created_at < ?", from, to).
		Where("(NOT answered OR helpful = false)").
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "answers")
	}
	return each(rows, (*answerRow).toRecord), nil
}

// Deflection counts the answers given (answered) in [from, to) and how many
// of them led to a conversation: handed over (whenever), or followed within
// window by a conversation started from the same widget installation.
func (s *Store) Deflection(ctx context.Context, workspaceID string, from, to time.Time, window time.Duration) (answered, led int, err error) {
	err = s.db.NewRaw(`SELECT count(*), count(*) FILTER (WHERE a.conversation_id IS NOT NULL OR EXISTS (
			SELECT 1 FROM conversations c WHERE c.workspace_id = a.workspace_id AND c.installation_id = a.installation_id
				AND c.created_at >= a.created_at AND c.created_at < a.created_at + ?::interval))
		FROM answers a WHERE a.workspace_id = ? AND a.answered AND a.created_at >= ? AND a.created_at < ?`,
		window.String(), workspaceID, from, to).Scan(ctx, &answered, &led)
	return answered, led, dbErr(err, "answers")
}

// Handover is a customer's "Talk to a person" as the store applies it.
type Handover struct {
	WorkspaceID string
	AnswerID    string
	// TokenHash names the conversation to continue; nil starts one under
	// NewTokenHash with Conversation's fields.
	TokenHash    []byte
	NewTokenHash []byte
	Conversation *helpium.Conversation
	// Question, Answer and Note are the messages to add (ids and times
	// set); Note is added only the first time a person takes over.
	Question, Answer, Note *helpium.Message
	Now                    time.Time
}

// HandOver applies h in one transaction: it adds the customer's question
// and the AI answer to the conversation (starting it when h.TokenHash is
// nil), and, the first time a person takes over, the note, and records
// the time. An answer already handed over adds nothing: the conversation
// it went to is returned with created false, and the question as stored
// then. Returns ENotFound for an
// answer or conversation of another workspace or none, and EConflict when
// the answer went to another conversation than the one named.
func (s *Store) HandOver(ctx context.Context, h Handover) (conv *helpium.Conversation, question *helpium.Message, created bool, err error) {
	question = h.Question
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a := new(answerRow)
		if err := tx.NewSelect().Model(a).Where("id = ?", h.AnswerID).Where("workspace_id = ?", h.WorkspaceID).For("UPDATE").Scan(ctx); err != nil {
			return dbErr(err, "answer")
		}
		target := h.TokenHash
		if target == nil {
			target = h.NewTokenHash
		}
		if a.ConversationID != nil {
			c, err := lockConversation(ctx, tx, h.WorkspaceID, "id = ?", *a.ConversationID)
			if errors.Is(err, sql.ErrNoRows) || err == nil && !bytes.Equal(c.TokenHash, target) {
				return &helpium.Error{Code: helpium.EConflict, Message: "This answer was already handed over in another conversation."}
			}
			if err != nil {
				return err
			}
			conv = c.toConversation()
			q := new(messageRow)
			err = tx.NewSelect().Model(q).Where("conversation_id = ?", c.ID).Where("answer_id = ?", a.ID).
				Where("author_kind = 'customer'").Order("seq").Limit(1).Scan(ctx)
			question = q.toMessage()
			return err
		}
		var to MessageTarget
		if h.TokenHash == nil {
			if _, err := tx.NewInsert().Model(&conversationRow{
				ID: h.Conversation.ID, WorkspaceID: h.WorkspaceID, TokenHash: h.NewTokenHash, Status: string(helpium.StatusOpen),
				CreatedAt: h.Now, UpdatedAt: h.Now, InstallationID: h.Conversation.InstallationID,
			}).Exec(ctx); err != nil {
				return err
			}
			to, created = MessageTarget{WorkspaceID: h.WorkspaceID, ConversationID: h.Conversation.ID}, true
		} else {
			c, err := lockConversation(ctx, tx, h.WorkspaceID, "token_hash = ?", h.TokenHash)
			if err != nil {
				return err
			}
			to = MessageTarget{WorkspaceID: h.WorkspaceID, ConversationID: c.ID}
		}
		msgs := []*helpium.Message{h.Question, h.Answer}
		var handedOver bool
		if err := tx.NewRaw("SELECT handed_over_at IS NOT NULL FROM conversations WHERE id = ?", to.ConversationID).Scan(ctx, &handedOver); err != nil {
			return err
		}
		if !handedOver {
			msgs = append(msgs, h.Note)
		}
		for _, m := range msgs {
			if _, err := insertMessage(ctx, tx, to, m); err != nil {
				return err
			}
		}
		if _, err := tx.NewRaw("UPDATE answers SET conversation_id = ? WHERE id = ?", to.ConversationID, h.AnswerID).Exec(ctx); err != nil {
			return err
		}
		c := new(conversationRow)
		err := tx.NewRaw("UPDATE conversations AS c SET handed_over_at = coalesce(c.handed_over_at, ?) WHERE c.id = ? RETURNING "+conversationColumns,
			h.Now, to.ConversationID).Scan(ctx, c)
		conv = c.toConversation()
		return err
	})
	return conv, question, created, dbErr(err, "conversation")
}

// lockConversation reads a conversation of the workspace for update.
func lockConversation(ctx context.Context, tx bun.Tx, workspaceID, where string, arg any) (*conversationRow, error) {
	c := new(conversationRow)
	err := tx.NewSelect().Model(c).Where(where, arg).Where("workspace_id = ?", workspaceID).For("UPDATE").Scan(ctx)
	return c, err
}

// RateConversation records the customer's CSAT rating of the conversation
// behind the widget token, once, after it is resolved (helpium's CanRate
// decides, under the row lock). Returns ENotFound for an unknown token.
func (s *Store) RateConversation(ctx context.Context, workspaceID string, tokenHash []byte, rating int, comment *string, now time.Time) (*helpium.Conversation, error) {
	var conv *helpium.Conversation
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c, err := lockConversation(ctx, tx, workspaceID, "token_hash = ?", tokenHash)
		if err != nil {
			return err
		}
		if err := c.toConversation().CanRate(); err != nil {
			return err
		}
		c.CSATRating, c.CSATComment, c.CSATAt = &rating, comment, bun.NullTime{Time: now}
		if _, err := tx.NewUpdate().Model(c).Column("csat_rating", "csat_comment", "csat_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		conv = c.toConversation()
		return nil
	})
	return conv, dbErr(err, "conversation")
}

// FindAnswer returns a kept answer of the workspace.
func (s *Store) FindAnswer(ctx context.Context, workspaceID, id string) (*helpium.AnswerRecord, error) {
	row := new(answerRow)
	err := s.db.NewSelect().Model(row).Where("id = ?", id).Where("workspace_id = ?", workspaceID).Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "answer")
	}
	return row.toRecord(), nil
}
