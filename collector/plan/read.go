package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

const (
	// listingMemory is how long a workspace is listed after Graph refused or
	// ignored $filter. Whether Graph honours $filter is a property of the
	// service, not of a moment: asking again costs one request beside a
	// listing, so it is asked once a day, and a fallback taken by mistake
	// costs a day of listing, never more than listing.
	listingMemory = 24 * time.Hour
	// maxPerCall is how many requests one Fetch call carries at most: one
	// $batch of Graph's, always within what the engine sends in one round.
	maxPerCall = 20
)

// errFallBack says Graph did not honour $count or $filter; the workspace is
// listed instead. errNoCount, which wraps it, says Graph left out
// @odata.count: every listing asks for it, so no memory is needed to see
// it come back.
var (
	errFallBack = errors.New("graph did not honour $count or $filter")
	errNoCount  = fmt.Errorf("%w: no @odata.count with $count=true", errFallBack)
)

func fallBack(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errFallBack, fmt.Sprintf(format, args...))
}

// reader is one Read: the Source, the settings, and what it has learned and
// spent so far.
type reader struct {
	src     Source
	s       Settings
	page    int  // the page size Graph serves; 0 while unknown
	noCount bool // list without $count=true
	// first is the first page of an unfiltered listing this read asked for,
	// if any: a fallback to listing goes on from it.
	first *Page
	res   Result
	// seen holds every session of this read's listing of the whole
	// workspace, and firstPage the unfiltered first page's, when the read
	// has them: a partition for the next read is planned from them.
	seen      []Session
	firstPage []Session
}

// Read reads one workspace's numbers exactly, with the plan mem says fits
// it, and returns what to remember for the next read, also when it fails.
func Read(ctx context.Context, src Source, s Settings, mem Memory) (Result, Memory, error) {
	// Graph's timestamps have 100 ns ticks; so do the windows, so that a
	// count and a listing draw the same line.
	s.Now = s.Now.Truncate(tick)
	s.WindowStarts = slices.Clone(s.WindowStarts)
	for i := range s.WindowStarts {
		s.WindowStarts[i] = s.WindowStarts[i].Truncate(tick)
	}
	r := &reader{src: src, s: s, page: mem.Page, noCount: mem.NoCount}
	res, next, err := r.read(ctx, mem)
	if errors.Is(err, errFallBack) {
		why := err.Error()
		next = Memory{ListingUntil: s.Now.Add(listingMemory), NoCount: r.noCount}
		if errors.Is(err, errNoCount) {
			next = Memory{}
		}
		// The first page, when this read has one, is not asked again: the
		// round that found Graph out is all the fallback costs.
		res, err = r.listAll(ctx, r.first)
		res.Plan, res.FellBack = "listing", why
	}
	next.Page = r.page
	res.Requests, res.Rounds = r.res.Requests, r.res.Rounds
	if err != nil {
		// A counted workspace that failed starts its next read with one
		// request, as listing does: one that keeps failing costs no more.
		mem.Failed = mem.Failed || mem.Counted || mem.parts != nil
		return Result{Requests: res.Requests, Rounds: res.Rounds}, mem, err
	}
	return res, next, nil
}

