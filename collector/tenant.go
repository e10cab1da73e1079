package collector

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// discoveryTTL is how long a discovered workspace list is reused:
// workspaces are created rarely and listing them costs a request.
const discoveryTTL = 5 * time.Minute

// tenant owns everything about one configured tenant: its Graph client,
// the cache of outcomes and the fetch concurrent scrapes share, what is
// remembered per workspace between reads (plan and activity memory), and
// the evaluation duration histograms. It answers one question, read: these
// workspaces, by this deadline, as complete snapshots.
type tenant struct {
	cfg         config.Tenant
	graph       config.Graph
	concurrency int
	// maxWorkspaces caps the workspaces discovery reads
	// (collection.max_workspaces_per_tenant).
	maxWorkspaces int
	client        *graphclient.Client
	logger        *slog.Logger
	now           func() time.Time
	// capacity reads provisioned capacities; nil when the tenant has none
	// configured.
	capacity *capacityReader
	// audit reads usage from the audit log in the background; nil when
	// the tenant has no audit section.
	audit *auditRun
	// flight makes concurrent scrapes share one fetch and one discovery.
	flight singleflight.Group
	// fetchTimeout is collection.timeout, which bounds every shared call;
	// a reload that changes it keeps the tenant, so it is set at each.
	fetchTimeout atomic.Int64
	// durations outlive the tenant: a reload that rebuilds the tenant hands
	// them to its successor, so they reset only when the process restarts,
	// as any counter does.
	durations *durationHistograms
	// expand remembers whether Graph refuses $expand on session listings.
	expand expandMemory
	// scratch is the Exporter's, shared by every tenant's reads.
	scratch *readScratch

	mu           sync.Mutex
	plans        map[string]plan.Memory
	cache        map[string]outcome // the last successful outcome per workspace
	activity     map[string]activityMemory
	discovered   []string
	discoveredAt time.Time
	// discoveryCut says what the last discovery left out; nil when nothing.
	discoveryCut *discoveryCut
	// meta holds display names and the id behind "default"; it has its own lock.
	meta workspaceMeta
	// plugins holds the last plugin listing per workspace; it has its own lock.
	plugins pluginReads
}

func newTenant(tc config.Tenant, g config.Graph, concurrency int, client *graphclient.Client, logger *slog.Logger, now func() time.Time) *tenant {
	t := &tenant{
		cfg: tc, graph: g, concurrency: concurrency, client: client, now: now,
		maxWorkspaces: config.DefaultMaxWorkspacesPerTenant,
		logger:        logger.With("tenant", tc.Name),
		durations:     &durationHistograms{},
		plans:         map[string]plan.Memory{},
		cache:         map[string]outcome{},
		activity:      map[string]activityMemory{},
	}
	t.fetchTimeout.Store(int64(config.DefaultTimeout))
	return t
}

// workspaces returns the configured workspaces, or the discovered ones. On a
// failed discovery it returns the last list it knew, with the error. When
// discovery left workspaces out (see discoveryCut), it returns those it
// kept with a *discoveryCut, for as long as that list is reused.
func (t *tenant) workspaces(ctx context.Context) ([]string, error) {
	if !t.cfg.Discover() {
		return t.cfg.Workspaces, nil
	}
	now := t.now()
	t.mu.Lock()
	if t.discovered != nil && now.Sub(t.discoveredAt) < discoveryTTL {
		ids, cut := t.discovered, t.discoveryCut
		t.mu.Unlock()
		return ids, cut.orNil()
	}
	t.mu.Unlock()
	err := t.shared(ctx, "workspace discovery", func(ctx context.Context) error {
		found, more, err := t.client.ListWorkspacesUpTo(ctx, t.maxWorkspaces)
		if err != nil {
			return err
		}
		found, cut := t.keep(found, more)
		ids := make([]string, len(found))
		for i, w := range found {
			ids[i] = w.ID
		}
		t.meta.learnNames(found, now)
		t.mu.Lock()
		t.discovered, t.discoveredAt, t.discoveryCut = ids, now, cut
		t.mu.Unlock()
		return nil
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == nil {
		err = t.discoveryCut.orNil()
	}
	return t.discovered, err
}

// timeout is collection.timeout, as the running config says.
func (t *tenant) timeout() time.Duration { return time.Duration(t.fetchTimeout.Load()) }

// memories returns what the last reads of ws left.
func (t *tenant) memories(ws string) (plan.Memory, activityMemory) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.plans[ws], t.activity[ws]
}

// lastSuccess is when the workspace was last read successfully.
func (t *tenant) lastSuccess(ws string) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cache[ws].fetchedAt
}
