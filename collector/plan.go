package collector

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// sessionSource is the part of graphclient.Reader a measurement needs.
type sessionSource interface {
	ListSessions(ctx context.Context, workspaceID string, q graphclient.Query, pageLimit int, visit func(graphclient.SessionTimes)) (graphclient.ListResult, error)
	ContinueSessions(ctx context.Context, nextLink string, visit func(graphclient.SessionTimes)) (graphclient.ListResult, error)
	Lookup(ctx context.Context, workspaceID string, lookups []graphclient.Lookup) ([]graphclient.ListResult, error)
	CountSessions(ctx context.Context, workspaceID string, filters []graphclient.Filter) ([]int64, error)
	Parallel(fs ...func() error) error
}

// errNeedListing says Graph did not honour $count or $filter, so the
// workspace must be counted by listing it.
var errNeedListing = errors.New("graph did not honour $count or $filter")

// planMemory is what the exporter keeps about a workspace between scrapes:
// which plan fits it, and the extremes it found last, which make the next
// scrape's timestamp checks one request each. Nothing per session is kept.
type planMemory struct {
	counted      bool      // too large to list: counted by Graph
	listingUntil time.Time // Graph did not honour $count or $filter
	newest       time.Time // createdDateTime of the newest session
	lastModified time.Time // latest lastModifiedDateTime
	oldest       time.Time // createdDateTime of the oldest session
}

// measurement reads one workspace at one instant.
type measurement struct {
	src       sessionSource
	workspace string
	pageSize  int
	starts    []time.Time // window starts, in config order
	now       time.Time
}

// run picks the cheapest exact plan and returns what to remember for the
// next scrape. A workspace that fits in one page is read whole in a single
// request, and one of a few pages is listed. A larger one is counted by
// Graph: one round of $count requests, per window and property, plus one
// check per timestamp of the extremes found last time; only the first scrape
// of such a workspace, or one after its extremes were deleted, searches for
// them. If Graph ignores $count or rejects $filter, the workspace is listed
// instead, and that is remembered for listingMemory.
func (m *measurement) run(ctx context.Context, mem planMemory) (result, planMemory, error) {
	if m.now.Before(mem.listingUntil) {
		res, err := m.listAll(ctx)
		return res, mem, err
	}
	if mem.counted {
		res, next, err := m.counted(ctx, mem, -1)
		return m.orListAll(ctx, res, next, err)
	}
	agg := newAggregate(m.starts)
	q := graphclient.Query{Count: true, Select: graphclient.TimesSelect, Top: m.pageSize}
	first, err := m.src.ListSessions(ctx, m.workspace, q, 1, agg.add)
	switch {
	case err != nil:
		return result{}, mem, err
	case first.Complete:
		return agg.res, planMemory{}, countMismatch(first)
	case !first.HasCount:
		res, err := m.listRest(ctx, first, agg)
		return res, m.listingMemory(), err
	case remainingPages(first) <= m.listingBudget():
		res, err := m.listRest(ctx, first, agg)
		return res, planMemory{}, err
	}
	res, next, err := m.counted(ctx, planMemory{counted: true}, first.Count)
	switch {
	case errors.Is(err, errNeedListing):
		res, err = m.listRest(ctx, first, agg)
		return res, m.listingMemory(), err
	case errors.Is(err, errOddData):
		// Odd data is no reason to stop using $count next time.
		res, err = m.listRest(ctx, first, agg)
		return res, planMemory{counted: true}, err
	}
	return res, next, err
}

// orListAll answers by listing when the counted plan could not.
func (m *measurement) orListAll(ctx context.Context, res result, next planMemory, err error) (result, planMemory, error) {
	switch {
	case errors.Is(err, errNeedListing):
		res, err = m.listAll(ctx)
		return res, m.listingMemory(), err
	case errors.Is(err, errOddData):
		res, err = m.listAll(ctx)
		return res, planMemory{counted: true}, err
	}
	return res, next, err
}

func (m *measurement) listingMemory() planMemory {
	return planMemory{listingUntil: m.now.Add(listingMemory)}
}

// listingBudget is how many more pages are listed rather than counted: up
// to as many as a counted scrape costs in requests (two per window, the
// total and three timestamp checks), so listing never costs more requests.
func (m *measurement) listingBudget() int64 {
	return int64(2*len(m.starts) + 3)
}

// countMismatch fails a one-page listing whose @odata.count disagrees with
// its items: one of the two numbers is wrong, and neither may be exported.
// (Across pages, sessions created meanwhile can make them differ honestly.)
func countMismatch(res graphclient.ListResult) error {
	if res.HasCount && res.Count != res.Items {
		return fmt.Errorf("complete listing has %d sessions but @odata.count says %d", res.Items, res.Count)
	}
	return nil
}

func remainingPages(first graphclient.ListResult) int64 {
	if first.Items == 0 {
		return math.MaxInt64
	}
	return (first.Count - first.Items + first.Items - 1) / first.Items
}

// listRest goes on with a listing whose first page is already in agg.
func (m *measurement) listRest(ctx context.Context, first graphclient.ListResult, agg *aggregate) (result, error) {
	if _, err := m.src.ContinueSessions(ctx, first.NextLink, agg.add); err != nil {
		return result{}, err
	}
	return agg.res, nil
}

func (m *measurement) listAll(ctx context.Context) (result, error) {
	agg := newAggregate(m.starts)
	q := graphclient.Query{Count: true, Select: graphclient.TimesSelect, Top: m.pageSize}
	res, err := m.src.ListSessions(ctx, m.workspace, q, 0, agg.add)
	if err != nil {
		return result{}, err
	}
	if res.Pages == 1 {
		if err := countMismatch(res); err != nil {
			return result{}, err
		}
	}
	return agg.res, nil
}

// asNeedListing maps the answers that mean "this query form is not
// supported" to errNeedListing; everything else stays an error.
func asNeedListing(err error) error {
	if errors.Is(err, graphclient.ErrCountUnsupported) || graphclient.IsStatus(err, http.StatusBadRequest) {
		return fmt.Errorf("%w: %w", errNeedListing, err)
	}
	return err
}
