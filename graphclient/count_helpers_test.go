package graphclient

import (
	"context"
	"errors"
	"fmt"
)

var errCountMissing = errors.New("graph answered without @odata.count")

// CountSessions asks Graph how many sessions match each filter, all in one
// Fetch: the tests' way to send several single-page requests together.
func (r Reader) CountSessions(ctx context.Context, workspaceID string, filters []Filter) ([]int64, error) {
	pages, err := r.Sessions(workspaceID)
	if err != nil {
		return nil, err
	}
	reqs := make([]SessionRequest, len(filters))
	for i, f := range filters {
		reqs[i] = SessionRequest{Query: Query{Count: true, Filter: f, Select: SessionRefSelect, Top: 1}}
	}
	counts := make([]int64, len(filters))
	for i, p := range pages.Fetch(ctx, reqs) {
		switch {
		case p.Err != nil:
			return nil, p.Err
		case !p.HasCount:
			return nil, errCountMissing
		case p.Count < int64(len(p.Sessions)):
			return nil, fmt.Errorf("@odata.count %d is less than the %d items", p.Count, len(p.Sessions))
		}
		counts[i] = p.Count
	}
	return counts, nil
}
