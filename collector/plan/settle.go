package plan

import (
	"context"
	"errors"
	"fmt"
)

const (
	// probesPerRound is how many counts one search asks per round.
	probesPerRound = 8
	// boundedProbes is how many counts a search asks per round once its
	// bracket is known at both ends.
	boundedProbes = 4
	// maxRounds bounds a search: splitting by 9 each round narrows the whole
	// range of DateTimeOffset to one tick in 20 rounds.
	maxRounds = 40
	// maxFits is how many rounds a search places its probes by the age fit
	// alone, before it splits its bracket whatever the counts.
	maxFits = 3
)

// ask says which search an answer is for, at which position.
type ask struct {
	s *search
	x int64
}

// round is the requests of one Fetch call and the searches their answers
// inform.
type round struct {
	reqs []Request
	asks [][]ask
}

func (rd *round) add(req Request, asks ...ask) int {
	rd.reqs = append(rd.reqs, req)
	rd.asks = append(rd.asks, asks)
	return len(rd.reqs) - 1
}

// send fetches the round and checks that every answer is a count Graph
// honoured; it hands each answer to the searches that asked for it.
func (r *reader) send(ctx context.Context, rd *round) ([]Page, error) {
	answers, err := r.fetch(ctx, rd.reqs)
	if err != nil {
		return nil, err
	}
	pages := make([]Page, len(answers))
	for i, a := range answers {
		req, p := rd.reqs[i], a.Page
		switch {
		case errors.Is(a.Err, ErrRefused):
			return nil, fallBack("$filter %v refused: %v", req.Filter, a.Err)
		case a.Err != nil:
			return nil, a.Err
		case !p.HasCount:
			return nil, errNoCount
		case p.Count < int64(len(p.Sessions)):
			return nil, fmt.Errorf("@odata.count %d is less than the %d sessions in the same answer", p.Count, len(p.Sessions))
		}
		for _, s := range p.Sessions {
			if !req.Filter.Matches(s) {
				return nil, fallBack("$filter %v ignored: the answer holds a session that does not match it", req.Filter)
			}
		}
		pages[i] = p
	}
	for i, p := range pages {
		for _, a := range rd.asks[i] {
			a.s.observe(a.x, p, r.res.Rounds, rd.reqs[i].Top != 1)
		}
	}
	return pages, nil
}

func (r *reader) count(f Filter, top int) Request {
	return Request{Filter: f, Count: true, Top: top}
}

// settle runs the searches that the counted round did not settle, side by
// side in shared rounds, while the read stays within budget requests;
// beyond that, or when counts disagree, each lists the sessions beyond the
// last position known to hold more than a page.
func (r *reader) settle(ctx context.Context, searches []*search, budget int64) error {
	page := int64(max(r.page, 1))
	for range maxRounds {
		// A position holding 1 to a page of sessions ends a search: its page
		// is asked in this round, or listed when it was asked so already.
		var active []*search
		var rd round
		for _, s := range searches {
			x, ok := s.hit(page)
			switch {
			case s.done:
			case ok && !s.pts[x].paged:
				rd.add(r.count(s.ax.at(x), r.s.Top), ask{s, x})
			case ok:
				if err := r.listExtreme(ctx, s, x); err != nil {
					return err
				}
			default:
				active = append(active, s)
			}
		}
		if len(active) == 0 && len(rd.reqs) == 0 {
			return nil
		}
		// Keep room to list each search's bracket if the round does not end
		// it, and spend the rest on the round.
		var reserve int64
		for _, s := range active {
			reserve += r.pages(s.width(page))
		}
		// When there is no room for a probe beside it, the brackets are
		// listed now; when even listing them is beyond the budget, probing
		// is the better bet.
		per, left := int64(min(probesPerRound, maxPerCall/max(len(active), 1))), budget-int64(r.res.Requests)-int64(len(rd.reqs))
		switch n := int64(max(len(active), 1)); {
		case left-reserve >= n:
			per = min(per, (left-reserve)/n)
		case reserve <= left:
			per = 0
		default:
			per = min(per, left/n)
		}
		for _, s := range active {
			xs := []int64(nil)
			if per >= 1 {
				xs = s.next(int(per), page)
			}
			if len(xs) == 0 && !s.done {
				_, b, _, _, _ := s.bracket(page)
				if err := r.listExtreme(ctx, s, min(b, s.ax.hi())); err != nil {
					return err
				}
			}
			for _, x := range xs {
				rd.add(r.count(s.ax.at(x), r.s.Top), ask{s, x})
			}
		}
		if len(rd.reqs) > 0 {
			if _, err := r.send(ctx, &rd); err != nil {
				return err
			}
		}
	}
	return errors.New("the search for the newest and oldest session did not converge")
}

// width is how many sessions listing the search's bracket would read, when
// a count bounds it.
func (s *search) width(page int64) int64 {
	_, _, cb, _, _ := s.bracket(page)
	return max(cb, 0)
}

// listExtreme lists the sessions at position x and beyond, which ends the
// search if there are any; if not, x is known empty.
func (r *reader) listExtreme(ctx context.Context, s *search, x int64) error {
	top := &topK{ax: s.ax, k: s.k}
	keep := func(page []Session) {
		for _, ss := range page {
			top.add(ss.Get(s.ax.prop))
		}
	}
	err := r.list(ctx, s.ax.at(x), nil, keep)
	if errors.Is(err, errChanged) {
		top = &topK{ax: s.ax, k: s.k}
		err = r.list(ctx, s.ax.at(x), nil, keep)
	}
	if err != nil {
		return err
	}
	if len(top.top) > 0 {
		s.finishTop(top.top)
		s.tied = top.held() > max(r.page, 1)
		return nil
	}
	s.pts[x] = point{count: 0, round: r.res.Rounds}
	return nil
}
