package collector

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// The scenario of the measurement the engine was rebuilt after: tenant 0
// has a workspace of 1,000 sessions and one of 12, tenant 1 three small
// ones; Graph serves at most servedPage sessions per page whatever $top
// asks; page_size is 1000 and the four default windows apply.
func measuredScenario(t *testing.T, servedPage int) *fixture {
	t.Helper()
	tenants := []azuresim.Tenant{
		simTenant(0, "s3cret-value-for-tests", map[string]int{"large": 1000, "twelve": 12}),
		simTenant(1, "s3cret-value-for-tests", map[string]int{"one": 3, "two": 7, "three": 0}),
	}
	return newFixture(t, azuresim.Options{MaxPageSize: servedPage, Tenants: tenants}, 1000)
}

// scrapeExact scrapes and checks every workspace's numbers.
func (f *fixture) scrapeExact() map[string]float64 {
	f.t.Helper()
	fams := f.scrape()
	durations := map[string]float64{}
	for i, tenant := range f.opts.Tenants {
		name := fmt.Sprintf("tenant%d", i)
		for _, ws := range tenant.Workspaces {
			f.assertExact(fams, name, ws)
			d, _ := value(fams, "securitycopilot_scrape_duration_seconds", map[string]string{"tenant": name, "workspace": ws.ID})
			durations[ws.ID] = d
		}
	}
	return durations
}

// naiveCost is what listing every page of every workspace costs, in
// requests and round trips alike: one per served page.
func naiveCost(f *fixture, servedPage int) int {
	n := 0
	for _, tenant := range f.opts.Tenants {
		for _, ws := range tenant.Workspaces {
			n += max(1, (len(ws.Sessions)+servedPage-1)/servedPage)
		}
	}
	return n
}

// TestMeasuredScenarioCost checks the figures where the plan meets
// them (with pages of 25: a first scrape of at most 30 requests in 6 round
// trips, then steady scrapes of at most 16 in 2), and that no scrape after
// the first costs more requests than naive listing. (With pages of 100 the
// workspace is listed: counting would cost more requests than its 10 pages.)
func TestMeasuredScenarioCost(t *testing.T) {
	for _, tc := range []struct {
		servedPage                int
		firstRequests, firstRTs   int // 0: not bounded
		steadyRequests, steadyRTs int // 0: only bounded by naive listing
	}{
		{servedPage: 25, firstRequests: 30, firstRTs: 6, steadyRequests: 16, steadyRTs: 2},
		{servedPage: 100},
	} {
		t.Run(fmt.Sprintf("served page %d", tc.servedPage), func(t *testing.T) {
			f := measuredScenario(t, tc.servedPage)
			naive := naiveCost(f, tc.servedPage)
			f.sim.ResetStats()
			f.scrapeExact()
			first := f.sim.Stats()
			// The figures are the sessions'; the plugin listings, one per
			// workspace per plugins.interval, share their rounds.
			if n := first.ByPath[azuresim.PathPlugins]; n != 5 {
				t.Errorf("first scrape: %d plugin listings, want one per workspace, 5", n)
			}
			first.GraphRequests -= first.ByPath[azuresim.PathPlugins]
			t.Logf("first scrape: %d requests in %d round trips (naive: %d in %d)", first.GraphRequests, first.RoundTrips, naive, naive)
			if tc.firstRequests > 0 && (first.GraphRequests > tc.firstRequests || first.RoundTrips > tc.firstRTs) {
				t.Errorf("first scrape: %d requests in %d round trips, want at most %d in %d", first.GraphRequests, first.RoundTrips, tc.firstRequests, tc.firstRTs)
			}
			for scrape := 2; scrape <= 3; scrape++ {
				f.sim.ResetStats()
				f.scrapeExact()
				st := f.sim.Stats()
				t.Logf("scrape %d: %d requests in %d round trips", scrape, st.GraphRequests, st.RoundTrips)
				if st.GraphRequests > naive {
					t.Errorf("scrape %d: %d requests, more than naive listing's %d", scrape, st.GraphRequests, naive)
				}
				if tc.steadyRequests > 0 && (st.GraphRequests > tc.steadyRequests || st.RoundTrips > tc.steadyRTs) {
					t.Errorf("scrape %d: %d requests in %d round trips, want at most %d in %d", scrape, st.GraphRequests, st.RoundTrips, tc.steadyRequests, tc.steadyRTs)
				}
			}
		})
	}
}

// A workspace that Graph throttles twice, 2 s each time, delays only
// itself: the others of its tenant are read in the rounds that go on
// without it.
func TestThrottledWorkspaceDelaysOnlyItself(t *testing.T) {
	f := measuredScenario(t, 25)
	f.scrapeExact()
	f.sim.SetFaults(azuresim.Faults{
		TransientFor: map[string]azuresim.Transient{"twelve": {Status: http.StatusServiceUnavailable, Times: 2}},
		RetryAfter:   "2",
	})
	durations := f.scrapeExact()
	if durations["twelve"] < 4 {
		t.Fatalf("the throttled workspace took %.2fs, want at least the 4 s Graph asked it to wait", durations["twelve"])
	}
	for ws, d := range durations {
		if ws != "twelve" && d >= 1 {
			t.Errorf("%s took %.2fs while another workspace was throttled; want under 1 s", ws, d)
		}
	}
}
