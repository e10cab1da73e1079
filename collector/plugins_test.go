package collector

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

var pluginSizes = map[string]int{"default": 45, "small": 8, "empty": 0}

// Every plugin count is exact in every listing variant the simulator has,
// and one read costs one listing per workspace: its pages, nothing more.
func TestPluginCountsExactInEveryListingVariant(t *testing.T) {
	for _, tc := range []struct {
		name     string
		served   int
		pageSize int
		faults   azuresim.Faults
	}{
		{name: "pages of 7 below $top", served: 7, pageSize: 1000},
		{name: "one page", served: 1000, pageSize: 1000},
		{name: "$top of 5", served: 1000, pageSize: 5},
		{name: "$top ignored", served: 9, pageSize: 5, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{IgnoreTop: true}}},
		{name: "$filter ignored", served: 7, pageSize: 1000, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{IgnoreFilter: true}}},
		{name: "$filter refused", served: 7, pageSize: 1000, faults: azuresim.Faults{RejectFilter: true}},
		{name: "no @odata.count", served: 7, pageSize: 1000, faults: azuresim.Faults{OmitCount: true}},
		{name: "names descending, by offset", served: 7, pageSize: 1000, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{Order: azuresim.OrderNewestFirst, OffsetPaging: true}}},
		{name: "arbitrary order", served: 7, pageSize: 1000, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{Order: azuresim.OrderArbitrary}}},
		{name: "$batch refused", served: 7, pageSize: 1000, faults: azuresim.Faults{BatchUnsupported: 400}},
		{name: "throttled", served: 7, pageSize: 1000, faults: azuresim.Faults{ThrottleEvery: 4, RetryAfter: "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := pluginTenant(0, pluginSizes)
			f := newFixture(t, azuresim.Options{MaxPageSize: tc.served, Tenants: []azuresim.Tenant{tenant}}, tc.pageSize)
			if tc.faults.ThrottleEvery > 0 { // as in TestExactValuesUnderEveryPlan
				f.cfg.Collection.MaxConcurrencyPerTenant = 1
				if err := f.exp.Apply(f.cfg); err != nil {
					t.Fatal(err)
				}
			}
			f.sim.SetFaults(tc.faults)
			f.sim.ResetStats()
			fams := f.scrape()
			for _, ws := range tenant.Workspaces {
				assertPlugins(t, fams, "tenant0", ws.ID, pluginTruth(t, f.sim, tenant.ID, ws.ID))
			}
			served := min(tc.served, tc.pageSize) // the cap, or $top below it
			if tc.faults.Listing.IgnoreTop {
				served = tc.served
			}
			want := pluginPages(t, f.sim, tenant, served)
			got := 0
			for _, r := range f.sim.Requests() {
				if strings.HasSuffix(r.Path, "/plugins") && r.Status == 200 {
					got++
				}
			}
			if got != want {
				t.Errorf("%d plugin pages answered, want %d: one listing per workspace", got, want)
			}
		})
	}
}

// A scrape inside plugins.interval sends no plugin request, even though the
// sessions are read on every scrape, and shows the list as last read; the
// first scrape after it reads the list again.
func TestPluginsAreReadOncePerInterval(t *testing.T) {
	tenant := pluginTenant(0, pluginSizes)
	f := newFixture(t, azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{tenant}}, 1000)
	clock := f.useClock(testNow)
	before := pluginTruth(t, f.sim, tenant.ID, "small")
	f.scrape()
	if err := f.sim.SetPlugin(tenant.ID, "small", azuresim.Plugin{Name: "VendorX", Category: "plugin", IsEnabled: true}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []time.Duration{time.Minute, 13 * time.Minute, time.Minute - time.Second} {
		clock.advance(step)
		f.sim.ResetStats()
		fams := f.scrape()
		st := f.sim.Stats()
		if st.ByPath[azuresim.PathPlugins] != 0 || st.ByPath[azuresim.PathSessions] == 0 {
			t.Fatalf("a scrape inside the interval sent %d plugin and %d session requests, want 0 and some", st.ByPath[azuresim.PathPlugins], st.ByPath[azuresim.PathSessions])
		}
		assertPlugins(t, fams, "tenant0", "small", before)
	}
	clock.advance(time.Second) // 15m after the first read
	f.sim.ResetStats()
	fams := f.scrape()
	if n := f.sim.Stats().ByPath[azuresim.PathPlugins]; n != len(tenant.Workspaces) {
		t.Fatalf("after the interval: %d plugin requests, want %d", n, len(tenant.Workspaces))
	}
	after := pluginTruth(t, f.sim, tenant.ID, "small")
	if after[[2]string{"plugin", "true"}] != before[[2]string{"plugin", "true"}]+1 {
		t.Fatalf("the truth did not change: %v", after)
	}
	assertPlugins(t, fams, "tenant0", "small", after)
	if v, _ := value(fams, metricnames.PluginsLastSuccessTime, map[string]string{"tenant": "tenant0", "workspace": "small"}); v != float64(testNow.Add(15*time.Minute).Unix()) {
		t.Errorf("last success %v, want the time of the second read", v)
	}
}

