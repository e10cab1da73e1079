package collector

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// The cost targets of a scrape, asserted on the simulator's own counters.

func manyWorkspaces(n, size int) map[string]int {
	sizes := map[string]int{}
	for i := range n {
		sizes[fmt.Sprintf("ws%03d", i)] = size
	}
	return sizes
}

func TestLargeWorkspaceCostsTwoRequestsPerWindowPlusFour(t *testing.T) {
	// 50 pages: beyond what the plan lists; larger workspaces cost the
	// same requests, but the race detector makes the simulator slow to
	// count them.
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 50000})}}
	f := newFixture(t, opts, 1000)
	ws := opts.Tenants[0].Workspaces[0]
	f.assertExact(f.scrape(), "tenant0", ws) // the first scrape searches for the extremes
	limit := 2*len(f.cfg.Windows) + 4
	for scrape := 2; scrape <= 3; scrape++ {
		f.sim.ResetStats()
		f.assertExact(f.scrape(), "tenant0", ws)
		st := f.sim.Stats()
		if st.GraphRequests > limit || st.RoundTrips != 1 {
			t.Fatalf("scrape %d: %d Graph requests in %d round trips, want at most %d in 1", scrape, st.GraphRequests, st.RoundTrips, limit)
		}
	}
}

func TestTwentySmallWorkspacesShareOneRoundTrip(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", manyWorkspaces(20, 10))}}
	f := newFixture(t, opts, 1000)
	f.scrape() // the token
	f.sim.ResetStats()
	fams := f.scrape()
	for _, ws := range opts.Tenants[0].Workspaces {
		f.assertExact(fams, "tenant0", ws)
	}
	if st := f.sim.Stats(); st.RoundTrips != 1 || st.BatchRequests != 1 || st.GraphRequests != 20 {
		t.Fatalf("round trips %d, batches %d, Graph requests %d; want 1, 1, 20", st.RoundTrips, st.BatchRequests, st.GraphRequests)
	}
}

func TestHundredWorkspacesAtLatencyTakeFewRounds(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", manyWorkspaces(100, 10))}}
	f := newFixture(t, opts, 1000)
	f.cfg.Collection.MaxConcurrencyPerTenant = 8
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	f.scrape()
	f.sim.ResetStats()
	fams := f.scrape()
	for _, ws := range opts.Tenants[0].Workspaces {
		f.assertExact(fams, "tenant0", ws)
	}
	// 100 first pages in batches of 20, sent side by side: the scrape
	// takes one round, whatever the latency.
	if st := f.sim.Stats(); st.RoundTrips != 5 || st.GraphRequests != 100 {
		t.Fatalf("round trips %d, Graph requests %d; want 5 and 100", st.RoundTrips, st.GraphRequests)
	}
}

// cacheFor turns the cache on and gives the test the exporter's clock.
func (f *fixture) cacheFor(ttl time.Duration) *time.Time {
	f.cfg.Collection.CacheTTL = model.Duration(ttl)
	if err := f.exp.Apply(f.cfg); err != nil {
		f.t.Fatal(err)
	}
	now := testNow
	f.exp.opts.Now = func() time.Time { return now }
	return &now
}

func TestCachedScrapeCostsNothing(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 500, "big": 30000})}}
	f := newFixture(t, opts, 1000)
	now := f.cacheFor(time.Minute)
	first := f.scrape()
	f.sim.ResetStats()
	*now = testNow.Add(59 * time.Second)
	second := f.scrape()
	if n := f.sim.Stats().GraphRequests; n != 0 {
		t.Fatalf("a scrape within cache_ttl sent %d Graph requests", n)
	}
	for _, ws := range opts.Tenants[0].Workspaces {
		f.assertExact(second, "tenant0", ws)
		labels := map[string]string{"tenant": "tenant0", "workspace": ws.ID}
		fetched, _ := value(first, "securitycopilot_last_success_timestamp_seconds", labels)
		shown, _ := value(second, "securitycopilot_last_success_timestamp_seconds", labels)
		if fetched != float64(testNow.Unix()) || shown != fetched {
			t.Fatalf("%s: last success %v then %v, want both %v: a cached result must show when it was fetched", ws.ID, fetched, shown, testNow.Unix())
		}
	}
	*now = testNow.Add(61 * time.Second)
	f.sim.ResetStats()
	f.scrape()
	if f.sim.Stats().GraphRequests == 0 {
		t.Fatal("a scrape after cache_ttl was answered from the cache")
	}
}

