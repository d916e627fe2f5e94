package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type actionRow struct {
	bun.BaseModel `bun:"table:actions"`

	ID                    string          `bun:"id,pk,type:uuid"`
	WorkspaceID           string          `bun:"workspace_id,type:uuid"`
	Name                  string          `bun:"name"`
	Description           string          `bun:"description"`
	Method                string          `bun:"method"`
	URLTemplate           string          `bun:"url_template"`
	Parameters            json.RawMessage `bun:"parameters,type:json"`
	Headers               []actionHeader  `bun:"headers,type:jsonb"`
	RequiresCustomerToken bool            `bun:"requires_customer_token"`
	CreatedAt             time.Time       `bun:"created_at"`
	UpdatedAt             time.Time       `bun:"updated_at"`
}

type actionHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func (r *actionRow) toAction() *helpium.Action {
	a := &helpium.Action{
		ID: r.ID, WorkspaceID: r.WorkspaceID, Name: r.Name, Description: r.Description,
		Method: helpium.ActionMethod(r.Method), URLTemplate: r.URLTemplate, Parameters: helpium.JSON(r.Parameters),
		RequiresCustomerToken: r.RequiresCustomerToken, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Headers: make([]helpium.ActionHeader, len(r.Headers)),
	}
	for i, h := range r.Headers {
		a.Headers[i] = helpium.ActionHeader{Name: h.Name, Value: &h.Value}
	}
	return a
}

func toActionRow(a *helpium.Action) *actionRow {
	r := &actionRow{
		ID: a.ID, WorkspaceID: a.WorkspaceID, Name: a.Name, Description: a.Description,
		Method: string(a.Method), URLTemplate: a.URLTemplate, Parameters: json.RawMessage(a.Parameters),
		RequiresCustomerToken: a.RequiresCustomerToken, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		Headers: make([]actionHeader, 0, len(a.Headers)),
	}
	for _, h := range a.Headers {
		v := ""
		if h.Value != nil {
			v = *h.Value
		}
		r.Headers = append(r.Headers, actionHeader{Name: h.Name, Value: v})
	}
	return r
}

// actionErr maps a duplicate name to a conflict on the name field.
func actionErr(err error, name string) error {
	if isPgCode(err, "23505") {
		return &helpium.Error{Code: helpium.EConflict, Field: "name", Message: "An action named " + name + " already exists in this workspace.", Cause: err}
	}
	return dbErr(err, "action")
}

// CreateAction stores a new action. Returns EConflict when the workspace
// has an action with the same name (in any case).
func (s *Store) CreateAction(ctx context.Context, a *helpium.Action) error {
	_, err := s.db.NewInsert().Model(toActionRow(a)).Exec(ctx)
	return actionErr(err, a.Name)
}

// UpdateAction replaces an action's definition. Returns ENotFound when the
// workspace has no such action, EConflict for a duplicate name.
func (s *Store) UpdateAction(ctx context.Context, a *helpium.Action) error {
	res, err := s.db.NewUpdate().Model(toActionRow(a)).
		Column("name", "description", "method", "url_template", "parameters", "headers", "requires_customer_token", "updated_at").
		Where("id = ?", a.ID).Where("workspace_id = ?", a.WorkspaceID).Exec(ctx)
	if err != nil {
		return actionErr(err, a.Name)
	}
	return affectedOne(res, nil, "action")
}

// DeleteAction deletes a workspace's action; its audit rows stay.
func (s *Store) DeleteAction(ctx context.Context, workspaceID, id string) error {
	res, err := s.db.NewDelete().Table("actions").Where("id = ?", id).Where("workspace_id = ?", workspaceID).Exec(ctx)
	return affectedOne(res, err, "action")
}

// FindActionByID returns an action within scope, or ENotFound.
func (s *Store) FindActionByID(ctx context.Context, sc Scope, id string) (*helpium.Action, error) {
	row := new(actionRow)
	q := s.db.NewSelect().Model(row).Where("action_row.id = ?", id)
	if err := sc.apply(q, "action_row.workspace_id").Scan(ctx); err != nil {
		return nil, dbErr(err, "action")
	}
	return row.toAction(), nil
}

// FindActions returns a workspace's actions by name.
func (s *Store) FindActions(ctx context.Context, workspaceID string) ([]*helpium.Action, error) {
	var rows []actionRow
	if err := s.db.NewSelect().Model(&rows).Where("workspace_id = ?", workspaceID).OrderExpr("lower(name), id").Scan(ctx); err != nil {
		return nil, dbErr(err, "actions")
	}
	return each(rows, (*actionRow).toAction), nil
}

// CountActions returns how many actions a workspace has.
func (s *Store) CountActions(ctx context.Context, workspaceID string) (int, error) {
	n, err := s.db.NewSelect().Table("actions").Where("workspace_id = ?", workspaceID).Count(ctx)
	return int(n), dbErr(err, "actions")
}

type actionCallRow struct {
	bun.BaseModel `bun:"table:action_calls"`

	ID             string    `bun:"id,pk,type:uuid"`
	WorkspaceID    string    `bun:"workspace_id,type:uuid"`
	ActionID       *string   `bun:"action_id,type:uuid"`
	ActionName     string    `bun:"action_name"`
	ConversationID *string   `bun:"conversation_id,type:uuid"`
	Caller         string    `bun:"caller"`
	AgentID        *string   `bun:"agent_id,type:uuid"`
	StatusCode     *int      `bun:"status_code"`
	DurationMS     int64     `bun:"duration_ms"`
	Error          *string   `bun:"error"`
	CreatedAt      time.Time `bun:"created_at"`
}

// CreateActionCall records one action call.
func (s *Store) CreateActionCall(ctx context.Context, c *helpium.ActionCall) error {
	_, err := s.db.NewInsert().Model(&actionCallRow{
		ID: c.ID, WorkspaceID: c.WorkspaceID, ActionID: c.ActionID, ActionName: c.ActionName,
		ConversationID: c.ConversationID, Caller: string(c.Caller), AgentID: c.AgentID,
		StatusCode: c.StatusCode, DurationMS: c.Duration.Milliseconds(), Error: c.Error, CreatedAt: c.CreatedAt,
	}).Exec(ctx)
	return dbErr(err, "action call")
}

// FindActionCalls returns a workspace's newest limit action calls matching f.
func (s *Store) FindActionCalls(ctx context.Context, workspaceID string, f helpium.ActionCallFilter, limit int) ([]*helpium.ActionCall, error) {
	var rows []actionCallRow
	q := s.db.NewSelect().Model(&rows).Where("workspace_id = ?", workspaceID)
	if f.ActionID != nil {
		q = q.Where("action_id = ?", *f.ActionID)
	}
	if f.ConversationID != nil {
		q = q.Where("conversation_id = ?", *f.ConversationID)
	}
	if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, dbErr(err, "action calls")
	}
	out := make([]*helpium.ActionCall, len(rows))
	for i, r := range rows {
		out[i] = &helpium.ActionCall{
			ID: r.ID, WorkspaceID: r.WorkspaceID, ActionID: r.ActionID, ActionName: r.ActionName,
			ConversationID: r.ConversationID, Caller: helpium.ActionCaller(r.Caller), AgentID: r.AgentID,
			StatusCode: r.StatusCode, Duration: time.Duration(r.DurationMS) * time.Millisecond, Error: r.Error, CreatedAt: r.CreatedAt,
		}
	}
	return out, nil
}
