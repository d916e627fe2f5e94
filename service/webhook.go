package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/secret"
)

// Webhooks runs a workspace's webhook endpoints and their deliveries.
type Webhooks struct {
	base
	secrets *secret.Keyring   // seals signing secrets
	actions *actions.Executor // its outbound policy says which URL schemes are allowed
}

// Webhooks: owners and admins manage a workspace's endpoints; the database
// queues events (see the webhooks migration) and package webhook delivers
// them.

// WebhookSecretOverlap is how long a rotated-out secret keeps signing.
const WebhookSecretOverlap = 24 * time.Hour

const webhookSecretPrefix = "whsec_"

// NewWebhookEndpoint is an endpoint just created or given a new secret,
// with the secret: it is shown here only.
type NewWebhookEndpoint struct {
	Endpoint *helpium.WebhookEndpoint
	Secret   string
}

func (s *Webhooks) sealWebhookSecret(endpointID string) (string, db.SealedSecret, error) {
	if s.secrets == nil {
		return "", db.SealedSecret{}, helpium.Errorf(helpium.EUnavailable, "Webhooks need HELPIUM_ENCRYPTION_KEY to keep their secrets.")
	}
	b := make([]byte, 32)
	rand.Read(b)
	secret := webhookSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
	keyID, ct := s.secrets.Seal([]byte(secret), helpium.WebhookSecretAAD(endpointID))
	return secret, db.SealedSecret{KeyID: keyID, Ciphertext: ct}, nil
}

// checkWebhookInput validates an endpoint's settings; the URL must be https
// unless it is listed for development.
func (s *Webhooks) checkWebhookInput(in *helpium.WebhookEndpointInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if u, _ := url.Parse(in.URL); !s.actions.SchemeAllowed(u) {
		return helpium.Invalid("url", "url must be https")
	}
	return nil
}

// CreateWebhookEndpoint adds an endpoint to a workspace; admins only. The
// result carries its signing secret, shown only here.
func (s *Webhooks) CreateWebhookEndpoint(ctx context.Context, workspaceID string, in helpium.WebhookEndpointInput) (*NewWebhookEndpoint, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	if err := s.checkWebhookInput(&in); err != nil {
		return nil, err
	}
	now := s.clock()
	e := &helpium.WebhookEndpoint{ID: uuid.Must(uuid.NewV7()).String(), WorkspaceID: workspaceID, URL: in.URL,
		Description: in.Description, EventTypes: in.EventTypes, IncludeInternalNotes: in.IncludeInternalNotes,
		Enabled: in.Enabled, CreatedAt: now, UpdatedAt: now}
	secret, sealed, err := s.sealWebhookSecret(e.ID)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateWebhookEndpoint(ctx, e, sealed); err != nil {
		return nil, err
	}
	return &NewWebhookEndpoint{Endpoint: e, Secret: secret}, nil
}

// WebhookEndpoints lists a workspace's endpoints to its admins.
func (s *Webhooks) WebhookEndpoints(ctx context.Context, workspaceID string) ([]*helpium.WebhookEndpoint, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	return s.store.FindWebhookEndpoints(ctx, workspaceID)
}

