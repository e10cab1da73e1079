package collector

import (
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// TestActivityListsOnlyWhatCanChange reads the activity of generated workspaces (1,000
// sessions each, the benchmark's data) in every listing variant the
// simulator has, checks every value against the simulator's own data on
// every scrape, and checks what a steady scrape costs: evaluations are
// listed only for prompts whose evaluations can still change (none ended
// yet, or the prompt changed); one ended, cancelled as well as completed,
// or a prompt without evaluations for a while, is answered from memory.
func TestActivityListsOnlyWhatCanChange(t *testing.T) {
	variants := []struct {
		name   string
		page   int
		faults azuresim.Faults
		// perListing is what one listing of one page costs: an empty page
		// before every page doubles it.
		perListing int
		// listsPrompts: the session listings do not carry every covered
		// session's prompts complete, so each one's prompts are listed.
		listsPrompts bool
	}{
		{name: "honest", page: 1000},
		{name: "served page 7", page: 7},
		{name: "$top ignored", page: 25, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{IgnoreTop: true}}},
		{name: "$filter ignored", page: 1000, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{IgnoreFilter: true}}},
		{name: "$filter refused", page: 1000, faults: azuresim.Faults{RejectFilter: true}},
		{name: "no @odata.count", page: 1000, listsPrompts: true, faults: azuresim.Faults{OmitCount: true}},
		{name: "newest first", page: 1000, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{Order: azuresim.OrderNewestFirst}}},
		{name: "arbitrary order, offset paging", page: 25, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{Order: azuresim.OrderArbitrary, OffsetPaging: true}}},
		{name: "empty pages", page: 1000, perListing: 2, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{EmptyPages: true}}},
		{name: "max $top", page: 1000, faults: azuresim.Faults{Listing: azuresim.ListingQuirks{MaxTop: 50, MaxTopNamed: true}}},
		{name: "$expand without counts", page: 1000, listsPrompts: true, faults: azuresim.Faults{Expand: azuresim.ExpandNoCount}},
		{name: "$expand cut silently", page: 1000, listsPrompts: true, faults: azuresim.Faults{Expand: azuresim.ExpandTruncated, ExpandLimit: 3}},
		{name: "$expand cut with a nextLink", page: 1000, listsPrompts: true, faults: azuresim.Faults{Expand: azuresim.ExpandNextLink, ExpandLimit: 3}},
		{name: "$expand ignored", page: 1000, listsPrompts: true, faults: azuresim.Faults{Expand: azuresim.ExpandIgnored}},
		{name: "$expand refused", page: 1000, listsPrompts: true, faults: azuresim.Faults{Expand: azuresim.ExpandRefused}},
		{name: "$expand and $filter refused", page: 1000, listsPrompts: true, faults: azuresim.Faults{Expand: azuresim.ExpandRefused, RejectFilter: true}},
		{name: "$expand cut, $filter ignored, pages of 7", page: 7, listsPrompts: true,
			faults: azuresim.Faults{Expand: azuresim.ExpandTruncated, ExpandLimit: 3, Listing: azuresim.ListingQuirks{IgnoreFilter: true}}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"a": 1000, "b": 1000})
			f := newFixture(t, azuresim.Options{MaxPageSize: v.page, Tenants: []azuresim.Tenant{tenant}}, 1000)
			f.enableActivity(nil)
			f.sim.SetFaults(v.faults)
			var evaluations, listed int
			for scrape := range 3 {
				f.sim.ResetStats()
				fams := f.scrape()
				covered := 0
				for _, ws := range tenant.Workspaces {
					f.assertExact(fams, "tenant0", ws)
					f.assertActivity(fams, "tenant0", ws.ID, activityTruth(t, f.sim, tenant.ID, ws.ID, f.cfg.Activity))
					n, _ := value(fams, "securitycopilot_activity_sessions_covered", map[string]string{"tenant": "tenant0", "workspace": ws.ID})
					covered += int(n)
				}
				st := f.sim.Stats()
				// Prompts of sessions the session listings expanded
				// completely are not listed.
				wantPrompts := 0
				switch {
				case v.faults.Expand == azuresim.ExpandTruncated || v.faults.Expand == azuresim.ExpandNextLink:
					// A session with no more prompts than the cut is
					// expanded completely.
					wantPrompts = longerThan(tenant, f.cfg.Activity, v.faults.ExpandLimit)
				case v.listsPrompts:
					wantPrompts = covered * max(v.perListing, 1)
				}
				if got := st.ByPath[azuresim.PathPrompts]; got != wantPrompts || covered == 0 {
					t.Errorf("scrape %d listed the prompts of %d sessions, want %d (%d covered)", scrape+1, got, wantPrompts, covered)
				}
				if scrape == 0 {
					listed = st.ByPath[azuresim.PathEvaluations]
					continue
				}
				evaluations = st.ByPath[azuresim.PathEvaluations]
				t.Logf("scrape %d: %d Graph requests: %d prompt listings, %d evaluation listings (first scrape %d)",
					scrape+1, st.GraphRequests, st.ByPath[azuresim.PathPrompts], evaluations, listed)
			}
			// Each workspace holds a few evaluations generated running or
			// pending, and a few prompts just created: they are listed on
			// every scrape, and nothing else.
			if want := running(t, f, tenant) * max(v.perListing, 1); evaluations != want {
				t.Errorf("a steady scrape listed the evaluations of %d prompts, want %d (those with an evaluation still running or pending, or just created)", evaluations, want)
			}
		})
	}
}

// longerThan counts the sessions active within the lookback with more
// than n prompts (the data covers every one of them).
func longerThan(tenant azuresim.Tenant, act config.Activity, n int) int {
	cutoff := testNow.Add(-time.Duration(act.Lookback))
	count := 0
	for _, ws := range tenant.Workspaces {
		for _, s := range ws.Sessions {
			if (!s.Created.Before(cutoff) || !s.LastModified.Before(cutoff)) && len(ws.Prompts[s.ID]) > n {
				count++
			}
		}
	}
	return count
}

// running counts the prompts of the tenant with an evaluation that has not
// ended, or with none yet and created within settledAfter: what a steady
// scrape must list again. (Those of sessions beyond the lookback are all
// ended: generated data only runs within minutes of now.)
func running(t *testing.T, f *fixture, tenant azuresim.Tenant) int {
	t.Helper()
	n := 0
	for _, ws := range tenant.Workspaces {
		for _, ps := range ws.Prompts {
			for _, p := range ps {
				open := len(p.Evaluations) == 0 && p.Created.After(testNow.Add(-settledAfter))
				for _, e := range p.Evaluations {
					open = open || e.State != "completed" && e.State != "cancelled"
				}
				if open {
					n++
				}
			}
		}
	}
	return n
}
