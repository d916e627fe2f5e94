package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/secret"
)

// Identity runs who a widget's customer is: identify calls, the
// workspace's identity secret and verification setting, and the bearer
// tokens customers hand over for AI Actions (sealed with the keyring).
type Identity struct {
	base
	workspaces *Workspaces
	secrets    *secret.Keyring
}

// MaxBearerTokenLength bounds a customer's bearer token.
const MaxBearerTokenLength = 4096

func newIdentitySecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "is_" + hex.EncodeToString(b)
}

// UserHash returns the user hash a workspace's server computes for email:
// hex HMAC-SHA256 of the lower-cased email under the identity secret.
func UserHash(secret, email string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(m.Sum(nil))
}

// verifyUserHash compares a user hash with the expected one in constant time.
func verifyUserHash(secret, email, hash string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(hash))
	if err != nil || secret == "" {
		return false
	}
	want, _ := hex.DecodeString(UserHash(secret, email))
	return hmac.Equal(got, want)
}

// Identify says who the customer of a widget session is.
type Identify struct {
	Email       string
	Name        *string
	WidgetToken string
	// BearerTokenSet says the call carried bearer_token: BearerToken then
	// replaces the stored token, or clears it when nil. Without it the
	// stored token is kept.
	BearerTokenSet bool
	BearerToken    *string
	UserHash       *string
}

// Identify creates or updates the workspace's customer with in.Email and
// links the widget session's conversation to them. With a valid user hash
// the session is verified and may list the customer's other conversations;
// without one it links only the current conversation. Returns
// EUnauthenticated for a wrong user hash, or a missing one when the
// workspace requires verification; ENotFound for an unknown widget token;
// EInvalid for bad input. The bearer token is encrypted before it is stored
// and is never returned.
func (s *Identity) Identify(ctx context.Context, in Identify) (*helpium.Customer, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	email, err := helpium.NormalizeEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	if in.Name != nil {
		name, err := helpium.ValidateName("name", *in.Name, false)
		if err != nil {
			return nil, err
		}
		if name == "" {
			in.Name = nil
		} else {
			in.Name = &name
		}
	}
	if strings.TrimSpace(in.WidgetToken) == "" {
		return nil, helpium.Invalid("widgetToken", "widgetToken is required")
	}
	hash, err := widgetTokenHash(in.WidgetToken)
	if err != nil {
		return nil, err
	}
	if in.BearerTokenSet && in.BearerToken != nil {
		if err := helpium.CheckText("bearerToken", *in.BearerToken, MaxBearerTokenLength, true); err != nil {
			return nil, helpium.Invalid("bearerToken", "bearerToken must be a non-empty string of at most %d characters, or null", MaxBearerTokenLength)
		}
	}
	verified := false
	if in.UserHash != nil && strings.TrimSpace(*in.UserHash) != "" {
		if !verifyUserHash(ws.IdentitySecret, email, *in.UserHash) {
			return nil, helpium.Errorf(helpium.EUnauthenticated, "user_hash does not match this email.")
		}
		verified = true
	}
	if ws.RequireIdentityVerification && !verified {
		return nil, helpium.Errorf(helpium.EUnauthenticated, "This workspace requires a user_hash to identify customers.")
	}
	id := db.Identity{
		WorkspaceID: ws.ID, TokenHash: hash, Email: email, Name: in.Name, Verified: verified,
		SetBearer: in.BearerTokenSet,
	}
	if in.BearerTokenSet && in.BearerToken != nil {
		if s.secrets == nil {
			return nil, helpium.Internal(errNoKeyring)
		}
		token := *in.BearerToken
		id.Seal = func(owner db.BearerOwner) (string, []byte) {
			return s.secrets.Seal([]byte(token), bearerAAD(owner))
		}
	}
	c, err := s.store.Identify(ctx, id, uuid.Must(uuid.NewV7()).String(), s.clock())
	if err != nil || verified {
		return c, err
	}
	// An unverified session learns nothing it did not say: not the stored
	// name, not whether someone verified this email before.
	return &helpium.Customer{ID: c.ID, WorkspaceID: c.WorkspaceID, Email: c.Email, Name: in.Name}, nil
}

