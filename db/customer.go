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

// customerColumns are the columns toCustomer reads, for queries that alias
// customers as cu.
const customerColumns = "cu.id, cu.workspace_id, cu.email, cu.name, cu.verified, cu.bearer_token_ciphertext, cu.created_at, cu.updated_at"

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
	return each(rows, (*customerRow).toCustomer), nil
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
		q = q.Where("(cu.created_at, cu.id) < (?, ?)", kc.At, kc.ID)
	}
	if err := q.OrderExpr("cu.created_at DESC, cu.id DESC").Limit(int64(n + 1)).Scan(ctx); err != nil {
		return nil, dbErr(err, "customers")
	}
	p := helpium.PageOf(rows, n, false, page.After != nil, func(r customerRow) string {
		return helpium.KeyCursor{At: r.CreatedAt, ID: r.ID}.Encode()
	})
	conn := &helpium.CustomerConnection{PageInfo: p.Info}
	for i := range p.Items {
		conn.Edges = append(conn.Edges, &helpium.CustomerEdge{Cursor: p.Cursors[i], Node: p.Items[i].toCustomer()})
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
	// SetBearer replaces the bearer token with Seal's output (nil
	// ciphertext clears it): the customer's after a verified identify, the
	// session's own (kept on its conversation) after an unverified one.
	// Seal gets the owner to bind the ciphertext to.
	SetBearer bool
	Seal      func(owner BearerOwner) (keyID string, ciphertext []byte)
}

// BearerOwner is what a sealed bearer token belongs to: a customer (set by
// a verified identify) or one widget session's conversation (set by an
// unverified one).
type BearerOwner struct {
	WorkspaceID    string
	CustomerID     string
	ConversationID string
}

// Identify creates or updates the workspace's customer with the identity's
// email (case-insensitive) and links the conversation behind the widget
// token to them, in one transaction. An unverified identity never changes
// the name of a customer who has been verified, and never touches a
// customer's bearer token: its token stays with its own conversation.
// Returns ENotFound when the token names no conversation of the workspace.
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
		conv := tx.NewUpdate().Table("conversations").
			Set("customer_id = ?", row.ID).Set("identity_verified = ?", id.Verified).Set("updated_at = ?", now)
		seal := func(owner BearerOwner) (*string, []byte) {
			if id.Seal == nil {
				return nil, nil
			}
			k, c := id.Seal(owner)
			return &k, c
		}
		switch {
		case id.SetBearer && id.Verified:
			keyID, ct := seal(BearerOwner{WorkspaceID: id.WorkspaceID, CustomerID: row.ID})
			if _, err := tx.NewUpdate().Table("customers").Set("bearer_token_ciphertext = ?", ct).
				Set("bearer_token_key_id = ?", keyID).Where("id = ?", row.ID).Exec(ctx); err != nil {
				return err
			}
			row.BearerTokenCiphertext, row.BearerTokenKeyID = ct, keyID
			// The session now acts with the customer's token.
			conv = conv.Set("bearer_token_ciphertext = NULL").Set("bearer_token_key_id = NULL")
		case id.SetBearer:
			keyID, ct := seal(BearerOwner{WorkspaceID: id.WorkspaceID, ConversationID: convID})
			conv = conv.Set("bearer_token_ciphertext = ?", ct).Set("bearer_token_key_id = ?", keyID)
		default:
			// A session that re-identifies as someone else keeps no token
			// it handed over for the previous identity.
			conv = conv.Set("bearer_token_ciphertext = CASE WHEN customer_id = ? THEN bearer_token_ciphertext END", row.ID).
				Set("bearer_token_key_id = CASE WHEN customer_id = ? THEN bearer_token_key_id END", row.ID)
		}
		_, err = conv.Where("id = ?", convID).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, dbErr(err, "conversation")
	}
	return row.toCustomer(), nil
}

