package collector

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// scrape collects every workspace of every tenant within ctx's deadline.
type scrape struct {
	e       *Exporter
	st      *state
	tenants []*tenant
	// workspace, when set, restricts the scrape to that workspace (a probe).
	workspace string
	ctx       context.Context
}

var _ prometheus.Collector = (*scrape)(nil)

func (s *scrape) Describe(ch chan<- *prometheus.Desc) { s.e.descs.describe(ch) }

func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	var wg sync.WaitGroup
	for _, t := range s.tenants {
		wg.Go(func() { s.collectTenant(t, ch) })
	}
	wg.Wait()
}

func (s *scrape) collectTenant(t *tenant, ch chan<- prometheus.Metric) {
	logger := s.e.opts.Logger.With("tenant", t.cfg.Name)
	ids, err := t.workspaces(s.ctx, s.e.opts.Now())
	if t.cfg.Discover() {
		ok := 1.0
		if err != nil {
			ok = 0
			logger.Error("Discovering workspaces failed", append(errorAttrs(err), "known_workspaces", len(ids))...)
		}
		ch <- prometheus.MustNewConstMetric(s.e.descs.discoverySuccess, prometheus.GaugeValue, ok, t.cfg.Name)
	}
	if s.workspace != "" {
		if !slices.Contains(ids, s.workspace) {
			logger.Warn("Probe asked for a workspace the tenant does not have", "workspace", s.workspace, "known_workspaces", len(ids))
			return
		}
		ids = []string{s.workspace}
	}
	var wg sync.WaitGroup
	for _, ws := range ids {
		wg.Go(func() { s.collectWorkspace(t, ws, logger.With("workspace", ws), ch) })
	}
	wg.Wait()
}

func (s *scrape) collectWorkspace(t *tenant, ws string, logger *slog.Logger, ch chan<- prometheus.Metric) {
	start := time.Now()
	res, usedListing, wasListing, err := s.measure(t, ws)
	duration := time.Since(start)
	lastSuccess, entered := t.remember(ws, s.e.opts.Now(), err == nil, usedListing, wasListing)
	if entered {
		logger.Info("Graph did not honour $count or $filter; counting this workspace by listing it", "for", listingMemory)
	}
	labels := []string{t.cfg.Name, ws}
	gauge := func(d *prometheus.Desc, v float64, extra ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append(labels, extra...)...)
	}
	gauge(s.e.descs.duration, duration.Seconds())
	if !lastSuccess.IsZero() {
		gauge(s.e.descs.lastSuccess, unixSeconds(lastSuccess))
	}
	if err != nil {
		logger.Error("Collecting workspace failed", append(errorAttrs(err), "duration", duration)...)
		gauge(s.e.descs.up, 0)
		return
	}
	gauge(s.e.descs.up, 1)
	gauge(s.e.descs.sessions, float64(res.sessions))
	for i, w := range s.st.cfg.Windows {
		gauge(s.e.descs.created, float64(res.created[i]), w.Label)
		gauge(s.e.descs.active, float64(res.active[i]), w.Label)
	}
	// An empty workspace has no newest or oldest session: the gauges are
	// left out rather than exported as a 1970 timestamp.
	for _, ts := range []struct {
		d *prometheus.Desc
		t time.Time
	}{{s.e.descs.newest, res.newest}, {s.e.descs.oldest, res.oldest}, {s.e.descs.lastModified, res.lastModified}} {
		if !ts.t.IsZero() {
			gauge(ts.d, unixSeconds(ts.t))
		}
	}
}

func (s *scrape) measure(t *tenant, ws string) (res result, usedListing, wasListing bool, err error) {
	release, err := t.acquire(s.ctx)
	if err != nil {
		return res, false, false, err
	}
	defer release()
	now := s.e.opts.Now().UTC().Truncate(time.Second)
	starts := make([]time.Time, len(s.st.cfg.Windows))
	for i, w := range s.st.cfg.Windows {
		starts[i] = now.Add(-w.Duration)
	}
	m := &measurement{src: t.client, workspace: ws, pageSize: s.st.cfg.Graph.PageSize, starts: starts, now: now}
	wasListing = t.listingOnly(ws, now)
	res, usedListing, err = m.run(s.ctx, wasListing)
	return res, usedListing, wasListing, err
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// errorAttrs gives the log attributes support needs: Graph's status, code
// and request-id, or Entra ID's AADSTS code.
func errorAttrs(err error) []any {
	attrs := []any{"err", err}
	var ge *graphclient.Error
	if errors.As(err, &ge) {
		attrs = append(attrs, "status", ge.Status, "code", ge.Code, "request_id", ge.RequestID)
	}
	var te *graphclient.TokenError
	if errors.As(err, &te) {
		attrs = append(attrs, "entra_error", te.Code)
	}
	return attrs
}
