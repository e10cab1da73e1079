package collector

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// scrapeCounting scrapes once and returns the simulator's Graph requests.
func (f *fixture) scrapeCounting() int {
	f.sim.ResetStats()
	f.scrape()
	return f.sim.Stats().GraphRequests
}

func TestExactValuesUnderEveryPlan(t *testing.T) {
	sizes := map[string]int{"default": 6000, "small": 37, "empty": 0}
	for _, tc := range []struct {
		name        string
		maxPage     int
		pageSize    int
		faults      azuresim.Faults
		wantCounted bool // whether Graph must have answered a $filter: counts, or a partition's ranges
	}{
		// Two and six pages: listed on the first scrape, then read in
		// createdDateTime ranges.
		{name: "one page fits", maxPage: 5000, pageSize: 5000, wantCounted: true},
		{name: "a few pages are listed", maxPage: 1000, pageSize: 1000, wantCounted: true},
		{name: "many pages are counted", maxPage: 100, pageSize: 100, wantCounted: true},
		{name: "server pages below $top", maxPage: 100, pageSize: 1000, wantCounted: true},
		{name: "pages of 10", maxPage: 10, pageSize: 10, wantCounted: true},
		{name: "throttles every third request", maxPage: 100, pageSize: 100, wantCounted: true, faults: azuresim.Faults{ThrottleEvery: 3}},
		{name: "throttles with Retry-After 0", maxPage: 100, pageSize: 100, wantCounted: true, faults: azuresim.Faults{ThrottleEvery: 3, RetryAfter: "0"}},
		{name: "throttles items of a $batch", maxPage: 100, pageSize: 100, wantCounted: true, faults: azuresim.Faults{ThrottleEvery: 4, RetryAfter: "0"}},
		{name: "fails dependencies in a $batch", maxPage: 100, pageSize: 100, wantCounted: true, faults: azuresim.Faults{DependencyFailed: 5}},
		{name: "refuses $batch", maxPage: 100, pageSize: 100, wantCounted: true, faults: azuresim.Faults{BatchUnsupported: 400}},
		{name: "rejects $filter", maxPage: 100, pageSize: 100, faults: azuresim.Faults{RejectFilter: true}},
		{name: "omits @odata.count", maxPage: 100, pageSize: 100, faults: azuresim.Faults{OmitCount: true}},
		{name: "an empty page with a nextLink before every page", maxPage: 100, pageSize: 100, wantCounted: true,
			faults: azuresim.Faults{Listing: azuresim.ListingQuirks{EmptyPages: true}}},
		{name: "empty pages, and $filter rejected", maxPage: 100, pageSize: 100,
			faults: azuresim.Faults{RejectFilter: true, Listing: azuresim.ListingQuirks{EmptyPages: true}}},
		{name: "$top above a maximum the 400 names", maxPage: 1000, pageSize: 1000, wantCounted: true,
			faults: azuresim.Faults{Listing: azuresim.ListingQuirks{MaxTop: 100, MaxTopNamed: true}}},
		{name: "$top above a maximum the 400 does not name", maxPage: 1000, pageSize: 1000, wantCounted: true,
			faults: azuresim.Faults{Listing: azuresim.ListingQuirks{MaxTop: 100}}},
		{name: "$top above a maximum, and $filter rejected", maxPage: 1000, pageSize: 1000,
			faults: azuresim.Faults{RejectFilter: true, Listing: azuresim.ListingQuirks{MaxTop: 100}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := azuresim.Options{MaxPageSize: tc.maxPage, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", sizes)}}
			f := newFixture(t, opts, tc.pageSize)
			if tc.faults.ThrottleEvery > 0 {
				// ThrottleEvery throttles by count, not by time as Graph
				// does: with batches in flight side by side, one request
				// can keep landing on the throttled slots until its retries
				// run out. One HTTP request at a time keeps the fault fair.
				f.cfg.Collection.MaxConcurrencyPerTenant = 1
				if err := f.exp.Apply(f.cfg); err != nil {
					t.Fatal(err)
				}
			}
			f.sim.SetFaults(tc.faults)
			// The second and third scrapes check the extremes the first found.
			for round := 0; round < 3; round++ {
				fams := f.scrape()
				for _, ws := range opts.Tenants[0].Workspaces {
					f.assertExact(fams, "tenant0", ws)
				}
				if counted := f.countedAnswered(); counted != tc.wantCounted {
					t.Fatalf("scrape %d: Graph answered $count with $filter: %v, want %v", round+1, counted, tc.wantCounted)
				}
			}
		})
	}
}

// countedAnswered reports whether Graph answered any filtered request since
// the last call, and resets the log.
func (f *fixture) countedAnswered() bool {
	defer f.sim.ResetStats()
	for _, r := range f.sim.Requests() {
		if q, _ := url.ParseQuery(r.RawQuery); q.Has("$filter") && r.Status == 200 {
			return true
		}
	}
	return false
}

func TestSmallWorkspaceCostsOneRequest(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 500})}}
	f := newFixture(t, opts, 1000)
	f.scrape() // the first scrape also gets the token
	n := f.scrapeCounting()
	if n != 1 {
		t.Fatalf("Graph requests per scrape = %d, want 1", n)
	}
}

