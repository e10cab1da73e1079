package graphclient

import (
	"context"
	"encoding/json"
)

// Workspace is a Security Copilot workspace.
type Workspace struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// ListWorkspaces lists every workspace of the tenant.
func (c *Client) ListWorkspaces(ctx context.Context) ([]Workspace, error) {
	var out []Workspace
	q := Query{Select: []string{"id", "displayName"}}
	_, err := c.list(ctx, c, c.url("/security/securityCopilot/workspaces", q), 0, func(dec *json.Decoder) error {
		var w Workspace
		if err := dec.Decode(&w); err != nil {
			return err
		}
		if w.ID != "" {
			out = append(out, w)
		}
		return nil
	})
	return out, err
}
