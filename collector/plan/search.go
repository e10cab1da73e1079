package plan

import (
	"maps"
	"math"
	"slices"
	"time"
)

// point is a count Graph gave at a position, in the round it gave it.
type point struct {
	count int64
	round int
	paged bool // asked with $top a page
}

// A search finds one extreme. Each answer it gets is either complete (no
// next link) and then holds the extreme whenever it holds any session, or a
// count at a position. It narrows to a position whose count is 1 to a page,
// and lists it, or to two adjacent positions counted in one round, 0 and
// more than a page, which pin the extreme to a tick.
type search struct {
	ax       axis
	pts      map[int64]point
	done     bool
	found    time.Time // zero when there is no set value
	check    time.Time // where the next read checks from: found, or a few sessions short of it
	k        int       // how many sessions the next read's check should hold
	held     int       // how many it will hold, as far as this read knows
	round    int       // the round whose answer ended the search
	scale    int64     // first step, in ticks, of a probe stride from a known end
	lastB    int64     // the bracket's end at the last round
	now      int64     // the position of the read's instant, when knowsNow
	knowsNow bool      // the axis runs towards now: the newest of a timestamp
	fits     int       // rounds whose probes the age fit placed
	// tied: check may hold more than a page of sessions sharing its tick,
	// so the next read counts one tick beyond it too.
	tied bool
}

func newSearch(prop Prop, newest bool) *search {
	return &search{ax: axis{prop: prop, newest: newest}, pts: map[int64]point{}, scale: int64(time.Hour / tick), k: 1}
}

func (s *search) finish(t time.Time) { s.done, s.found, s.check = true, t, t }

// finishOn ends the search with the sessions at one end of the axis, all of
// them: the extreme is the best, and the next read checks from the k-th
// best, so that it still finds the extreme when fewer than k are deleted.
func (s *search) finishOn(ss []Session) {
	var top []time.Time
	for _, x := range ss {
		top = s.ax.keep(top, x.Get(s.ax.prop), s.k)
	}
	s.finishTop(top)
}

// finishTop ends the search with the best values, best first.
func (s *search) finishTop(top []time.Time) {
	if len(top) == 0 {
		s.finish(time.Time{})
		return
	}
	s.finish(top[0])
	s.check, s.held = top[len(top)-1], len(top)
}

// observe takes the answer to the filter s.ax.at(x);
// paged says whether it was asked with $top a page, so that asking it again
// would bring no more sessions.
func (s *search) observe(x int64, p Page, round int, paged bool) {
	complete := p.NextLink == "" && p.Count == int64(len(p.Sessions)) && len(p.Sessions) > 0
	if s.done {
		if complete && round == s.round && len(p.Sessions) > s.held {
			s.finishOn(p.Sessions) // the same extreme, with a wider margin
		}
		return
	}
	if complete {
		s.finishOn(p.Sessions)
		s.round = round
		if q, ok := s.pts[x+1]; ok && q.round == round && q.paged && s.held < s.k {
			// The tick just short of these holds more than the rest of a
			// page: the next read checks from there, and one tick beyond
			// it, so that deleting these few still leaves the check full.
			s.check, s.tied = s.ax.value(x+1), true
		}
		return
	}
	s.pts[x] = point{count: p.Count, round: round, paged: paged}
}

// positions are the counted positions in order, so that a read of the same
// answers asks the same requests every time, whatever Go's map order.
func (s *search) positions() []int64 { return slices.Sorted(maps.Keys(s.pts)) }

// hit is a position counted with 1 to a page of sessions: listing it ends
// the search. Of the latest round's, the one holding the most is listed:
// it leaves the next read's check the widest margin.
func (s *search) hit(page int64) (int64, bool) {
	best, ok := int64(0), false
	var bp point
	for _, x := range s.positions() {
		p := s.pts[x]
		if p.count < 1 || p.count > page {
			continue
		}
		if !ok || p.round > bp.round || (p.round == bp.round && (p.count > bp.count || (p.count == bp.count && x < best))) {
			best, bp, ok = x, p, true
		}
	}
	return best, ok
}

// bracket returns the last position known empty, a, and the first known to
// hold more than a page, b (hi+1 with cb < 0 when there is none), from the
// latest round's counts when older ones disagree with them.
func (s *search) bracket(page int64) (a, b, cb int64, ar, br int) {
	for range 2 {
		a, b, cb, ar, br = s.ax.lo()-1, s.ax.hi()+1, -1, -1, -1
		latest := -1
		for _, x := range s.positions() {
			p := s.pts[x]
			latest = max(latest, p.round)
			if p.count == 0 && x > a {
				a, ar = x, p.round
			}
			if p.count > page && x < b {
				b, cb, br = x, p.count, p.round
			}
		}
		if a < b {
			return
		}
		for x, p := range s.pts {
			if p.round < latest {
				delete(s.pts, x)
			}
		}
	}
	return
}

