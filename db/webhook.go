package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/helpium/helpium"
)

type webhookEndpointRow struct {
	bun.BaseModel `bun:"table:webhook_endpoints"`

	ID                   string       `bun:"id,pk,type:uuid"`
	WorkspaceID          string       `bun:"workspace_id,type:uuid"`
	URL                  string       `bun:"url"`
	Description          string       `bun:"description"`
	EventTypes           []string     `bun:"event_types,array"`
	IncludeInternalNotes bool         `bun:"include_internal_notes"`
	Enabled              bool         `bun:"enabled"`
	DisabledReason       *string      `bun:"disabled_reason"`
	SecretCiphertext     []byte       `bun:"secret_ciphertext"`
	SecretKeyID          string       `bun:"secret_key_id"`
	PreviousCiphertext   []byte       `bun:"previous_ciphertext"`
	PreviousKeyID        *string      `bun:"previous_key_id"`
	PreviousExpiresAt    bun.NullTime `bun:"previous_expires_at"`
	FailingSince         bun.NullTime `bun:"failing_since"`
	CreatedAt            time.Time    `bun:"created_at"`
	UpdatedAt            time.Time    `bun:"updated_at"`
}

func (r *webhookEndpointRow) toEndpoint() *helpium.WebhookEndpoint {
	e := &helpium.WebhookEndpoint{ID: r.ID, WorkspaceID: r.WorkspaceID, URL: r.URL, Description: r.Description,
		IncludeInternalNotes: r.IncludeInternalNotes, Enabled: r.Enabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, t := range r.EventTypes {
		e.EventTypes = append(e.EventTypes, helpium.WebhookEventType(t))
	}
	if r.DisabledReason != nil {
		e.DisabledReason = *r.DisabledReason
	}
	return e
}

// SealedSecret is a webhook signing secret encrypted under a keyring key.
type SealedSecret struct {
	KeyID      string
	Ciphertext []byte
}

// endpointColumns are the columns that are safe to read anywhere: not the
// secrets.
var endpointColumns = []string{"id", "workspace_id", "url", "description", "event_types", "include_internal_notes",
	"enabled", "disabled_reason", "created_at", "updated_at"}

func eventTypes(ts []helpium.WebhookEventType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// CreateWebhookEndpoint stores e with its sealed secret. Returns EConflict
// when the workspace has helpium.MaxWebhookEndpoints already.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *helpium.WebhookEndpoint, secret SealedSecret) error {
	return dbErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("SELECT 1 FROM workspaces WHERE id = ? FOR UPDATE", e.WorkspaceID).Exec(ctx); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*webhookEndpointRow)(nil)).Where("workspace_id = ?", e.WorkspaceID).Count(ctx)
		if err != nil {
			return err
		}
		if n >= helpium.MaxWebhookEndpoints {
			return helpium.Errorf(helpium.EConflict, "A workspace has at most %d webhook endpoints.", helpium.MaxWebhookEndpoints)
		}
		_, err = tx.NewInsert().Model(&webhookEndpointRow{
			ID: e.ID, WorkspaceID: e.WorkspaceID, URL: e.URL, Description: e.Description, EventTypes: eventTypes(e.EventTypes),
			IncludeInternalNotes: e.IncludeInternalNotes, Enabled: e.Enabled, SecretCiphertext: secret.Ciphertext,
			SecretKeyID: secret.KeyID, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		}).Exec(ctx)
		return err
	}), "webhook endpoint")
}

// FindWebhookEndpoints returns a workspace's endpoints, oldest first.
func (s *Store) FindWebhookEndpoints(ctx context.Context, workspaceID string) ([]*helpium.WebhookEndpoint, error) {
	var rows []webhookEndpointRow
	err := s.db.NewSelect().Model(&rows).Column(endpointColumns...).Where("workspace_id = ?", workspaceID).
		Order("created_at", "id").Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "webhook endpoints")
	}
	return each(rows, (*webhookEndpointRow).toEndpoint), nil
}

// FindWebhookEndpoint returns an endpoint of a workspace in scope.
func (s *Store) FindWebhookEndpoint(ctx context.Context, sc Scope, id string) (*helpium.WebhookEndpoint, error) {
	row := new(webhookEndpointRow)
	q := s.db.NewSelect().Model(row).Column(endpointColumns...).Where("id = ?", id)
	if err := sc.apply(q, "workspace_id").Scan(ctx); err != nil {
		return nil, dbErr(err, "webhook endpoint")
	}
	return row.toEndpoint(), nil
}

