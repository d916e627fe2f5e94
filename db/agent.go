package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type agentRow struct {
	bun.BaseModel `bun:"table:agents"`

	ID           string    `bun:"id,pk,type:uuid"`
	Email        string    `bun:"email"`
	Name         string    `bun:"name"`
	PasswordHash string    `bun:"password_hash"`
	CreatedAt    time.Time `bun:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at"`
}

// agentColumns are the columns toAgent reads, for queries that alias agents
// as a.
const agentColumns = "a.id, a.email, a.name, a.created_at"

// sharesWorkspace is the condition that the agent a shares a workspace with
// the agent given as its argument: who an agent may see.
const sharesWorkspace = `EXISTS (SELECT 1 FROM memberships m1 JOIN memberships m2 ON m2.workspace_id = m1.workspace_id
	WHERE m1.agent_id = a.id AND m2.agent_id = ?)`

func (r *agentRow) toAgent() *helpium.Agent {
	return &helpium.Agent{ID: r.ID, Email: r.Email, Name: r.Name, CreatedAt: r.CreatedAt}
}

type membershipRow struct {
	bun.BaseModel `bun:"table:memberships"`

	WorkspaceID string    `bun:"workspace_id,pk,type:uuid"`
	AgentID     string    `bun:"agent_id,pk,type:uuid"`
	Role        string    `bun:"role"`
	CreatedAt   time.Time `bun:"created_at"`
}

func (r *membershipRow) toMembership() *helpium.Membership {
	return &helpium.Membership{WorkspaceID: r.WorkspaceID, AgentID: r.AgentID, Role: helpium.Role(r.Role), CreatedAt: r.CreatedAt}
}

type accessTokenRow struct {
	bun.BaseModel `bun:"table:access_tokens"`

	ID         string       `bun:"id,pk,type:uuid"`
	AgentID    string       `bun:"agent_id,type:uuid"`
	TokenHash  []byte       `bun:"token_hash"`
	Kind       string       `bun:"kind"`
	Name       string       `bun:"name"`
	CreatedAt  time.Time    `bun:"created_at"`
	ExpiresAt  bun.NullTime `bun:"expires_at"`
	LastUsedAt bun.NullTime `bun:"last_used_at"`
	RevokedAt  bun.NullTime `bun:"revoked_at"`
}

func (r *accessTokenRow) toAccessToken() *helpium.AccessToken {
	return &helpium.AccessToken{
		ID: r.ID, AgentID: r.AgentID, Kind: r.Kind, Name: r.Name, CreatedAt: r.CreatedAt,
		ExpiresAt: timePtr(r.ExpiresAt), LastUsedAt: timePtr(r.LastUsedAt),
	}
}

// CreateAgent inserts a with its password hash. Returns EConflict when the
// email (case-insensitive) is taken.
func (s *Store) CreateAgent(ctx context.Context, a *helpium.Agent, passwordHash string) error {
	_, err := s.db.NewInsert().Model(&agentRow{
		ID: a.ID, Email: a.Email, Name: a.Name, PasswordHash: passwordHash, CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt,
	}).Exec(ctx)
	return dbErr(err, "An agent with this email")
}

// FindAgentByEmail returns the agent with email (case-insensitive) and its
// password hash. Returns ENotFound when there is none.
func (s *Store) FindAgentByEmail(ctx context.Context, email string) (*helpium.Agent, string, error) {
	row := new(agentRow)
	if err := s.db.NewSelect().Model(row).Where("lower(email) = lower(?)", email).Scan(ctx); err != nil {
		return nil, "", dbErr(err, "agent")
	}
	return row.toAgent(), row.PasswordHash, nil
}

