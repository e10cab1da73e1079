package plan

import (
	"context"
	"time"
)

// counted reads a workspace too large to list: Graph counts it in one round,
// and the extremes are checked, or searched for. first is the first page of
// a listing when this read began as one: the workspace's first read, which
// has no extremes to check and seeds its search from the page, or the read
// after a failed one, which checks those mem holds.
func (r *reader) counted(ctx context.Context, mem Memory, first *Page) (Result, Memory, error) {
	starts := r.s.WindowStarts
	newest, oldest, lm := newSearch(Created, true), newSearch(Created, false), newSearch(LastModified, true)
	for _, s := range []*search{newest, oldest, lm} {
		s.k = min(max(r.page/4, 1), 20)
	}
	for _, s := range []*search{newest, lm} {
		s.now, s.knowsNow = s.ax.pos(r.s.Now), true
	}
	var rd round
	totalAt, windowTop := -1, 1
	if first == nil {
		totalAt = rd.add(r.count(nil, 1))
	} else {
		windowTop = r.s.Top // a window of a page or less is listed at once
	}
	createdAt, activeAt := make([]int, len(starts)), make([]int, len(starts))
	for i, start := range starts {
		createdAt[i] = rd.add(r.count(since(Created, start), windowTop), ask{newest, newest.ax.pos(start)})
		activeAt[i] = rd.add(r.count(since(LastModified, start), windowTop), ask{lm, lm.ax.pos(start)})
	}
	// The checks of the newest and the oldest creation are disjoint: a Graph
	// that ignores $filter counts the total in both, which no workspace can.
	// Without them, a filter that matches nothing tells the same.
	checkNewest, checkOldest, nothingAt, setAt := -1, -1, -1, -1
	var ties []ask // one tick beyond each check that held a tie
	checked := !mem.Newest.IsZero() && !mem.Oldest.IsZero()
	if checked {
		x := newest.ax.pos(mem.Newest)
		checkNewest = rd.add(r.count(since(Created, mem.Newest), r.s.Top), ask{newest, x})
		if mem.Tied[0] {
			ties = append(ties, ask{newest, x - 1})
		}
		x = oldest.ax.pos(mem.Oldest)
		if !mem.Oldest.Before(mem.Newest) {
			x = oldest.ax.pos(mem.Newest) - 1 // "le" would overlap the other check
		}
		checkOldest = rd.add(r.count(oldest.ax.at(x), r.s.Top), ask{oldest, x})
		if mem.Tied[1] {
			ties = append(ties, ask{oldest, x - 1})
		}
	} else {
		setAt = rd.add(r.count(Filter{set(Created)}, r.s.Top), ask{newest, newest.ax.hi()}, ask{oldest, oldest.ax.hi()})
		nothingAt = rd.add(r.count(nothing, 1))
	}
	if !mem.LastModified.IsZero() {
		x := lm.ax.pos(mem.LastModified)
		rd.add(r.count(lm.ax.at(x), r.s.Top), ask{lm, x})
		if mem.Tied[2] {
			ties = append(ties, ask{lm, x - 1})
		}
	} else {
		rd.add(r.count(Filter{set(LastModified)}, r.s.Top), ask{lm, lm.ax.hi()})
	}
	// A check of more than a page of sessions sharing its tick, alone, says
	// nothing of what lies beyond it, and a search would have to pin the
	// tick again: the count one tick beyond settles it in this round.
	for _, a := range ties[:min(len(ties), max(0, maxPerCall-len(rd.reqs)))] {
		rd.add(r.count(a.s.ax.at(a.x), r.s.Top), a)
	}
	seeded := first != nil && !checked
	if seeded {
		r.seed(&rd, first, newest, oldest, lm)
	}
	pages, err := r.send(ctx, &rd)
	if err != nil {
		return Result{}, mem, err
	}
	var total int64
	if first != nil {
		total = first.Count
	} else {
		total = pages[totalAt].Count
	}
	switch {
	case nothingAt >= 0 && pages[nothingAt].Count > 0:
		return Result{}, mem, fallBack("$filter ignored: a filter no session matches matched %d", pages[nothingAt].Count)
	case checkNewest >= 0 && pages[checkNewest].Count+pages[checkOldest].Count > total:
		return Result{}, mem, fallBack("$filter ignored: disjoint filters matched %d and %d of %d sessions",
			pages[checkNewest].Count, pages[checkOldest].Count, total)
	}
	if err := r.everyoneRecent(pages, createdAt, activeAt, total); err != nil {
		return Result{}, mem, err
	}
	res := Result{Sessions: total, Created: make([]int64, len(starts)), Active: make([]int64, len(starts)), Plan: "counted"}
	for i := range starts {
		res.Created[i], res.Active[i] = pages[createdAt[i]].Count, pages[activeAt[i]].Count
		if setAt >= 0 {
			x := oldest.ax.pos(starts[i]) - 1
			oldest.pts[x] = point{count: pages[setAt].Count - res.Created[i], round: r.res.Rounds}
		}
	}
	if checkOldest >= 0 && !oldest.done && pages[checkOldest].Count == 0 && !mem.Oldest.Before(mem.Newest) {
		// Nothing before the newest check: the oldest is in it.
		if p := pages[checkNewest]; p.NextLink == "" && p.Count == int64(len(p.Sessions)) {
			oldest.finishOn(p.Sessions)
		}
	}
	if totalAt >= 0 && total == 0 {
		newest.finish(time.Time{})
		oldest.finish(time.Time{})
		lm.finish(time.Time{})
	}
	if span := r.s.Now.Sub(mem.Oldest); !seeded && !mem.Oldest.IsZero() && span > 0 && total > 0 {
		// A search steps first by where half a page of sessions would lie,
		// were they spread evenly since the oldest.
		scale := max(1, int64(span/tick)/total*int64(max(r.page, 1))/2)
		newest.scale, oldest.scale, lm.scale = scale, scale, scale
	}
	if err := r.settle(ctx, []*search{newest, oldest, lm}, r.pages(total)); err != nil {
		return Result{}, mem, err
	}
	res.Newest, res.Oldest, res.LastModified = newest.found, oldest.found, lm.found
	next := Memory{Counted: r.pages(total) > r.countingFrom(), Honours: true, Newest: newest.check, Oldest: oldest.check, LastModified: lm.check,
		Tied: [3]bool{newest.tied, oldest.tied, lm.tied}}
	return res, next, nil
}

