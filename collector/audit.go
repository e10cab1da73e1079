package collector

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/auditread"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/auditusage"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// auditPollEvery is how long the reader waits between polls of a running
// audit query: queries take minutes, and each poll is a request.
const auditPollEvery = 30 * time.Second

// auditRun is a tenant's audit usage reader and the goroutine that runs
// it. The reader is the one read with its own schedule: a scrape takes
// its latest snapshot and never waits (package auditread says why).
type auditRun struct {
	reader  *auditread.Reader
	windows []config.Window // the windows it counts over, to tell a reload that changed them
	cancel  context.CancelFunc
	done    chan struct{}
}

// newAuditRun builds the reader of a tenant with an audit section that is
// on; nil when it has none. Nothing runs until start.
func newAuditRun(cfg *config.Config, tc config.Tenant, client *graphclient.Client, logger *slog.Logger, opts Options) (*auditRun, error) {
	if !tc.Audit.On() {
		return nil, nil
	}
	a := tc.Audit.Resolved()
	api, err := client.AuditLog(a.Version)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	set := auditread.Settings{
		Interval:     time.Duration(a.Interval),
		PollEvery:    auditPollEvery,
		QueryTimeout: time.Duration(a.QueryTimeout),
		Caps:         auditusage.Caps{Surfaces: a.MaxSurfaces, Plugins: a.MaxPlugins},
		AdminOps:     a.AdminOperations,
	}
	if len(set.AdminOps) == 0 {
		set.AdminOps = auditusage.DefaultAdminOperations()
	}
	// The operations are the configured ones: none is ever "other".
	set.Caps.Operations = len(set.AdminOps)
	var lookback time.Duration
	for _, w := range cfg.Windows {
		set.Windows = append(set.Windows, auditusage.Window{Label: w.Label, Duration: w.Duration})
		lookback = max(lookback, w.Duration)
	}
	set.Plan = auditusage.PlanConfig{
		Delay: time.Duration(a.Delay), Overlap: time.Duration(a.Overlap), Lookback: lookback,
		Budget: auditusage.Budget{PerDay: a.QueriesPerDay, MaxActive: 1},
	}
	var ro []auditread.Option
	if opts.AuditSleep != nil {
		ro = append(ro, auditread.WithClock(opts.Now, opts.AuditSleep))
	}
	return &auditRun{reader: auditread.New(api, set, logger.With("read", "audit"), ro...), windows: slices.Clone(cfg.Windows)}, nil
}

// start runs the reader in the background until stop.
func (a *auditRun) start() {
	if a == nil || a.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel, a.done = cancel, make(chan struct{})
	go func() {
		defer close(a.done)
		a.reader.Run(ctx)
	}()
}

// stop ends the background reader and waits for it.
func (a *auditRun) stop() {
	if a == nil || a.cancel == nil {
		return
	}
	a.cancel()
	<-a.done
}

// RunAuditCycles runs one audit cycle of every tenant with an audit
// section, in the caller's goroutine: for tests and benchmarks, with
// Options.ManualAudit so that nothing runs in the background.
func (e *Exporter) RunAuditCycles(ctx context.Context) error {
	st := e.state.Load()
	if st == nil {
		return nil
	}
	var first error
	for _, t := range st.tenants {
		if t.audit == nil {
			continue
		}
		if err := t.audit.reader.Cycle(ctx); err != nil && first == nil {
			first = fmt.Errorf("tenant %s: %w", t.cfg.Name, err)
		}
	}
	return first
}

// Close stops the background readers of every tenant.
func (e *Exporter) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if st := e.state.Load(); st != nil {
		for _, t := range st.tenants {
			t.audit.stop()
		}
	}
}

// swapAudit starts the readers of the tenants that came with next and
// stops those of the tenants that left with old.
func (e *Exporter) swapAudit(old, next *state) {
	kept := map[*tenant]bool{}
	for _, t := range next.tenants {
		kept[t] = true
		if !e.opts.ManualAudit {
			t.audit.start()
		}
	}
	if old == nil {
		return
	}
	for _, t := range old.tenants {
		if !kept[t] {
			t.audit.stop()
		}
	}
}

// sameAuditWindows reports whether the tenant's reader counts over cfg's
// windows, so that a reload changing them rebuilds the tenant.
func (t *tenant) sameAuditWindows(cfg *config.Config) bool {
	return t.audit == nil || slices.Equal(t.audit.windows, cfg.Windows)
}