// FindAgentsByIDs returns the agents with the given ids that are members of
// a workspace in scope, in no particular order.
func (s *Store) FindAgentsByIDs(ctx context.Context, sc Scope, ids []string) ([]*helpium.Agent, error) {
	var rows []agentRow
	q := s.db.NewSelect().Model(&rows).ModelTableExpr("agents AS a").ColumnExpr("a.*").Where("a.id IN (?)", bun.In(ids))
	if sc.AgentID != "" {
		q = q.Where(sharesWorkspace, sc.AgentID)
	} else {
		q = q.Where("EXISTS (SELECT 1 FROM memberships m WHERE m.agent_id = a.id AND m.workspace_id = ?)", sc.WorkspaceID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr(err, "agents")
	}
	return each(rows, (*agentRow).toAgent), nil
}

// AddMembership adds an agent to a workspace. Returns EConflict when the
// agent is already a member.
func (s *Store) AddMembership(ctx context.Context, m *helpium.Membership) error {
	_, err := s.db.NewInsert().Model(&membershipRow{
		WorkspaceID: m.WorkspaceID, AgentID: m.AgentID, Role: string(m.Role), CreatedAt: m.CreatedAt,
	}).Exec(ctx)
	return dbErr(err, "This agent's membership")
}

// FindMembership returns an agent's membership in a workspace. Returns
// ENotFound when the agent is not a member.
func (s *Store) FindMembership(ctx context.Context, workspaceID, agentID string) (*helpium.Membership, error) {
	row := new(membershipRow)
	err := s.db.NewSelect().Model(row).Where("workspace_id = ?", workspaceID).Where("agent_id = ?", agentID).Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "workspace")
	}
	return row.toMembership(), nil
}

// FindMemberships returns memberships filtered by workspace or agent (an
// empty id does not filter), oldest first.
func (s *Store) FindMemberships(ctx context.Context, workspaceID, agentID string) ([]*helpium.Membership, error) {
	var rows []membershipRow
	q := s.db.NewSelect().Model(&rows).Order("created_at", "agent_id")
	if workspaceID != "" {
		q = q.Where("workspace_id = ?", workspaceID)
	}
	if agentID != "" {
		q = q.Where("agent_id = ?", agentID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr(err, "memberships")
	}
	return each(rows, (*membershipRow).toMembership), nil
}

// UpdateMembershipRole sets an agent's role in a workspace.
//
// With keepOwner, it refuses (EConflict) a change that would leave the
// workspace without an owner, checked under a lock on the workspace's row,
// so that two owners demoting themselves at once cannot both succeed.
func (s *Store) UpdateMembershipRole(ctx context.Context, workspaceID, agentID string, role helpium.Role, keepOwner bool) error {
	return dbErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if keepOwner && role != helpium.RoleOwner {
			if err := otherOwnerExists(ctx, tx, workspaceID, agentID); err != nil {
				return err
			}
		}
		res, err := tx.NewUpdate().Model((*membershipRow)(nil)).Set("role = ?", string(role)).
			Where("workspace_id = ?", workspaceID).Where("agent_id = ?", agentID).Exec(ctx)
		return affectedOne(res, err, "agent")
	}), "agent")
}

// otherOwnerExists locks the workspace's row and returns EConflict when
// agentID is an owner of it and no other agent is.
func otherOwnerExists(ctx context.Context, tx bun.Tx, workspaceID, agentID string) error {
	if _, err := tx.NewRaw("SELECT 1 FROM workspaces WHERE id = ? FOR UPDATE", workspaceID).Exec(ctx); err != nil {
		return err
	}
	var isOwner, others int
	err := tx.NewRaw(`SELECT count(*) FILTER (WHERE agent_id = ?), count(*) FILTER (WHERE agent_id <> ?)
		FROM memberships WHERE workspace_id = ? AND role = 'owner'`, agentID, agentID, workspaceID).Scan(ctx, &isOwner, &others)
	if err != nil {
		return err
	}
	if isOwner > 0 && others == 0 {
		return &helpium.Error{Code: helpium.EConflict, Message: "A workspace needs at least one owner."}
	}
	return nil
}

// DeleteMembership removes an agent from a workspace and unassigns the
// workspace's conversations assigned to them. With keepOwner, it refuses
// (EConflict) to remove the workspace's last owner, as
// UpdateMembershipRole does.
func (s *Store) DeleteMembership(ctx context.Context, workspaceID, agentID string, keepOwner bool) error {
	return dbErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if keepOwner {
			if err := otherOwnerExists(ctx, tx, workspaceID, agentID); err != nil {
				return err
			}
		}
		res, err := tx.NewDelete().Model((*membershipRow)(nil)).
			Where("workspace_id = ?", workspaceID).Where("agent_id = ?", agentID).Exec(ctx)
		if err := affectedOne(res, err, "agent"); err != nil {
			return err
		}
		_, err = tx.NewUpdate().Model((*conversationRow)(nil)).Set("assignee_id = NULL").
			Where("workspace_id = ?", workspaceID).Where("assignee_id = ?", agentID).Exec(ctx)
		return err
	}), "agent")
}

