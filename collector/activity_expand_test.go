package collector

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
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