// SessionConversations returns the conversations the widget session behind
// a token may list: its own, and when the session verified its customer's
// identity, their other verified sessions' conversations (never those of a
// session that only claimed the email). Newest activity first, at most limit.
func (s *Store) SessionConversations(ctx context.Context, workspaceID string, tokenHash []byte, limit int) ([]*helpium.Conversation, error) {
	var rows []conversationRow
	err := s.db.NewRaw(`
		WITH me AS (
			SELECT id, customer_id, identity_verified FROM conversations
			WHERE token_hash = ? AND workspace_id = ?
		)
		SELECT `+conversationColumns+` FROM conversations c, me
		WHERE c.workspace_id = ? AND (c.id = me.id
			OR (me.identity_verified AND me.customer_id IS NOT NULL AND c.customer_id = me.customer_id AND c.identity_verified))
		ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id DESC
		LIMIT ?`, tokenHash, workspaceID, workspaceID, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "conversations")
	}
	if len(rows) == 0 {
		return nil, notFound("conversation")
	}
	return each(rows, (*conversationRow).toConversation), nil
}

// EncryptedBearer is a sealed bearer token and what it belongs to.
type EncryptedBearer struct {
	BearerOwner
	KeyID      string
	Ciphertext []byte
}

// FindBearerToken returns the sealed bearer token of its owner (a
// customer, or a widget session's conversation), or ENotFound when none is
// stored.
func (s *Store) FindBearerToken(ctx context.Context, owner BearerOwner) (*EncryptedBearer, error) {
	table, id := owner.table()
	b := &EncryptedBearer{BearerOwner: owner}
	err := s.db.NewSelect().Table(table).Column("bearer_token_key_id", "bearer_token_ciphertext").
		Where("id = ?", id).Where("workspace_id = ?", owner.WorkspaceID).
		Where("bearer_token_ciphertext IS NOT NULL").Scan(ctx, &b.KeyID, &b.Ciphertext)
	if err != nil {
		return nil, dbErr(err, "bearer token")
	}
	return b, nil
}

// table names the table holding the owner's token, and the owner's row id.
func (o BearerOwner) table() (table, id string) {
	if o.ConversationID != "" {
		return "conversations", o.ConversationID
	}
	return "customers", o.CustomerID
}

// FindBearerTokensNotUnder returns up to limit sealed tokens (customers'
// and sessions') whose key is not keyID, for re-encryption after a key
// rotation.
func (s *Store) FindBearerTokensNotUnder(ctx context.Context, keyID string, limit int) ([]*EncryptedBearer, error) {
	var rows []struct {
		Kind        string `bun:"kind"`
		ID          string `bun:"id"`
		WorkspaceID string `bun:"workspace_id"`
		KeyID       string `bun:"bearer_token_key_id"`
		Ciphertext  []byte `bun:"bearer_token_ciphertext"`
	}
	err := s.db.NewRaw(`
		(SELECT 'customer' AS kind, id, workspace_id, bearer_token_key_id, bearer_token_ciphertext FROM customers
			WHERE bearer_token_ciphertext IS NOT NULL AND bearer_token_key_id <> ? ORDER BY id LIMIT ?)
		UNION ALL
		(SELECT 'conversation', id, workspace_id, bearer_token_key_id, bearer_token_ciphertext FROM conversations
			WHERE bearer_token_ciphertext IS NOT NULL AND bearer_token_key_id <> ? ORDER BY id LIMIT ?)`,
		keyID, limit, keyID, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "bearer tokens")
	}
	out := make([]*EncryptedBearer, len(rows))
	for i, r := range rows {
		out[i] = &EncryptedBearer{BearerOwner: BearerOwner{WorkspaceID: r.WorkspaceID}, KeyID: r.KeyID, Ciphertext: r.Ciphertext}
		if r.Kind == "customer" {
			out[i].CustomerID = r.ID
		} else {
			out[i].ConversationID = r.ID
		}
	}
	return out, nil
}

// ReplaceBearerToken stores a re-encrypted token if the stored one is still
// the old ciphertext (a concurrent identify wins).
func (s *Store) ReplaceBearerToken(ctx context.Context, old *EncryptedBearer, keyID string, ciphertext []byte) error {
	table, id := old.table()
	_, err := s.db.NewUpdate().Table(table).
		Set("bearer_token_ciphertext = ?", ciphertext).Set("bearer_token_key_id = ?", keyID).
		Where("id = ?", id).Where("bearer_token_ciphertext = ?", old.Ciphertext).Exec(ctx)
	return dbErr(err, "bearer token")
}
