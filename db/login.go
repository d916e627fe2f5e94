package db

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// LoginLock returns until when sign-ins to email are refused (zero: they
// are not).
func (s *Store) LoginLock(ctx context.Context, email string) (time.Time, error) {
	var until sql.NullTime
	err := s.db.NewSelect().Table("login_failures").Column("locked_until").Where("email = ?", email).Scan(ctx, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, dbErr(err, "sign-in")
	}
	return until.Time, nil
}

// AddLoginFailure counts a failed sign-in to email at now and returns the
// count; a count whose last failure is older than reset starts again at 1.
func (s *Store) AddLoginFailure(ctx context.Context, email string, now time.Time, reset time.Duration) (int, error) {
	var n int
	_, err := s.db.NewRaw(`INSERT INTO login_failures (email, failures, updated_at) VALUES (?, 1, ?)
		ON CONFLICT (email) DO UPDATE SET
			failures = CASE WHEN login_failures.updated_at < ? THEN 1 ELSE login_failures.failures + 1 END,
			updated_at = excluded.updated_at
		RETURNING failures`, email, now, now.Add(-reset)).Exec(ctx, &n)
	return n, dbErr(err, "sign-in")
}

// LockLogin refuses sign-ins to email until then.
func (s *Store) LockLogin(ctx context.Context, email string, until time.Time) error {
	_, err := s.db.NewUpdate().Table("login_failures").Set("locked_until = ?", until).Where("email = ?", email).Exec(ctx)
	return dbErr(err, "sign-in")
}

// ClearLoginFailures forgets email's failed sign-ins.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	_, err := s.db.NewDelete().Table("login_failures").Where("email = ?", email).Exec(ctx)
	return dbErr(err, "sign-in")
}
