package collector

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// maxDisplayNameBytes bounds the display_name label: a name is user input.
const maxDisplayNameBytes = 256

// workspaceMeta is what Graph says of a tenant's workspaces: their display
// names and the id behind the alias "default". Both are read at most once
// per discoveryTTL; a failed read keeps what was known. names is replaced
// as a whole, never changed, so a snapshot can be read without the lock.
type workspaceMeta struct {
	mu        sync.Mutex
	names     map[string]string // workspace id → displayName
	namesAt   time.Time         // last attempt to list them
	defaultID string            // "" until resolved
	defaultAt time.Time
}

// learnNames records the names of listed workspaces; discovery calls it, so
// that a discovering tenant costs no request more.
func (m *workspaceMeta) learnNames(found []graphclient.Workspace, now time.Time) {
	names := make(map[string]string, len(found))
	for _, w := range found {
		names[w.ID] = w.DisplayName
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.names, m.namesAt = names, now
}

func (m *workspaceMeta) snapshot() (names map[string]string, namesAt time.Time, defaultID string, defaultAt time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.names, m.namesAt, m.defaultID, m.defaultAt
}

// resolve maps ids to the ids Graph lists, each once (see
// graphclient.ResolveWorkspaces). "default" costs one request per
// discoveryTTL, none when a workspace really has that id. When the alias
// cannot be resolved, "default" is returned in failed rather than read:
// it may be one of the other ids, and a workspace is never exported twice.
// A configured list also has its names read, once per discoveryTTL.
func (t *tenant) resolve(ctx context.Context, ids []string) (resolved []string, failed map[string]error) {
	now := t.now()
	if !t.cfg.Discover() {
		t.refreshNames(ctx, now)
	}
	var defaultID string
	var err error
	if slices.Contains(ids, graphclient.DefaultWorkspace) {
		defaultID, err = t.defaultID(ctx, now)
	}
	resolved, unresolved := graphclient.ResolveWorkspaces(ids, defaultID)
	if unresolved {
		failed = map[string]error{graphclient.DefaultWorkspace: fmt.Errorf("resolving the workspace alias %q to its id: %w", graphclient.DefaultWorkspace, err)}
	}
	return resolved, failed
}

// refreshNames lists the workspaces of a tenant with a configured list, for
// their names. A failure only loses the names, so it is logged, not
// exported, and retried after discoveryTTL.
func (t *tenant) refreshNames(ctx context.Context, now time.Time) {
	if _, at, _, _ := t.meta.snapshot(); !at.IsZero() && now.Sub(at) < discoveryTTL {
		return
	}
	_ = t.shared(ctx, "workspace names", func(ctx context.Context) error {
		// Only the names of configured workspaces are wanted; the cap bounds
		// what a tenant listing thousands costs.
		found, _, err := t.client.ListWorkspacesUpTo(ctx, config.MaxWorkspacesLimit)
		if err != nil {
			t.logger.Warn("Listing workspaces for their display names failed; securitycopilot_workspace_info is left out", errorAttrs(err)...)
			t.meta.mu.Lock()
			t.meta.namesAt = now
			t.meta.mu.Unlock()
			return nil
		}
		found = slices.DeleteFunc(found, func(w graphclient.Workspace) bool { return config.CheckWorkspaceID(w.ID) != nil })
		t.meta.learnNames(found, now)
		return nil
	})
}

// defaultID returns the id "default" stands for: "default" itself when
// Graph lists a workspace with that id, else what GET of the alias answers.
func (t *tenant) defaultID(ctx context.Context, now time.Time) (string, error) {
	names, _, id, at := t.meta.snapshot()
	if _, real := names[graphclient.DefaultWorkspace]; real {
		return graphclient.DefaultWorkspace, nil
	}
	if id != "" && now.Sub(at) < discoveryTTL {
		return id, nil
	}
	err := t.shared(ctx, "default workspace", func(ctx context.Context) error {
		w, err := t.client.GetWorkspace(ctx, graphclient.DefaultWorkspace)
		if err != nil {
			return err
		}
		// The id becomes a label value: Graph's answer is checked as a
		// configured id is.
		if err := config.CheckWorkspaceID(w.ID); err != nil {
			return fmt.Errorf("graph answered %q with an id that is not one: %w", graphclient.DefaultWorkspace, err)
		}
		t.meta.mu.Lock()
		defer t.meta.mu.Unlock()
		t.meta.defaultID, t.meta.defaultAt = w.ID, now
		// Readers hold the map without the lock, so it is replaced, never changed.
		names := maps.Clone(t.meta.names)
		if names == nil {
			names = map[string]string{}
		}
		names[w.ID] = w.DisplayName
		t.meta.names = names
		return nil
	})
	_, _, id, _ = t.meta.snapshot()
	// A failed refresh keeps the id known before: the alias does not move.
	if id != "" {
		return id, nil
	}
	return "", err
}

// emitWorkspaceInfo sends securitycopilot_workspace_info for each workspace
// of ids whose name Graph told.
func (s *scrape) emitWorkspaceInfo(ch chan<- prometheus.Metric, t *tenant, ids []string) {
	names, _, _, _ := t.meta.snapshot()
	for _, ws := range ids {
		if name, ok := names[ws]; ok {
			ch <- prometheus.MustNewConstMetric(s.e.descs.workspaceInfo, prometheus.GaugeValue, 1, t.cfg.Name, ws, displayNameLabel(name))
		}
	}
}

// displayNameLabel makes a display name a valid, bounded label value.
func displayNameLabel(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if len(name) <= maxDisplayNameBytes {
		return name
	}
	cut := maxDisplayNameBytes
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + "…"
}
