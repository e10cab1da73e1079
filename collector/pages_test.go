package collector

import (
	"net/url"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// Pages Graph really serves (issue 19, item 13): an empty page with an
// @odata.nextLink, and a 400 to a $top above the service's maximum. The
// numbers are exact (TestExactValuesUnderEveryPlan); here, what they cost
// once the exporter knows the behaviour.

// With an empty page before every page, a steady scrape costs what it
// costs without, twice: each answer the plan reads comes after one more
// request, and no extreme is searched for again.
func TestEmptyPagesCostTheirRequestOnly(t *testing.T) {
	sizes := map[string]int{"default": 6000, "small": 37, "empty": 0}
	steady := map[bool][2]int{}
	for _, empty := range []bool{false, true} {
		opts := azuresim.Options{MaxPageSize: 100, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", sizes)}}
		f := newFixture(t, opts, 100)
		f.sim.SetFaults(azuresim.Faults{Listing: azuresim.ListingQuirks{EmptyPages: empty}})
		for range 2 {
			f.sim.ResetStats()
			fams := f.scrape()
			for _, ws := range opts.Tenants[0].Workspaces {
				f.assertExact(fams, "tenant0", ws)
			}
		}
		st := f.sim.Stats()
		steady[empty] = [2]int{st.GraphRequests, st.RoundTrips}
	}
	if plain, empty := steady[false], steady[true]; empty[0] > 2*plain[0] || empty[1] > 2*plain[1] {
		t.Fatalf("steady scrape with empty pages: %d requests in %d round trips, want at most twice %d in %d", empty[0], empty[1], plain[0], plain[1])
	}
}

// Once the largest $top is learned, no scrape asks for more: the second
// scrape sends no $top above the maximum and gets no 400.
func TestLearnedTopIsRemembered(t *testing.T) {
	for _, named := range []bool{true, false} {
		sizes := map[string]int{"default": 6000, "small": 37}
		opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", sizes)}}
		f := newFixture(t, opts, 1000)
		f.sim.SetFaults(azuresim.Faults{Listing: azuresim.ListingQuirks{MaxTop: 100, MaxTopNamed: named}})
		f.scrape()
		f.sim.ResetStats()
		fams := f.scrape()
		for _, ws := range opts.Tenants[0].Workspaces {
			f.assertExact(fams, "tenant0", ws)
		}
		for _, r := range f.sim.Requests() {
			q, _ := url.ParseQuery(r.RawQuery)
			if r.Status == 400 || q.Get("$top") == "1000" {
				t.Errorf("named %v: second scrape sent %s?%s and got %d", named, r.Path, r.RawQuery, r.Status)
			}
		}
	}
}
