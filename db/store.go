package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

// Store reads and writes Helpium's records. Every method that touches
// tenant data takes the workspace id and filters by it.
type Store struct {
	db *bun.DB
}

// NewStore returns a Store over db.
func NewStore(db *bun.DB) *Store { return &Store{db: db} }

// DB returns the underlying database handle.
func (s *Store) DB() *bun.DB { return s.db }

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.PingContext(ctx)
}

// dbErr maps storage errors to domain errors in one place: a missing row is
// ENotFound naming what, a lost or refused connection is EUnavailable.
func dbErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return notFound(what)
	case isPgCode(err, "23505"):
		return &helpium.Error{Code: helpium.EConflict, Message: what + " already exists.", Cause: err}
	case isPgCode(err, "22P02"):
		// A malformed id (not a UUID) names no record.
		return notFound(what)
	case unavailable(err):
		return &helpium.Error{Code: helpium.EUnavailable, Message: "The service is temporarily unavailable. Please retry.", Cause: err}
	}
	return err
}

func unavailable(err error) bool {
	var netErr net.Error
	var connErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; class 57P: operator intervention
		// (shutdown, crash recovery, cannot connect now).
		return pgErr.Code[:2] == "08" || pgErr.Code[:3] == "57P"
	}
	return false
}

func timePtr(t bun.NullTime) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := t.Time
	return &v
}

func isPgCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// affectedOne maps an UPDATE or DELETE that touched no row to ENotFound.
func affectedOne(res sql.Result, err error, what string) error {
	if err != nil {
		return dbErr(err, what)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return notFound(what)
	}
	return nil
}

func notFound(what string) error {
	return helpium.Errorf(helpium.ENotFound, "%s%s not found.", strings.ToUpper(what[:1]), what[1:])
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// nullUUID is id, or NULL for "".
func nullUUID(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

// each converts rows to the domain values f makes of them, in order.
func each[R, T any](rows []R, f func(*R) *T) []*T {
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = f(&rows[i])
	}
	return out
}
