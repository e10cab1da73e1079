package collector

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

func TestActivityExactUnderBatchingAndCaching(t *testing.T) {
	sizes := map[string]int{"default": 1500, "small": 40, "empty": 0}
	for _, tc := range []struct {
		name     string
		maxPage  int
		pageSize int
		max      int
		faults   azuresim.Faults
	}{
		{name: "batched", maxPage: 1000, pageSize: 1000, max: 200},
		{name: "pages of 2", maxPage: 2, pageSize: 2, max: 200},
		{name: "cap below the recent sessions", maxPage: 1000, pageSize: 1000, max: 25},
		{name: "refuses $batch", maxPage: 1000, pageSize: 1000, max: 200, faults: azuresim.Faults{BatchUnsupported: 400}},
		{name: "throttles items of a $batch", maxPage: 1000, pageSize: 1000, max: 200, faults: azuresim.Faults{ThrottleEvery: 5, RetryAfter: "0"}},
		{name: "fails dependencies in a $batch", maxPage: 1000, pageSize: 1000, max: 200, faults: azuresim.Faults{DependencyFailed: 7}},
		{name: "an empty page before every page", maxPage: 1000, pageSize: 1000, max: 200,
			faults: azuresim.Faults{Listing: azuresim.ListingQuirks{EmptyPages: true}}},
		{name: "$top above a maximum", maxPage: 1000, pageSize: 1000, max: 200,
			faults: azuresim.Faults{Listing: azuresim.ListingQuirks{MaxTop: 7}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := activityTenant(0, "s3cret-value-for-tests", sizes)
			opts := azuresim.Options{MaxPageSize: tc.maxPage, Tenants: []azuresim.Tenant{tenant}}
			f := newFixture(t, opts, tc.pageSize)
			if tc.faults.ThrottleEvery > 0 {
				f.cfg.Collection.MaxConcurrencyPerTenant = 1 // see TestExactValuesUnderEveryPlan
			}
			f.enableActivity(func(a *config.Activity) { a.MaxSessions = tc.max })
			f.sim.SetFaults(tc.faults)
			// The second scrape answers completed evaluations from memory.
			for round := range 2 {
				fams := f.scrape()
				for _, ws := range tenant.Workspaces {
					f.assertExact(fams, "tenant0", ws)
					want := activityTruth(t, f.sim, tenant.ID, ws.ID, f.cfg.Activity)
					f.assertActivity(fams, "tenant0", ws.ID, want)
					if round == 0 && ws.ID == "default" && want["securitycopilot_evaluations/state=completed"] == 0 {
						t.Fatal("the seeded workspace has no completed evaluation to check")
					}
				}
			}
		})
	}
}

func TestActivityCapTakesTheMostRecentlyActive(t *testing.T) {
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 0})
	ws := &tenant.Workspaces[0]
	at := func(d time.Duration) time.Time { return testNow.Add(-d) }
	ws.Sessions = []azuresim.Session{
		{ID: "old-renamed", Created: at(72 * time.Hour), LastModified: at(time.Minute)}, // active by its rename
		{ID: "new", Created: at(2 * time.Minute), LastModified: at(2 * time.Minute)},
		{ID: "older", Created: at(3 * time.Hour), LastModified: at(3 * time.Hour)},
		{ID: "outside", Created: at(48 * time.Hour), LastModified: at(47 * time.Hour)},
	}
	prompt := func(id string, evs ...azuresim.Evaluation) azuresim.Prompt {
		return azuresim.Prompt{ID: id, Type: "prompt", Content: "PROMPT-CONTENT-" + id, Created: at(time.Minute), LastModified: at(time.Minute), Evaluations: evs}
	}
	done := func(id, result string) azuresim.Evaluation {
		return azuresim.Evaluation{ID: id, State: "completed", ResultType: result, ResultContent: "RESULT-CONTENT-" + id,
			Created: at(time.Minute), RunStart: at(time.Minute), Completed: at(30 * time.Second), LastModified: at(30 * time.Second)}
	}
	ws.Prompts = map[string][]azuresim.Prompt{
		"old-renamed": {prompt("p1", done("e1", "capacityExceeded"))},
		"new":         {prompt("p2", done("e2", "success"))},
		"older":       {prompt("p3", done("e3", "error"))},
		"outside":     {prompt("p4", done("e4", "rejected"))},
	}
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.enableActivity(func(a *config.Activity) { a.MaxSessions = 2 })
	fams := f.scrape()
	want := activityTruth(t, f.sim, tenant.ID, "default", f.cfg.Activity)
	f.assertActivity(fams, "tenant0", "default", want)
	for key, v := range map[string]float64{
		"securitycopilot_activity_sessions_covered":                  2,
		"securitycopilot_activity_sessions_skipped":                  1,
		"securitycopilot_evaluations_result/result=capacityExceeded": 1,
		"securitycopilot_evaluations_result/result=success":          1,
		"securitycopilot_evaluations_result/result=error":            0,
		"securitycopilot_evaluations_result/result=rejected":         0,
	} {
		if want[key] != v {
			t.Errorf("truth %s = %v, want %v: the test's own expectation is off", key, want[key], v)
		}
	}
}

