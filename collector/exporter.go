package collector

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// Options are the exporter's wiring, fixed for the life of the process.
type Options struct {
	Logger  *slog.Logger
	Metrics *graphclient.Metrics
	Version string
	// Transport replaces the default HTTP client (the demo and the tests
	// trust the simulator's certificate through it). Nil means one
	// azurehttp.NewTransport() that every tenant's door shares.
	Transport policy.Transporter
	// RetryDelay is the base backoff of Graph retries; 0 means azcore's.
	RetryDelay time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ManualAudit keeps the audit readers from running in the background:
	// tests and benchmarks run their cycles with RunAuditCycles.
	ManualAudit bool
	// AuditSleep replaces the audit readers' waits (between polls, between
	// cycles) when set, with Now as their clock.
	AuditSleep func(context.Context, time.Duration) error
}

// Exporter routes scrapes to the tenants of the running config, as
// blackbox_exporter's handler routes probes to modules; each tenant owns
// all the state of its reads.
type Exporter struct {
	opts    Options
	descs   descs
	release *memoryRelease
	scratch *readScratch // lent to every tenant's reads
	// tenantsPerGather and metricsPerGather are the consts of those
	// names, but for tests.
	tenantsPerGather, metricsPerGather int
	mu                                 sync.Mutex // serialises Apply
	state                              atomic.Pointer[state]
}

type state struct {
	cfg     *config.Config
	tenants []*tenant
	byName  map[string]*tenant
}

// New returns an exporter with no config; Apply gives it one.
func New(opts Options) *Exporter {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Transport == nil {
		// One socket layer for all tenants: a transport per tenant kept
		// each tenant's idle connections to Graph and Entra ID open, tens
		// of KB each, which with thousands of tenants was most of the
		// process's memory. A connection carries no credential: every
		// request brings its own tenant's token, and each door keeps its
		// own client, checks and tokens.
		opts.Transport = azurehttp.Socket(azurehttp.NewTransport())
	}
	return &Exporter{opts: opts, descs: newDescs(), release: newMemoryRelease(), scratch: &readScratch{}, tenantsPerGather: tenantsPerGather, metricsPerGather: metricsPerGather}
}

// Apply builds tenants for cfg and swaps them in. A tenant whose settings
// did not change is kept whole, so its cached token, cache and memory of
// Graph's quirks survive a reload; a rebuilt one takes over its
// predecessor's duration histograms. On error nothing changes.
func (e *Exporter) Apply(cfg *config.Config) (err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.state.Load()
	// The registered per-tenant series follow the tenants that run: after a
	// failed Apply those of the config kept, after a success the new one's.
	defer func() {
		running := cfg
		if err != nil {
			running = old.config()
		}
		e.keepTenantMetrics(running)
	}()
	next := &state{cfg: cfg, byName: make(map[string]*tenant, len(cfg.Tenants))}
	for _, tc := range cfg.Tenants {
		if t := old.reusable(cfg, tc); t != nil {
			next.tenants = append(next.tenants, t)
			continue
		}
		t, err := e.newTenant(cfg, tc)
		if err != nil {
			return err
		}
		if prev := old.named(tc.Name); prev != nil {
			t.durations = prev.durations
		}
		next.tenants = append(next.tenants, t)
	}
	for _, t := range next.tenants {
		t.fetchTimeout.Store(int64(cfg.Collection.Timeout))
		next.byName[t.cfg.Name] = t
	}
	e.state.Store(next)
	e.swapAudit(old, next)
	return nil
}

func (e *Exporter) newTenant(cfg *config.Config, tc config.Tenant) (*tenant, error) {
	client, err := graphclient.New(cfg.Graph, tc, graphclient.Options{
		Metrics:        e.opts.Metrics,
		Version:        e.opts.Version,
		Transport:      e.opts.Transport,
		RetryDelay:     e.opts.RetryDelay,
		MaxConcurrency: cfg.Collection.MaxConcurrencyPerTenant,
		Logger:         e.opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("build Graph client: %w", err)
	}
	t := newTenant(tc, cfg.Graph, cfg.Collection.MaxConcurrencyPerTenant, client, e.opts.Logger, e.now)
	t.maxWorkspaces = cfg.Collection.MaxWorkspacesPerTenant
	t.scratch = e.scratch
	t.logger = slog.New(quietSignIn{t.logger.Handler()})
	if t.capacity, err = newCapacityReader(cfg, tc, client.Door()); err != nil {
		return nil, err
	}
	if t.audit, err = newAuditRun(cfg, tc, client, t.logger, e.opts); err != nil {
		return nil, err
	}
	return t, nil
}

// now reads the clock of the options at each call, so that tests can move
// it after tenants were built.
func (e *Exporter) now() time.Time { return e.opts.Now() }

func (e *Exporter) keepTenantMetrics(cfg *config.Config) {
	if e.opts.Metrics == nil {
		return
	}
	var names []string
	if cfg != nil {
		for _, t := range cfg.Tenants {
			names = append(names, t.Name)
		}
	}
	e.opts.Metrics.KeepTenants(names)
}

func (s *state) config() *config.Config {
	if s == nil {
		return nil
	}
	return s.cfg
}

func (s *state) named(name string) *tenant {
	if s == nil {
		return nil
	}
	return s.byName[name]
}

// reusable is the running tenant of tc's name when nothing it was built
// from changed. Names are unique within a config, so this looks at one
// tenant, not at all of them: a reload of 10,000 tenants compares 10,000
// pairs, not 100 million.
func (s *state) reusable(cfg *config.Config, tc config.Tenant) *tenant {
	t := s.named(tc.Name)
	if t != nil && reflect.DeepEqual(t.cfg, tc) && t.graph == cfg.Graph && t.concurrency == cfg.Collection.MaxConcurrencyPerTenant &&
		t.maxWorkspaces == cfg.Collection.MaxWorkspacesPerTenant && t.sameCapacitySettings(cfg) && t.sameAuditWindows(cfg) {
		return t
	}
	return nil
}