// CreateAccessToken stores a token's metadata and the hash of its secret.
func (s *Store) CreateAccessToken(ctx context.Context, t *helpium.AccessToken, hash []byte) error {
	row := &accessTokenRow{ID: t.ID, AgentID: t.AgentID, TokenHash: hash, Kind: t.Kind, Name: t.Name, CreatedAt: t.CreatedAt}
	if t.ExpiresAt != nil {
		row.ExpiresAt = bun.NullTime{Time: *t.ExpiresAt}
	}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr(err, "access token")
}

// FindAgentByTokenHash returns the agent owning a live (unrevoked,
// unexpired at now) token and the token's id, and records its use at most
// once a minute. Returns ENotFound for any other token.
func (s *Store) FindAgentByTokenHash(ctx context.Context, hash []byte, now time.Time) (*helpium.Agent, string, error) {
	var out struct {
		agentRow
		TokenID    string       `bun:"token_id"`
		LastUsedAt bun.NullTime `bun:"last_used_at"`
	}
	err := s.db.NewSelect().
		ColumnExpr("a.*, t.id AS token_id, t.last_used_at").
		TableExpr("access_tokens AS t").Join("JOIN agents AS a ON a.id = t.agent_id").
		Where("t.token_hash = ?", hash).Where("t.revoked_at IS NULL").
		Where("(t.expires_at IS NULL OR t.expires_at > ?)", now).
		Scan(ctx, &out)
	if err != nil {
		return nil, "", dbErr(err, "access token")
	}
	if out.LastUsedAt.IsZero() || now.Sub(out.LastUsedAt.Time) > time.Minute {
		s.db.NewUpdate().Model((*accessTokenRow)(nil)).Set("last_used_at = ?", now).
			Where("id = ?", out.TokenID).Exec(ctx) //nolint:errcheck // best effort
	}
	return out.agentRow.toAgent(), out.TokenID, nil
}

// AccessTokenLive reports whether an access token is neither revoked nor
// expired at now.
func (s *Store) AccessTokenLive(ctx context.Context, tokenID string, now time.Time) (bool, error) {
	ok, err := s.db.NewSelect().Model((*accessTokenRow)(nil)).Where("id = ?", tokenID).Where("revoked_at IS NULL").
		Where("(expires_at IS NULL OR expires_at > ?)", now).Exists(ctx)
	return ok, dbErr(err, "access token")
}

// RevokeAccessToken revokes one of an agent's tokens. Returns ENotFound when
// the agent has no such live token.
func (s *Store) RevokeAccessToken(ctx context.Context, agentID, tokenID string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*accessTokenRow)(nil)).Set("revoked_at = ?", now).
		Where("id = ?", tokenID).Where("agent_id = ?", agentID).Where("revoked_at IS NULL").Exec(ctx)
	return affectedOne(res, err, "access token")
}

// FindAccessTokens returns an agent's live tokens, newest first.
func (s *Store) FindAccessTokens(ctx context.Context, agentID string, now time.Time) ([]*helpium.AccessToken, error) {
	var rows []accessTokenRow
	err := s.db.NewSelect().Model(&rows).Where("agent_id = ?", agentID).Where("revoked_at IS NULL").
		Where("(expires_at IS NULL OR expires_at > ?)", now).Order("created_at DESC").Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "access tokens")
	}
	return each(rows, (*accessTokenRow).toAccessToken), nil
}

// AgentTokenAllowed reports whether an access token is still live (not
// revoked, not expired) and its agent still a member of the workspace.
// Live subscriptions ask it again and again.
func (s *Store) AgentTokenAllowed(ctx context.Context, tokenID, workspaceID string, now time.Time) (bool, error) {
	ok, err := s.db.NewSelect().TableExpr("access_tokens AS t").
		Join("JOIN memberships AS m ON m.agent_id = t.agent_id AND m.workspace_id = ?", workspaceID).
		Where("t.id = ?", tokenID).Where("t.revoked_at IS NULL").
		Where("(t.expires_at IS NULL OR t.expires_at > ?)", now).Exists(ctx)
	return ok, dbErr(err, "access token")
}