// seed adds to the first counted round what the first page suggests: its
// own extremes, and positions stepping back in time from the older of its
// oldest creation and the longest window, a fraction of a page apart at the
// first page's density, then four times as far each. Seeds are a guess, so
// they get only what leaves two full rounds of searching within what
// listing would cost.
func (r *reader) seed(rd *round, first *Page, newest, oldest, lm *search) {
	room := min(maxPerCall-len(rd.reqs), int(r.pages(first.Count))-1-len(rd.reqs)-2*probesPerRound)
	var seeds []ask
	for _, s := range []*search{newest, lm, oldest} {
		// A seed within the windows holds no fewer sessions than a window
		// start beyond it, which this round counts anyway: only a seed
		// beyond every window can tell more.
		if t := s.ax.best(first.Sessions); !t.IsZero() && beyondWindows(s.ax, s.ax.pos(t), r.s.WindowStarts) {
			seeds = append(seeds, ask{s, s.ax.pos(t)})
		}
	}
	from := r.s.Now
	for _, start := range r.s.WindowStarts {
		from = minTime(from, start.Add(-tick))
	}
	if t := oldest.ax.best(first.Sessions); !t.IsZero() {
		from = minTime(from, t)
	}
	span := max(r.s.Now.Sub(from), time.Hour)
	oldest.scale = max(1, int64(span/tick)/max(first.Count, 1)*int64(max(r.page, 1))/2)
	// The strides get what the three extremes' seeds leave, whether those
	// were asked or not: a seed saved is a request saved.
	for _, x := range oldest.strides(oldest.ax.pos(from), -1, max(room-3, 0)) {
		seeds = append(seeds, ask{oldest, x})
	}
	for _, a := range seeds[:max(0, min(room, len(seeds)))] {
		rd.add(r.count(a.s.ax.at(a.x), r.s.Top), a)
	}
}

// beyondWindows says whether position x lies before every window start's
// position on the axis: where the extreme is, and no window is counted.
func beyondWindows(ax axis, x int64, starts []time.Time) bool {
	for _, start := range starts {
		if !ax.newest {
			start = start.Add(-tick) // the oldest axis counts "le": the window's complement
		}
		if x >= ax.pos(start) {
			return false
		}
	}
	return true
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// everyoneRecent catches Graph ignoring $filter on one property only: then
// the shortest window counts the whole workspace, which a workspace too
// large to list, every session of it created or modified within the
// shortest window, will hardly be. Listing answers such a workspace exactly
// all the same.
func (r *reader) everyoneRecent(pages []Page, createdAt, activeAt []int, total int64) error {
	latest := -1
	for i, start := range r.s.WindowStarts {
		if latest < 0 || start.After(r.s.WindowStarts[latest]) {
			latest = i
		}
	}
	if latest < 0 || total <= int64(max(r.page, 1)) {
		return nil
	}
	for _, w := range []struct {
		prop string
		at   int
	}{{"createdDateTime", createdAt[latest]}, {"lastModifiedDateTime", activeAt[latest]}} {
		if pages[w.at].Count >= total {
			return fallBack("$filter on %s ignored: all %d sessions are in the shortest window", w.prop, total)
		}
	}
	return nil
}
