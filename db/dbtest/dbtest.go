// Package dbtest gives each test a fresh, migrated PostgreSQL database on
// the real server that `make test` starts (DATABASE_URL). There is no mock:
// without a reachable server the test fails.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium/db"
)

// URL returns the test server's DATABASE_URL, failing the test when unset.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL and Weaviate")
	}
	return u
}

// withDatabase returns rawURL pointing at database name.
func withDatabase(t testing.TB, rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewURL creates a fresh database cloned from a migrated template and
// returns its URL; the database is dropped when the test ends.
func NewURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	base := URL(t)
	admin, err := db.Open(ctx, withDatabase(t, base, "postgres"), db.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()

	template := "helpium_tmpl_" + db.MigrationsVersion()
	ensureTemplate(t, ctx, admin, base, template)

	var b [6]byte
	rand.Read(b[:])
	name := "test_" + strings.ToLower(hex.EncodeToString(b[:]))
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := db.Open(context.Background(), withDatabase(t, base, "postgres"), db.Options{MaxOpenConns: 1})
		if err != nil {
			t.Errorf("dbtest: drop %s: %v", name, err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("dbtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(t, base, name)
}

// New returns a connection to a fresh migrated database, closed and dropped
// when the test ends.
func New(t testing.TB) *bun.DB {
	t.Helper()
	bdb, err := db.Open(context.Background(), NewURL(t), db.Options{MaxOpenConns: 16, Debug: os.Getenv("HELPIUM_DB_DEBUG") == "true"})
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { bdb.Close() })
	return bdb
}

// ensureTemplate creates and migrates the template database once per
// migration set, under an advisory lock so parallel test packages agree.
func ensureTemplate(t testing.TB, ctx context.Context, admin *bun.DB, base, name string) {
	t.Helper()
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(4242)"); err != nil {
		t.Fatalf("dbtest: lock: %v", err)
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock(4242)") //nolint:errcheck

	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(&exists); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	if exists {
		return
	}
	building := name + "_building"
	conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)") //nolint:errcheck
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		t.Fatalf("dbtest: create template: %v", err)
	}
	tdb, err := db.Open(ctx, withDatabase(t, base, building), db.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	err = db.Migrate(ctx, tdb)
	tdb.Close()
	if err != nil {
		t.Fatalf("dbtest: migrate template: %v", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		t.Fatalf("dbtest: rename template: %v", err)
	}
}
