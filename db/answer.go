package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type answerSettingsRow struct {
	bun.BaseModel `bun:"table:answer_settings"`

	WorkspaceID string                 `bun:"workspace_id,pk,type:uuid"`
	Settings    helpium.AnswerSettings `bun:"settings,type:jsonb"`
	UpdatedAt   time.Time              `bun:"updated_at"`
}

// FindAnswerSettings returns a workspace's answer settings, or the defaults
// when it has none.
func (s *Store) FindAnswerSettings(ctx context.Context, workspaceID string) (helpium.AnswerSettings, error) {
	row := new(answerSettingsRow)
	err := s.db.NewSelect().Model(row).Where("workspace_id = ?", workspaceID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return helpium.AnswerSettings{Threshold: helpium.DefaultAnswerThreshold}, nil
	}
	return row.Settings, dbErr(err, "answer settings")
}

// SaveAnswerSettings stores a workspace's answer settings.
func (s *Store) SaveAnswerSettings(ctx context.Context, workspaceID string, st helpium.AnswerSettings, now time.Time) error {
	_, err := s.db.NewInsert().Model(&answerSettingsRow{WorkspaceID: workspaceID, Settings: st, UpdatedAt: now}).
		On("CONFLICT (workspace_id) DO UPDATE").Set("settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return dbErr(err, "answer settings")
}