// A tenant's own interval wins over the global one.
func TestPluginsIntervalPerTenant(t *testing.T) {
	tenant := pluginTenant(0, map[string]int{"default": 3})
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	interval := model.Duration(2 * time.Minute)
	f.cfg.Tenants[0].Plugins = &config.TenantPlugins{Interval: &interval}
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	clock := f.useClock(testNow)
	f.scrape()
	clock.advance(2 * time.Minute)
	f.sim.ResetStats()
	f.scrape()
	if n := f.sim.Stats().ByPath[azuresim.PathPlugins]; n != 1 {
		t.Errorf("after the tenant's 2m: %d plugin requests, want 1", n)
	}
}

// A failing plugin listing marks plugins_success 0 and leaves the
// sessions up; it is tried again a minute later, not on every scrape.
func TestFailingPluginReadLeavesSessionsUp(t *testing.T) {
	tenant := pluginTenant(0, pluginSizes)
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	clock := f.useClock(testNow)
	f.sim.SetFaults(azuresim.Faults{PluginStatusFor: map[string]int{"small": 500}})
	fams := f.scrape()
	labels := map[string]string{"tenant": "tenant0", "workspace": "small"}
	if v, ok := value(fams, metricnames.PluginsSuccess, labels); !ok || v != 0 {
		t.Errorf("plugins_success = %v (present %v), want 0", v, ok)
	}
	for _, name := range []string{metricnames.Plugins, metricnames.PluginsLastSuccessTime} {
		for _, m := range fams[name].GetMetric() {
			if label(m, "workspace") == "small" {
				t.Errorf("a failed listing still exports %s", name)
			}
		}
	}
	for _, ws := range tenant.Workspaces {
		f.assertExact(fams, "tenant0", ws) // up 1 and exact, "small" included
		if ws.ID != "small" {
			assertPlugins(t, fams, "tenant0", ws.ID, pluginTruth(t, f.sim, tenant.ID, ws.ID))
		}
	}
	if lines := errorLines(f.logs.String(), 0); len(lines) != 1 || !strings.Contains(lines[0], "Listing plugins failed") || !strings.Contains(lines[0], "workspace=small") {
		t.Errorf("want one error line for the plugin listing, got:\n%s", strings.Join(lines, "\n"))
	}

	f.sim.SetFaults(azuresim.Faults{})
	clock.advance(30 * time.Second)
	f.sim.ResetStats()
	fams = f.scrape()
	if n := f.sim.Stats().ByPath[azuresim.PathPlugins]; n != 0 {
		t.Errorf("30s after a failure: %d plugin requests, want 0", n)
	}
	if v, _ := value(fams, metricnames.PluginsSuccess, labels); v != 0 {
		t.Errorf("30s after a failure: plugins_success = %v, want the failure's 0", v)
	}
	clock.advance(30 * time.Second)
	f.sim.ResetStats()
	fams = f.scrape()
	if n := f.sim.Stats().ByPath[azuresim.PathPlugins]; n != 1 {
		t.Errorf("a minute after a failure: %d plugin requests, want 1", n)
	}
	assertPlugins(t, fams, "tenant0", "small", pluginTruth(t, f.sim, tenant.ID, "small"))
}

