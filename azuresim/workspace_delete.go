package azuresim

import "fmt"

// workspace returns the workspace with the id, nil if it does not exist or
// was deleted.
func (t *tenantState) workspace(id string) *workspaceState {
	if id == DefaultAlias && t.defaultID != "" {
		id = t.defaultID
	}
	ws := t.byID[id]
	if ws == nil || ws.deleted.Load() {
		return nil
	}
	return ws
}

// listed returns the workspaces that were not deleted, sorted by id.
func (t *tenantState) listed() []Workspace {
	out := make([]Workspace, 0, len(t.workspaces))
	for _, w := range t.workspaces {
		if t.workspace(w.ID) != nil {
			out = append(out, w)
		}
	}
	return out
}

// DeleteWorkspace deletes a workspace with its sessions, as an admin might
// between two scrapes: the workspace listing leaves it out from then on,
// and every request on it or below it answers 404 NotFound, as for a
// workspace that never existed. It fails for an unknown tenant or
// workspace (wrapping ErrNotFound), a deleted one included.
func (s *Server) DeleteWorkspace(tenantID, workspaceID string) error {
	ws, err := s.store.workspace(tenantID, workspaceID)
	if err != nil {
		return fmt.Errorf("azuresim: delete workspace: %w", err)
	}
	ws.deleted.Store(true)
	return nil
}
