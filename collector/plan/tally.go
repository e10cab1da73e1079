package plan

import "time"

// tally computes a Result from listed sessions with the same rule as the
// $filter queries, "timestamp ge window start": a timestamp Graph did not set
// counts as a session but falls in no window and is never an extreme; one in
// the future falls in every window.
type tally struct {
	starts []time.Time
	res    Result
}

func newTally(starts []time.Time) *tally {
	return &tally{starts: starts, res: Result{
		Created: make([]int64, len(starts)),
		Active:  make([]int64, len(starts)),
	}}
}

func (t *tally) add(s Session) {
	t.res.Sessions++
	if c := s.Created; !c.IsZero() {
		inWindows(t.res.Created, t.starts, c)
		t.res.Newest = later(t.res.Newest, c)
		if t.res.Oldest.IsZero() || c.Before(t.res.Oldest) {
			t.res.Oldest = c
		}
	}
	if m := s.LastModified; !m.IsZero() {
		inWindows(t.res.Active, t.starts, m)
		t.res.LastModified = later(t.res.LastModified, m)
	}
}

func inWindows(counts []int64, starts []time.Time, t time.Time) {
	for i, start := range starts {
		if !t.Before(start) {
			counts[i]++
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