// The series per plugin appear only for a tenant that opts in, with the
// metadata's values, and no setting value reaches the metrics or the log.
func TestPerPluginSeriesAreOptInAndCarryNoSettings(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{pluginTenant(0, map[string]int{"default": 8}), pluginTenant(1, map[string]int{"default": 8})}}
	f := newFixture(t, opts, 1000)
	on := true
	f.cfg.Tenants[0].Plugins = &config.TenantPlugins{PerPlugin: &on}
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	body := f.scrapeRaw()
	for _, want := range []string{
		`securitycopilot_plugin_enabled{catalog_scope="tenant",category="plugin",plugin="ThreatFeedCustom",preview_state="private",tenant="tenant0",workspace="default"} 1`,
		`securitycopilot_plugin_enabled{catalog_scope="global",category="microsoft",plugin="Intune",preview_state="ga",tenant="tenant0",workspace="default"} 0`,
		`securitycopilot_plugin_enabled{catalog_scope="unknownFutureValue",category="unknownFutureValue",plugin="zz-partner",preview_state="unknownFutureValue",tenant="tenant0",workspace="default"} 1`,
		`securitycopilot_plugin_info{display_name="Threat feed (custom)",plugin="ThreatFeedCustom",tenant="tenant0",workspace="default"} 1`,
		`securitycopilot_plugins{category="unknownFutureValue",enabled="true",tenant="tenant1",workspace="default"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	if n := strings.Count(body, "\nsecuritycopilot_plugin_enabled{"); n != 9 {
		t.Errorf("%d plugin_enabled series, want 9, all of tenant0", n)
	}
	if strings.Contains(body, `plugin_enabled{catalog_scope="global",category="microsoft",plugin="Entra",preview_state="ga",tenant="tenant1"`) {
		t.Error("tenant1 did not opt in, yet exports series per plugin")
	}
	for _, secret := range []string{"sim-secret", "feed.invalid"} {
		if strings.Contains(body, secret) || strings.Contains(f.logs.String(), secret) {
			t.Errorf("a setting value (%q) reached the metrics or the log", secret)
		}
	}
	for _, r := range f.sim.Requests() {
		if strings.Contains(r.RawQuery, "settings") || (strings.HasSuffix(r.Path, "/plugins") && !strings.Contains(r.RawQuery, "$select=")) {
			t.Errorf("a plugin listing could bring settings: %s?%s", r.Path, r.RawQuery)
		}
	}
}

// A probe of one workspace lists that workspace's plugins and exports
// them, and only them.
func TestProbeReadsThePluginsOfItsWorkspace(t *testing.T) {
	tenant := pluginTenant(0, pluginSizes)
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	rec := f.probe("tenant=tenant0&workspace=small")
	if rec.Code != 200 {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body.String())
	}
	body := rec.Body.String()
	if n := f.sim.Stats().ByPath[azuresim.PathPlugins]; n != 1 {
		t.Errorf("%d plugin requests, want the probed workspace's one", n)
	}
	if !strings.Contains(body, `securitycopilot_plugins_success{tenant="tenant0",workspace="small"} 1`) ||
		strings.Contains(body, `workspace="default"`) || strings.Contains(body, `workspace="empty"`) {
		t.Errorf("probe answer:\n%s", body)
	}
}

// While the sessions are cached, a due plugin list is listed on its own:
// the sessions cost nothing and the plugins one listing per workspace.
func TestPluginsAreListedWhileSessionsAreCached(t *testing.T) {
	tenant := pluginTenant(0, pluginSizes)
	f := newFixture(t, azuresim.Options{MaxPageSize: 10, Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.cfg.Collection.CacheTTL = model.Duration(time.Hour)
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	clock := f.useClock(testNow)
	f.scrape()
	if err := f.sim.SetPlugin(tenant.ID, "default", azuresim.Plugin{Name: "Entra", Category: "microsoft", IsEnabled: false}); err != nil {
		t.Fatal(err)
	}
	clock.advance(15 * time.Minute)
	f.sim.ResetStats()
	fams := f.scrape()
	st := f.sim.Stats()
	if st.ByPath[azuresim.PathSessions] != 0 || st.ByPath[azuresim.PathPlugins] != pluginPages(t, f.sim, tenant, 10) {
		t.Errorf("%d session and %d plugin requests, want 0 and one listing per workspace (%d pages)",
			st.ByPath[azuresim.PathSessions], st.ByPath[azuresim.PathPlugins], pluginPages(t, f.sim, tenant, 10))
	}
	for _, ws := range tenant.Workspaces {
		assertPlugins(t, fams, "tenant0", ws.ID, pluginTruth(t, f.sim, tenant.ID, ws.ID))
	}
}

// A listing's series are built once and sent again until the next
// listing, the same each scrape; a reload that opts the tenant in to the
// series per plugin gets them at its first scrape.
func TestPluginSeriesOfAListingFollowAReload(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{pluginTenant(0, map[string]int{"default": 8})}}
	f := newFixture(t, opts, 1000)
	first := f.scrapeRaw()
	if again := f.scrapeRaw(); pluginLines(again) != pluginLines(first) || strings.Contains(again, "securitycopilot_plugin_enabled{") {
		t.Fatalf("the second scrape of one listing differs:\n%s", again)
	}
	on := true
	f.cfg.Tenants[0].Plugins = &config.TenantPlugins{PerPlugin: &on}
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	body := f.scrapeRaw()
	if n := strings.Count(body, "\nsecuritycopilot_plugin_enabled{"); n != 9 {
		t.Errorf("%d plugin_enabled series after opting in, want 9", n)
	}
}

func TestPluginMetricsAreBuiltOncePerKey(t *testing.T) {
	var m pluginMetrics
	builds := 0
	build := func() []prometheus.Metric { builds++; return []prometheus.Metric{nil} }
	a := pluginMetricsKey{tenant: "t", workspace: "w"}
	m.get(a, build)
	m.get(a, build)
	if builds != 1 {
		t.Fatalf("%d builds for one key, want 1", builds)
	}
	b := a
	b.perPlugin = true
	m.get(b, build)
	if builds != 2 {
		t.Fatalf("%d builds after the key changed, want 2", builds)
	}
}

// pluginLines are the lines of a scrape's plugin counts.
func pluginLines(body string) string {
	var out []string
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, "securitycopilot_plugins{") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}
