package service

import (
	"context"

	"github.com/helpium/helpium"
)

// updateWorkspace loads a workspace for an admin, applies change, validates
// and stores it, and drops cached copies of its widget key lookups.
func (s *Workspaces) updateWorkspace(ctx context.Context, workspaceID string, change func(*helpium.Workspace) error) (*helpium.Workspace, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	ws, err := s.store.FindWorkspaceByID(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	oldKey := ws.APIKey
	if err := change(ws); err != nil {
		return nil, err
	}
	ws.UpdatedAt = s.clock()
	if err := s.store.UpdateWorkspace(ctx, ws); err != nil {
		return nil, err
	}
	s.keys.forget(oldKey)
	return ws, nil
}

// UpdateWidgetSettings changes the given widget settings of a workspace.
// Admins only.
func (s *Workspaces) UpdateWidgetSettings(ctx context.Context, workspaceID string, patch helpium.WidgetSettingsPatch) (*helpium.Workspace, error) {
	return s.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		ws.Widget = patch.Apply(ws.Widget)
		return ws.Widget.Validate()
	})
}

// UpdateBusinessHours replaces a workspace's business hours. Admins only.
func (s *Workspaces) UpdateBusinessHours(ctx context.Context, workspaceID string, bh helpium.BusinessHours) (*helpium.Workspace, error) {
	return s.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		if _, err := bh.Compile(); err != nil {
			return err
		}
		ws.BusinessHours = bh
		return nil
	})
}

// RotateWidgetKey gives a workspace a new widget key; the old one stops
// working at once on this server (other replicas within the key cache TTL).
// Admins only.
func (s *Workspaces) RotateWidgetKey(ctx context.Context, workspaceID string) (*helpium.Workspace, error) {
	return s.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		ws.APIKey = helpium.NewToken("pk_")
		return nil
	})
}

// BusinessHoursStatus returns a workspace's business-hours state now.
func (s *Workspaces) BusinessHoursStatus(ctx context.Context, ws *helpium.Workspace) (*helpium.BusinessHoursView, error) {
	if _, _, err := s.authorize(ctx, ws.ID, helpium.RoleAgent); err != nil {
		return nil, err
	}
	sched, err := ws.BusinessHours.Compile()
	if err != nil {
		return nil, err
	}
	v := businessHoursView(ws, sched.Status(s.now()))
	return &v, nil
}

func businessHoursView(ws *helpium.Workspace, st helpium.BusinessHoursStatus) helpium.BusinessHoursView {
	v := helpium.BusinessHoursView{Timezone: ws.BusinessHours.Timezone, IsOpen: st.IsOpen, NextChangeAt: st.NextChangeAt}
	if !st.IsOpen {
		msg := ws.BusinessHours.OutOfOfficeMessage
		v.OutOfOfficeMessage = &msg
	}
	return v
}

// SetAllowedOrigins replaces the browser origins allowed to use a
// workspace's widget key; an empty list allows any origin. Admins only.
// Returns EInvalid naming an entry that is not an origin.
func (s *Workspaces) SetAllowedOrigins(ctx context.Context, workspaceID string, origins []string) (*helpium.Workspace, error) {
	return s.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		n, err := helpium.NormalizeOrigins(origins)
		if err != nil {
			return err
		}
		ws.AllowedOrigins = n
		return nil
	})
}
