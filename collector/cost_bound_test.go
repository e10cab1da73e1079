package collector

import (
	"net/http"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// The README's bound, on the simulator's counters: a steady scrape costs no
// more Graph requests than naive listing (one request per served page of
// every workspace, each its own round trip), and a first scrape, or the one
// on which Graph starts failing, at most one round more.

// sessionCost is what the last scrape cost in requests and round trips of
// session listings: the workspace listing that names workspaces (a plain
// GET once per five minutes, which naive listing does not make) left out.
func (f *fixture) sessionCost() (requests, roundTrips int) {
	st := f.sim.Stats()
	return st.ByPath[azuresim.PathSessions], st.RoundTrips - st.ByPath[azuresim.PathWorkspaces]
}

// TestTiedNewestCostsOneRound: the measured scenario with its 30 newest
// sessions (more than the 25 Graph serves a page) created on one tick, the
// instant of the scrape. Each steady scrape costs 2 requests more than
// without them, in the same 2 round trips (it cost 48 requests in 9 round
// trips, above naive listing's 44).
func TestTiedNewestCostsOneRound(t *testing.T) {
	tenants := []azuresim.Tenant{
		simTenant(0, "s3cret-value-for-tests", map[string]int{"large": 1000, "twelve": 12}),
		simTenant(1, "s3cret-value-for-tests", map[string]int{"one": 3, "two": 7, "three": 0}),
	}
	sessions := tenants[0].Workspaces[0].Sessions // sorted by creation
	for i := len(sessions) - 30; i < len(sessions); i++ {
		sessions[i].Created, sessions[i].LastModified = testNow, testNow
	}
	f := newFixture(t, azuresim.Options{MaxPageSize: 25, Tenants: tenants}, 1000)
	naive := naiveCost(f, 25)
	f.scrapeExact()
	if requests, _ := f.sessionCost(); requests > naive+20 {
		t.Errorf("first scrape: %d requests, naive listing %d: more than one round above it", requests, naive)
	}
	for scrape := 2; scrape <= 3; scrape++ {
		f.sim.ResetStats()
		f.scrapeExact()
		requests, roundTrips := f.sessionCost()
		if requests > 18 || roundTrips > 2 {
			t.Errorf("scrape %d: %d requests in %d round trips, want at most 18 in 2 (naive listing %d in %d)", scrape, requests, roundTrips, naive, naive)
		}
	}
}

// TestFailingWorkspaceCostsWhatListingDoes: a counted workspace that starts
// answering 404 costs its counted round on the scrape where it does, then
// one request a scrape, as listing would (16 requests a scrape before,
// against naive listing's 5).
func TestFailingWorkspaceCostsWhatListingDoes(t *testing.T) {
	f := measuredScenario(t, 25)
	f.scrapeExact()
	f.scrapeExact()
	f.sim.SetFaults(azuresim.Faults{StatusFor: map[string]int{"large": http.StatusNotFound}})
	naive := naiveCost(f, 25) - 40 + 1 // the failing workspace's first page answers 404
	for scrape := range 3 {
		f.sim.ResetStats()
		fams := f.scrape()
		if up, _ := value(fams, "securitycopilot_up", map[string]string{"tenant": "tenant0", "workspace": "large"}); up != 0 {
			t.Fatalf("scrape %d: the workspace answering 404 has up %v", scrape, up)
		}
		requests, _ := f.sessionCost()
		limit := naive
		if scrape == 0 {
			limit += 2*len(f.cfg.Windows) + 4 // the counted round that finds out
		}
		if requests > limit {
			t.Errorf("scrape %d with the workspace answering 404: %d requests, want at most %d (naive listing %d)", scrape, requests, limit, naive)
		}
	}
	f.sim.SetFaults(azuresim.Faults{})
	f.scrapeExact()
}

// TestFilterFallbackFirstScrape: a Graph that refuses or ignores $filter
// costs a first scrape one round more than naive listing, in one round trip
// (the first page is not asked again), and every later scrape what naive
// listing costs.
func TestFilterFallbackFirstScrape(t *testing.T) {
	for name, faults := range map[string]azuresim.Faults{
		"refused": {RejectFilter: true},
		"ignored": {Listing: azuresim.ListingQuirks{IgnoreFilter: true}},
	} {
		t.Run(name, func(t *testing.T) {
			opts := azuresim.Options{MaxPageSize: 25, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"large": 1000})}}
			f := newFixture(t, opts, 1000)
			f.sim.SetFaults(faults)
			naive := naiveCost(f, 25)
			for scrape := range 3 {
				f.sim.ResetStats()
				f.scrapeExact()
				requests, roundTrips := f.sessionCost()
				wantRequests, wantRoundTrips := naive, naive
				if scrape == 0 {
					wantRequests, wantRoundTrips = naive+20, naive+1
				}
				if requests > wantRequests || roundTrips > wantRoundTrips {
					t.Errorf("scrape %d: %d requests in %d round trips, want at most %d in %d (naive listing %d)", scrape, requests, roundTrips, wantRequests, wantRoundTrips, naive)
				}
			}
		})
	}
}