// UpdateWebhookEndpoint stores e's settings. Enabling an endpoint clears
// the reason Helpium disabled it and its run of failures.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, e *helpium.WebhookEndpoint) error {
	q := s.db.NewUpdate().Model((*webhookEndpointRow)(nil)).
		Set("url = ?", e.URL).Set("description = ?", e.Description).Set("event_types = ?", pgdialect.Array(eventTypes(e.EventTypes))).
		Set("include_internal_notes = ?", e.IncludeInternalNotes).Set("enabled = ?", e.Enabled).Set("updated_at = ?", e.UpdatedAt).
		Where("id = ?", e.ID).Where("workspace_id = ?", e.WorkspaceID)
	if e.Enabled {
		q = q.Set("disabled_reason = NULL").Set("failing_since = NULL")
	}
	res, err := q.Exec(ctx)
	return affectedOne(res, err, "webhook endpoint")
}

// DeleteWebhookEndpoint deletes an endpoint and its deliveries.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, workspaceID, id string) error {
	res, err := s.db.NewDelete().Model((*webhookEndpointRow)(nil)).Where("id = ?", id).Where("workspace_id = ?", workspaceID).Exec(ctx)
	return affectedOne(res, err, "webhook endpoint")
}

// RotateWebhookSecret makes next the endpoint's secret; the current one
// keeps signing beside it until previousUntil.
func (s *Store) RotateWebhookSecret(ctx context.Context, workspaceID, id string, next SealedSecret, previousUntil, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*webhookEndpointRow)(nil)).
		Set("previous_ciphertext = secret_ciphertext").Set("previous_key_id = secret_key_id").
		Set("previous_expires_at = ?", previousUntil).
		Set("secret_ciphertext = ?", next.Ciphertext).Set("secret_key_id = ?", next.KeyID).Set("updated_at = ?", now).
		Where("id = ?", id).Where("workspace_id = ?", workspaceID).Exec(ctx)
	return affectedOne(res, err, "webhook endpoint")
}

// SealedWebhookSecrets are an endpoint's sealed secrets: the current one
// and, during a rotation, the previous one.
type SealedWebhookSecrets struct {
	EndpointID string
	Current    SealedSecret
	Previous   *SealedSecret
}

// FindWebhookSecretsNotUnder returns up to limit endpoints whose current
// secret, or unexpired previous one, is not sealed under keyID, for
// re-encryption after a key rotation.
func (s *Store) FindWebhookSecretsNotUnder(ctx context.Context, keyID string, limit int, now time.Time) ([]SealedWebhookSecrets, error) {
	var rows []webhookEndpointRow
	err := s.db.NewSelect().Model(&rows).
		Column("id", "secret_ciphertext", "secret_key_id", "previous_ciphertext", "previous_key_id", "previous_expires_at").
		Where("secret_key_id <> ? OR (previous_expires_at > ? AND previous_key_id <> ?)", keyID, now, keyID).
		OrderExpr("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "webhook endpoints")
	}
	out := make([]SealedWebhookSecrets, len(rows))
	for i, r := range rows {
		out[i] = SealedWebhookSecrets{EndpointID: r.ID, Current: SealedSecret{KeyID: r.SecretKeyID, Ciphertext: r.SecretCiphertext}}
		if r.PreviousKeyID != nil && r.PreviousExpiresAt.After(now) {
			out[i].Previous = &SealedSecret{KeyID: *r.PreviousKeyID, Ciphertext: r.PreviousCiphertext}
		}
	}
	return out, nil
}

// ReplaceWebhookSecrets stores next, the re-encrypted secrets, if the
// endpoint's current secret is still old's (a concurrent rotation wins). An
// expired previous secret (next.Previous nil) is dropped.
func (s *Store) ReplaceWebhookSecrets(ctx context.Context, old, next SealedWebhookSecrets) error {
	q := s.db.NewUpdate().Model((*webhookEndpointRow)(nil)).
		Set("secret_ciphertext = ?", next.Current.Ciphertext).Set("secret_key_id = ?", next.Current.KeyID)
	if next.Previous != nil {
		q = q.Set("previous_ciphertext = ?", next.Previous.Ciphertext).Set("previous_key_id = ?", next.Previous.KeyID)
	} else {
		q = q.Set("previous_ciphertext = NULL").Set("previous_key_id = NULL").Set("previous_expires_at = NULL")
	}
	_, err := q.Where("id = ?", old.EndpointID).Where("secret_ciphertext = ?", old.Current.Ciphertext).Exec(ctx)
	return dbErr(err, "webhook endpoint")
}