func TestActivityUnknownEnumValuesMapToUnknownFutureValue(t *testing.T) {
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 0})
	ws := &tenant.Workspaces[0]
	created := testNow.Add(-time.Hour)
	ws.Sessions = []azuresim.Session{{ID: "s", Created: created, LastModified: created}}
	ws.Prompts = map[string][]azuresim.Prompt{"s": {{ID: "p", Type: "prompt", Created: created, LastModified: created, Evaluations: []azuresim.Evaluation{
		{ID: "a", State: "paused", ResultType: "quotaExceeded", Created: created},
		{ID: "b", State: "Completed", ResultType: "Success", Created: created}, // enum members are case-sensitive
		{ID: "c", State: "running", Created: created},
		{ID: "d", State: "unknownFutureValue", ResultType: "unknownFutureValue", Created: created},
	}}}}
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.enableActivity(nil)
	fams := f.scrape()
	want := activityTruth(t, f.sim, tenant.ID, "default", f.cfg.Activity)
	if want["securitycopilot_evaluations/state=unknownFutureValue"] != 3 || want["securitycopilot_evaluations_result/result=unknownFutureValue"] != 3 {
		t.Fatalf("truth does not map the unknown values: %v", want)
	}
	f.assertActivity(fams, "tenant0", "default", want)
}

// Member 0 of both enums is an ordinary value: the docs show a running
// evaluation with result type "unknown". It is exported as itself, never
// folded into unknownFutureValue.
func TestActivityUnknownIsALabelValueOfItsOwn(t *testing.T) {
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 0})
	ws := &tenant.Workspaces[0]
	created := testNow.Add(-time.Hour)
	ws.Sessions = []azuresim.Session{{ID: "s", Created: created, LastModified: created}}
	var evals []azuresim.Evaluation
	for i := range 25 {
		evals = append(evals, azuresim.Evaluation{ID: fmt.Sprintf("run%d", i), State: "running", ResultType: "unknown", Created: created})
	}
	evals = append(evals, azuresim.Evaluation{ID: "odd", State: "unknown", ResultType: "unknown", Created: created},
		azuresim.Evaluation{ID: "new", State: "created", Created: created})
	ws.Prompts = map[string][]azuresim.Prompt{"s": {{ID: "p", Type: "prompt", Created: created, LastModified: created, Evaluations: evals}}}
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.enableActivity(nil)
	fams := f.scrape()
	got := func(name, label, value string) float64 {
		t.Helper()
		for _, m := range fams[name].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetGauge().GetValue()
				}
			}
		}
		t.Fatalf("%s{%s=%q} missing", name, label, value)
		return 0
	}
	for _, c := range []struct {
		name, label, value string
		want               float64
	}{
		{"securitycopilot_evaluations_result", "result", "unknown", 26},
		{"securitycopilot_evaluations_result", "result", "unknownFutureValue", 0},
		{"securitycopilot_evaluations", "state", "running", 25},
		{"securitycopilot_evaluations", "state", "unknown", 1},
		{"securitycopilot_evaluations", "state", "created", 1},
		{"securitycopilot_evaluations", "state", "unknownFutureValue", 0},
	} {
		if v := got(c.name, c.label, c.value); v != c.want {
			t.Errorf("%s{%s=%q} = %v, want %v", c.name, c.label, c.value, v, c.want)
		}
	}
}

func TestActivityOffCostsNoRequest(t *testing.T) {
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 300, "small": 3})
	f := newFixture(t, azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{tenant}}, 1000)
	fams := f.scrape()
	for _, ws := range tenant.Workspaces {
		f.assertExact(fams, "tenant0", ws)
	}
	for name := range fams {
		if strings.Contains(name, "activity") || strings.Contains(name, "prompts") || strings.Contains(name, "evaluation") {
			t.Errorf("activity is off, yet %s is exported", name)
		}
	}
	st := f.sim.Stats()
	if n := st.ByPath[azuresim.PathPrompts] + st.ByPath[azuresim.PathEvaluations]; n != 0 {
		t.Errorf("activity is off, yet %d prompt or evaluation requests were sent", n)
	}
	for _, r := range f.sim.Requests() {
		// Session ids are read to count each session once, nothing more.
		if q, _ := url.ParseQuery(r.RawQuery); strings.HasSuffix(r.Path, "/sessions") && q.Get("$select") != "id,createdDateTime,lastModifiedDateTime" {
			t.Errorf("activity is off, yet a request asked for more than ids and timestamps: %s?%s", r.Path, r.RawQuery)
		}
	}
	// One request per workspace, one listing of the workspaces for
	// their display names, made once per discovery TTL, and one plugin
	// listing per workspace, made once per plugins.interval.
	if st.GraphRequests != 2*len(tenant.Workspaces)+1 || st.ByPath[azuresim.PathWorkspaces] != 1 || st.ByPath[azuresim.PathPlugins] != len(tenant.Workspaces) {
		t.Errorf("two small workspaces cost %d requests (%d on workspaces, %d on plugins), want %d (1, %d)", st.GraphRequests, st.ByPath[azuresim.PathWorkspaces],
			st.ByPath[azuresim.PathPlugins], 2*len(tenant.Workspaces)+1, len(tenant.Workspaces))
	}
}

