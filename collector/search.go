package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

const (
	// probesPerRound is how many $count probes narrow the range per round.
	probesPerRound = 8
	// maxSearchRounds bounds a search: the even half of each round alone
	// splits 27 years of 100 ns ticks down to one tick in 23 rounds.
	maxSearchRounds = 32
)

// searchFloor is the earliest timestamp a search looks at. Security Copilot
// launched in 2023; a session dated before 2000 sends the search to a full
// listing instead, which is always exact.
var searchFloor = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// errOddData says a search's assumptions did not hold (sessions dated in the
// future or before searchFloor, or counts that changed during the search); a
// full listing answers instead.
var errOddData = errors.New("timestamps outside the searchable range")

// A search finds the newest or oldest value of a timestamp property without
// listing the workspace. It narrows, with concurrent $count probes, to a
// threshold that leaves between 1 and a page of sessions on its side, then
// lists just those. Positions are 100 ns ticks (Graph's precision), mirrored
// for "newest" so that counts always grow with the position.
type search struct {
	m *measurement
}

// filterAt is the filter a search counts at position x.
type filterAt func(x int64) graphclient.Filter

func ticks(t time.Time) int64     { return t.UnixNano() / 100 }
func fromTicks(x int64) time.Time { return time.Unix(0, x*100).UTC() }

// newestOf finds the latest value of prop; known[i] is the count of
// sessions with prop ge the i-th window start. The shortest window holding
// 1 to a page of sessions is listed; only when none does is there a search.
func (s *search) newestOf(ctx context.Context, prop string, known []int64) (time.Time, error) {
	for i, n := range known {
		if n >= 1 && n <= int64(s.m.pageSize) {
			t, err := s.extreme(ctx, prop, ge(prop, s.m.starts[i]), after)
			return t, wrapNewest(prop, err)
		}
	}
	t, err := s.newest(ctx, prop, known)
	return t, wrapNewest(prop, err)
}

func wrapNewest(prop string, err error) error {
	if err != nil {
		return fmt.Errorf("newest %s: %w", prop, err)
	}
	return nil
}

// newest searches for the latest value of prop, seeded with known.
func (s *search) newest(ctx context.Context, prop string, known []int64) (time.Time, error) {
	// Position x stands for the time -x, and counts sessions with prop ge it.
	probe := func(x int64) graphclient.Filter { return ge(prop, fromTicks(-x)) }
	points := map[int64]int64{}
	for i, start := range s.m.starts {
		points[-ticks(start)] = known[i]
	}
	empty, full := -ticks(s.m.now.Add(time.Second)), -ticks(searchFloor)
	b, err := s.narrow(ctx, empty, full, points, nil, probe)
	if err != nil {
		return time.Time{}, err
	}
	if b.exact {
		return fromTicks(-b.full), nil
	}
	f := graphclient.Filter{{Property: prop, Op: graphclient.OpGE, Time: fromTicks(-b.at)}}
	return s.extreme(ctx, prop, f, after)
}

// oldest finds the earliest set value of prop.
func (s *search) oldest(ctx context.Context, prop string) (time.Time, error) {
	t, err := s.searchOldest(ctx, prop)
	if err != nil {
		return t, fmt.Errorf("oldest %s: %w", prop, err)
	}
	return t, nil
}

func (s *search) searchOldest(ctx context.Context, prop string) (time.Time, error) {
	set := graphclient.Condition{Property: prop, Op: graphclient.OpGT, Time: time.Time{}}
	probe := func(x int64) graphclient.Filter {
		return graphclient.Filter{set, {Property: prop, Op: graphclient.OpLT, Time: fromTicks(x)}}
	}
	b, err := s.narrow(ctx, ticks(searchFloor), ticks(s.m.now.Add(time.Second)), map[int64]int64{}, s.olderSeeds(), probe)
	if err != nil {
		return time.Time{}, err
	}
	if b.exact {
		return fromTicks(b.empty), nil
	}
	f := graphclient.Filter{set, {Property: prop, Op: graphclient.OpLT, Time: fromTicks(b.at)}}
	return s.extreme(ctx, prop, f, before)
}

// olderSeeds are the first probes of the oldest search: points stepping back
// from the longest window in doubling strides, which bracket the oldest
// session of a workspace of any age within one round.
func (s *search) olderSeeds() []int64 {
	stride := time.Duration(0)
	for _, start := range s.m.starts {
		stride = max(stride, s.m.now.Sub(start))
	}
	var seeds []int64
	for i := 0; i < probesPerRound-2 && s.m.now.Add(-stride).After(searchFloor); i++ {
		seeds = append(seeds, ticks(s.m.now.Add(-stride)))
		stride *= 2
	}
	return seeds
}

// boundary is a search's outcome: either a position whose count is between
// 1 and a page, or two adjacent positions, empty and full, which pin the
// extreme to one tick.
type boundary struct {
	at          int64
	exact       bool
	empty, full int64
}