// next returns up to n positions to count in the next round, or none when
// the counts so far settle the search.
func (s *search) next(n int, page int64) []int64 {
	a, b, cb, ar, br := s.bracket(page)
	switch {
	case a >= b:
		return nil // counts of one round disagree: the caller gives up
	case cb < 0 && a >= s.ax.hi():
		s.finish(time.Time{})
		return nil
	case cb >= 0 && b == a+1:
		if ar < 0 || ar == br {
			s.finish(s.ax.value(b))
			s.tied = true
			return nil
		}
		return []int64{a, b}
	case cb >= 0 && cb <= 2*page && s.clumped(b, cb):
		// Nothing lies between b and a farther position of the same
		// count: the sessions may share one tick, which probes narrow to
		// only one split at a time. Listing them costs two pages at most.
		return nil
	}
	var xs []int64
	add := func(x int64) {
		if x > a && x < b && len(xs) < n && !slices.Contains(xs, x) {
			if _, known := s.pts[x]; !known {
				xs = append(xs, x)
			}
		}
	}
	if cb >= 0 {
		if b == s.lastB {
			// b held its place: many sessions may share its tick. Counted
			// again beside the tick beyond it, in one round, the two pin it.
			add(b - 1)
			if len(xs) > 0 && n > 1 {
				xs = append(xs, b)
			}
		}
		s.lastB = b
		if s.fits < maxFits {
			n0 := len(xs)
			s.ageFit(b, cb, page, add)
			if len(xs) > n0 {
				s.fits++
				return xs
			}
		}
		if ar >= 0 {
			// A bracket known at both ends needs few probes: where a linear
			// spread leaves a third and two thirds of a page, and an even
			// split, which bounds the rounds whatever the counts.
			n = min(n, boundedProbes)
			for _, j := range []int64{1, 2} {
				add(a + max(1, int64(float64(b-a)*float64(page*j)/float64(3*cb))))
			}
			s.even(a, b, max(1, n/4), add)
		}
		s.extrapolate(b, cb, page, add)
	}
	switch {
	case cb >= 0 && ar >= 0:
		s.even(a, b, n, add)
	case cb >= 0:
		s.stride(b, -1, n, add)
		add(s.ax.lo())
	default:
		s.stride(a, 1, n-1, add)
		add(s.ax.hi())
	}
	return xs
}

// stride adds positions from x in direction dir at the search's scale, 4
// times that, 16 times and so on, and widens the scale for the next round.
func (s *search) stride(x int64, dir int64, n int, add func(int64)) {
	for _, y := range s.strides(x, dir, n) {
		add(y)
	}
}

func (s *search) strides(x int64, dir int64, n int) []int64 {
	var out []int64
	step := max(s.scale, 1)
	for range n {
		y := x + dir*step
		if y < s.ax.lo() || y > s.ax.hi() {
			break
		}
		out = append(out, y)
		if step > (s.ax.hi()-s.ax.lo())/4 {
			break
		}
		step *= 4
	}
	s.scale = step
	return out
}

// extrapolate adds positions before b where the density just beyond b
// (from the next point counted after it) puts a fraction of a page, and
// makes the search's strides start where that density runs out.
func (s *search) extrapolate(b, cb, page int64, add func(int64)) {
	b2, c2, ok := s.beyond(b, cb)
	if !ok {
		return
	}
	density := float64(c2-cb) / float64(b2-b)
	for j := 1; j <= 3; j++ {
		add(b - int64((float64(cb)-float64(page)*float64(j)/4)/density))
	}
	s.scale = max(s.scale, int64(2*float64(cb)/density))
}

// even adds up to n positions evenly spaced inside (a, b).
func (s *search) even(a, b int64, n int, add func(int64)) {
	for j := int64(1); j <= int64(n); j++ {
		add(a + max(1, (b-a)/int64(n+1)*j))
	}
}

// clumped says a position after b, short of hi, has b's count.
func (s *search) clumped(b, cb int64) bool {
	for y, p := range s.pts {
		if y > b && y < s.ax.hi() && p.count == cb {
			return true
		}
	}
	return false
}

// beyond is the nearest position after b counted with more than cb, short
// of hi, whose count says nothing of a density.
func (s *search) beyond(b, cb int64) (int64, int64, bool) {
	x, c, ok := int64(0), int64(0), false
	for _, y := range s.positions() {
		p := s.pts[y]
		if y > b && y < s.ax.hi() && p.count > cb && (!ok || y < x) {
			x, c, ok = y, p.count, true
		}
	}
	return x, c, ok
}

// ageFit adds positions before b where a power law of the age since now,
// through the counts at b and at the next position beyond it, puts a third
// and two thirds of a page. Sessions crowd towards now (the windows show
// it: a day often holds far more than 24 hours' share of a month); a power
// law follows that crowding, and an even spread too (exponent 1), where
// a straight line through the two counts overshoots by hours.
func (s *search) ageFit(b, cb, page int64, add func(int64)) {
	b2, c2, ok := s.beyond(b, cb)
	if !s.knowsNow || !ok || b <= s.now {
		return
	}
	ageB, age2 := float64(b-s.now), float64(b2-s.now)
	exp := math.Log(float64(c2)/float64(cb)) / math.Log(age2/ageB)
	if !(exp > 0.05) || math.IsInf(exp, 0) {
		return
	}
	for j := int64(2); j >= 1; j-- {
		age := ageB * math.Pow(float64(page*j)/float64(3*cb), 1/exp)
		add(s.now + int64(age))
	}
}