// bearerAAD binds a sealed bearer token to its owner, so a ciphertext
// copied to another customer or session does not open.
func bearerAAD(o db.BearerOwner) []byte {
	if o.ConversationID != "" {
		return []byte("bearer:" + o.WorkspaceID + ":conversation:" + o.ConversationID)
	}
	return []byte("bearer:" + o.WorkspaceID + ":" + o.CustomerID)
}

type keyringError string

func (e keyringError) Error() string { return string(e) }

const errNoKeyring = keyringError("no encryption keyring configured (HELPIUM_ENCRYPTION_KEY)")

// sessionBearerToken decrypts the bearer token to send on behalf of a
// conversation's customer, for an AI Action: the token its own widget
// session handed over, else the customer's when the session verified
// their identity. A session that only claimed an email never gets the
// token another session stored. Returns ENotFound when there is none. The
// token must never be logged or returned to a client.
func (s *Identity) sessionBearerToken(ctx context.Context, c *helpium.Conversation) (string, error) {
	if s.secrets == nil {
		return "", helpium.Internal(errNoKeyring)
	}
	enc, err := s.store.FindBearerToken(ctx, db.BearerOwner{WorkspaceID: c.WorkspaceID, ConversationID: c.ID})
	if helpium.ErrorCode(err) == helpium.ENotFound && c.IdentityVerified && c.CustomerID != nil {
		enc, err = s.store.FindBearerToken(ctx, db.BearerOwner{WorkspaceID: c.WorkspaceID, CustomerID: *c.CustomerID})
	}
	if err != nil {
		return "", err
	}
	pt, err := s.secrets.Open(enc.KeyID, enc.Ciphertext, bearerAAD(enc.BearerOwner))
	if err != nil {
		return "", helpium.Internal(err)
	}
	return string(pt), nil
}

// RotateBearerTokens re-encrypts every stored bearer token that is not
// under the keyring's primary key, and returns how many it re-encrypted.
func (s *Identity) RotateBearerTokens(ctx context.Context) (int, error) {
	if s.secrets == nil {
		return 0, errNoKeyring
	}
	n := 0
	for {
		batch, err := s.store.FindBearerTokensNotUnder(ctx, s.secrets.PrimaryID(), 200)
		if err != nil {
			return n, err
		}
		if len(batch) == 0 {
			return n, nil
		}
		for _, enc := range batch {
			aad := bearerAAD(enc.BearerOwner)
			pt, err := s.secrets.Open(enc.KeyID, enc.Ciphertext, aad)
			if err != nil {
				return n, err
			}
			kid, ct := s.secrets.Seal(pt, aad)
			if err := s.store.ReplaceBearerToken(ctx, enc, kid, ct); err != nil {
				return n, err
			}
			n++
		}
	}
}

// SessionConversations lists the conversations a widget session may see:
// all of the customer's after a verified identify, else only its own.
func (s *Identity) SessionConversations(ctx context.Context, token string) ([]*helpium.Conversation, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(token) == "" {
		return nil, helpium.Invalid("X-Widget-Token", "the X-Widget-Token header is required")
	}
	hash, err := widgetTokenHash(token)
	if err != nil {
		return nil, err
	}
	return s.store.SessionConversations(ctx, ws.ID, hash, 100)
}

// IdentitySecret returns a workspace's identity secret to its admins.
func (s *Identity) IdentitySecret(ctx context.Context, workspaceID string) (string, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return "", err
	}
	ws, err := s.store.FindWorkspaceByID(ctx, workspaceID)
	if err != nil {
		return "", err
	}
	if ws.IdentitySecret == "" { // workspaces from before identity verification
		ws, err = s.RotateIdentitySecret(ctx, workspaceID)
		if err != nil {
			return "", err
		}
	}
	return ws.IdentitySecret, nil
}

// RotateIdentitySecret gives a workspace a new identity secret; user hashes
// made with the old one stop verifying. Admins only.
func (s *Identity) RotateIdentitySecret(ctx context.Context, workspaceID string) (*helpium.Workspace, error) {
	return s.workspaces.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		ws.IdentitySecret = newIdentitySecret()
		return nil
	})
}

// SetIdentityVerification makes a valid user hash required (or optional)
// for identify calls. Admins only.
func (s *Identity) SetIdentityVerification(ctx context.Context, workspaceID string, required bool) (*helpium.Workspace, error) {
	return s.workspaces.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		ws.RequireIdentityVerification = required
		return nil
	})
}
