package graphclient

import (
	"context"
	"fmt"
	"sync"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

// SessionRequest is one GET of a workspace's sessions: Query, or, when Next
// is set, the continuation of a listing from an @odata.nextLink this
// SessionPages returned.
type SessionRequest struct {
	Next  string
	Query Query
	// Each, when set, receives the page's sessions as they are read,
	// instead of SessionPage.Sessions, so that a caller that keeps them in
	// a form of its own holds them once and no string is made of an id:
	// id, never empty, is valid only during the call. sizeHint is what the
	// page counts so far (capped at a page's largest size), 0 when
	// unknown. On an error the sessions handed over are not the page's.
	Each func(id []byte, times SessionTimes, sizeHint int)
	// Done, when set, is called as soon as a page answering the request
	// is read whole, from the goroutine that read it and before Fetch
	// returns: while the other pages of a round are still being read, a
	// caller can reduce what it holds of this one. last says the page has
	// no next link. A page Done was called for may still be answered with
	// an error (a next link that breaks the rules of package paging).
	Done func(last bool)
}

// SessionPage is Graph's answer to one SessionRequest, or the error that
// kept it from being read.
type SessionPage struct {
	Sessions []SessionRef
	Count    int64
	HasCount bool
	NextLink string
	Err      error
}

// maxPageHint bounds the sessions a page's slice is made for: Graph's
// largest page.
const maxPageHint = 1000

// SessionPages reads pages of one workspace's sessions for one read of it,
// through the pager: the caller (a plan) decides when to ask for each next
// page, and every listing's chain of next links follows the rules of
// package paging, so that a chain that repeats a page, leaves the endpoint
// or never ends fails.
type SessionPages struct {
	r    Reader
	path string

	mu     sync.Mutex
	chains map[string]*paging.Chain // by the next link that continues it
}

// Sessions returns a SessionPages of the workspace, reading through r.
func (r Reader) Sessions(workspaceID string) (*SessionPages, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return nil, err
	}
	return &SessionPages{r: r, path: path, chains: map[string]*paging.Chain{}}, nil
}

// Fetch sends the requests together (through a Batcher, in one round) and
// returns one page per request, in order. A page with no sessions but a
// next link is followed here, in further rounds, until a page holds
// sessions or ends the listing: that page is the answer, with its own
// @odata.count, as if Graph had served it first. The plan then never sees
// an empty page that is not the last, and a count's answer still holds
// the sessions it counted.
func (s *SessionPages) Fetch(ctx context.Context, reqs []SessionRequest) []SessionPage {
	out := make([]SessionPage, len(reqs))
	preqs := make([]pageReq, 0, len(reqs))
	chains := make([]*paging.Chain, 0, len(reqs))
	of := make([]int, 0, len(reqs))
	for i, req := range reqs {
		p, ch, err := s.page(req, &out[i])
		if err != nil {
			out[i].Err = err
			continue
		}
		preqs, chains, of = append(preqs, p), append(chains, ch), append(of, i)
	}
	for empty := 0; len(preqs) > 0; empty++ {
		var again []pageReq
		var againChains []*paging.Chain
		var againOf []int
		for k, res := range s.r.step(ctx, preqs) {
			p := &out[of[k]]
			if res.err != nil && empty > 0 {
				res.err = fmt.Errorf("after %d empty pages: %w", empty, res.err)
			}
			if res.err != nil {
				*p = SessionPage{Err: res.err}
				continue
			}
			p.Count, p.HasCount = res.meta.Count, res.meta.HasCount
			next, err := chains[k].Next(res.meta.NextLink)
			if err != nil {
				*p = SessionPage{Err: err}
				continue
			}
			if res.meta.Items == 0 && next != "" {
				again = append(again, pageReq{next: next, item: preqs[k].item, done: preqs[k].done})
				againChains, againOf = append(againChains, chains[k]), append(againOf, of[k])
				continue
			}
			p.NextLink = next
			if next != "" {
				s.mu.Lock()
				s.chains[next] = chains[k]
				s.mu.Unlock()
			}
		}
		preqs, chains, of = again, againChains, againOf
	}
	return out
}

// page is the pager's request of req, decoding sessions into p, and the
// chain it continues or starts.
func (s *SessionPages) page(req SessionRequest, p *SessionPage) (pageReq, *paging.Chain, error) {
	item := func(sc *scanner) error {
		// A page holds at most what is counted, at most what $top asks
		// (a count request asks for one session of thousands), and at
		// most the largest page Graph serves.
		hint := int(min(max(sc.count, 0), maxPageHint))
		if top := req.Query.Top; top > 0 {
			hint = min(hint, top)
		}
		r, err := readRawRef(sc, true)
		if err == nil && len(r.rawID) == 0 {
			err = fmt.Errorf("session without an id")
		}
		switch {
		case err != nil:
		case req.Each != nil:
			req.Each(r.rawID, r.times, hint)
		default:
			if p.Sessions == nil {
				p.Sessions = make([]SessionRef, 0, hint)
			}
			p.Sessions = append(p.Sessions, SessionRef{ID: string(r.rawID), SessionTimes: r.times})
		}
		return err
	}
	var done func(pageMeta)
	if req.Done != nil {
		done = func(m pageMeta) { req.Done(m.NextLink == "") }
	}
	if req.Next == "" {
		first := pageReq{path: s.path, q: req.Query, item: item, done: done}
		u, _ := s.r.c.firstURL(first)
		return first, paging.NewChain(u, s.r.c.checkNextLink), nil
	}
	s.mu.Lock()
	ch := s.chains[req.Next]
	s.mu.Unlock()
	if ch == nil {
		return pageReq{}, nil, fmt.Errorf("@odata.nextLink %q was not given by this read", truncate(req.Next, 80))
	}
	return pageReq{next: req.Next, item: item, done: done}, ch, nil
}
