package collector

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// probeConcurrency bounds the $count requests one workspace has in flight.
const probeConcurrency = 4

// sessionSource is the part of the Graph client a measurement needs.
type sessionSource interface {
	ListSessions(ctx context.Context, workspaceID string, q graphclient.Query, pageLimit int, visit func(graphclient.SessionTimes)) (graphclient.ListResult, error)
	ContinueSessions(ctx context.Context, nextLink string, visit func(graphclient.SessionTimes)) (graphclient.ListResult, error)
	CountSessions(ctx context.Context, workspaceID string, f graphclient.Filter) (int64, error)
}

// errNeedListing says Graph did not honour $count or $filter, so the
// workspace must be counted by listing it.
var errNeedListing = errors.New("graph did not honour $count or $filter")

// measurement reads one workspace at one instant.
type measurement struct {
	src       sessionSource
	workspace string
	pageSize  int
	starts    []time.Time // window starts, in config order
	now       time.Time
}

// run picks the cheapest exact plan. A workspace that fits in one page is
// read whole in a single request. A larger one is listed to the end while
// that takes fewer pages than counting would take requests; beyond that it is
// counted by Graph ($count with $filter per window) and its timestamps are
// found by narrowing searches, so its cost stops growing with its size. If
// Graph ignores $count or rejects $filter, the listing goes on instead.
func (m *measurement) run(ctx context.Context, listingOnly bool) (res result, usedListing bool, err error) {
	if listingOnly {
		res, err = m.listAll(ctx)
		return res, true, err
	}
	agg := newAggregate(m.starts)
	q := graphclient.Query{Count: true, Select: graphclient.TimesSelect, Top: m.pageSize}
	first, err := m.src.ListSessions(ctx, m.workspace, q, 1, agg.add)
	switch {
	case err != nil:
		return res, false, err
	case first.Complete:
		if err := countMismatch(first); err != nil {
			return res, false, err
		}
		return agg.res, false, nil
	case !first.HasCount:
		res, err = m.listRest(ctx, first, agg)
		return res, true, err
	case remainingPages(first) <= m.listingBudget():
		res, err = m.listRest(ctx, first, agg)
		return res, false, err
	}
	res, err = m.counted(ctx, first.Count)
	switch {
	case errors.Is(err, errNeedListing):
		res, err = m.listRest(ctx, first, agg)
		return res, true, err
	case errors.Is(err, errOddData):
		// Odd data is no reason to stop using $count next time.
		res, err = m.listRest(ctx, first, agg)
	}
	return res, false, err
}

// listingBudget is how many more pages are cheaper to list than to count.
// The counted plan needs two $count requests per window plus the probes of
// its three searches; against the simulator it took 50 requests for 40,000
// sessions and 66 for 100,000 (page size 1,000, four windows), so up to
// about that many pages listing costs no more.
func (m *measurement) listingBudget() int64 {
	return int64(2*len(m.starts) + 5*probesPerRound)
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

// counted is the plan for a workspace larger than a page.
func (m *measurement) counted(ctx context.Context, total int64) (result, error) {
	res := result{sessions: total, created: make([]int64, len(m.starts)), active: make([]int64, len(m.starts))}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(probeConcurrency)
	for i, start := range m.starts {
		g.Go(func() error { return m.count(gctx, graphclient.PropCreated, graphclient.OpGE, start, &res.created[i]) })
		g.Go(func() error {
			return m.count(gctx, graphclient.PropLastModified, graphclient.OpGE, start, &res.active[i])
		})
	}
	if err := g.Wait(); err != nil {
		return result{}, err
	}
	var err error
	s := &search{m: m}
	if res.newest, err = s.newest(ctx, graphclient.PropCreated, res.created); err != nil {
		return result{}, fmt.Errorf("newest %s: %w", graphclient.PropCreated, err)
	}
	if res.lastModified, err = s.newest(ctx, graphclient.PropLastModified, res.active); err != nil {
		return result{}, fmt.Errorf("newest %s: %w", graphclient.PropLastModified, err)
	}
	if res.oldest, err = s.oldest(ctx, graphclient.PropCreated); err != nil {
		return result{}, fmt.Errorf("oldest %s: %w", graphclient.PropCreated, err)
	}
	return res, nil
}

func (m *measurement) count(ctx context.Context, prop, op string, t time.Time, out *int64) error {
	n, err := m.src.CountSessions(ctx, m.workspace, graphclient.Filter{{Property: prop, Op: op, Time: t}})
	if err != nil {
		return asNeedListing(err)
	}
	*out = n
	return nil
}

// asNeedListing maps the answers that mean "this query form is not
// supported" to errNeedListing; everything else stays an error.
func asNeedListing(err error) error {
	if errors.Is(err, graphclient.ErrCountUnsupported) || graphclient.IsStatus(err, http.StatusBadRequest) {
		return fmt.Errorf("%w: %w", errNeedListing, err)
	}
	return err
}