func TestFallbackIsRemembered(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 100, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 6000})}}
	f := newFixture(t, opts, 100)
	f.sim.SetFaults(azuresim.Faults{RejectFilter: true})
	f.scrape()
	if !strings.Contains(f.logs.String(), "counting this workspace by listing it") {
		t.Fatalf("fallback not logged:\n%s", f.logs.String())
	}
	f.sim.ResetStats()
	fams := f.scrape()
	f.assertExact(fams, "tenant0", opts.Tenants[0].Workspaces[0])
	for _, r := range f.sim.Requests() {
		if q, _ := url.ParseQuery(r.RawQuery); q.Has("$filter") {
			t.Fatalf("second scrape still sent a $filter: %s?%s", r.Path, r.RawQuery)
		}
	}
	if got := f.sim.Stats().GraphRequests; got != 60 {
		t.Fatalf("listing 6,000 sessions in pages of 100 took %d requests, want 60", got)
	}
}

func TestOneFailingWorkspaceLeavesOthersExact(t *testing.T) {
	for _, status := range []int{403, 404, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			opts := azuresim.Options{MaxPageSize: 100, Tenants: []azuresim.Tenant{
				simTenant(0, "s3cret-value-for-tests", map[string]int{"good": 120, "bad": 30}),
				simTenant(1, "s3cret-value-for-tests", map[string]int{"other": 15}),
			}}
			f := newFixture(t, opts, 100)
			f.sim.SetFaults(azuresim.Faults{StatusFor: map[string]int{"bad": status}})
			fams := f.scrape()
			if up, ok := value(fams, "securitycopilot_up", map[string]string{"tenant": "tenant0", "workspace": "bad"}); !ok || up != 0 {
				t.Fatalf("bad workspace up = %v (present %v), want 0", up, ok)
			}
			if _, ok := value(fams, "securitycopilot_sessions", map[string]string{"tenant": "tenant0", "workspace": "bad"}); ok {
				t.Fatal("failed workspace still exports a session count")
			}
			for _, ws := range opts.Tenants[0].Workspaces {
				if ws.ID == "good" {
					f.assertExact(fams, "tenant0", ws)
				}
			}
			f.assertExact(fams, "tenant1", opts.Tenants[1].Workspaces[0])
			logs := f.logs.String()
			if !strings.Contains(logs, "workspace=bad") || !strings.Contains(logs, "status="+strconv.Itoa(status)) || !strings.Contains(logs, "request_id=") {
				t.Fatalf("log line lacks workspace, status or request-id:\n%s", logs)
			}
		})
	}
}

