package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type customerRow struct {
	bun.BaseModel `bun:"table:customers"`

	ID          string  `bun:"id,pk,type:uuid"`
	WorkspaceID string  `bun:"workspace_id,type:uuid"`
	Email       *string `bun:"email"`
	Name        *string `bun:"name"`
	Verified    bool    `bun:"verified"`
	// The ciphertext is only ever selected to decrypt for an action call
	// or to re-encrypt; HasBearerToken is what reads need.
	BearerTokenCiphertext []byte    `bun:"bearer_token_ciphertext"`
	BearerTokenKeyID      *string   `bun:"bearer_token_key_id"`
	CreatedAt             time.Time `bun:"created_at"`
	UpdatedAt             time.Time `bun:"updated_at"`
}

func (r *customerRow) toCustomer() *helpium.Customer {
	return &helpium.Customer{
		ID: r.ID, WorkspaceID: r.WorkspaceID, Email: r.Email, Name: r.Name, Verified: r.Verified,
		HasBearerToken: r.BearerTokenCiphertext != nil, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
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

// Identity is what an identify call asks the store to record.
type Identity struct {
	WorkspaceID string
	TokenHash   []byte // the widget token of the conversation to link
	Email       string
	Name        *string // nil keeps the stored name
	Verified    bool
	// SetBearer replaces the stored bearer token with Seal's output (nil
	// ciphertext clears it). Seal gets the customer id to bind the
	// ciphertext to.
	SetBearer bool
	Seal      func(customerID string) (keyID string, ciphertext []byte)
}

// Identify creates or updates the workspace's customer with the identity's
// email (case-insensitive) and links the conversation behind the widget
// token to them, in one transaction. An unverified identity never changes
// the name or bearer token of a customer who has been verified. Returns
// ENotFound when the token names no conversation of the workspace.
func (s *Store) Identify(ctx context.Context, id Identity, newID string, now time.Time) (*helpium.Customer, error) {
	row := new(customerRow)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var convID string
		if err := tx.NewSelect().Table("conversations").Column("id").
			Where("token_hash = ?", id.TokenHash).Where("workspace_id = ?", id.WorkspaceID).
			For("UPDATE").Scan(ctx, &convID); err != nil {
			return err
		}
		err := tx.NewRaw(`INSERT INTO customers (id, workspace_id, email, name, verified, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, lower(email)) WHERE email IS NOT NULL DO UPDATE SET
				name = CASE WHEN EXCLUDED.verified OR NOT customers.verified THEN coalesce(EXCLUDED.name, customers.name) ELSE customers.name END,
				verified = customers.verified OR EXCLUDED.verified,
				updated_at = EXCLUDED.updated_at
			RETURNING *`, newID, id.WorkspaceID, id.Email, id.Name, id.Verified, now, now).Scan(ctx, row)
		if err != nil {
			return err
		}
		// row.Verified is the stored flag after the upsert: a customer
		// verified before (or now) only accepts a token from a verified call.
		if id.SetBearer && (id.Verified || !row.Verified) {
			var keyID *string
			var ct []byte
			if id.Seal != nil {
				k, c := id.Seal(row.ID)
				keyID, ct = &k, c
			}
			if _, err := tx.NewUpdate().Table("customers").Set("bearer_token_ciphertext = ?", ct).
				Set("bearer_token_key_id = ?", keyID).Where("id = ?", row.ID).Exec(ctx); err != nil {
				return err
			}
			row.BearerTokenCiphertext, row.BearerTokenKeyID = ct, keyID
		}
		_, err = tx.NewUpdate().Table("conversations").
			Set("customer_id = ?", row.ID).Set("identity_verified = ?", id.Verified).Set("updated_at = ?", now).
			Where("id = ?", convID).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, dbErr(err, "conversation")
	}
	return row.toCustomer(), nil
}

// SessionConversations returns the conversations the widget session behind
// a token may list: all of its customer's when the session verified their
// identity, otherwise only its own. Newest activity first, at most limit.
func (s *Store) SessionConversations(ctx context.Context, workspaceID string, tokenHash []byte, limit int) ([]*helpium.Conversation, error) {
	var rows []conversationRow
	err := s.db.NewRaw(`
		WITH me AS (
			SELECT id, customer_id, identity_verified FROM conversations
			WHERE token_hash = ? AND workspace_id = ?
		)
		SELECT c.* FROM conversations c, me
		WHERE c.workspace_id = ? AND (c.id = me.id
			OR (me.identity_verified AND me.customer_id IS NOT NULL AND c.customer_id = me.customer_id))
		ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id DESC
		LIMIT ?`, tokenHash, workspaceID, workspaceID, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "conversations")
	}
	if len(rows) == 0 {
		return nil, notFound("conversation")
	}
	out := make([]*helpium.Conversation, len(rows))
	for i := range rows {
		out[i] = rows[i].toConversation()
	}
	return out, nil
}

// EncryptedBearer is a customer's sealed bearer token.
type EncryptedBearer struct {
	CustomerID  string
	WorkspaceID string
	KeyID       string
	Ciphertext  []byte
}

// FindBearerToken returns the sealed bearer token of a workspace's
// customer, or ENotFound when none is stored.
func (s *Store) FindBearerToken(ctx context.Context, workspaceID, customerID string) (*EncryptedBearer, error) {
	row := new(customerRow)
	err := s.db.NewSelect().Model(row).Where("id = ?", customerID).Where("workspace_id = ?", workspaceID).
		Where("bearer_token_ciphertext IS NOT NULL").Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "bearer token")
	}
	return &EncryptedBearer{CustomerID: row.ID, WorkspaceID: row.WorkspaceID, KeyID: *row.BearerTokenKeyID, Ciphertext: row.BearerTokenCiphertext}, nil
}

// FindBearerTokensNotUnder returns up to limit sealed tokens whose key is
// not keyID, for re-encryption after a key rotation.
func (s *Store) FindBearerTokensNotUnder(ctx context.Context, keyID string, limit int) ([]*EncryptedBearer, error) {
	var rows []customerRow
	err := s.db.NewSelect().Model(&rows).Where("bearer_token_ciphertext IS NOT NULL").
		Where("bearer_token_key_id <> ?", keyID).OrderExpr("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "bearer tokens")
	}
	out := make([]*EncryptedBearer, len(rows))
	for i, r := range rows {
		out[i] = &EncryptedBearer{CustomerID: r.ID, WorkspaceID: r.WorkspaceID, KeyID: *r.BearerTokenKeyID, Ciphertext: r.BearerTokenCiphertext}
	}
	return out, nil
}

// ReplaceBearerToken stores a re-encrypted token if the stored one is still
// the old ciphertext (a concurrent identify wins).
func (s *Store) ReplaceBearerToken(ctx context.Context, old *EncryptedBearer, keyID string, ciphertext []byte) error {
	_, err := s.db.NewUpdate().Table("customers").
		Set("bearer_token_ciphertext = ?", ciphertext).Set("bearer_token_key_id = ?", keyID).
		Where("id = ?", old.CustomerID).Where("bearer_token_ciphertext = ?", old.Ciphertext).Exec(ctx)
	return dbErr(err, "bearer token")
}
