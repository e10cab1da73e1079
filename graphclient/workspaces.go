package graphclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultWorkspace is the alias Graph accepts for the workspace created at
// onboarding. Listings show that workspace under its real id, a GUID, so
// "default" and that GUID are one workspace.
const DefaultWorkspace = "default"

// maxEntityBytes bounds the answer to a GET of one workspace: an id and a
// display name, with room for annotations.
const maxEntityBytes = 64 << 10

// Workspace is a Security Copilot workspace.
type Workspace struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// ListWorkspaces lists every workspace of the tenant.
func (c *Client) ListWorkspaces(ctx context.Context) ([]Workspace, error) {
	out, _, err := c.ListWorkspacesUpTo(ctx, 0)
	return out, err
}

// errEnough stops a listing that has read all it wants.
var errEnough = errors.New("enough workspaces")

// ListWorkspacesUpTo lists the workspaces of the tenant, at most limit of
// them (0: no limit). more reports that Graph lists others beyond them,
// which are neither read nor requested.
func (c *Client) ListWorkspacesUpTo(ctx context.Context, limit int) (out []Workspace, more bool, err error) {
	q := Query{Select: []string{"id", "displayName"}}
	_, err = c.Reader().list(ctx, []pageReq{{path: "/security/securityCopilot/workspaces", q: q, item: jsonItem(func(dec *json.Decoder) error {
		var w Workspace
		if err := dec.Decode(&w); err != nil {
			return err
		}
		if w.ID == "" {
			return nil
		}
		if limit > 0 && len(out) == limit {
			return errEnough
		}
		out = append(out, w)
		return nil
	})}}, nil)
	if errors.Is(err, errEnough) {
		return out, true, nil
	}
	return out, false, err
}

// GetWorkspace reads one workspace. Asked for DefaultWorkspace, Graph
// answers with the real id, so one request resolves the alias.
func (c *Client) GetWorkspace(ctx context.Context, id string) (Workspace, error) {
	seg, err := idSegment("workspace", id)
	if err != nil {
		return Workspace{}, err
	}
	resp, err := c.getAlone(ctx, c.url("/security/securityCopilot/workspaces/"+seg, Query{Select: []string{"id", "displayName"}}))
	if err != nil {
		return Workspace{}, err
	}
	defer resp.Body.Close()
	var w Workspace
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxEntityBytes)).Decode(&w); err != nil {
		return Workspace{}, fmt.Errorf("graph GET workspace %q: decode%s: %w", id, requestIDNote(resp.Header.Get("request-id")), err)
	}
	if w.ID == "" {
		return Workspace{}, fmt.Errorf("graph GET workspace %q: answer has no id%s", id, requestIDNote(resp.Header.Get("request-id")))
	}
	return w, nil
}

// ResolveWorkspaces maps workspace ids, configured or listed, to the ids
// Graph lists, each once, in the order first seen: DefaultWorkspace
// becomes defaultID, and GUIDs that differ only in case are one. With
// defaultID empty (the alias could not be resolved), DefaultWorkspace is
// left out and unresolved is true: it may be any of the other ids, so
// keeping it could export one workspace twice.
func ResolveWorkspaces(ids []string, defaultID string) (resolved []string, unresolved bool) {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == DefaultWorkspace {
			if defaultID == "" {
				unresolved = true
				continue
			}
			id = defaultID
		}
		key := id
		if isGUID(id) {
			key = strings.ToLower(id)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		resolved = append(resolved, id)
	}
	return resolved, unresolved
}

// isGUID reports whether s has the 8-4-4-4-12 hex form of a GUID.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
