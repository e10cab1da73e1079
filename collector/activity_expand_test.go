package collector

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// refusingSource answers session listings as a Graph that refuses $expand
// and, when filters is set, $filter too, recording what each call asked.
type refusingSource struct {
	activitySource
	expand, filters bool
	calls           [][]graphclient.SessionListing
}

func (s *refusingSource) ListSessionPrompts(_ context.Context, _ string, listings []graphclient.SessionListing, _ int) (graphclient.SessionListings, error) {
	s.calls = append(s.calls, listings)
	out := graphclient.SessionListings{Sessions: make([][]graphclient.SessionPrompts, len(listings)), Answered: make([]bool, len(listings)), Whole: make([]bool, len(listings))}
	var err error
	for i, l := range listings {
		if l.Expand && s.expand || len(l.Filter) > 0 && s.filters {
			err = &graphclient.Error{Status: http.StatusBadRequest}
			continue
		}
		out.Answered[i], out.Whole[i] = true, true
	}
	return out, err
}

// A refused $expand costs one request, is remembered for the tenant, and
// is asked again after plan.RecheckAfter; with $filter refused too, the
// unfiltered listing is asked expanded once, then plainly.
func TestActivityRemembersARefusedExpand(t *testing.T) {
	for _, tc := range []struct {
		name    string
		filters bool
		// requests per read: the first, one while remembered, one a day later
		want [3]int
	}{
		{"$filter honoured", false, [3]int{3, 2, 3}},
		{"$filter refused", true, [3]int{4, 3, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &refusingSource{expand: true, filters: tc.filters}
			var mem expandMemory
			for i, at := range []time.Time{testNow, testNow.Add(time.Hour), testNow.Add(plan.RecheckAfter + time.Hour)} {
				src.calls = nil
				a := &activityRead{src: src, workspace: "w", pageSize: 1000, now: at, expand: &mem}
				if _, err := a.sessionListings(context.Background(), at.Add(-24*time.Hour)); err != nil {
					t.Fatalf("read %d: %v", i+1, err)
				}
				n := 0
				for _, c := range src.calls {
					n += len(c)
				}
				if n != tc.want[i] {
					t.Errorf("read %d sent %d requests (%v), want %d", i+1, n, src.calls, tc.want[i])
				}
			}
		})
	}
}

// Prompts that make the expanded page larger than graph.max_page_bytes,
// where the sessions alone fit, are read as without $expand: the values
// stay exact, and the next reads do not ask for the expansion.
func TestActivityExpandedPageTooLarge(t *testing.T) {
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 0})
	ws := &tenant.Workspaces[0]
	ws.Prompts = map[string][]azuresim.Prompt{}
	const sessions, perSession = 200, 5
	for i := range sessions {
		created := testNow.Add(-time.Duration(i+1) * time.Minute)
		id := fmt.Sprintf("session-%03d", i)
		ws.Sessions = append(ws.Sessions, azuresim.Session{ID: id, Created: created, LastModified: created})
		for k := range perSession {
			e := azuresim.Evaluation{ID: "e", State: "completed", ResultType: "success", Created: created, RunStart: created, Completed: created.Add(time.Second)}
			ws.Prompts[id] = append(ws.Prompts[id], azuresim.Prompt{ID: fmt.Sprintf("prompt-%03d-%d", i, k), Type: "prompt", Created: created, LastModified: created, Evaluations: []azuresim.Evaluation{e}})
		}
	}
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.cfg.Graph.MaxPageBytes = config.MinMaxPageBytes
	f.enableActivity(func(a *config.Activity) { a.MaxSessions = sessions })
	for scrape := range 2 {
		f.sim.ResetStats()
		fams := f.scrape()
		f.assertActivity(fams, "tenant0", "default", activityTruth(t, f.sim, tenant.ID, "default", f.cfg.Activity))
		expanded := 0
		for _, r := range f.sim.Requests() {
			if strings.Contains(r.RawQuery, "$expand") {
				expanded++
			}
		}
		if want := []int{1, 0}[scrape]; expanded != want {
			t.Errorf("scrape %d asked for the expansion %d times, want %d", scrape+1, expanded, want)
		}
		if n := f.sim.Stats().ByPath[azuresim.PathPrompts]; n != sessions {
			t.Errorf("scrape %d listed the prompts of %d sessions, want all %d", scrape+1, n, sessions)
		}
	}
}
