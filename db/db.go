// Package db stores Helpium's data in PostgreSQL through bun: row types,
// migrations and the Store that the service layer calls.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/extra/bundebug"
)

// Options tunes the connection pool.
type Options struct {
	MaxOpenConns int
	Debug        bool // log every query (HELPIUM_DB_DEBUG)
}

// Open connects to PostgreSQL at url and checks the connection.
func Open(ctx context.Context, url string, opt Options) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	// bun writes argument values into the SQL text, so nearly every
	// statement is new to pgx; its default mode would prepare (an extra
	// round trip) and cache each one. Exec mode sends it in one round trip.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	sqldb := stdlib.OpenDB(*cfg)
	if opt.MaxOpenConns <= 0 {
		opt.MaxOpenConns = 32
	}
	sqldb.SetMaxOpenConns(opt.MaxOpenConns)
	sqldb.SetMaxIdleConns(opt.MaxOpenConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	bdb := bun.NewDB(sqldb, pgdialect.New())
	if opt.Debug {
		bdb.AddQueryHook(bundebug.NewQueryHook(bundebug.WithVerbose(true)))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := bdb.PingContext(pingCtx); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return bdb, nil
}

var _ = sql.ErrNoRows
