package collector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/auditusage"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// auditFixture is a fixture whose first tenant reads its audit log, with
// the readers' cycles run by the test and their waits skipped.
func auditFixture(t *testing.T, records int) *fixture {
	t.Helper()
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 3})}}, 100)
	f.sim.AddAuditRecords(f.opts.Tenants[0].ID, azuresim.GenerateAuditRecords(11, records, testNow.Add(-8*24*time.Hour), testNow)...)
	f.cfg.Tenants[0].Audit = &config.TenantAudit{}
	if err := f.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f.exp = New(Options{
		Logger: slog.New(slog.DiscardHandler), Metrics: graphclient.NewMetrics(prometheus.NewRegistry()),
		Transport: &http.Client{Transport: f.sim.Transport()}, RetryDelay: time.Millisecond,
		Now: func() time.Time { return testNow }, ManualAudit: true,
		AuditSleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.exp.Close)
	return f
}

// byLabel returns a family's gauges of one tenant and window, by the
// value of label.
func byLabel(fams map[string]*dto.MetricFamily, name, window, label string) map[string]int {
	out := map[string]int{}
	for _, m := range fams[name].GetMetric() {
		ls := map[string]string{}
		for _, lp := range m.GetLabel() {
			ls[lp.GetName()] = lp.GetValue()
		}
		if ls[metricnames.Window] == window {
			out[ls[label]] = int(m.GetGauge().GetValue())
		}
	}
	return out
}

func TestAuditMetricsEqualTheSimulatorsCount(t *testing.T) {
	f := auditFixture(t, 3000)
	fams := f.scrape()
	tenant := map[string]string{"tenant": "tenant0"}
	if v, ok := value(fams, metricnames.AuditWindowComplete, map[string]string{"tenant": "tenant0", "window": "1d"}); !ok || v != 0 {
		t.Fatalf("before any cycle: window complete %v %v, want 0", v, ok)
	}
	if _, ok := value(fams, metricnames.AuditDataTime, tenant); ok {
		t.Fatal("a data time before any query")
	}
	if err := f.exp.RunAuditCycles(context.Background()); err != nil {
		t.Fatal(err)
	}
	fams = f.scrape()
	end := auditusage.Hour(testNow.Add(-2 * time.Hour))
	if v, _ := value(fams, metricnames.AuditDataTime, tenant); v != float64(end.Unix()) {
		t.Fatalf("data time %v, want %v", v, end.Unix())
	}
	for _, w := range f.cfg.Windows {
		want := f.sim.AuditCount(f.opts.Tenants[0].ID, end.Add(-w.Duration), end, auditusage.DefaultAdminOperations())
		lw := map[string]string{"tenant": "tenant0", "window": w.Label}
		if v, _ := value(fams, metricnames.AuditWindowComplete, lw); v != 1 {
			t.Fatalf("window %s not complete", w.Label)
		}
		// Six surfaces, under the default cap of 10: none is "other".
		for name, pair := range map[string][2]any{
			"interactions": {byLabel(fams, metricnames.AuditInteractions, w.Label, metricnames.AppHost), want.Interactions},
			"prompts":      {byLabel(fams, metricnames.AuditPrompts, w.Label, metricnames.AppHost), want.Prompts},
			"plugins":      {byLabel(fams, metricnames.AuditPluginInteractions, w.Label, metricnames.Plugin), want.Plugins},
			"admin":        {byLabel(fams, metricnames.AuditAdminEvents, w.Label, metricnames.Operation), want.Admin},
		} {
			if fmt.Sprint(pair[0]) != fmt.Sprint(pair[1]) {
				t.Errorf("%s %s: exported %v, simulator %v", w.Label, name, pair[0], pair[1])
			}
		}
		for name, n := range map[string]int{metricnames.AuditUsers: want.Users, metricnames.AuditSessions: want.Sessions, metricnames.AuditAgentInteractions: want.Agent} {
			if v, _ := value(fams, name, lw); int(v) != n {
				t.Errorf("%s %s: exported %v, simulator %d", w.Label, name, v, n)
			}
		}
	}
	if v, _ := value(fams, metricnames.AuditQuerySubmissions, tenant); v != 1 {
		t.Fatalf("%v submissions, want 1", v)
	}
	if v, _ := value(fams, metricnames.AuditLastCycleSuccess, tenant); v != 1 {
		t.Fatal("last cycle not successful")
	}
}

// A scrape never waits for the audit read: with a background reader
// blocked inside a query, the scrape answers with the snapshot it has.
func TestAuditScrapeNeverWaits(t *testing.T) {
	f := auditFixture(t, 10)
	block := make(chan struct{})
	f.exp.Close()
	f.exp.opts.ManualAudit = false
	f.exp.opts.AuditSleep = func(ctx context.Context, _ time.Duration) error {
		select {
		case <-block:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.sim.SetAuditFaults(azuresim.AuditFaults{Ends: []string{"never"}})
	f.cfg.Tenants[0].Audit = &config.TenantAudit{Version: "beta"} // a changed section rebuilds the tenant
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	fams := f.scrape()
	if v, ok := value(fams, metricnames.AuditLastCycleSuccess, map[string]string{"tenant": "tenant0"}); !ok || v != 0 {
		t.Fatalf("last cycle success %v %v, want 0 while the first cycle runs", v, ok)
	}
	close(block)
}

// A reload that drops a tenant's audit section stops its reader; one that
// keeps the tenant unchanged keeps the reader running.
func TestAuditReaderFollowsReloads(t *testing.T) {
	f := auditFixture(t, 10)
	f.exp.Close()
	f.exp.opts.ManualAudit = false
	f.exp.opts.AuditSleep = func(ctx context.Context, _ time.Duration) error { <-ctx.Done(); return ctx.Err() }
	f.cfg.Tenants[0].Audit = &config.TenantAudit{Version: "beta"}
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	first := f.exp.state.Load().tenants[0].audit
	if first == nil || first.cancel == nil {
		t.Fatal("no reader running")
	}
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	if f.exp.state.Load().tenants[0].audit != first {
		t.Fatal("an unchanged tenant got a new reader")
	}
	next := *f.cfg
	next.Tenants = append([]config.Tenant(nil), f.cfg.Tenants...)
	next.Tenants[0].Audit = nil
	if err := f.exp.Apply(&next); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.done:
	default:
		t.Fatal("the reader of a tenant without an audit section still runs")
	}
	if f.exp.state.Load().tenants[0].audit != nil {
		t.Fatal("a tenant without an audit section has a reader")
	}
}
