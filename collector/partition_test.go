package collector

import (
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// TestFewPagesReadInOneRound: workspaces of a few served pages (1,000
// sessions, Graph serving 100 a page) are read, from the second scrape on,
// in one round trip for the tenant: each workspace's first page and its
// nine createdDateTime ranges, twenty requests in one $batch, exact, and
// no more requests than listing every page (ten round trips before).
func TestFewPagesReadInOneRound(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 100, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", manyWorkspaces(2, 1000))}}
	f := newFixture(t, opts, 1000)
	f.scrape() // the token, the workspace names, and a listing
	for scrape := 2; scrape <= 3; scrape++ {
		f.sim.ResetStats()
		fams := f.scrape()
		for _, ws := range opts.Tenants[0].Workspaces {
			f.assertExact(fams, "tenant0", ws)
		}
		st := f.sim.Stats()
		if naive := 2 * 10; st.ByPath[azuresim.PathSessions] > naive || st.RoundTrips > 2 {
			t.Fatalf("scrape %d: %d session requests in %d round trips, want at most %d (naive listing) in 2",
				scrape, st.ByPath[azuresim.PathSessions], st.RoundTrips, naive)
		}
	}
}
