package collector

import (
	"context"
	"fmt"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// countRound gathers the single-page queries of one round of the counted
// plan, so that they go out together.
type countRound struct {
	lookups []graphclient.Lookup
	counts  []int // indexes of the plain $count queries
}

// count adds a $count query and returns its index.
func (r *countRound) count(f graphclient.Filter) int {
	r.lookups = append(r.lookups, graphclient.Lookup{Query: graphclient.Query{
		Count: true, Filter: f, Select: []string{graphclient.PropCreated}, Top: 1,
	}})
	r.counts = append(r.counts, len(r.lookups)-1)
	return len(r.lookups) - 1
}

// extremeCheck lists the sessions matching f, expected to be few, and keeps
// the value of prop that better prefers.
type extremeCheck struct {
	at   int // index in the round; -1 when there is nothing to check
	best time.Time
}

func (r *countRound) check(prop string, f graphclient.Filter, pageSize int, better func(t, best time.Time) bool) *extremeCheck {
	c := &extremeCheck{at: len(r.lookups)}
	r.lookups = append(r.lookups, graphclient.Lookup{
		Query: graphclient.Query{Count: true, Filter: f, Select: []string{prop}, Top: pageSize},
		Visit: func(st graphclient.SessionTimes) {
			if t := st.Get(prop); !t.IsZero() && (c.best.IsZero() || better(t, c.best)) {
				c.best = t
			}
		},
	})
	return c
}

// found returns the checked extreme if the listing holds every session of
// its filter, which then must include the extreme itself.
func (c *extremeCheck) found(res []graphclient.ListResult) (time.Time, bool) {
	if c == nil {
		return time.Time{}, false
	}
	r := res[c.at]
	ok := r.Complete && r.HasCount && r.Count == r.Items && r.Items > 0 && !c.best.IsZero()
	return c.best, ok
}

func after(t, best time.Time) bool  { return t.After(best) }
func before(t, best time.Time) bool { return t.Before(best) }

func ge(prop string, t time.Time) graphclient.Filter {
	return graphclient.Filter{{Property: prop, Op: graphclient.OpGE, Time: t}}
}

// setCreatedUpTo matches sessions with a createdDateTime, up to t.
func setCreatedUpTo(t time.Time) graphclient.Filter {
	return graphclient.Filter{
		{Property: graphclient.PropCreated, Op: graphclient.OpGT, Time: time.Time{}},
		{Property: graphclient.PropCreated, Op: graphclient.OpLE, Time: t},
	}
}

// counted is the plan for a workspace beyond the listing budget; total < 0
// means the total is not known yet and is counted in the same round.
//
// One round asks for the total, the count per window and property, and,
// when the last scrape found them, every session at or beyond each extreme
// it found: "createdDateTime ge" the newest (and the same for
// lastModifiedDateTime) and "createdDateTime le" the oldest. Each such
// listing is short, and holds the current extreme whenever it is not empty:
// a newer session than the last newest would be in it. So a steady scrape
// costs 2 × windows + 4 requests in one round trip, and only an emptied
// check falls back to a search.
func (m *measurement) counted(ctx context.Context, mem planMemory, total int64) (result, planMemory, error) {
	var r countRound
	totalAt := -1
	if total < 0 {
		totalAt = r.count(nil)
	}
	createdAt := make([]int, len(m.starts))
	activeAt := make([]int, len(m.starts))
	for i, start := range m.starts {
		createdAt[i] = r.count(ge(graphclient.PropCreated, start))
		activeAt[i] = r.count(ge(graphclient.PropLastModified, start))
	}
	var newest, lastModified, oldest *extremeCheck
	if !mem.newest.IsZero() {
		newest = r.check(graphclient.PropCreated, ge(graphclient.PropCreated, mem.newest), m.pageSize, after)
	}
	if !mem.lastModified.IsZero() {
		lastModified = r.check(graphclient.PropLastModified, ge(graphclient.PropLastModified, mem.lastModified), m.pageSize, after)
	}
	if !mem.oldest.IsZero() {
		oldest = r.check(graphclient.PropCreated, setCreatedUpTo(mem.oldest), m.pageSize, before)
	}
	answers, err := m.src.Lookup(ctx, m.workspace, r.lookups)
	if err != nil {
		return result{}, mem, asNeedListing(err)
	}
	counts, err := countsOf(answers, r.counts)
	if err != nil {
		return result{}, mem, err
	}
	if totalAt >= 0 {
		total = counts[totalAt]
	}
	if total <= int64(m.pageSize) {
		// The workspace shrank to a page: read it whole, and list it from
		// now on.
		res, err := m.listAll(ctx)
		return res, planMemory{}, err
	}
	res := result{sessions: total, created: make([]int64, len(m.starts)), active: make([]int64, len(m.starts))}
	for i := range m.starts {
		res.created[i], res.active[i] = counts[createdAt[i]], counts[activeAt[i]]
	}
	if err := m.extremes(ctx, &res, answers, newest, lastModified, oldest); err != nil {
		return result{}, mem, err
	}
	return res, planMemory{counted: true, newest: res.newest, lastModified: res.lastModified, oldest: res.oldest}, nil
}

// countsOf validates the $count answers of a round.
func countsOf(answers []graphclient.ListResult, at []int) (map[int]int64, error) {
	counts := make(map[int]int64, len(at))
	for _, i := range at {
		a := answers[i]
		if !a.HasCount {
			return nil, fmt.Errorf("%w: %w", errNeedListing, graphclient.ErrCountUnsupported)
		}
		if a.Count < a.Items {
			return nil, fmt.Errorf("@odata.count %d is less than the %d items in the same answer", a.Count, a.Items)
		}
		counts[i] = a.Count
	}
	return counts, nil
}

// extremes fills in the three timestamps from the round's checks, searching
// for those the checks did not settle; the searches share rounds.
func (m *measurement) extremes(ctx context.Context, res *result, answers []graphclient.ListResult, newest, lastModified, oldest *extremeCheck) error {
	s := &search{m: m}
	var todo []func() error
	for _, e := range []struct {
		check  *extremeCheck
		out    *time.Time
		search func() (time.Time, error)
	}{
		{newest, &res.newest, func() (time.Time, error) { return s.newestOf(ctx, graphclient.PropCreated, res.created) }},
		{lastModified, &res.lastModified, func() (time.Time, error) { return s.newestOf(ctx, graphclient.PropLastModified, res.active) }},
		{oldest, &res.oldest, func() (time.Time, error) { return s.oldest(ctx, graphclient.PropCreated) }},
	} {
		if t, ok := e.check.found(answers); ok {
			*e.out = t
			continue
		}
		todo = append(todo, func() (err error) {
			*e.out, err = e.search()
			return err
		})
	}
	return m.src.Parallel(todo...)
}
