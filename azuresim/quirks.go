package azuresim

import (
	"hash/fnv"
	"slices"
)

// ListingQuirks are ways a Graph may serve session listings that are no
// error, and under which a client must still count exactly. The zero value
// is the simulator's usual behaviour: $top and $filter honoured, oldest
// first, paged by key. A cap on the served page below $top is
// Options.MaxPageSize; a missing @odata.count is Faults.OmitCount.
type ListingQuirks struct {
	// IgnoreTop serves every page at MaxPageSize, whatever $top asks.
	IgnoreTop bool
	// IgnoreFilter silently ignores $filter in session listings and
	// sessions/$count: the answer is the one without the filter.
	IgnoreFilter bool
	// Order is the order sessions are listed in.
	Order Order
	// OffsetPaging makes @odata.nextLink carry the offset of the next page
	// rather than the key of the last session served, so that sessions
	// created or deleted during a listing shift the later pages: a session
	// may then be served twice, or never.
	OffsetPaging bool
}

// Order is an order of a session listing.
type Order int

const (
	// OrderOldestFirst lists by createdDateTime, then id, ascending.
	OrderOldestFirst Order = iota
	// OrderNewestFirst lists by createdDateTime, then id, descending.
	OrderNewestFirst
	// OrderArbitrary lists in an order unrelated to any property (a hash
	// of the id), the same on every request.
	OrderArbitrary
)

// compareIn orders two keys as the listing order o does.
func (o Order) compareIn(a, b pageKey) int {
	switch o {
	case OrderNewestFirst:
		return b.compare(a)
	case OrderArbitrary:
		if c := hashID(a.id) - hashID(b.id); c != 0 {
			if c < 0 {
				return -1
			}
			return 1
		}
		return a.compare(b)
	}
	return a.compare(b)
}

func hashID(id string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int64(h.Sum32())
}

// ordered returns the sessions, kept oldest first, in the order o.
func (o Order) ordered(sessions []Session) []Session {
	if o == OrderOldestFirst {
		return sessions
	}
	out := slices.Clone(sessions)
	slices.SortFunc(out, func(a, b Session) int { return o.compareIn(a.key(), b.key()) })
	return out
}

// page is the page of at most size matching sessions that starts after the
// key, or at the offset when paging by offset, with the number of all
// matching sessions and whether more follow.
func (o Order) page(sessions []Session, match predicate, after *pageKey, offset, size int) (page []Session, total int, more bool) {
	skipped := 0
	for i := range sessions {
		s := &sessions[i]
		if match != nil && !match(s) {
			continue
		}
		total++
		if after != nil && o.compareIn(s.key(), *after) <= 0 {
			continue
		}
		if skipped < offset {
			skipped++
			continue
		}
		if len(page) < size {
			page = append(page, *s)
		} else {
			more = true
		}
	}
	return page, total, more
}
