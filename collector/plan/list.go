package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

// errChanged says the sessions changed while a listing paged through them.
var errChanged = errors.New("the sessions changed during the listing")

// listAll lists the whole workspace into a Result, once more if it changed
// during the listing; first, when not nil, is its first page, already read.
func (r *reader) listAll(ctx context.Context, first *Page) (Result, error) {
	var err error
	for range 2 {
		if first != nil && first.Summary != nil {
			// The page ended the listing and came summarized: it is what
			// listing it makes of it. Nothing of it is kept to plan a
			// partition, which a workspace of one page never has.
			r.seen, r.firstPage = nil, nil
			var res Result
			if res, err = first.listed(); !errors.Is(err, errChanged) {
				return res, err
			}
			first = nil
			continue
		}
		t := newTally(r.s.WindowStarts)
		// The sessions are kept, for planning a partition, while a
		// partition could read them: up to a round of served pages. A
		// page's sessions are kept as the page holds them, not copied.
		var pages [][]Session
		n, over := 0, false
		keep := func(sessions []Session) {
			for _, s := range sessions {
				t.add(s)
			}
			if over {
				return
			}
			if n += len(sessions); n > maxPerCall*max(r.page, 1) {
				pages, over = nil, true
				return
			}
			pages = append(pages, sessions)
		}
		if err = r.list(ctx, nil, first, keep); !errors.Is(err, errChanged) {
			r.seen = nil
			if !over {
				r.seen = slices.Concat(pages...)
				if len(pages) == 1 {
					r.seen = pages[0]
				}
			}
			return t.res, err
		}
		first = nil
	}
	return Result{}, fmt.Errorf("listed twice: %w", err)
}

// list hands every session matching f to visit, once each, a page at a
// time, and fails with errChanged when the pages do not add up to one state
// of the workspace. visit gets the page's own slice when the page repeats
// no session, and must not change it.
//
// Graph may page by offset: a session created during the listing can shift
// one already listed onto the next page (listed twice), and a deleted one
// can shift one not yet listed onto the page already read (never listed).
// Twice is harmless: sessions are told apart by id. Never is not, and
// only @odata.count shows it: the listing is accepted only when every page
// that carries a count carries the same one, and exactly that many distinct
// sessions were listed. Without @odata.count a deletion during a listing of
// several pages cannot be seen by any client.
//
// The pages follow the rules of package paging, as every listing does: a
// page with no sessions but a next link is followed, a listing ends within
// paging.MaxPages pages, and a next link never comes twice. (The Source
// checks where a link leads.) With @odata.count, no more pages can hold
// sessions than there are sessions.
func (r *reader) list(ctx context.Context, f Filter, first *Page, visit func([]Session)) error {
	page := first
	if page == nil {
		p, err := r.one(ctx, Request{Filter: f, Count: !r.noCount, Top: r.s.Top})
		if err != nil {
			return err
		}
		page = &p
	}
	hasCount, count := page.HasCount, page.Count
	if f == nil {
		r.firstPage = page.Sessions
	}
	seen := r.s.Scratch.idSet()
	defer r.s.Scratch.release(seen)
	chain := paging.NewChain("", nil)
	for full := 0; ; {
		if page.HasCount && (!hasCount || page.Count != count) {
			return fmt.Errorf("%w: @odata.count went from %d to %d", errChanged, count, page.Count)
		}
		fresh, err := distinct(page.Sessions, f, seen)
		if err != nil {
			return err
		}
		visit(fresh)
		if len(page.Sessions) > 0 {
			full++
		}
		next, err := chain.Next(page.NextLink)
		if err != nil {
			return err
		}
		if next == "" {
			break
		}
		if hasCount && int64(full) > count {
			return fmt.Errorf("listing does not end: %d pages held sessions, @odata.count says %d", full, count)
		}
		r.learn(len(page.Sessions))
		p, err := r.one(ctx, Request{Next: next})
		if err != nil {
			return fmt.Errorf("page %d of the listing: %w", chain.Pages()+1, err)
		}
		page = &p
	}
	if hasCount && int64(len(seen)) != count {
		return fmt.Errorf("%w: %d sessions listed, @odata.count says %d", errChanged, len(seen), count)
	}
	return nil
}

// distinct adds the sessions of a page to seen and returns those not seen
// before: the page itself when it repeats none. It fails on a session
// without an id, and on one that does not match f.
func distinct(page []Session, f Filter, seen map[ID]struct{}) ([]Session, error) {
	fresh, copied := page, false
	for i, s := range page {
		if s.ID.IsZero() {
			return nil, errors.New("a listed session has no id")
		}
		if !f.Matches(s) {
			return nil, fallBack("$filter %v ignored: a listed session does not match it", f)
		}
		if _, dup := seen[s.ID]; dup {
			if !copied {
				fresh, copied = slices.Clone(page[:i]), true
			}
			continue
		}
		seen[s.ID] = struct{}{}
		if copied {
			fresh = append(fresh, s)
		}
	}
	return fresh, nil
}
