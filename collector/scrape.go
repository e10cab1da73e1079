package collector

import (
	"context"
	"errors"
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
		wg.Go(func() { s.collectCapacity(t, ch) })
	}
	wg.Wait()
}

func (s *scrape) collectTenant(t *tenant, ch chan<- prometheus.Metric) {
	ids, err := t.workspaces(s.ctx, s.e.opts.Now())
	if t.cfg.Discover() {
		ok := 1.0
		if err != nil {
			ok = 0
			s.e.opts.Logger.Error("Discovering workspaces failed", append(errorAttrs(err), "tenant", t.cfg.Name, "known_workspaces", len(ids))...)
		}
		ch <- prometheus.MustNewConstMetric(s.e.descs.discoverySuccess, prometheus.GaugeValue, ok, t.cfg.Name)
	}
	if s.workspace != "" {
		if !slices.Contains(ids, s.workspace) {
			s.e.opts.Logger.Warn("Probe asked for a workspace the tenant does not have", "tenant", t.cfg.Name, "workspace", s.workspace, "known_workspaces", len(ids))
			return
		}
		ids = []string{s.workspace}
	}
	outcomes := s.e.collect(s.ctx, t, ids, s.st.cfg)
	for _, ws := range ids {
		s.emit(ch, t, ws, outcomes[ws])
	}
}

func (s *scrape) emit(ch chan<- prometheus.Metric, t *tenant, ws string, o outcome) {
	labels := []string{t.cfg.Name, ws}
	gauge := func(d *prometheus.Desc, v float64, extra ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append(labels, extra...)...)
	}
	gauge(s.e.descs.duration, o.duration.Seconds())
	if last := t.lastSuccess(ws); !last.IsZero() {
		gauge(s.e.descs.lastSuccess, unixSeconds(last))
	}
	if s.st.cfg.ActivityFor(t.cfg).Enabled {
		s.emitActivity(ch, t, ws, o.act)
	}
	if o.err != nil {
		gauge(s.e.descs.up, 0)
		return
	}
	res := o.res
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