// narrow searches [empty, full], where count(empty) must be 0 and
// count(full) more than a page, for a position with a count of 1 to a page.
// It uses the known points first, probes the seeds and any end it has no
// count for, and then narrows the bracket round by round: half of each
// round's probes interpolate where the count should be a fraction of a page,
// which lands at once when sessions are spread evenly; the other half split
// the bracket evenly, which bounds the rounds when they are not.
func (s *search) narrow(ctx context.Context, empty, full int64, points map[int64]int64, seeds []int64, probe filterAt) (boundary, error) {
	limit := int64(s.m.pageSize)
	todo := seeds
	for round := 0; round <= maxSearchRounds; round++ {
		if err := s.probeAll(ctx, todo, points, probe); err != nil {
			return boundary{}, err
		}
		br, err := bracket(points, empty, full, limit)
		if err != nil || br.hit {
			return boundary{at: br.a}, err
		}
		todo = nil
		if !br.haveA {
			if _, probed := points[empty]; probed {
				return boundary{}, errOddData
			}
			todo = append(todo, empty) // assumed empty until probed
		}
		if !br.haveB {
			if _, probed := points[full]; probed {
				return boundary{}, errOddData
			}
			todo = append(todo, full)
		}
		if len(todo) == 0 && br.b-br.a <= 1 {
			return boundary{exact: true, empty: br.a, full: br.b}, nil
		}
		todo = append(todo, splitPoints(br.a, br.b, br.countB, limit, probesPerRound-len(todo))...)
	}
	return boundary{}, fmt.Errorf("search did not converge in %d rounds", maxSearchRounds)
}

// bracketing is the state of a search: a is the last known empty position
// and b the first known one with more than a page, or, with hit, a is a
// position with 1 to a page. Missing ends default to the search's ends.
type bracketing struct {
	hit          bool
	a, b         int64
	haveA, haveB bool
	countB       int64 // 0 when b is not known
}

func bracket(points map[int64]int64, empty, full, limit int64) (bracketing, error) {
	xs := make([]int64, 0, len(points))
	for x := range points {
		if x >= empty && x <= full {
			xs = append(xs, x)
		}
	}
	slices.Sort(xs)
	br := bracketing{a: empty, b: full}
	for i, x := range xs {
		c := points[x]
		if i > 0 && c < points[xs[i-1]] {
			return br, fmt.Errorf("%w: counts changed during the search", errOddData)
		}
		switch {
		case c >= 1 && c <= limit:
			return bracketing{hit: true, a: x}, nil
		case c == 0:
			br.a, br.haveA = x, true
		case !br.haveB:
			br.b, br.haveB, br.countB = x, true, c
		}
	}
	if br.haveA && br.haveB && br.a > br.b {
		return br, errOddData
	}
	return br, nil
}

// splitPoints returns up to n distinct positions strictly between a and b:
// with countB known, half of them where a linear spread of countB sessions
// over [a, b] would leave 1/4, 2/4, … of a page; the rest evenly spaced.
func splitPoints(a, b, countB, limit int64, n int) []int64 {
	if n <= 0 || b-a <= 1 {
		return nil
	}
	var out []int64
	add := func(x int64) {
		if x > a && x < b && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	interpolated := 0
	if countB > 0 {
		interpolated = n / 2
	}
	width := float64(b - a)
	for j := 1; j <= interpolated; j++ {
		target := float64(limit) * float64(j) / float64(interpolated+1)
		add(a + max(1, int64(width*target/float64(countB))))
	}
	even := n - len(out)
	step := max(1, (b-a)/int64(even+1))
	for x := a + step; x < b && len(out) < n; x += step {
		add(x)
	}
	return out
}

// probeAll counts at every position in xs, all in one round.
func (s *search) probeAll(ctx context.Context, xs []int64, points map[int64]int64, probe filterAt) error {
	if len(xs) == 0 {
		return nil
	}
	filters := make([]graphclient.Filter, len(xs))
	for i, x := range xs {
		filters[i] = probe(x)
	}
	counts, err := s.m.src.CountSessions(ctx, s.m.workspace, filters)
	if err != nil {
		return asNeedListing(err)
	}
	for i, x := range xs {
		points[x] = counts[i]
	}
	return nil
}

// extreme lists the sessions matching f, at most about a page, and returns
// the value of prop that better prefers.
func (s *search) extreme(ctx context.Context, prop string, f graphclient.Filter, better func(t, best time.Time) bool) (time.Time, error) {
	var best time.Time
	q := graphclient.Query{Filter: f, Select: []string{prop}, Top: s.m.pageSize}
	_, err := s.m.src.ListSessions(ctx, s.m.workspace, q, 0, func(st graphclient.SessionTimes) {
		if t := st.Get(prop); !t.IsZero() && (best.IsZero() || better(t, best)) {
			best = t
		}
	})
	if err != nil {
		return time.Time{}, asNeedListing(err)
	}
	if best.IsZero() {
		return time.Time{}, fmt.Errorf("%w: the narrowed range was empty when listed", errOddData)
	}
	return best, nil
}
