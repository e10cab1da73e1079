package graphclient

import (
	"context"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

// The pager: every collection the client reads (workspaces, sessions,
// prompts, evaluations, and what is listed next) is read in steps of
// pageReqs. A step sends its pages together (one round through a
// Batcher), learns the largest $top Graph accepts when it refuses one
// (top.go), and decodes each page as a stream. Between steps, each
// listing's next link goes through the rules of package paging, with
// checkNextLink as their Check.

// pageReq is one page to read: a first page, built from its collection's
// path and query so that its $top can be lowered, or the continuation of a
// listing at next.
type pageReq struct {
	path string // escaped, under the endpoint
	q    Query
	next string
	item itemFunc
	// done, when set, is called with the page's metadata as soon as the
	// page is read whole and well, from the goroutine that read it.
	done func(pageMeta)
}

// pageResult is what reading a page gave.
type pageResult struct {
	meta pageMeta
	err  error
}

// firstURL is the URL a first page is asked at, with the $top the
// collection accepts, and that $top.
func (c *Client) firstURL(p pageReq) (string, int) {
	q := p.q
	q.Top = c.tops.clamp(p.path, q.Top)
	return c.url(p.path, q), q.Top
}

// step reads the pages together and answers each, in order.
func (r Reader) step(ctx context.Context, reqs []pageReq) []pageResult {
	calls := make([]*pageCall, len(reqs))
	tops := make([]int, len(reqs))
	for i, p := range reqs {
		u := p.next
		if u == "" {
			u, tops[i] = r.c.firstURL(p)
		}
		calls[i] = &pageCall{url: u, item: p.item, done: p.done}
	}
	r.f.fetch(ctx, calls)
	out := make([]pageResult, len(reqs))
	var refused []int
	for i, call := range calls {
		out[i] = pageResult{meta: call.meta, err: call.err}
		p := reqs[i]
		if p.next != "" {
			continue
		}
		if call.err == nil {
			r.c.tops.accept(p.path, tops[i])
		} else if r.c.tops.mayBeTop(p.path, tops[i], call.err) {
			refused = append(refused, i)
		}
	}
	if len(refused) > 0 {
		r.lowerTop(ctx, reqs, refused, tops, out)
	}
	return out
}

// list reads whole collections side by side, each from its first page,
// handing every item to its decoder, and returns how many pages it read;
// first, when not nil, receives what each first page said of itself.
func (r Reader) list(ctx context.Context, firsts []pageReq, first []pageMeta) (int, error) {
	urls := make([]string, len(firsts))
	for i, p := range firsts {
		urls[i], _ = r.c.firstURL(p)
	}
	started, read := false, 0
	err := paging.Each(ctx, urls, r.c.checkNextLink, func(ctx context.Context, pages []paging.Request) []paging.Answer {
		reqs := make([]pageReq, len(pages))
		for k, pg := range pages {
			if reqs[k] = firsts[pg.Listing]; started {
				reqs[k] = pageReq{next: pg.URL, item: firsts[pg.Listing].item}
			}
		}
		results := r.step(ctx, reqs)
		read += len(results)
		out := make([]paging.Answer, len(pages))
		for k, res := range results {
			out[k] = paging.Answer{Next: res.meta.NextLink, Err: res.err}
			if !started && first != nil && res.err == nil {
				first[pages[k].Listing] = res.meta
			}
		}
		started = true
		return out
	})
	return read, err
}

// listEach lists several collections side by side and returns the items
// of each in order, or the first error.
func listEach[T any](ctx context.Context, r Reader, firsts []pageReq, decode func(*scanner) (T, error)) ([][]T, error) {
	out := make([][]T, len(firsts))
	for i := range firsts {
		firsts[i].item = func(s *scanner) error {
			v, err := decode(s)
			if err == nil {
				out[i] = append(out[i], v)
			}
			return err
		}
	}
	if _, err := r.list(ctx, firsts, nil); err != nil {
		return nil, err
	}
	return out, nil
}
