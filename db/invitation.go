package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type invitationRow struct {
	bun.BaseModel `bun:"table:invitations"`

	ID          string       `bun:"id,pk,type:uuid"`
	WorkspaceID string       `bun:"workspace_id,type:uuid"`
	Email       string       `bun:"email"`
	Name        string       `bun:"name"`
	Role        string       `bun:"role"`
	TokenHash   []byte       `bun:"token_hash"`
	InvitedBy   *string      `bun:"invited_by,type:uuid"`
	CreatedAt   time.Time    `bun:"created_at"`
	ExpiresAt   time.Time    `bun:"expires_at"`
	AcceptedAt  bun.NullTime `bun:"accepted_at"`
	AcceptedBy  *string      `bun:"accepted_by,type:uuid"`
	RevokedAt   bun.NullTime `bun:"revoked_at"`
}

func (r *invitationRow) toInvitation() *helpium.Invitation {
	inv := &helpium.Invitation{ID: r.ID, WorkspaceID: r.WorkspaceID, Email: r.Email, Name: r.Name, Role: helpium.Role(r.Role),
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
	if r.InvitedBy != nil {
		inv.InvitedBy = *r.InvitedBy
	}
	return inv
}

// pending limits q to invitations neither accepted, revoked nor expired.
func pending(q *bun.SelectQuery, now time.Time) *bun.SelectQuery {
	return q.Where("accepted_at IS NULL").Where("revoked_at IS NULL").Where("expires_at > ?", now)
}

// CreateInvitation stores inv with the hash of its link's token, replacing
// any pending invitation of the same address to the workspace, and queues
// mail, all in one transaction. Returns EConflict when the address already
// belongs to a member of the workspace.
func (s *Store) CreateInvitation(ctx context.Context, inv *helpium.Invitation, tokenHash []byte, mail *helpium.Email) error {
	return dbErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		member, err := tx.NewSelect().TableExpr("memberships AS m").Join("JOIN agents AS a ON a.id = m.agent_id").
			Where("m.workspace_id = ?", inv.WorkspaceID).Where("lower(a.email) = lower(?)", inv.Email).Exists(ctx)
		if err != nil {
			return err
		}
		if member {
			return helpium.Errorf(helpium.EConflict, "%s is already a member of this workspace.", inv.Email)
		}
		if _, err := tx.NewUpdate().Model((*invitationRow)(nil)).Set("revoked_at = ?", inv.CreatedAt).
			Where("workspace_id = ?", inv.WorkspaceID).Where("lower(email) = lower(?)", inv.Email).
			Where("accepted_at IS NULL").Where("revoked_at IS NULL").Exec(ctx); err != nil {
			return err
		}
		row := &invitationRow{ID: inv.ID, WorkspaceID: inv.WorkspaceID, Email: inv.Email, Name: inv.Name, Role: string(inv.Role),
			TokenHash: tokenHash, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt}
		if inv.InvitedBy != "" {
			row.InvitedBy = &inv.InvitedBy
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, mail)
	}), "invitation")
}

// FindInvitations returns a workspace's pending invitations, newest first.
func (s *Store) FindInvitations(ctx context.Context, workspaceID string, now time.Time) ([]*helpium.Invitation, error) {
	var rows []invitationRow
	q := s.db.NewSelect().Model(&rows).Where("workspace_id = ?", workspaceID).Order("created_at DESC", "id")
	if err := pending(q, now).Scan(ctx); err != nil {
		return nil, dbErr(err, "invitations")
	}
	return each(rows, (*invitationRow).toInvitation), nil
}

// FindInvitationByToken returns the pending invitation whose link's token
// has hash. Returns ENotFound for any other.
func (s *Store) FindInvitationByToken(ctx context.Context, hash []byte, now time.Time) (*helpium.Invitation, error) {
	row := new(invitationRow)
	if err := pending(s.db.NewSelect().Model(row).Where("token_hash = ?", hash), now).Scan(ctx); err != nil {
		return nil, dbErr(err, "invitation")
	}
	return row.toInvitation(), nil
}

// RevokeInvitation revokes a workspace's pending invitation. Returns
// ENotFound when there is none with id.
func (s *Store) RevokeInvitation(ctx context.Context, workspaceID, id string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*invitationRow)(nil)).Set("revoked_at = ?", now).
		Where("workspace_id = ?", workspaceID).Where("id = ?", id).
		Where("accepted_at IS NULL").Where("revoked_at IS NULL").Where("expires_at > ?", now).Exec(ctx)
	return affectedOne(res, err, "invitation")
}

// AcceptInvitation uses up a pending invitation for agent and makes them a
// member of its workspace with its role, in one transaction. With a
// passwordHash, agent is a new account created here (EConflict when its
// email was taken meanwhile). An agent who is already a member keeps their
// role. Returns ENotFound when the invitation is no longer pending (used,
// revoked or expired, perhaps by a concurrent accept).
func (s *Store) AcceptInvitation(ctx context.Context, invitationID string, agent *helpium.Agent, passwordHash string, now time.Time) (*helpium.Membership, error) {
	m := new(membershipRow)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if passwordHash != "" {
			if _, err := tx.NewInsert().Model(&agentRow{ID: agent.ID, Email: agent.Email, Name: agent.Name,
				PasswordHash: passwordHash, CreatedAt: now, UpdatedAt: now}).Exec(ctx); err != nil {
				if isPgCode(err, "23505") {
					return helpium.Errorf(helpium.EConflict, "An account with this email already exists: sign in to accept the invitation.")
				}
				return err
			}
		}
		inv := new(invitationRow)
		err := tx.NewRaw(`UPDATE invitations SET accepted_at = ?0, accepted_by = ?1
			WHERE id = ?2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?0
			RETURNING *`, now, agent.ID, invitationID).Scan(ctx, inv)
		if err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&membershipRow{WorkspaceID: inv.WorkspaceID, AgentID: agent.ID, Role: inv.Role, CreatedAt: now}).
			On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(m).Where("workspace_id = ?", inv.WorkspaceID).Where("agent_id = ?", agent.ID).Scan(ctx)
	})
	if err != nil {
		return nil, dbErr(err, "invitation")
	}
	return m.toMembership(), nil
}
