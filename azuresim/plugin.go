package azuresim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Plugin is a plugin of a workspace, keyed by Name: Graph gives plugins no
// id. Category, CatalogScope and PreviewState are served as given, so that
// a test can put values the metadata does not list there.
type Plugin struct {
	Name        string
	DisplayName string
	Description string
	// Category is hidden, microsoft, microsoftConnectors, other, web,
	// testing, plugin, unknownFutureValue or any string.
	Category string
	// CatalogScope is none, user, workspace, tenant, global, geoGlobal,
	// userWorkspace, unknownFutureValue or any string.
	CatalogScope string
	// PreviewState is ga, public, private, unknownFutureValue or any string.
	PreviewState string
	IsEnabled    bool
	// AuthType, when set, serves authorization as {"authType": …}; empty
	// serves null, as the docs' example does.
	AuthType string
	// Settings are served whole, values included: a client that reads
	// them would see a secretString's value, so the exporter never
	// selects them.
	Settings []PluginSetting
}

// PluginSetting is one setting of a plugin, as the pluginSetting resource
// describes it.
type PluginSetting struct {
	Name, Label, Description string
	// Type is the setting's settingValue: string, bool, array, enum,
	// secretString or unknownFutureValue.
	Type     string
	Value    string
	Required bool
}

// normalizePlugins checks a workspace's plugins and returns them in serving
// order, by name.
func normalizePlugins(ps []Plugin) ([]Plugin, error) {
	out := make([]Plugin, 0, len(ps))
	for _, p := range ps {
		if p.Name == "" {
			return nil, errors.New("plugin with empty Name")
		}
		p.Settings = slices.Clone(p.Settings)
		out = append(out, p)
	}
	slices.SortFunc(out, comparePlugins)
	for i := 1; i < len(out); i++ {
		if out[i].Name == out[i-1].Name {
			return nil, fmt.Errorf("plugin %q is given twice", out[i].Name)
		}
	}
	return out, nil
}

func comparePlugins(a, b Plugin) int { return strings.Compare(a.Name, b.Name) }

// SetPlugin adds a plugin to a workspace, or replaces the one of the same
// name, as an admin enabling or adding it in the portal would.
func (s *Server) SetPlugin(tenantID, workspaceID string, p Plugin) error {
	ws, err := s.store.workspace(tenantID, workspaceID)
	if err != nil {
		return fmt.Errorf("azuresim: set plugin: %w", err)
	}
	one, err := normalizePlugins([]Plugin{p})
	if err != nil {
		return fmt.Errorf("azuresim: set plugin: %w", err)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	i, found := slices.BinarySearchFunc(ws.plugins, one[0], comparePlugins)
	if found {
		ws.plugins[i] = one[0]
		return nil
	}
	ws.plugins = slices.Insert(ws.plugins, i, one[0])
	return nil
}

// Plugins returns a copy of a workspace's plugins in serving order (by
// name), for comparing what a client counted with the truth.
func (s *Server) Plugins(tenantID, workspaceID string) ([]Plugin, error) {
	ws, err := s.store.workspace(tenantID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("azuresim: plugins: %w", err)
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	out := slices.Clone(ws.plugins)
	for i := range out {
		out[i].Settings = slices.Clone(out[i].Settings)
	}
	return out, nil
}
