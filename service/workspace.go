package service

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
)

// Workspaces runs workspaces: creating them, the widget key every widget
// request is checked by (cached), and their settings (settings.go), which
// every change goes through updateWorkspace to store.
type Workspaces struct {
	base
	keys      *keyCache
	publicURL string // the demo workspace's resume page; "" when email is off
}

// keyCache remembers widget key lookups (with the compiled business-hours
// schedule) for a short time: the widget key is checked on every widget
// request and rarely changes.
type keyCache struct {
	ttl time.Duration
	mu  sync.RWMutex
	m   map[string]keyEntry
	// gen counts invalidations, so a lookup that raced with one does not
	// store what it read before it.
	gen uint64
}

type keyEntry struct {
	ws       *helpium.Workspace
	schedule *helpium.Schedule
	expires  time.Time
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, m: make(map[string]keyEntry)}
}

func (c *keyCache) get(key string, now time.Time) (keyEntry, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	return e, ok && now.Before(e.expires)
}

// forgetWorkspace drops every cached lookup of a workspace.
func (c *keyCache) forgetWorkspace(id string) {
	c.mu.Lock()
	c.gen++
	for k, e := range c.m {
		if e.ws.ID == id {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}

// clear drops everything.
func (c *keyCache) clear() {
	c.mu.Lock()
	c.gen++
	c.m = make(map[string]keyEntry)
	c.mu.Unlock()
}

func (c *keyCache) forget(key string) {
	c.mu.Lock()
	c.gen++
	delete(c.m, key)
	c.mu.Unlock()
}

func (c *keyCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *keyCache) put(key string, e keyEntry, now time.Time, gen uint64) {
	e.expires = now.Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return // invalidated while we read: what we read may be stale
	}
	if len(c.m) > 100_000 { // bound memory under a flood of distinct keys
		c.m = make(map[string]keyEntry)
	}
	c.m[key] = e
}

// AuthenticateWidgetKey returns the workspace whose widget key is key.
// Returns EUnauthenticated when key is empty or unknown.
func (s *Workspaces) AuthenticateWidgetKey(ctx context.Context, key string) (*helpium.Workspace, error) {
	e, err := s.workspaceByKey(ctx, key)
	if err != nil {
		return nil, err
	}
	return e.ws, nil
}

func (s *Workspaces) workspaceByKey(ctx context.Context, key string) (keyEntry, error) {
	if key == "" {
		return keyEntry{}, helpium.Errorf(helpium.EUnauthenticated, "The X-API-Key header is required.")
	}
	now := s.now()
	if e, ok := s.keys.get(key, now); ok {
		return e, nil
	}
	gen := s.keys.generation()
	ws, err := s.store.FindWorkspaceByAPIKey(ctx, key)
	if helpium.ErrorCode(err) == helpium.ENotFound {
		return keyEntry{}, helpium.Errorf(helpium.EUnauthenticated, "The X-API-Key header does not name a workspace.")
	}
	if err != nil {
		return keyEntry{}, err
	}
	sched, err := ws.BusinessHours.Compile()
	if err != nil {
		return keyEntry{}, err
	}
	e := keyEntry{ws: ws, schedule: sched}
	s.keys.put(key, e, now, gen)
	return e, nil
}

// WidgetSettings returns the settings of the calling widget's workspace with
// its business-hours status now. Returns EUnauthenticated without a widget key.
func (s *Workspaces) WidgetSettings(ctx context.Context) (*helpium.WidgetSettings, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.workspaceByKey(ctx, ws.APIKey)
	if err != nil {
		return nil, err
	}
	return &helpium.WidgetSettings{
		WidgetConfig:  e.ws.Widget,
		BusinessHours: businessHoursView(e.ws, e.schedule.Status(s.now())),
		Attachments:   e.ws.AttachmentLimits.Effective(),
	}, nil
}

// CreateWorkspace creates a workspace called name with default settings and
// a fresh widget key. Returns EInvalid for a blank or overlong name.
func (s *Workspaces) CreateWorkspace(ctx context.Context, name string) (*helpium.Workspace, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, helpium.Invalid("name", "name is required")
	}
	if len([]rune(name)) > 200 {
		return nil, helpium.Invalid("name", "name must be at most 200 characters")
	}
	now := s.clock()
	ws := &helpium.Workspace{
		ID:             uuid.Must(uuid.NewV7()).String(),
		Name:           name,
		APIKey:         helpium.NewToken("pk_"),
		Widget:         helpium.DefaultWidgetConfig(),
		BusinessHours:  helpium.BusinessHours{Timezone: "UTC", OutOfOfficeMessage: "We're away right now. Leave a message and we'll get back to you."},
		IdentitySecret: newIdentitySecret(),
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := s.store.CreateWorkspace(ctx, ws); err != nil {
		return nil, err
	}
	return ws, nil
}

// The seeded demo workspace's widget key and owner, so the README's
// examples work as printed on any development machine. `make run` only.
const (
	DemoAPIKey        = "pk_demo_helpium_widget_key"
	DemoOwnerEmail    = "demo@helpium.local"
	DemoOwnerPassword = "helpium-demo"
)

// SeedDemo creates the demo workspace if it does not exist and returns it.
func (s *Workspaces) SeedDemo(ctx context.Context) (*helpium.Workspace, error) {
	ws, err := s.store.FindWorkspaceByAPIKey(ctx, DemoAPIKey)
	if err == nil || helpium.ErrorCode(err) != helpium.ENotFound {
		return ws, err
	}
	now := s.clock()
	ws = &helpium.Workspace{
		ID:     uuid.Must(uuid.NewV7()).String(),
		Name:   "Helpium Demo",
		APIKey: DemoAPIKey,
		Widget: helpium.WidgetConfig{
			Colors:       helpium.WidgetColors{Primary: "#0f766e", Background: "#ffffff", Text: "#0f172a"},
			Position:     helpium.PositionBottomRight,
			Greeting:     "Hi there! Search our help center or start a conversation.",
			LauncherText: "Help",
			Locale:       "en",
		},
		BusinessHours: helpium.BusinessHours{
			Enabled:  true,
			Timezone: "Europe/Amsterdam",
			Ranges: []helpium.OpeningRange{
				{Day: helpium.Monday, Start: "09:00", End: "17:30"},
				{Day: helpium.Tuesday, Start: "09:00", End: "17:30"},
				{Day: helpium.Wednesday, Start: "09:00", End: "17:30"},
				{Day: helpium.Thursday, Start: "09:00", End: "17:30"},
				{Day: helpium.Friday, Start: "09:00", End: "17:00"},
			},
			OutOfOfficeMessage: "We're offline right now. Leave a message and we'll reply when we're back.",
		},
		IdentitySecret: newIdentitySecret(),
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if s.publicURL != "" { // email is on: replies reach customers who left /demo
		ws.AwayEmail = helpium.AwayEmail{Enabled: true, ResumeURL: s.publicURL + "/demo", EnabledAt: &now}
	}
	if err := s.store.CreateWorkspace(ctx, ws); err != nil {
		return nil, err
	}
	owner := &helpium.Agent{ID: uuid.Must(uuid.NewV7()).String(), Email: DemoOwnerEmail, Name: "Demo Owner", CreatedAt: now}
	if err := s.store.CreateAgent(ctx, owner, hashPassword(DemoOwnerPassword)); err != nil {
		return nil, err
	}
	if err := s.store.AddMembership(ctx, &helpium.Membership{WorkspaceID: ws.ID, AgentID: owner.ID, Role: helpium.RoleOwner, CreatedAt: now}); err != nil {
		return nil, err
	}
	return ws, nil
}

// Workspace returns a workspace the calling agent belongs to.
func (s *Workspaces) Workspace(ctx context.Context, id string) (*helpium.Workspace, error) {
	if _, _, err := s.authorize(ctx, id, helpium.RoleAgent); err != nil {
		return nil, err
	}
	return s.store.FindWorkspaceByID(ctx, id)
}

// WorkspacesByIDs returns the workspaces of ids that the calling agent is a
// member of, in ids' order, nil for any other. It backs the workspace
// loader.
func (s *Workspaces) WorkspacesByIDs(ctx context.Context, ids []string) ([]*helpium.Workspace, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if helpium.ValidID(id) {
			valid = append(valid, id)
		}
	}
	found, err := s.store.FindMemberWorkspaces(ctx, a.Agent.ID, valid)
	if err != nil {
		return nil, err
	}
	return inIDOrder(ids, found, func(w *helpium.Workspace) string { return w.ID }), nil
}

// WorkspaceRole returns the calling agent's role in a workspace.
func (s *Workspaces) WorkspaceRole(ctx context.Context, workspaceID string) (helpium.Role, error) {
	_, m, err := s.authorize(ctx, workspaceID, helpium.RoleAgent)
	if err != nil {
		return "", err
	}
	return m.Role, nil
}

// WidgetKey returns a workspace's widget key to its admins. Returns
// EForbidden for agents.
func (s *Workspaces) WidgetKey(ctx context.Context, workspaceID string) (string, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return "", err
	}
	ws, err := s.store.FindWorkspaceByID(ctx, workspaceID)
	if err != nil {
		return "", err
	}
	return ws.APIKey, nil
}
