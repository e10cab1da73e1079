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

	// The quirks below apply to every collection listing (workspaces,
	// sessions, prompts, evaluations), not only to sessions.

	// EmptyPages serves, before every page, an empty page with the same
	// @odata.count and an @odata.nextLink to that page, as Graph does where
	// it filters after paging: a listing of n pages takes 2n requests.
	EmptyPages bool
	// MaxTop, when above 0, answers a $top above it with 400 BadRequest
	// and an OData error, as Graph collections with a largest page size do.
	// The message names MaxTop when MaxTopNamed is set, and only the $top
	// asked for otherwise.
	MaxTop      int
	MaxTopNamed bool
}

// topRefused is the answer to a $top above MaxTop, or nil.
func (q ListingQuirks) topRefused(opts queryOptions) *apiError {
	if q.MaxTop <= 0 || !opts.hasTop || opts.top <= q.MaxTop {
		return nil
	}
	if q.MaxTopNamed {
		// ASP.NET OData's words, which Graph passes on.
		return badRequest("The limit of '%d' for Top query has been exceeded. The value from the incoming request is '%d'.", q.MaxTop, opts.top)
	}
	return badRequest("The query specified in the URI is not valid: $top=%d is not supported on this collection.", opts.top)
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
