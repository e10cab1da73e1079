package collector

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient/graphsim"
)

// The scenario of the measurement the engine was rebuilt after: tenant 0
// has a workspace of 1,000 sessions and one of 12, tenant 1 three small
// ones; Graph serves at most servedPage sessions per page whatever $top
// asks; page_size is 1000 and the four default windows apply.
func measuredScenario(t *testing.T, servedPage int) *fixture {
	t.Helper()
	tenants := []graphsim.Tenant{
		simTenant(0, "s3cret-value-for-tests", map[string]int{"large": 1000, "twelve": 12}),
		simTenant(1, "s3cret-value-for-tests", map[string]int{"one": 3, "two": 7, "three": 0}),
	}
	return newFixture(t, graphsim.Options{MaxPageSize: servedPage, Tenants: tenants}, 1000)
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

func TestMeasuredScenarioCost(t *testing.T) {
	for _, servedPage := range []int{25, 100} {
		t.Run(fmt.Sprintf("served page %d", servedPage), func(t *testing.T) {
			f := measuredScenario(t, servedPage)
			f.sim.ResetStats()
			f.scrapeExact()
			if st := f.sim.Stats(); st.GraphRequests > 30 || st.RoundTrips > 6 {
				t.Errorf("first scrape: %d Graph requests in %d round trips, want at most 30 in 6", st.GraphRequests, st.RoundTrips)
			}
			for scrape := 2; scrape <= 3; scrape++ {
				f.sim.ResetStats()
				f.scrapeExact()
				// 1 request per small workspace, 2 × 4 windows + 4 for the
				// large one; one round trip per tenant.
				if st := f.sim.Stats(); st.GraphRequests > 16 || st.RoundTrips > 2 {
					t.Errorf("scrape %d: %d Graph requests in %d round trips, want at most 16 in 2", scrape, st.GraphRequests, st.RoundTrips)
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
	f.sim.SetFaults(graphsim.Faults{
		TransientFor: map[string]graphsim.Transient{"twelve": {Status: http.StatusServiceUnavailable, Times: 2}},
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