// WebhookEndpoint returns an endpoint to an admin of its workspace.
// Another workspace's endpoint is ENotFound.
func (s *Webhooks) WebhookEndpoint(ctx context.Context, id string) (*helpium.WebhookEndpoint, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := helpium.CheckID("Webhook endpoint", id); err != nil {
		return nil, err
	}
	e, err := s.store.FindWebhookEndpoint(ctx, db.Scope{AgentID: a.Agent.ID}, id)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.authorize(ctx, e.WorkspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	return e, nil
}

// UpdateWebhookEndpoint replaces an endpoint's settings; admins only.
// Enabling it clears why Helpium had disabled it.
func (s *Webhooks) UpdateWebhookEndpoint(ctx context.Context, id string, in helpium.WebhookEndpointInput) (*helpium.WebhookEndpoint, error) {
	e, err := s.WebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkWebhookInput(&in); err != nil {
		return nil, err
	}
	e.URL, e.Description, e.EventTypes, e.IncludeInternalNotes = in.URL, in.Description, in.EventTypes, in.IncludeInternalNotes
	if e.Enabled = in.Enabled; e.Enabled {
		e.DisabledReason = ""
	}
	e.UpdatedAt = s.clock()
	if err := s.store.UpdateWebhookEndpoint(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// DeleteWebhookEndpoint deletes an endpoint and its deliveries; admins only.
func (s *Webhooks) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	e, err := s.WebhookEndpoint(ctx, id)
	if err != nil {
		return err
	}
	return s.store.DeleteWebhookEndpoint(ctx, e.WorkspaceID, e.ID)
}

// RotateWebhookSecret gives an endpoint a new secret, returned here only;
// the old one keeps signing beside it for WebhookSecretOverlap, so that
// receivers can switch without missing an event.
func (s *Webhooks) RotateWebhookSecret(ctx context.Context, id string) (*NewWebhookEndpoint, error) {
	e, err := s.WebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	secret, sealed, err := s.sealWebhookSecret(e.ID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	if err := s.store.RotateWebhookSecret(ctx, e.WorkspaceID, e.ID, sealed, now.Add(WebhookSecretOverlap), now); err != nil {
		return nil, err
	}
	e.UpdatedAt = now
	return &NewWebhookEndpoint{Endpoint: e, Secret: secret}, nil
}

// SendTestWebhook queues a webhook.test event for an endpoint, enabled or
// not, and returns its delivery.
func (s *Webhooks) SendTestWebhook(ctx context.Context, id string) (*helpium.WebhookDelivery, error) {
	e, err := s.WebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := map[string]any{"kind": "agent", "id": actingAgent(ctx)}
	data := map[string]any{"endpoint": map[string]any{"id": e.ID, "url": e.URL}}
	return s.store.QueueTestEvent(ctx, e, uuid.NewString(), uuid.NewString(), actor, data, s.clock())
}

// RedeliverWebhook queues a delivery's event again for its endpoint, under
// the same event id; admins only.
func (s *Webhooks) RedeliverWebhook(ctx context.Context, deliveryID string) (*helpium.WebhookDelivery, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := helpium.CheckID("Webhook delivery", deliveryID); err != nil {
		return nil, err
	}
	d, err := s.store.FindWebhookDelivery(ctx, db.Scope{AgentID: a.Agent.ID}, deliveryID)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.authorize(ctx, d.WorkspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	return s.store.Redeliver(ctx, d.WorkspaceID, d.ID, uuid.NewString(), s.clock())
}

// WebhookDeliveries returns an endpoint's latest deliveries (at most 100),
// newest first. The caller has read the endpoint through WebhookEndpoint.
func (s *Webhooks) WebhookDeliveries(ctx context.Context, e *helpium.WebhookEndpoint, limit int) ([]*helpium.WebhookDelivery, error) {
	if _, _, err := s.authorize(ctx, e.WorkspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	if limit < 1 || limit > 100 {
		return nil, helpium.Invalid("first", "first must be between 1 and 100")
	}
	return s.store.FindWebhookDeliveries(ctx, e.WorkspaceID, e.ID, limit)
}

// RotateWebhookSecrets re-encrypts every endpoint's signing secrets that
// are not under the keyring's primary key, and returns how many endpoints
// it re-encrypted.
func (s *Webhooks) RotateWebhookSecrets(ctx context.Context) (int, error) {
	if s.secrets == nil {
		return 0, errNoKeyring
	}
	reseal := func(id string, in *db.SealedSecret) (*db.SealedSecret, error) {
		aad := helpium.WebhookSecretAAD(id)
		pt, err := s.secrets.Open(in.KeyID, in.Ciphertext, aad)
		if err != nil {
			return nil, err
		}
		kid, ct := s.secrets.Seal(pt, aad)
		return &db.SealedSecret{KeyID: kid, Ciphertext: ct}, nil
	}
	n := 0
	for {
		batch, err := s.store.FindWebhookSecretsNotUnder(ctx, s.secrets.PrimaryID(), 200, s.clock())
		if err != nil || len(batch) == 0 {
			return n, err
		}
		for _, old := range batch {
			cur, err := reseal(old.EndpointID, &old.Current)
			if err != nil {
				return n, err
			}
			next := db.SealedWebhookSecrets{EndpointID: old.EndpointID, Current: *cur}
			if old.Previous != nil {
				if next.Previous, err = reseal(old.EndpointID, old.Previous); err != nil {
					return n, err
				}
			}
			if err := s.store.ReplaceWebhookSecrets(ctx, old, next); err != nil {
				return n, err
			}
			n++
		}
	}
}