// webhookDeliveryRow is a delivery with its event's type.
type webhookDeliveryRow struct {
	ID             string       `bun:"id"`
	EventID        string       `bun:"event_id"`
	EventType      string       `bun:"event_type"`
	EndpointID     string       `bun:"endpoint_id"`
	WorkspaceID    string       `bun:"workspace_id"`
	Status         string       `bun:"status"`
	Attempts       int          `bun:"attempts"`
	AvailableAt    time.Time    `bun:"available_at"`
	CreatedAt      time.Time    `bun:"created_at"`
	LastAttemptAt  bun.NullTime `bun:"last_attempt_at"`
	ResponseStatus *int         `bun:"response_status"`
	ResponseBody   *string      `bun:"response_body"`
	LatencyMS      *int         `bun:"latency_ms"`
	LastError      *string      `bun:"last_error"`
}

func (r *webhookDeliveryRow) toDelivery() *helpium.WebhookDelivery {
	d := &helpium.WebhookDelivery{ID: r.ID, EventID: r.EventID, EventType: helpium.WebhookEventType(r.EventType),
		EndpointID: r.EndpointID, WorkspaceID: r.WorkspaceID, Status: helpium.WebhookDeliveryStatus(r.Status),
		Attempts: r.Attempts, CreatedAt: r.CreatedAt, LastAttemptAt: timePtr(r.LastAttemptAt),
		ResponseStatus: r.ResponseStatus, ResponseBody: r.ResponseBody, LatencyMS: r.LatencyMS, Error: r.LastError}
	if d.Status == helpium.DeliveryPending {
		next := r.AvailableAt
		d.NextAttemptAt = &next
	}
	return d
}

const deliveryColumns = `d.id, d.event_id, ev.type AS event_type, d.endpoint_id, d.workspace_id, d.status, d.attempts,
	d.available_at, d.created_at, d.last_attempt_at, d.response_status, d.response_body, d.latency_ms, d.last_error`

// FindWebhookDeliveries returns an endpoint's latest deliveries, newest
// first.
func (s *Store) FindWebhookDeliveries(ctx context.Context, workspaceID, endpointID string, limit int) ([]*helpium.WebhookDelivery, error) {
	var rows []webhookDeliveryRow
	err := s.db.NewRaw(`SELECT `+deliveryColumns+` FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
		WHERE d.workspace_id = ? AND d.endpoint_id = ? ORDER BY d.created_at DESC, d.id DESC LIMIT ?`,
		workspaceID, endpointID, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "webhook deliveries")
	}
	return each(rows, (*webhookDeliveryRow).toDelivery), nil
}

// FindWebhookDelivery returns a delivery of a workspace in scope.
func (s *Store) FindWebhookDelivery(ctx context.Context, sc Scope, id string) (*helpium.WebhookDelivery, error) {
	var row webhookDeliveryRow
	q := s.db.NewSelect().TableExpr("webhook_deliveries AS d").Join("JOIN webhook_events AS ev ON ev.id = d.event_id").
		ColumnExpr(deliveryColumns).Where("d.id = ?", id)
	if err := sc.apply(q, "d.workspace_id").Scan(ctx, &row); err != nil {
		return nil, dbErr(err, "webhook delivery")
	}
	return row.toDelivery(), nil
}

// Redeliver queues the event of a delivery again for its endpoint, as a
// new delivery with the same event id.
func (s *Store) Redeliver(ctx context.Context, workspaceID, deliveryID, newID string, now time.Time) (*helpium.WebhookDelivery, error) {
	res, err := s.db.NewRaw(`INSERT INTO webhook_deliveries (id, event_id, endpoint_id, workspace_id, available_at, created_at)
		SELECT ?, event_id, endpoint_id, workspace_id, ?, ? FROM webhook_deliveries WHERE id = ? AND workspace_id = ?`,
		newID, now, now, deliveryID, workspaceID).Exec(ctx)
	if err := affectedOne(res, err, "webhook delivery"); err != nil {
		return nil, err
	}
	s.notifyWebhooks(ctx, workspaceID)
	return s.FindWebhookDelivery(ctx, Scope{WorkspaceID: workspaceID}, newID)
}

