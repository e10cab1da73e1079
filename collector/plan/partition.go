package plan

import (
	"slices"
	"time"
)

// A partition reads a listed workspace of a few served pages in one round:
// the unfiltered first page, which carries the total, beside one request
// per range of createdDateTime learned from the last read, each range
// holding at most a served page then. The first page held, last time, every
// session on one side of the ranges (the oldest, or the newest, as Graph
// orders its listing); the ranges cover the rest. Ranges are disjoint and
// a session's creation never moves, so the answers add up to every session
// exactly when the distinct sessions they hold are as many as the first
// page's @odata.count: that check, not the order Graph lists in, is what
// makes the numbers exact.
type partition struct {
	// newest says the first page holds the newest sessions: the ranges
	// cover everything created before cuts[len-1], and the first page the
	// rest. Otherwise it holds the oldest: the ranges cover everything
	// created at or after cuts[0].
	newest bool
	// cuts are the ranges' bounds in ascending order: "ge cuts[i] and lt
	// cuts[i+1]", the outer ranges open on their outer side.
	cuts []time.Time
}

// filters returns the filter of each range.
func (p *partition) filters() []Filter {
	var out []Filter
	n := len(p.cuts)
	if p.newest {
		out = append(out, Filter{{Prop: Created, Op: LT, Time: p.cuts[0]}})
		for i := 0; i+1 < n; i++ {
			out = append(out, Filter{{Prop: Created, Op: GE, Time: p.cuts[i]}, {Prop: Created, Op: LT, Time: p.cuts[i+1]}})
		}
		return out
	}
	for i := 0; i+1 < n; i++ {
		out = append(out, Filter{{Prop: Created, Op: GE, Time: p.cuts[i]}, {Prop: Created, Op: LT, Time: p.cuts[i+1]}})
	}
	return append(out, Filter{{Prop: Created, Op: GE, Time: p.cuts[n-1]}})
}

// margin is how many sessions may be created, or deleted, between two
// reads before a partition planned at the last one costs a request more
// than listing: a tenth of a page and four. A partition is planned only
// when it stays within listing's cost across that many creations, and
// across that many deletions; both at once, beyond the room the ranges
// left, can cost one request more.
func margin(page int) int { return 4 + page/10 }

// region is a part of the time axis the partition reads with one listing:
// the first page's side, or one range. n is how many sessions it held.
type region struct {
	n     int
	first bool
	// holdsNow says new sessions land here: it holds the read's instant.
	holdsNow bool
}

// planPartition plans the next read's partition from every session of
// this read and the ids on the unfiltered first page, or returns nil when
// no partition costs no more than listing: with page the served page size,
// the first page's side must hold only sessions that page held, each range
// fits a page (or a tie of more sessions on one tick, which needs its
// pages), one round carries it, and listing stays no cheaper across margin
// creations and deletions.
func planPartition(all []Session, first map[ID]bool, page int, now time.Time) *partition {
	if page < 2 || len(all) <= page || len(first) == 0 {
		return nil
	}
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b Session) int { return a.Created.Compare(b.Created) })
	var best *partition
	bestCost := 0
	for _, newest := range []bool{false, true} {
		p, cost, ok := layout(sorted, first, page, now, newest)
		if ok && (best == nil || cost < bestCost) {
			best, bestCost = p, cost
		}
	}
	return best
}

// layout plans the ranges of one side: the first page's side holds the
// oldest (or the newest) sessions, all of which the first page held, and
// the ranges cover the rest. sorted is in ascending creation.
func layout(sorted []Session, first map[ID]bool, page int, now time.Time, newest bool) (*partition, int, bool) {
	n := len(sorted)
	boundary := func(i int) bool { return i == 0 || i == n || !sorted[i-1].Created.Equal(sorted[i].Created) }
	if !newest {
		from := 0
		for from < n && first[sorted[from].ID] {
			from++
		}
		for from > 0 && !boundary(from) {
			from--
		}
		return pack(sorted, from, n, page, now, false)
	}
	// The first page's side is a suffix the first page held: the shorter
	// it is, the more room it leaves for new sessions, which land there;
	// the longer, the fewer sessions the ranges hold.
	var best *partition
	bestCost := 0
	for to := n; to >= max(0, n-page); to-- {
		if to < n && !first[sorted[to].ID] {
			break
		}
		if !boundary(to) {
			continue
		}
		if p, c, ok := pack(sorted, 0, to, page, now, true); ok && (best == nil || c < bestCost) {
			best, bestCost = p, c
		}
	}
	return best, bestCost, best != nil
}

// pack fills ranges with sorted[from:to] in ascending creation, each up to
// a page before the next starts, ticks kept whole, and checks what the
// partition costs against listing.
func pack(sorted []Session, from, to, page int, now time.Time, newest bool) (*partition, int, bool) {
	n := len(sorted)
	if to-from <= 0 || newest && n-to > page || !newest && from > page {
		return nil, 0, false
	}
	var regions []region
	var cuts []time.Time // where each region but the first starts
	if !newest {
		regions = append(regions, region{n: from, first: true})
	}
	for i := from; i < to; {
		j := i
		for j < n && sorted[j].Created.Equal(sorted[i].Created) {
			j++
		}
		if len(regions) == 0 || regions[len(regions)-1].first || regions[len(regions)-1].n+j-i > page {
			if len(regions) > 0 {
				cuts = append(cuts, sorted[i].Created)
			}
			regions = append(regions, region{})
		}
		regions[len(regions)-1].n += j - i
		i = j
	}
	if newest {
		edge := sorted[n-1].Created.Add(tick)
		if to < n {
			edge = sorted[to].Created
		}
		cuts = append(cuts, edge)
		regions = append(regions, region{n: n - to, first: true})
	}
	// New sessions land in the region holding now.
	at := 0
	for _, c := range cuts {
		if !now.Before(c) {
			at++
		}
	}
	regions[at].holdsNow = true
	c0 := cost(regions, page, 0)
	if len(regions) > maxPerCall || c0 > pages(n, page) {
		return nil, 0, false
	}
	for c := 1; c <= margin(page); c++ {
		// As many creations, or deletions, between two reads cost no more
		// than listing.
		if cost(regions, page, c) > pages(n+c, page) || c0 > pages(n-c, page) {
			return nil, 0, false
		}
	}
	return &partition{newest: newest, cuts: cuts}, c0, true
}

// cost is what reading the regions takes when grown new sessions were
// created where new sessions land.
func cost(regions []region, page, grown int) int {
	total := 0
	for _, r := range regions {
		n := r.n
		if r.holdsNow {
			n += grown
		}
		total += pages(n, page)
	}
	return total
}

func pages(n, page int) int { return max(1, (n+page-1)/page) }
