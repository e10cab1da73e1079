package graphclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
)

// PluginSelect is the $select of the plugin listing: what the plugin
// metrics use and nothing more. settings is never named: a setting can
// hold a secret (a secretString value), and $select keeps it out of every
// response the exporter reads.
var PluginSelect = []string{"name", "displayName", "category", "catalogScope", "previewState", "isEnabled"}

// Plugin is what the exporter reads of a workspace's plugin. Name is its
// key: a plugin has no id.
type Plugin struct {
	Name, DisplayName string
	Category          PluginCategory
	CatalogScope      PluginCatalogScope
	PreviewState      PluginPreviewState
	Enabled           bool
}

// ListPlugins lists the workspace's plugins, every page, in one listing.
// A plugin listed twice (a page boundary moved while paging) is kept
// once, as last listed, in the place of its first listing.
func (r Reader) ListPlugins(ctx context.Context, workspaceID string, pageSize int) ([]Plugin, error) {
	if workspaceID == "" || workspaceID == "." || workspaceID == ".." {
		return nil, fmt.Errorf("invalid workspace id %q", workspaceID)
	}
	path := "/security/securityCopilot/workspaces/" + url.PathEscape(workspaceID) + "/plugins"
	lists, err := listEach(ctx, r, []pageReq{{path: path, q: Query{Select: PluginSelect, Top: pageSize}}}, jsonValue(decodePlugin))
	if err != nil {
		return nil, err
	}
	return lastByName(lists[0]), nil
}

func lastByName(list []Plugin) []Plugin {
	out := make([]Plugin, 0, len(list))
	at := make(map[string]int, len(list))
	for _, p := range list {
		if i, dup := at[p.Name]; dup {
			out[i] = p
			continue
		}
		at[p.Name] = len(out)
		out = append(out, p)
	}
	return out
}

type pluginJSON struct {
	Name         *string `json:"name"`
	DisplayName  *string `json:"displayName"`
	Category     *string `json:"category"`
	CatalogScope *string `json:"catalogScope"`
	PreviewState *string `json:"previewState"`
	IsEnabled    *bool   `json:"isEnabled"`
}

// decodePlugin decodes one plugin. Without a name or an isEnabled it
// cannot be counted, so the listing fails rather than give a wrong count.
// An enum that is absent, null or not listed by the metadata reads as
// unknownFutureValue.
func decodePlugin(dec *json.Decoder) (Plugin, error) {
	var j pluginJSON
	if err := dec.Decode(&j); err != nil {
		return Plugin{}, fmt.Errorf("decode plugin: %w", err)
	}
	switch {
	case j.Name == nil || *j.Name == "":
		return Plugin{}, errors.New("plugin without a name")
	case j.IsEnabled == nil:
		return Plugin{}, fmt.Errorf("plugin %q without isEnabled", *j.Name)
	}
	p := Plugin{
		Name:         *j.Name,
		Category:     ParsePluginCategory(deref(j.Category)),
		CatalogScope: ParsePluginCatalogScope(deref(j.CatalogScope)),
		PreviewState: ParsePluginPreviewState(deref(j.PreviewState)),
		Enabled:      *j.IsEnabled,
	}
	if j.DisplayName != nil {
		p.DisplayName = *j.DisplayName
	}
	return p, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
