package collector

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// pluginTenant is simTenant with plugins: each workspace gets as many
// generated plugins as sessions, plus one of a category the metadata does
// not list.
func pluginTenant(n int, plugins map[string]int) azuresim.Tenant {
	t := simTenant(n, "s3cret-value-for-tests", plugins)
	for i := range t.Workspaces {
		ws := &t.Workspaces[i]
		ws.Sessions = ws.Sessions[:min(len(ws.Sessions), 3)]
		ws.Plugins = azuresim.GeneratePlugins(int64(i+1), plugins[ws.ID])
		if plugins[ws.ID] > 0 {
			ws.Plugins = append(ws.Plugins, azuresim.Plugin{Name: "zz-partner", Category: "partner", CatalogScope: "region", PreviewState: "beta", IsEnabled: true})
		}
	}
	return t
}

// movableClock is a clock the exporter reads at each call; tests move it
// between scrapes.
type movableClock struct{ ns atomic.Int64 }

func (c *movableClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *movableClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func (f *fixture) useClock(start time.Time) *movableClock {
	c := &movableClock{}
	c.ns.Store(start.UnixNano())
	f.exp.opts.Now = c.now
	return c
}

// pluginTruth counts, independently of the collector, a workspace's plugins
// as the simulator holds them, by documented category and state.
func pluginTruth(t testing.TB, sim *azuresim.Server, tenantID, ws string) map[[2]string]float64 {
	t.Helper()
	plugins, err := sim.Plugins(tenantID, ws)
	if err != nil {
		t.Fatal(err)
	}
	listed := []string{"hidden", "microsoft", "microsoftConnectors", "other", "web", "testing", "plugin", "unknownFutureValue"}
	want := map[[2]string]float64{}
	for _, c := range listed {
		want[[2]string{c, "false"}], want[[2]string{c, "true"}] = 0, 0
	}
	for _, p := range plugins {
		c := p.Category
		if !slices.Contains(listed, c) {
			c = "unknownFutureValue"
		}
		want[[2]string{c, strconv.FormatBool(p.IsEnabled)}]++
	}
	return want
}

// assertPlugins checks a workspace's plugin success and every count.
func assertPlugins(t testing.TB, fams map[string]*dto.MetricFamily, tenant, ws string, want map[[2]string]float64) {
	t.Helper()
	labels := map[string]string{"tenant": tenant, "workspace": ws}
	if v, ok := value(fams, metricnames.PluginsSuccess, labels); !ok || v != 1 {
		t.Errorf("%s/%s: plugins_success = %v (present %v), want 1", tenant, ws, v, ok)
		return
	}
	n := 0
	for _, m := range fams[metricnames.Plugins].GetMetric() {
		if label(m, "tenant") == tenant && label(m, "workspace") == ws {
			n++
		}
	}
	if n != len(want) {
		t.Errorf("%s/%s: %d plugin count series, want %d", tenant, ws, n, len(want))
	}
	for k, w := range want {
		got, ok := value(fams, metricnames.Plugins, map[string]string{"tenant": tenant, "workspace": ws, "category": k[0], "enabled": k[1]})
		if !ok || got != w {
			t.Errorf("%s/%s: plugins{category=%q,enabled=%q} = %v (present %v), want %v", tenant, ws, k[0], k[1], got, ok, w)
		}
	}
}

func label(m *dto.Metric, name string) string {
	for _, lp := range m.GetLabel() {
		if lp.GetName() == name {
			return lp.GetValue()
		}
	}
	return ""
}

// scrapeRaw serves one /metrics request and returns the text answer.
func (f *fixture) scrapeRaw() string {
	f.t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "20")
	f.exp.Handler(prometheus.NewRegistry()).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		f.t.Fatalf("scrape: HTTP %d: %s", rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// pluginPages is how many pages one listing of every workspace's plugins
// takes at the served page size.
func pluginPages(t testing.TB, sim *azuresim.Server, tenant azuresim.Tenant, served int) int {
	t.Helper()
	n := 0
	for _, ws := range tenant.Workspaces {
		ps, err := sim.Plugins(tenant.ID, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		n += max(1, (len(ps)+served-1)/served)
	}
	return n
}
