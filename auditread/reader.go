package auditread

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/auditusage"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// API is the audit log query API of one tenant: graphclient.AuditLog.
type API interface {
	CreateQuery(ctx context.Context, spec graphclient.AuditQuerySpec) (graphclient.AuditQuery, error)
	GetQuery(ctx context.Context, id string) (graphclient.AuditQuery, error)
	ListRecords(ctx context.Context, id string, visit func(json.RawMessage) error) (int, error)
}

// Settings are a tenant's audit settings, resolved.
type Settings struct {
	Interval  time.Duration // between cycles
	Plan      auditusage.PlanConfig
	PollEvery time.Duration // the longest wait between polls of a running query
	// QueryTimeout bounds one query, from its creation to its last page;
	// a query still running then is given up (and its submission spent).
	QueryTimeout time.Duration
	Windows      []auditusage.Window
	Caps         auditusage.Caps
	AdminOps     []string
}

// Snapshot is what a scrape serves: the latest summary and how the reader
// fares.
type Snapshot struct {
	Summary     auditusage.Summary
	LastSuccess time.Time // the end of the last cycle that left nothing due
	LastCycleOK bool
	Cycles      int // cycles ended
	Submissions int // query submissions in the trailing 24 hours
	Submitted   int // query submissions since the reader started
	Failures    map[string]int
}

// Reader is one tenant's audit usage reader.
type Reader struct {
	api      API
	set      Settings
	planner  *auditusage.Planner
	store    *auditusage.Store
	classify auditusage.Classifier
	logger   *slog.Logger
	// now and sleep are the clock; tests drive them.
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	mu   sync.Mutex
	snap Snapshot
}

// Option changes a Reader.
type Option func(*Reader)

// WithClock replaces the clock and the sleep, for tests and benchmarks.
func WithClock(now func() time.Time, sleep func(context.Context, time.Duration) error) Option {
	return func(r *Reader) { r.now, r.sleep = now, sleep }
}

// New returns a Reader; nothing runs until Run or Cycle.
func New(api API, set Settings, logger *slog.Logger, opts ...Option) *Reader {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Reader{
		api: api, set: set, planner: auditusage.NewPlanner(set.Plan), store: auditusage.NewStore(),
		classify: auditusage.NewClassifier(set.AdminOps), logger: logger, now: time.Now, sleep: azurehttp.Sleep,
	}
	for _, o := range opts {
		o(r)
	}
	r.snap = Snapshot{Summary: r.store.Summarize(set.Windows, set.Caps), Failures: map[string]int{}}
	return r
}

// Snapshot returns the latest result; it never waits for a query.
func (r *Reader) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.snap
	s.Failures = make(map[string]int, len(r.snap.Failures))
	for k, v := range r.snap.Failures {
		s.Failures[k] = v
	}
	return s
}

// Run runs a cycle every Interval until ctx ends.
func (r *Reader) Run(ctx context.Context) {
	for {
		if err := r.Cycle(ctx); err != nil && ctx.Err() == nil {
			r.logger.Warn("Audit usage cycle failed", "err", err)
		}
		if r.sleep(ctx, r.set.Interval) != nil || ctx.Err() != nil {
			return
		}
	}
}

// Cycle queries what is due until nothing is, the budget says no, or a
// query fails; a failed interval is queried again next cycle.
func (r *Reader) Cycle(ctx context.Context) error {
	err := r.cycle(ctx)
	now := r.now()
	r.store.Prune(auditusage.Hour(now.Add(-r.set.Plan.Delay - r.set.Plan.Lookback - time.Hour)))
	sum := r.store.Summarize(r.set.Windows, r.set.Caps)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snap.Summary, r.snap.Cycles, r.snap.LastCycleOK = sum, r.snap.Cycles+1, err == nil
	r.snap.Submissions = r.planner.Spent(now)
	if err == nil {
		r.snap.LastSuccess = now
	}
	return err
}

func (r *Reader) cycle(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := r.now()
		iv, why := r.planner.Next(now, r.store)
		switch why {
		case auditusage.UpToDate:
			return nil
		case auditusage.BudgetSpent:
			r.fail("budget")
			return errors.New("audit query budget spent for the trailing 24 hours")
		case auditusage.TooManyActive:
			return errors.New("audit queries still active")
		}
		if err := r.planner.Submit(now); err != nil {
			return err
		}
		r.mu.Lock()
		r.snap.Submitted++
		r.mu.Unlock()
		recs, outcome, err := r.query(ctx, iv)
		if outcome == auditusage.Succeeded {
			r.store.Add(iv, recs)
		}
		if ferr := r.planner.Finish(iv, outcome); ferr != nil {
			return fmt.Errorf("audit query %s..%s: %w", iv.Start.Format(time.RFC3339), iv.End.Format(time.RFC3339), ferr)
		}
		if err != nil {
			return fmt.Errorf("audit query %s..%s: %w", iv.Start.Format(time.RFC3339), iv.End.Format(time.RFC3339), err)
		}
	}
}

func (r *Reader) fail(reason string) {
	r.mu.Lock()
	r.snap.Failures[reason]++
	r.mu.Unlock()
}
