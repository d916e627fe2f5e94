package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type workspaceRow struct {
	bun.BaseModel `bun:"table:workspaces"`

	ID                          string                   `bun:"id,pk,type:uuid"`
	Name                        string                   `bun:"name"`
	APIKey                      string                   `bun:"api_key"`
	Widget                      helpium.WidgetConfig     `bun:"widget,type:jsonb"`
	BusinessHours               helpium.BusinessHours    `bun:"business_hours,type:jsonb"`
	IdentitySecret              string                   `bun:"identity_secret,nullzero"`
	RequireIdentityVerification bool                     `bun:"require_identity_verification"`
	RateLimits                  helpium.RateLimits       `bun:"rate_limits,type:jsonb"`
	AttachmentLimits            helpium.AttachmentLimits `bun:"attachment_limits,type:jsonb"`
	AwayEmail                   helpium.AwayEmail        `bun:"away_email,type:jsonb"`
	AllowedOrigins              []string                 `bun:"allowed_origins,array"`
	CreatedAt                   time.Time                `bun:"created_at"`
	UpdatedAt                   time.Time                `bun:"updated_at"`
}

func (r *workspaceRow) toWorkspace() *helpium.Workspace {
	return &helpium.Workspace{
		ID: r.ID, Name: r.Name, APIKey: r.APIKey,
		Widget: r.Widget, BusinessHours: r.BusinessHours,
		IdentitySecret: r.IdentitySecret, RequireIdentityVerification: r.RequireIdentityVerification,
		RateLimits: r.RateLimits, AttachmentLimits: r.AttachmentLimits, AllowedOrigins: r.AllowedOrigins,
		AwayEmail: r.AwayEmail, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func toWorkspaceRow(ws *helpium.Workspace) *workspaceRow {
	origins := ws.AllowedOrigins
	if origins == nil {
		origins = []string{} // the column is NOT NULL; bun writes a nil slice as NULL
	}
	return &workspaceRow{
		ID: ws.ID, Name: ws.Name, APIKey: ws.APIKey, Widget: ws.Widget, BusinessHours: ws.BusinessHours,
		IdentitySecret: ws.IdentitySecret, RequireIdentityVerification: ws.RequireIdentityVerification,
		RateLimits: ws.RateLimits, AttachmentLimits: ws.AttachmentLimits, AllowedOrigins: origins,
		AwayEmail: ws.AwayEmail, CreatedAt: ws.CreatedAt, UpdatedAt: ws.UpdatedAt,
	}
}

// CreateWorkspace inserts ws; ID, APIKey and timestamps must be set.
func (s *Store) CreateWorkspace(ctx context.Context, ws *helpium.Workspace) error {
	_, err := s.db.NewInsert().Model(toWorkspaceRow(ws)).Exec(ctx)
	return dbErr(err, "workspace")
}

// FindWorkspaceByAPIKey returns the workspace whose widget key is key.
// Returns ENotFound when there is none.
func (s *Store) FindWorkspaceByAPIKey(ctx context.Context, key string) (*helpium.Workspace, error) {
	row := new(workspaceRow)
	if err := s.db.NewSelect().Model(row).Where("api_key = ?", key).Scan(ctx); err != nil {
		return nil, dbErr(err, "workspace")
	}
	return row.toWorkspace(), nil
}

// FindWorkspaceByID returns a workspace. Returns ENotFound when there is none.
func (s *Store) FindWorkspaceByID(ctx context.Context, id string) (*helpium.Workspace, error) {
	row := new(workspaceRow)
	if err := s.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr(err, "workspace")
	}
	return row.toWorkspace(), nil
}

// FindMemberWorkspaces returns those of the workspaces ids that agentID is
// a member of, in no particular order.
func (s *Store) FindMemberWorkspaces(ctx context.Context, agentID string, ids []string) ([]*helpium.Workspace, error) {
	var rows []workspaceRow
	if len(ids) == 0 {
		return nil, nil
	}
	err := s.db.NewSelect().Model(&rows).ModelTableExpr("workspaces AS w").ColumnExpr("w.*").Where("w.id IN (?)", bun.In(ids)).
		Where("EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = w.id AND m.agent_id = ?)", agentID).Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "workspaces")
	}
	return each(rows, (*workspaceRow).toWorkspace), nil
}

// FindWorkspaceByName returns the oldest workspace called name.
func (s *Store) FindWorkspaceByName(ctx context.Context, name string) (*helpium.Workspace, error) {
	row := new(workspaceRow)
	if err := s.db.NewSelect().Model(row).Where("name = ?", name).Order("created_at").Limit(1).Scan(ctx); err != nil {
		return nil, dbErr(err, "workspace")
	}
	return row.toWorkspace(), nil
}

// UpdateWorkspace stores a workspace's name, widget key, widget settings,
// business hours, identity settings, rate limits, attachment limits and allowed origins. Returns ENotFound when it does not exist.
func (s *Store) UpdateWorkspace(ctx context.Context, ws *helpium.Workspace) error {
	res, err := s.db.NewUpdate().Model(toWorkspaceRow(ws)).
		Column("name", "api_key", "widget", "business_hours", "identity_secret", "require_identity_verification",
			"rate_limits", "attachment_limits", "allowed_origins", "away_email", "updated_at").
		WherePK().Exec(ctx)
	return affectedOne(res, err, "workspace")
}
