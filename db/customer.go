package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type customerRow struct {
	bun.BaseModel `bun:"table:customers"`

	ID          string    `bun:"id,pk,type:uuid"`
	WorkspaceID string    `bun:"workspace_id,type:uuid"`
	Email       *string   `bun:"email"`
	Name        *string   `bun:"name"`
	Verified    bool      `bun:"verified"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
}

func (r *customerRow) toCustomer() *helpium.Customer {
	return &helpium.Customer{
		ID: r.ID, WorkspaceID: r.WorkspaceID, Email: r.Email, Name: r.Name, Verified: r.Verified,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// FindCustomersByIDs returns the customers with the given ids within scope.
func (s *Store) FindCustomersByIDs(ctx context.Context, sc Scope, ids []string) ([]*helpium.Customer, error) {
	var rows []customerRow
	q := s.db.NewSelect().Model(&rows).ModelTableExpr("customers AS cu").ColumnExpr("cu.*").Where("cu.id IN (?)", bun.In(ids))
	if err := sc.apply(q, "cu.workspace_id").Scan(ctx); err != nil {
		return nil, dbErr(err, "customers")
	}
	out := make([]*helpium.Customer, len(rows))
	for i := range rows {
		out[i] = rows[i].toCustomer()
	}
	return out, nil
}

// FindCustomers returns a page of a workspace's customers, newest first,
// optionally matching query in name or email.
func (s *Store) FindCustomers(ctx context.Context, workspaceID, query string, page helpium.Page) (*helpium.CustomerConnection, error) {
	n, backward, err := page.Size()
	if err != nil {
		return nil, err
	}
	if backward {
		return nil, helpium.Invalid("last", "customers page forward only: use first and after")
	}
	var rows []customerRow
	q := s.db.NewSelect().Model(&rows).ModelTableExpr("customers AS cu").ColumnExpr("cu.*").Where("cu.workspace_id = ?", workspaceID)
	if query != "" {
		like := "%" + escapeLike(query) + "%"
		q = q.Where("(cu.name ILIKE ? OR cu.email ILIKE ?)", like, like)
	}
	if page.After != nil {
		kc, err := helpium.ParseKeyCursor("after", *page.After)
		if err != nil {
			return nil, err
		}
		q = q.Where("(cu.created_at, cu.id::text) < (?, ?)", kc.At, kc.ID)
	}
	if err := q.OrderExpr("cu.created_at DESC, cu.id::text DESC").Limit(int64(n + 1)).Scan(ctx); err != nil {
		return nil, dbErr(err, "customers")
	}
	conn := &helpium.CustomerConnection{PageInfo: &helpium.PageInfo{HasPreviousPage: page.After != nil}}
	if len(rows) > n {
		rows, conn.PageInfo.HasNextPage = rows[:n], true
	}
	for i := range rows {
		c := helpium.KeyCursor{At: rows[i].CreatedAt, ID: rows[i].ID}.Encode()
		conn.Edges = append(conn.Edges, &helpium.CustomerEdge{Cursor: c, Node: rows[i].toCustomer()})
	}
	if len(conn.Edges) > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[len(conn.Edges)-1].Cursor
	}
	return conn, nil
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
