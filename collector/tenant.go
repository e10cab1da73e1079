package collector

import (
	"context"
	"sync"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

const (
	// listingMemory is how long a workspace whose $count or $filter Graph
	// did not honour is listed straight away, before $count is tried again.
	listingMemory = time.Hour
	// discoveryTTL is how long a discovered workspace list is reused:
	// workspaces are created rarely and listing them costs a request.
	discoveryTTL = 5 * time.Minute
)

// tenant is one configured tenant with its client and what the exporter
// remembers about it between scrapes.
type tenant struct {
	cfg    config.Tenant
	graph  config.Graph
	client *graphclient.Client
	slots  chan struct{} // bounds concurrent workspace collections

	mu           sync.Mutex
	listingUntil map[string]time.Time
	lastSuccess  map[string]time.Time
	discovered   []string
	discoveredAt time.Time
}

func newTenant(tc config.Tenant, g config.Graph, concurrency int, client *graphclient.Client) *tenant {
	return &tenant{
		cfg: tc, graph: g, client: client,
		slots:        make(chan struct{}, concurrency),
		listingUntil: map[string]time.Time{},
		lastSuccess:  map[string]time.Time{},
	}
}

// workspaces returns the configured workspaces, or the discovered ones. On a
// failed discovery it returns the last list it knew, with the error.
func (t *tenant) workspaces(ctx context.Context, now time.Time) ([]string, error) {
	if !t.cfg.Discover() {
		return t.cfg.Workspaces, nil
	}
	t.mu.Lock()
	if t.discovered != nil && now.Sub(t.discoveredAt) < discoveryTTL {
		ids := t.discovered
		t.mu.Unlock()
		return ids, nil
	}
	t.mu.Unlock()
	found, err := t.client.ListWorkspaces(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		return t.discovered, err
	}
	ids := make([]string, 0, len(found))
	for _, w := range found {
		ids = append(ids, w.ID)
	}
	t.discovered, t.discoveredAt = ids, now
	return ids, nil
}

func (t *tenant) listingOnly(ws string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return now.Before(t.listingUntil[ws])
}

// remember records a measurement's outcome and returns the workspace's last
// success time and whether listing mode was newly entered.
func (t *tenant) remember(ws string, now time.Time, ok, usedListing, wasListing bool) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	entered := false
	if ok {
		t.lastSuccess[ws] = now
		if usedListing && !wasListing {
			t.listingUntil[ws] = now.Add(listingMemory)
			entered = true
		}
	}
	return t.lastSuccess[ws], entered
}

// acquire takes a concurrency slot, giving up when ctx ends.
func (t *tenant) acquire(ctx context.Context) (release func(), err error) {
	select {
	case t.slots <- struct{}{}:
		return func() { <-t.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
