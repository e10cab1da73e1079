package collector

import (
	"context"
	"errors"
	"math/big"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/safetext"
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

// maxTenantsInFlight bounds the tenants one scrape reads at once. A tenant
// being read holds about 150 KiB (its token request, pages being decoded,
// HTTP buffers), so 10,000 tenants read at once peaked at 1.5 GB; 256 at
// once keep that near 40 MB and still read 10,000 tenants, two requests
// each at 150 ms, in about 12 s.
const maxTenantsInFlight = 256

func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	var g errgroup.Group
	g.SetLimit(maxTenantsInFlight)
	for _, t := range s.tenants {
		g.Go(func() error {
			s.collectTenant(t, ch)
			return nil
		})
		g.Go(func() error {
			s.collectCapacity(t, ch)
			s.emitAudit(ch, t)
			return nil
		})
	}
	_ = g.Wait()
}

func (s *scrape) collectTenant(t *tenant, ch chan<- prometheus.Metric) {
	// Deferred: whether a sign-in is required is known after the reads.
	defer s.emitTenantAccess(ch, t)
	ids, err := t.workspaces(s.ctx)
	if t.cfg.Discover() {
		ok := 1.0
		var cut *discoveryCut
		switch {
		case errors.As(err, &cut):
			ok = 0 // logged once, when discovery cut
		case err != nil:
			ok = 0
			t.logger.Error("Discovering workspaces failed", append(errorAttrs(err), "known_workspaces", len(ids))...)
		}
		ch <- prometheus.MustNewConstMetric(s.e.descs.discoverySuccess, prometheus.GaugeValue, ok, t.cfg.Name)
	}
	ids, failed := t.resolve(s.ctx, ids)
	if s.workspace != "" {
		var want []string
		want, failed = t.resolve(s.ctx, []string{s.workspace})
		if len(want) == 1 && !slices.Contains(ids, want[0]) {
			t.logger.Warn("Probe asked for a workspace the tenant does not have", "workspace", safetext.Cut(s.workspace, maxEchoedParam), "known_workspaces", len(ids))
			return
		}
		ids = want
	}
	for ws, err := range failed {
		t.logger.Error("Collecting workspace failed", append(errorAttrs(err), "workspace", ws)...)
		s.emit(ch, t, ws, outcome{err: err})
		s.emitPlugins(ch, t, ws, pluginRead{err: err})
	}
	outcomes := t.read(s.ctx, ids, s.st.cfg)
	for _, ws := range ids {
		s.emit(ch, t, ws, outcomes[ws])
	}
	// A fetch of the sessions took the due plugin listings along; these
	// are the ones due while the sessions were cached.
	plugins := t.readPlugins(s.ctx, ids, s.st.cfg)
	for _, ws := range ids {
		s.emitPlugins(ch, t, ws, plugins[ws])
	}
	s.emitWorkspaceInfo(ch, t, ids)
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
	gauge(s.e.descs.sessions, float64(res.Sessions))
	for i, w := range s.st.cfg.Windows {
		gauge(s.e.descs.created, float64(res.Created[i]), w.Label)
		gauge(s.e.descs.active, float64(res.Active[i]), w.Label)
	}
	// An empty workspace has no newest or oldest session: the gauges are
	// left out rather than exported as a 1970 timestamp.
	for _, ts := range []struct {
		d *prometheus.Desc
		t time.Time
	}{{s.e.descs.newest, res.Newest}, {s.e.descs.oldest, res.Oldest}, {s.e.descs.lastModified, res.LastModified}} {
		if !ts.t.IsZero() {
			gauge(ts.d, unixSeconds(ts.t))
		}
	}
}

// unixSeconds is t as Unix seconds, the float64 nearest to the exact value.
// t.UnixNano would overflow outside the years 1678 to 2262, while Graph's
// DateTimeOffset spans the years 1 to 9999.
func unixSeconds(t time.Time) float64 {
	ns := new(big.Int).Mul(big.NewInt(t.Unix()), big.NewInt(int64(time.Second)))
	ns.Add(ns, big.NewInt(int64(t.Nanosecond())))
	secs, _ := new(big.Rat).SetFrac(ns, big.NewInt(int64(time.Second))).Float64()
	return secs
}

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
		attrs = append(attrs, "entra_host", te.Host)
		if te.Code != "" {
			attrs = append(attrs, "entra_error", te.Code)
		}
	}
	return attrs
}