func TestActivityPerTenantOverride(t *testing.T) {
	on := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 50})
	off := activityTenant(1, "s3cret-value-for-tests", map[string]int{"default": 50})
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{on, off}}, 1000)
	f.cfg.Tenants[1].Activity = &config.TenantActivity{Enabled: new(false)}
	f.enableActivity(nil)
	fams := f.scrape()
	f.assertActivity(fams, "tenant0", "default", activityTruth(t, f.sim, on.ID, "default", f.cfg.Activity))
	if _, ok := value(fams, "securitycopilot_activity_success", map[string]string{"tenant": "tenant1", "workspace": "default"}); ok {
		t.Error("tenant1 turned activity off, yet exports securitycopilot_activity_success")
	}
	for _, r := range f.sim.Requests() {
		if r.Tenant == off.ID && strings.Contains(r.Path, "/prompts") {
			t.Errorf("tenant1 turned activity off, yet %s was asked", r.Path)
		}
	}
}

// The activity read costs, per workspace and scrape: the two session
// listings, one prompt listing per covered session whose listing did not
// expand its prompts completely, and one evaluation listing per prompt
// that is not known to be final, in $batch rounds. The first scrape also
// lists the workspaces, for their display names, and the plugins. Every
// way the simulator answers $expand is priced exactly: only an honoured
// expansion with counts saves the prompt listings; a refused one costs
// one request on the first scrape, and nothing after.
func TestActivitySteadyCost(t *testing.T) {
	const finished, open, perSession = 35, 5, 2
	const sessions, prompts, running = finished + open, (finished + open) * perSession, open * perSession
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 0})
	ws := &tenant.Workspaces[0]
	ws.Prompts = map[string][]azuresim.Prompt{}
	for i := range sessions {
		created := testNow.Add(-time.Duration(i+1) * time.Minute)
		id := fmt.Sprintf("s%02d", i)
		ws.Sessions = append(ws.Sessions, azuresim.Session{ID: id, Created: created, LastModified: created})
		for k := range perSession {
			e := azuresim.Evaluation{ID: fmt.Sprintf("e%s-%d", id, k), State: "completed", ResultType: "success", Created: created, RunStart: created, Completed: created.Add(9 * time.Second)}
			if i >= finished {
				e.State, e.ResultType, e.Completed = "running", "", time.Time{}
			}
			ws.Prompts[id] = append(ws.Prompts[id], azuresim.Prompt{ID: fmt.Sprintf("p%s-%d", id, k), Type: "prompt", Created: created, LastModified: created, Evaluations: []azuresim.Evaluation{e}})
		}
	}
	// A round trip is a $batch of at most 20 requests; the first scrape
	// lists the workspaces first, alone.
	posts := func(n int) int { return (n + 19) / 20 }
	// Without a complete expansion: what the read cost before $expand.
	listed := [2][2]int{
		{1 + 1 + 2 + sessions + prompts + 1, 1 + 1 + posts(sessions) + posts(prompts)},
		{1 + 2 + sessions + running, 1 + posts(sessions) + posts(running)},
	}
	for _, v := range []struct {
		name   string
		expand azuresim.ExpandMode
		// first and steady scrape: requests and round trips
		first, steady [2]int
	}{
		{"honoured with counts", azuresim.ExpandHonoured, [2]int{1 + 1 + 2 + prompts + 1, 1 + 1 + posts(prompts)}, [2]int{1 + 2 + running, 1 + posts(running)}},
		{"honoured without counts", azuresim.ExpandNoCount, listed[0], listed[1]},
		{"cut silently, with the count", azuresim.ExpandTruncated, listed[0], listed[1]},
		{"cut with a nextLink", azuresim.ExpandNextLink, listed[0], listed[1]},
		{"ignored", azuresim.ExpandIgnored, listed[0], listed[1]},
		// The session listings fit one page: only the refused one is sent again.
		{"refused", azuresim.ExpandRefused, [2]int{listed[0][0] + 1, listed[0][1] + 1}, listed[1]},
	} {
		t.Run(v.name, func(t *testing.T) {
			f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
			f.sim.SetFaults(azuresim.Faults{Expand: v.expand, ExpandLimit: 1})
			f.enableActivity(nil)
			for i, want := range [][2]int{v.first, v.steady, v.steady} {
				f.sim.ResetStats()
				fams := f.scrape()
				f.assertActivity(fams, "tenant0", "default", activityTruth(t, f.sim, tenant.ID, "default", f.cfg.Activity))
				st := f.sim.Stats()
				if st.GraphRequests != want[0] || st.RoundTrips != want[1] {
					t.Errorf("scrape %d: %d requests in %d round trips (%d prompt listings), want %d in %d",
						i+1, st.GraphRequests, st.RoundTrips, st.ByPath[azuresim.PathPrompts], want[0], want[1])
				}
			}
		})
	}
}
