package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type passwordResetRow struct {
	bun.BaseModel `bun:"table:password_resets"`

	ID        string    `bun:"id,pk,type:uuid"`
	Email     string    `bun:"email"`
	AgentID   *string   `bun:"agent_id,type:uuid"`
	TokenHash []byte    `bun:"token_hash"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`
}

// PasswordReset is a request to reset the password of the account with
// Email. AgentID and TokenHash are empty when there is no such account.
type PasswordReset struct {
	ID, Email, AgentID   string
	TokenHash            []byte
	CreatedAt, ExpiresAt time.Time
}

// CountPasswordResets counts the resets requested for email since then.
func (s *Store) CountPasswordResets(ctx context.Context, email string, since time.Time) (int, error) {
	n, err := s.db.NewSelect().Model((*passwordResetRow)(nil)).Where("lower(email) = lower(?)", email).
		Where("created_at >= ?", since).Count(ctx)
	return int(n), dbErr(err, "password resets")
}

// CreatePasswordReset records r and, when mail is not nil, queues it in
// the same transaction.
func (s *Store) CreatePasswordReset(ctx context.Context, r *PasswordReset, mail *helpium.Email) error {
	return dbErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		row := &passwordResetRow{ID: r.ID, Email: r.Email, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
		if r.AgentID != "" {
			row.AgentID, row.TokenHash = &r.AgentID, r.TokenHash
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		if mail == nil {
			return nil
		}
		return enqueueMail(ctx, tx, mail)
	}), "password reset")
}

// ResetPassword uses up the unexpired reset link whose token has hash: it
// sets its agent's password hash, revokes all of the agent's access tokens
// and other reset links, and forgets their failed sign-ins, in one
// transaction. Returns ENotFound for a link used, expired or unknown.
func (s *Store) ResetPassword(ctx context.Context, tokenHash []byte, passwordHash string, now time.Time) (*helpium.Agent, error) {
	agent := new(agentRow)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var agentID string
		err := tx.NewRaw(`UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
			RETURNING agent_id`, now, tokenHash, now).Scan(ctx, &agentID)
		if err != nil {
			return err
		}
		return setPassword(ctx, tx, agent, agentID, passwordHash, now, true, "")
	})
	if err != nil {
		return nil, dbErr(err, "password reset link")
	}
	return agent.toAgent(), nil
}

// SetPassword sets an agent's password hash and voids their unused reset
// links. With revokeOthers, it also revokes every access token of theirs
// but keepTokenID.
func (s *Store) SetPassword(ctx context.Context, agentID, passwordHash string, now time.Time, revokeOthers bool, keepTokenID string) error {
	return dbErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return setPassword(ctx, tx, new(agentRow), agentID, passwordHash, now, revokeOthers, keepTokenID)
	}), "agent")
}

// setPassword sets the password of agentID and reads the agent into row;
// it voids their unused reset links and forgets their failed sign-ins.
// With revoke, their access tokens are revoked, except keepTokenID.
func setPassword(ctx context.Context, tx bun.Tx, row *agentRow, agentID, passwordHash string, now time.Time, revoke bool, keepTokenID string) error {
	err := tx.NewRaw(`UPDATE agents SET password_hash = ?, updated_at = ? WHERE id = ? RETURNING *`,
		passwordHash, now, agentID).Scan(ctx, row)
	if err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model((*passwordResetRow)(nil)).Set("used_at = ?", now).
		Where("agent_id = ?", agentID).Where("used_at IS NULL").Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewDelete().Table("login_failures").Where("email = lower(?)", row.Email).Exec(ctx); err != nil {
		return err
	}
	if !revoke {
		return nil
	}
	q := tx.NewUpdate().Model((*accessTokenRow)(nil)).Set("revoked_at = ?", now).
		Where("agent_id = ?", agentID).Where("revoked_at IS NULL")
	if keepTokenID != "" {
		q = q.Where("id <> ?", keepTokenID)
	}
	_, err = q.Exec(ctx)
	return err
}
