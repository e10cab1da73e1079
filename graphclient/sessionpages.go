package graphclient

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// SessionRequest is one GET of a workspace's sessions: Query, or, when Next
// is set, the continuation of a listing from an @odata.nextLink this
// SessionPages returned.
type SessionRequest struct {
	Next  string
	Query Query
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

// SessionPages reads pages of one workspace's sessions for one read of it.
// It follows each listing's chain of nextLinks, so that a chain that
// repeats a page, leaves the endpoint or never ends fails.
type SessionPages struct {
	r    Reader
	path string

	mu     sync.Mutex
	chains map[string]*chain // by the nextLink that continues the chain
}

type chain struct {
	seen  map[string]bool
	pages int
}

// Sessions returns a SessionPages of the workspace, reading through r.
func (r Reader) Sessions(workspaceID string) (*SessionPages, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return nil, err
	}
	return &SessionPages{r: r, path: path, chains: map[string]*chain{}}, nil
}

// Fetch sends the requests together (through a Batcher, in one round) and
// returns one page per request, in order.
func (s *SessionPages) Fetch(ctx context.Context, reqs []SessionRequest) []SessionPage {
	out := make([]SessionPage, len(reqs))
	calls := make([]*pageCall, 0, len(reqs))
	chains := make([]*chain, 0, len(reqs))
	of := make([]int, 0, len(reqs))
	for i, req := range reqs {
		call, ch, err := s.call(req, &out[i])
		if err != nil {
			out[i].Err = err
			continue
		}
		calls, chains, of = append(calls, call), append(chains, ch), append(of, i)
	}
	s.r.f.fetch(ctx, calls)
	for k, call := range calls {
		p := &out[of[k]]
		if call.err != nil {
			*p = SessionPage{Err: call.err}
			continue
		}
		p.Count, p.HasCount, p.NextLink = call.meta.Count, call.meta.HasCount, call.meta.NextLink
		if p.NextLink != "" {
			if err := s.follow(chains[k], p.NextLink); err != nil {
				*p = SessionPage{Err: err}
			}
		}
	}
	return out
}

// call builds the GET of req, decoding sessions into p.
func (s *SessionPages) call(req SessionRequest, p *SessionPage) (*pageCall, *chain, error) {
	item := func(dec *json.Decoder) error {
		ref, err := decodeSessionRef(dec)
		if err == nil {
			p.Sessions = append(p.Sessions, ref)
		}
		return err
	}
	if req.Next == "" {
		u := s.r.c.url(s.path, req.Query)
		return &pageCall{url: u, item: item}, &chain{seen: map[string]bool{u: true}}, nil
	}
	s.mu.Lock()
	ch := s.chains[req.Next]
	s.mu.Unlock()
	if ch == nil {
		return nil, nil, fmt.Errorf("@odata.nextLink %q was not given by this read", truncate(req.Next, 80))
	}
	return &pageCall{url: req.Next, item: item}, ch, nil
}

// follow checks a nextLink and makes it continue its chain.
func (s *SessionPages) follow(ch *chain, next string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch.pages++; ch.pages >= maxPages {
		return fmt.Errorf("listing did not end after %d pages", maxPages)
	}
	if err := s.r.c.checkNextLink(next, ch.seen); err != nil {
		return err
	}
	s.chains[next] = ch
	return nil
}