func TestFailedFetchIsNeitherCachedNorStale(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 50})}}
	f := newFixture(t, opts, 1000)
	now := f.cacheFor(time.Minute)
	f.scrape()
	*now = testNow.Add(2 * time.Minute) // the cached result has expired
	f.sim.SetFaults(azuresim.Faults{StatusFor: map[string]int{"default": 500}})
	labels := map[string]string{"tenant": "tenant0", "workspace": "default"}
	fams := f.scrape()
	if up, _ := value(fams, "securitycopilot_up", labels); up != 0 {
		t.Fatal("an expired result was shown as up when Graph failed")
	}
	if _, ok := value(fams, "securitycopilot_sessions", labels); ok {
		t.Fatal("an expired result was exported beside up 0")
	}
	f.sim.SetFaults(azuresim.Faults{})
	f.sim.ResetStats()
	f.assertExact(f.scrape(), "tenant0", opts.Tenants[0].Workspaces[0])
	if f.sim.Stats().GraphRequests == 0 {
		t.Fatal("the failure was cached")
	}
}

func TestConcurrentScrapesShareOneFetch(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", manyWorkspaces(3, 40))}}
	f := newFixture(t, opts, 1000)
	f.scrape() // the token
	f.sim.ResetStats()
	// The simulator holds every answer long enough for all ten scrapes to
	// arrive while the first fetch is in flight; cache_ttl is 0, so only
	// the sharing of the fetch can make them cost one.
	f.sim.SetFaults(azuresim.Faults{Latency: 500 * time.Millisecond})
	const scrapes = 10
	var arrived sync.WaitGroup
	arrived.Add(scrapes)
	handler := f.exp.Handler(prometheus.NewRegistry())
	bodies := make([]string, scrapes)
	var wg sync.WaitGroup
	for i := range scrapes {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "20")
			arrived.Done()
			handler.ServeHTTP(rec, req)
			bodies[i] = rec.Body.String()
		})
	}
	arrived.Wait()
	wg.Wait()
	st := f.sim.Stats()
	if st.RoundTrips != 1 || st.GraphRequests != 3 {
		t.Fatalf("%d concurrent scrapes cost %d round trips and %d Graph requests, want 1 and 3", scrapes, st.RoundTrips, st.GraphRequests)
	}
	for i, body := range bodies {
		for _, ws := range opts.Tenants[0].Workspaces {
			if want := `securitycopilot_up{tenant="tenant0",workspace="` + ws.ID + `"} 1`; !strings.Contains(body, want) {
				t.Fatalf("scrape %d lacks %s:\n%s", i, want, body)
			}
		}
	}
}

func TestOneTokenForManyScrapes(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", manyWorkspaces(5, 10))}}
	f := newFixture(t, opts, 1000)
	for range 5 {
		f.scrape()
	}
	if n := f.sim.Stats().TokenRequests; n != 1 {
		t.Fatalf("5 scrapes asked Entra ID for %d tokens, want 1", n)
	}
}

func TestCheckedExtremesFollowChanges(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 30000})}}
	f := newFixture(t, opts, 1000)
	tenantID := opts.Tenants[0].ID
	current := func() azuresim.Workspace {
		sessions, err := f.sim.Sessions(tenantID, "default")
		if err != nil {
			t.Fatal(err)
		}
		return azuresim.Workspace{ID: "default", Sessions: sessions}
	}
	f.assertExact(f.scrape(), "tenant0", current())
	steps := []struct {
		name   string
		change func(sessions []azuresim.Session) error
	}{
		{"a new session", func([]azuresim.Session) error {
			return f.sim.AddSession(tenantID, "default", azuresim.Session{ID: "new-1", Created: testNow.Add(-time.Minute), LastModified: testNow.Add(-time.Minute)})
		}},
		{"the oldest deleted", func(s []azuresim.Session) error { return f.sim.DeleteSession(tenantID, "default", s[0].ID) }},
		{"the newest deleted", func(s []azuresim.Session) error { return f.sim.DeleteSession(tenantID, "default", s[len(s)-1].ID) }},
		{"an old session renamed", func(s []azuresim.Session) error {
			renamed := s[len(s)/2]
			renamed.LastModified = testNow.Add(-time.Second)
			return f.sim.UpdateSession(tenantID, "default", renamed)
		}},
		{"nothing", func([]azuresim.Session) error { return nil }},
	}
	for _, step := range steps {
		if err := step.change(current().Sessions); err != nil {
			t.Fatal(err)
		}
		f.sim.ResetStats()
		fams := f.scrape()
		t.Logf("after %s: %d Graph requests", step.name, f.sim.Stats().GraphRequests)
		f.assertExact(fams, "tenant0", current())
	}
}
