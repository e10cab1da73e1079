package plan

import (
	"errors"
	"fmt"
	"time"
)

// A read of a workspace that fits in one page needs of that page only
// what a listing makes of it: the numbers, how many distinct sessions it
// holds, and whether one has no id. A Source that reads the pages of many
// workspaces in one round can reduce such a page to that as soon as the
// page is read, rather than hold its sessions until the whole round is,
// when the Request carries a Summarizer.

// Summarizer reduces the sessions of a page that ends its listing to a
// Summary, with the read's windows.
type Summarizer struct {
	starts  []time.Time
	scratch *Scratch
}

// Summary stands for the sessions of a page without a next link.
type Summary struct {
	res      Result // the tally of the distinct sessions
	distinct int64
	err      error // a session without an id
}

// Of returns the summary of a page's sessions. It is what list makes of
// the first page of an unfiltered listing, and safe for concurrent use.
func (z *Summarizer) Of(sessions []Session) *Summary {
	seen := z.scratch.idSet()
	defer z.scratch.release(seen)
	fresh, err := distinct(sessions, nil, seen)
	if err != nil {
		return &Summary{err: err}
	}
	t := newTally(z.starts)
	for _, s := range fresh {
		t.add(s)
	}
	return &Summary{res: t.res, distinct: int64(len(seen))}
}

// summarizer is the Summarizer of this read.
func (r *reader) summarizer() *Summarizer {
	return &Summarizer{starts: r.s.WindowStarts, scratch: r.s.Scratch}
}

// listed is list of a first page that ends the listing and came as a
// summary: its numbers, or the error list would have found.
func (p *Page) listed() (Result, error) {
	s := p.Summary
	if p.NextLink != "" {
		return Result{}, errors.New("the source summarized a page that has a next link")
	}
	if s.err != nil {
		return Result{}, s.err
	}
	if p.HasCount && s.distinct != p.Count {
		return Result{}, fmt.Errorf("%w: %d sessions listed, @odata.count says %d", errChanged, s.distinct, p.Count)
	}
	return s.res, nil
}