// QueueTestEvent queues a webhook.test event for one endpoint.
func (s *Store) QueueTestEvent(ctx context.Context, e *helpium.WebhookEndpoint, eventID, deliveryID string, actor, data any, now time.Time) (*helpium.WebhookDelivery, error) {
	actorJSON, _ := json.Marshal(actor)
	dataJSON, _ := json.Marshal(data)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw(`INSERT INTO webhook_events (id, workspace_id, type, actor, data, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			eventID, e.WorkspaceID, string(helpium.EventWebhookTest), string(actorJSON), string(dataJSON), now).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw(`INSERT INTO webhook_deliveries (id, event_id, endpoint_id, workspace_id, available_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, deliveryID, eventID, e.ID, e.WorkspaceID, now, now).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, dbErr(err, "webhook event")
	}
	s.notifyWebhooks(ctx, e.WorkspaceID)
	return s.FindWebhookDelivery(ctx, Scope{WorkspaceID: e.WorkspaceID}, deliveryID)
}

// notifyWebhooks wakes the dispatchers (best effort: they also poll).
func (s *Store) notifyWebhooks(ctx context.Context, workspaceID string) {
	s.db.ExecContext(ctx, `SELECT pg_notify('helpium_events', json_build_object('type', 'webhook_queued', 'workspace_id', ?::uuid)::text)`, workspaceID) //nolint:errcheck
}

// ClaimedDelivery is a delivery claimed for an attempt, with what sending
// it needs.
type ClaimedDelivery struct {
	ID, EventID, EndpointID, WorkspaceID string
	Attempts                             int // claims, this one included
	EventType                            string
	EventCreatedAt                       time.Time
	Actor, Data                          json.RawMessage
	URL                                  string
	Enabled                              bool
	Secret                               SealedSecret
	Previous                             *SealedSecret // until it expires
	FailingSince                         *time.Time
}

// ClaimWebhookDeliveries claims up to n due deliveries for lease, skipping
// the endpoints in busy (those this dispatcher is sending to already).
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, n int, lease time.Duration, busy []string) ([]ClaimedDelivery, error) {
	if busy == nil {
		busy = []string{}
	}
	var rows []struct {
		ID                 string          `bun:"id"`
		EventID            string          `bun:"event_id"`
		EndpointID         string          `bun:"endpoint_id"`
		WorkspaceID        string          `bun:"workspace_id"`
		Attempts           int             `bun:"attempts"`
		Type               string          `bun:"type"`
		EventCreatedAt     time.Time       `bun:"event_created_at"`
		Actor              json.RawMessage `bun:"actor"`
		Data               json.RawMessage `bun:"data"`
		URL                string          `bun:"url"`
		Enabled            bool            `bun:"enabled"`
		SecretCiphertext   []byte          `bun:"secret_ciphertext"`
		SecretKeyID        string          `bun:"secret_key_id"`
		PreviousCiphertext []byte          `bun:"previous_ciphertext"`
		PreviousKeyID      *string         `bun:"previous_key_id"`
		PreviousExpiresAt  bun.NullTime    `bun:"previous_expires_at"`
		FailingSince       bun.NullTime    `bun:"failing_since"`
	}
	err := s.db.NewRaw(`WITH claimed AS (
			UPDATE webhook_deliveries SET attempts = attempts + 1, available_at = now() + ?::interval
			WHERE id IN (SELECT id FROM webhook_deliveries
				WHERE status = 'pending' AND available_at <= now() AND NOT (endpoint_id::text = ANY (?))
				ORDER BY available_at LIMIT ? FOR UPDATE SKIP LOCKED)
			RETURNING id, event_id, endpoint_id, workspace_id, attempts)
		SELECT c.*, ev.type, ev.created_at AS event_created_at, ev.actor, ev.data,
			e.url, e.enabled, e.secret_ciphertext, e.secret_key_id, e.previous_ciphertext, e.previous_key_id,
			e.previous_expires_at, e.failing_since
		FROM claimed c JOIN webhook_events ev ON ev.id = c.event_id JOIN webhook_endpoints e ON e.id = c.endpoint_id`,
		lease.String(), pgdialect.Array(busy), n).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "webhook deliveries")
	}
	out := make([]ClaimedDelivery, len(rows))
	for i, r := range rows {
		out[i] = ClaimedDelivery{ID: r.ID, EventID: r.EventID, EndpointID: r.EndpointID, WorkspaceID: r.WorkspaceID,
			Attempts: r.Attempts, EventType: r.Type, EventCreatedAt: r.EventCreatedAt, Actor: r.Actor, Data: r.Data,
			URL: r.URL, Enabled: r.Enabled, Secret: SealedSecret{KeyID: r.SecretKeyID, Ciphertext: r.SecretCiphertext},
			FailingSince: timePtr(r.FailingSince)}
		if r.PreviousKeyID != nil && r.PreviousExpiresAt.After(time.Now()) {
			out[i].Previous = &SealedSecret{KeyID: *r.PreviousKeyID, Ciphertext: r.PreviousCiphertext}
		}
	}
	return out, nil
}

