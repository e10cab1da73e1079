package plan

import (
	"context"
	"errors"
	"fmt"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

// errUncovered says a partition's answers did not add up to the total.
var errUncovered = errors.New("the partition's answers do not add up to @odata.count")

// partListing is one listing of a partitioned read: the unfiltered first
// page's, or a range's.
type partListing struct {
	f     Filter // nil for the unfiltered listing
	count int64
	chain *paging.Chain
	next  string // the next link still to follow; "" when done
	items int    // sessions listed, repeats included
	full  int    // pages that held sessions
}

// partitioned reads a listed workspace with the partition the last read
// planned: the first page and every range in one round, then the further
// pages of any range that grew beyond a page, and of the first page's
// listing while sessions are missing, side by side.
func (r *reader) partitioned(ctx context.Context, mem Memory) (Result, Memory, error) {
	filters := mem.parts.filters()
	reqs := []Request{{Count: true, Top: r.s.Top}}
	for _, f := range filters {
		reqs = append(reqs, Request{Filter: f, Count: true, Top: r.s.Top})
	}
	answers, err := r.fetch(ctx, reqs)
	if err != nil {
		return Result{}, mem, err
	}
	u := answers[0]
	if errors.Is(u.Err, ErrRefused) {
		r.noCount = true
		return Result{}, Memory{}, fallBack("$count=true refused: %v", u.Err)
	}
	if u.Err != nil {
		return Result{}, mem, u.Err
	}
	r.first = &u.Page
	if !u.Page.HasCount {
		res, err := r.listAll(ctx, r.first)
		res.Plan, res.FellBack = "listing", "graph answered $count=true without @odata.count"
		return res, Memory{Honours: mem.Honours}, err
	}
	for _, a := range answers[1:] {
		if errors.Is(a.Err, ErrRefused) {
			return Result{}, mem, fallBack("$filter refused: %v", a.Err)
		}
		if a.Err != nil {
			return Result{}, mem, a.Err
		}
	}
	all := map[ID]Session{}
	err = r.follow(ctx, answers, filters, all)
	if errors.Is(err, errChanged) || errors.Is(err, errUncovered) {
		// Exact or nothing: list the workspace, and plan anew from it.
		res, lerr := r.listAll(ctx, nil)
		res.Plan = "listing"
		next := r.remember(res, r.pages(res.Sessions), true)
		if errors.Is(err, errUncovered) {
			// Graph keeps sessions out of every range (a createdDateTime
			// no comparison matches, say), or does not count them: no
			// partition for a day.
			next.unparted = r.s.Now.Add(listingMemory)
		} else if !next.Counted && lerr == nil {
			next.parts = r.plan()
		}
		return res, next, lerr
	}
	if err != nil {
		return Result{}, mem, err
	}
	total := u.Page.Count
	t := newTally(r.s.WindowStarts)
	list := make([]Session, 0, len(all))
	for _, s := range all {
		t.add(s)
		list = append(list, s)
	}
	r.seen, r.firstPage = list, u.Page.Sessions
	res := t.res
	res.Plan = "partitioned"
	next := r.remember(res, r.pages(total), true)
	if !next.Counted {
		next.parts = r.plan()
	}
	return res, next, nil
}

// follow reads the partition's listings to their ends, side by side (the
// first page's only while sessions are missing), into all, and checks that
// they add up.
func (r *reader) follow(ctx context.Context, answers []Answer, filters []Filter, all map[ID]Session) error {
	ls := make([]*partListing, len(answers))
	for i, a := range answers {
		ls[i] = &partListing{count: a.Page.Count, chain: paging.NewChain("", nil)}
		if i > 0 {
			ls[i].f = filters[i-1]
		}
		if err := r.take(ls[i], a.Page, all); err != nil {
			return err
		}
	}
	total := answers[0].Page.Count
	for {
		var more []Request
		var who []*partListing
		var pending int64 // sessions the ranges' further pages hold
		for _, l := range ls[1:] {
			if l.next != "" {
				pending += max(0, l.count-int64(l.items))
				more = append(more, Request{Next: l.next})
				who = append(who, l)
			}
		}
		// A range is read to its end, for its count to be checked; the
		// first page's listing goes on only for sessions no range holds.
		if u := ls[0]; u.next != "" && int64(len(all))+pending < total {
			more = append(more, Request{Next: u.next})
			who = append(who, u)
		}
		if len(more) == 0 {
			break
		}
		got, err := r.fetch(ctx, more)
		if err != nil {
			return err
		}
		for k, a := range got {
			if a.Err != nil {
				return fmt.Errorf("a further page of a partition: %w", a.Err)
			}
			if err := r.take(who[k], a.Page, all); err != nil {
				return err
			}
		}
	}
	// Each range holds as many sessions as it counted, whichever listing
	// brought them: its own, or the first page's.
	held := make([]int64, len(ls))
	for _, s := range all {
		for i, l := range ls[1:] {
			if l.f.Matches(s) {
				held[i+1]++
				break
			}
		}
	}
	for i, l := range ls[1:] {
		if held[i+1] != l.count {
			return fmt.Errorf("%w: %d sessions in a range, @odata.count says %d", errChanged, held[i+1], l.count)
		}
	}
	if int64(len(all)) != total {
		return fmt.Errorf("%w: %d sessions, @odata.count says %d", errUncovered, len(all), total)
	}
	return nil
}

// take adds one page of a partition's listing, checking that it belongs to
// the same state of the workspace and that every session matches the
// range.
func (r *reader) take(l *partListing, p Page, all map[ID]Session) error {
	if !p.HasCount {
		// A Graph that counts only unfiltered listings cannot be
		// partitioned: not for a day.
		return fmt.Errorf("%w: a range came without @odata.count", errUncovered)
	}
	if p.Count != l.count {
		return fmt.Errorf("%w: @odata.count went from %d to %d", errChanged, l.count, p.Count)
	}
	for _, s := range p.Sessions {
		if s.ID.IsZero() {
			return errors.New("a listed session has no id")
		}
		if !l.f.Matches(s) {
			return fallBack("$filter %v ignored: a listed session does not match it", l.f)
		}
		l.items++
		all[s.ID] = s
	}
	if len(p.Sessions) > 0 {
		l.full++
	}
	next, err := l.chain.Next(p.NextLink)
	if err != nil {
		return err
	}
	if next != "" && int64(l.full) > l.count {
		return fmt.Errorf("listing does not end: %d pages held sessions, @odata.count says %d", l.full, l.count)
	}
	l.next = next
	return nil
}

// plan plans the next read's partition from the sessions this read saw
// whole, when it has them.
func (r *reader) plan() *partition {
	if r.seen == nil || r.firstPage == nil {
		return nil
	}
	first := make(map[ID]bool, len(r.firstPage))
	for _, s := range r.firstPage {
		first[s.ID] = true
	}
	return planPartition(r.seen, first, r.page, r.s.Now)
}