func (r *reader) read(ctx context.Context, mem Memory) (Result, Memory, error) {
	if r.noCount || r.s.Now.Before(mem.ListingUntil) {
		res, err := r.listAll(ctx, nil)
		res.Plan = "listing"
		return res, Memory{ListingUntil: mem.ListingUntil, NoCount: r.noCount}, err
	}
	if mem.Counted && mem.Page > 0 && !mem.Failed {
		return r.counted(ctx, mem, nil)
	}
	if mem.parts != nil && mem.Honours && !mem.Failed {
		return r.partitioned(ctx, mem)
	}
	// A workspace that fits in one page is read whole from it: its page
	// may come summarized.
	reqs := []Request{{Count: true, Top: r.s.Top, Summary: r.summarizer()}}
	recheck := !mem.ListingUntil.IsZero()
	if recheck {
		// Listed because Graph did not honour $filter: ask again, beside
		// the first page.
		reqs = append(reqs, r.probe())
	}
	answers, err := r.fetch(ctx, reqs)
	if err != nil {
		return Result{}, mem, err
	}
	first, err := answers[0].Page, answers[0].Err
	if errors.Is(err, ErrRefused) {
		r.noCount = true
		return Result{}, Memory{}, fallBack("$count=true refused: %v", err)
	}
	if err != nil {
		return Result{}, mem, err
	}
	honours := mem.Honours
	if recheck {
		if honours = honoured(answers[1]); !honours {
			res, err := r.listAll(ctx, &first)
			res.Plan = "listing"
			return res, Memory{ListingUntil: r.s.Now.Add(listingMemory)}, err
		}
	}
	if first.NextLink == "" {
		res, err := r.listAll(ctx, &first)
		res.Plan = "one page"
		return res, Memory{Honours: honours}, err
	}
	r.learn(len(first.Sessions))
	if !first.HasCount {
		res, err := r.listAll(ctx, &first)
		res.Plan, res.FellBack = "listing", "graph answered $count=true without @odata.count"
		return res, Memory{Honours: honours}, err
	}
	pages := r.pages(first.Count)
	if pages <= r.countingFrom()+probesPerRound {
		// Listing costs no more than a first counted read, which searches
		// for the extremes, usually would, and it finds the extremes that
		// later counted reads check.
		if pages > r.countingFrom() && !honours {
			// The next read counts: whether Graph honours $filter is asked
			// now, with one request, rather than found out by a round of
			// counts wasted on top of a listing.
			a, err := r.fetch(ctx, []Request{r.probe()})
			if err != nil {
				return Result{}, mem, err
			}
			honours = honoured(a[0])
			if why := notHonoured(a[0]); why != "" {
				r.first = &first
				return Result{}, Memory{}, fallBack("%s", why)
			}
		}
		res, err := r.listAll(ctx, &first)
		res.Plan = "listing"
		next := r.remember(res, pages, honours)
		if err == nil && !next.Counted {
			next, res.FellBack, err = r.partitionNext(ctx, next, mem.unparted)
		}
		return res, next, err
	}
	r.first = &first
	if !mem.Counted {
		mem = Memory{}
	}
	// A counted workspace whose last read failed keeps its checks.
	return r.counted(ctx, mem, &first)
}

// remember keeps a listed workspace's extremes when it is large enough that
// the next read counts, and Graph honours $filter; otherwise the next read
// starts with the first page again.
func (r *reader) remember(res Result, pages int64, honours bool) Memory {
	if pages <= r.countingFrom() || !honours {
		return Memory{Honours: honours}
	}
	return Memory{Counted: true, Honours: true, Newest: res.Newest, Oldest: res.Oldest, LastModified: res.LastModified}
}

// partitionNext plans the partition the next read of a listed workspace
// uses, when one fits. Ranges need $filter: while Graph is not known to
// honour it, it is asked now, with one request, once.
func (r *reader) partitionNext(ctx context.Context, next Memory, unparted time.Time) (Memory, string, error) {
	if r.s.Now.Before(unparted) {
		next.unparted = unparted
		return next, "", nil
	}
	p := r.plan()
	if p == nil {
		return next, "", nil
	}
	if !next.Honours {
		a, err := r.fetch(ctx, []Request{r.probe()})
		if err != nil {
			return next, "", err
		}
		if why := notHonoured(a[0]); why != "" {
			return Memory{ListingUntil: r.s.Now.Add(listingMemory)}, why, nil
		}
		if next.Honours = honoured(a[0]); !next.Honours {
			return next, "", nil
		}
	}
	next.parts = p
	return next, "", nil
}

// countingFrom is the number of pages beyond which a workspace is counted:
// what a counted read costs when its checks settle the extremes (the total,
// two counts per window and three checks), and two rounds of searching for
// the extremes they do not, so that counting never costs more than listing.
func (r *reader) countingFrom() int64 { return int64(2*len(r.s.WindowStarts) + 4 + 2*probesPerRound) }

// pages is what listing n sessions costs at the served page size.
func (r *reader) pages(n int64) int64 {
	p := int64(max(r.page, 1))
	return max(1, (n+p-1)/p)
}

// learn records the size of a page that has a next one.
func (r *reader) learn(n int) {
	if n > 0 {
		r.page = n
	}
}

// fetch sends one round.
func (r *reader) fetch(ctx context.Context, reqs []Request) ([]Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.res.Requests += len(reqs)
	r.res.Rounds++
	answers := r.src.Fetch(ctx, reqs)
	if len(answers) != len(reqs) {
		return nil, fmt.Errorf("source answered %d of %d requests", len(answers), len(reqs))
	}
	return answers, nil
}

func (r *reader) one(ctx context.Context, req Request) (Page, error) {
	a, err := r.fetch(ctx, []Request{req})
	if err != nil {
		return Page{}, err
	}
	return a[0].Page, a[0].Err
}