// DeliveryAttempt is the outcome of one attempt.
type DeliveryAttempt struct {
	At             time.Time
	Status         helpium.WebhookDeliveryStatus // pending: retry at RetryAt
	RetryAt        time.Time
	ResponseStatus *int
	ResponseBody   *string
	LatencyMS      int
	Error          *string
	// EndpointFailed: the endpoint's run of failures continues (or starts);
	// false resets it. DisableReason, when set, disables the endpoint.
	EndpointFailed bool
	DisableReason  string
}

// RecordDeliveryAttempt stores an attempt's outcome on the delivery and its
// endpoint, in one statement. The endpoint's row is written only when its
// state changes (a run of failures starts or ends, or it is disabled), so
// that concurrent successes do not queue on its lock.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, d *ClaimedDelivery, a DeliveryAttempt) error {
	delivery := s.db.NewUpdate().Table("webhook_deliveries").
		Set("status = ?", string(a.Status)).Set("last_attempt_at = ?", a.At).
		Set("response_status = ?", a.ResponseStatus).Set("response_body = ?", a.ResponseBody).
		Set("latency_ms = ?", a.LatencyMS).Set("last_error = ?", a.Error).Where("id = ?", d.ID)
	if a.Status == helpium.DeliveryPending {
		delivery = delivery.Set("available_at = ?", a.RetryAt)
	}
	e := s.db.NewUpdate().With("delivery", delivery).Table("webhook_endpoints").Where("id = ?", d.EndpointID)
	switch {
	case a.DisableReason != "":
		e = e.Set("enabled = false").Set("disabled_reason = ?", a.DisableReason).Set("updated_at = ?", a.At)
	case a.EndpointFailed:
		e = e.Set("failing_since = ?", a.At).Where("failing_since IS NULL")
	default:
		e = e.Set("failing_since = NULL").Where("failing_since IS NOT NULL")
	}
	_, err := e.Exec(ctx)
	return dbErr(err, "webhook delivery")
}

// SkipDelivery marks a claimed delivery skipped (its endpoint is disabled).
func (s *Store) SkipDelivery(ctx context.Context, id string) error {
	_, err := s.db.NewUpdate().Table("webhook_deliveries").Set("status = 'skipped'").Where("id = ?", id).Exec(ctx)
	return dbErr(err, "webhook delivery")
}

// WebhookQueue returns how many deliveries wait and how long the oldest
// has.
func (s *Store) WebhookQueue(ctx context.Context) (int, time.Duration, error) {
	var n int
	var age float64
	err := s.db.NewRaw(`SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)
		FROM webhook_deliveries WHERE status = 'pending'`).Scan(ctx, &n, &age)
	return n, time.Duration(age * float64(time.Second)), dbErr(err, "webhook deliveries")
}

// PruneWebhooks deletes events (and their deliveries) older than before
// whose deliveries are all finished.
func (s *Store) PruneWebhooks(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.NewRaw(`DELETE FROM webhook_events ev WHERE ev.created_at < ?
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = ev.id AND d.status = 'pending')`, before).Exec(ctx)
	if err != nil {
		return 0, dbErr(err, "webhook events")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