func TestWrongSecretFailsOnlyThatTenant(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{
		simTenant(0, "a-different-secret", map[string]int{"default": 10, "second": 3}),
		simTenant(1, "s3cret-value-for-tests", map[string]int{"default": 20}),
	}}
	f := newFixture(t, opts, 1000)
	fams := f.scrape()
	for _, ws := range []string{"default", "second"} {
		if up, ok := value(fams, "securitycopilot_up", map[string]string{"tenant": "tenant0", "workspace": ws}); !ok || up != 0 {
			t.Errorf("tenant0/%s up = %v (present %v), want 0", ws, up, ok)
		}
	}
	f.assertExact(fams, "tenant1", opts.Tenants[1].Workspaces[0])
	logs := f.logs.String()
	if !strings.Contains(logs, "entra_error=AADSTS7000215") {
		t.Fatalf("no AADSTS code in logs:\n%s", logs)
	}
	if strings.Contains(logs, "s3cret-value-for-tests") || strings.Contains(logs, "a-different-secret") {
		t.Fatal("a client secret reached the logs")
	}
}

func TestDiscoveredWorkspaces(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 12, "emea": 7})}}
	f := newFixture(t, opts, 1000, "tenant0")
	fams := f.scrape()
	if v, ok := value(fams, "securitycopilot_workspace_discovery_success", map[string]string{"tenant": "tenant0"}); !ok || v != 1 {
		t.Fatalf("discovery success = %v (present %v)", v, ok)
	}
	for _, ws := range opts.Tenants[0].Workspaces {
		f.assertExact(fams, "tenant0", ws)
	}
}

func TestOddTimestampsStayExact(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 10, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 600})}}
	f := newFixture(t, opts, 10)
	ws := &opts.Tenants[0].Workspaces[0]
	same := testNow.Add(-10 * time.Minute).Add(123400 * time.Nanosecond)
	add := func(id string, created, modified time.Time) {
		s := azuresim.Session{ID: id, Created: created, LastModified: modified}
		if err := f.sim.AddSession(opts.Tenants[0].ID, ws.ID, s); err != nil {
			t.Fatal(err)
		}
		ws.Sessions = append(ws.Sessions, s)
	}
	// More sessions at one instant than a page: the search must pin it to the tick.
	for i := 0; i < 25; i++ {
		add(fmt.Sprintf("same-%02d", i), same, same)
	}
	add("future", testNow.Add(26*time.Hour), testNow.Add(26*time.Hour))
	add("ancient", time.Date(1999, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(1999, 5, 1, 0, 0, 0, 0, time.UTC))
	add("unset", time.Time{}, time.Time{})
	fams := f.scrape()
	f.assertExact(fams, "tenant0", *ws)
	if !f.countedAnswered() {
		t.Fatal("the workspace was listed, so the searches were not tested")
	}
}

func TestManySessionsAtOneInstant(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 0})}}
	f := newFixture(t, opts, 1)
	ws := &opts.Tenants[0].Workspaces[0]
	same := testNow.Add(-3 * time.Hour).Add(700 * time.Nanosecond)
	for i := 0; i < 60; i++ {
		s := azuresim.Session{ID: fmt.Sprintf("s-%02d", i), Created: same, LastModified: same}
		if err := f.sim.AddSession(opts.Tenants[0].ID, ws.ID, s); err != nil {
			t.Fatal(err)
		}
		ws.Sessions = append(ws.Sessions, s)
	}
	fams := f.scrape()
	f.assertExact(fams, "tenant0", *ws)
	for _, r := range f.sim.Requests() {
		if r.Status == 200 && !strings.Contains(r.RawQuery, "$filter") && strings.Contains(r.RawQuery, "skiptoken") {
			t.Fatalf("the workspace was listed in full: %s", r.RawQuery)
		}
	}
}
