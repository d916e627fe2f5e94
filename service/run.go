package service

import (
	"context"

	"github.com/helpium/helpium/events"
)

// Run keeps the service's caches in step with the database until ctx ends:
// a workspace changed through any replica drops its cached widget-key
// lookup here at once, a change to its search index drops its cached
// answers, and a reconnect of the event listener (when changes may have
// been missed) drops everything.
func (s *Service) Run(ctx context.Context) {
	if s.events == nil {
		return
	}
	sub := s.events.Subscribe(ctx, events.AllWorkspaces, func(ev events.Event) bool {
		return ev.Type == events.TypeWorkspaceChanged || ev.Type == events.TypeKBChanged
	})
	defer sub.Close()
	for {
		select {
		case ev, ok := <-sub.C():
			if !ok {
				return
			}
			if ev.Type == events.TypeKBChanged {
				s.Knowledge.answers.forgetWorkspace(ev.WorkspaceID)
			} else {
				s.Workspaces.keys.forgetWorkspace(ev.WorkspaceID)
			}
		case <-sub.Resync():
			s.Workspaces.keys.clear()
			s.Knowledge.answers.clear()
		case <-ctx.Done():
			return
		}
	}
}
