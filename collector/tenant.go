package collector

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

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
	cfg         config.Tenant
	graph       config.Graph
	concurrency int
	client      *graphclient.Client
	// capacity reads provisioned capacities; nil when the tenant has none
	// configured.
	capacity *capacityReader
	// flight makes concurrent scrapes share one fetch and one discovery.
	flight singleflight.Group

	mu           sync.Mutex
	plans        map[string]planMemory
	cache        map[string]outcome // the last successful outcome per workspace
	activity     map[string]activityMemory
	discovered   []string
	discoveredAt time.Time
}

func newTenant(tc config.Tenant, g config.Graph, concurrency int, client *graphclient.Client) *tenant {
	return &tenant{
		cfg: tc, graph: g, concurrency: concurrency, client: client,
		plans:    map[string]planMemory{},
		cache:    map[string]outcome{},
		activity: map[string]activityMemory{},
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
	_, err, _ := t.flight.Do("discovery", func() (any, error) {
		found, err := t.client.ListWorkspaces(ctx)
		if err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(found))
		for _, w := range found {
			ids = append(ids, w.ID)
		}
		t.mu.Lock()
		t.discovered, t.discoveredAt = ids, now
		t.mu.Unlock()
		return nil, nil
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.discovered, err
}

func (t *tenant) plan(ws string) planMemory {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.plans[ws]
}

func (t *tenant) activityMemory(ws string) activityMemory {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.activity[ws]
}
