package auditusage

import (
	"errors"
	"time"
)

// Documented limits of the audit log query API.
const (
	// DocumentedSubmissionsPerDay is the least number of query submissions
	// per tenant per 24 hours Graph's throttling page promises.
	DocumentedSubmissionsPerDay = 200
	// DocumentedActive is the least number of queries a tenant may have
	// queued or running.
	DocumentedActive = 50
	// MaxQuerySpan is the longest window one query may cover.
	MaxQuerySpan = 180 * 24 * time.Hour
)

// Budget bounds what the reader submits. The defaults stay well inside
// the documented limits, which other tools of the tenant share.
type Budget struct {
	PerDay    int // submissions in any trailing 24 hours
	MaxActive int // queries queued or running at once
}

// PlanConfig is what the planner is told.
type PlanConfig struct {
	// Delay is how far before now the newest queried interval ends:
	// records arrive 60 to 90 minutes after the event, often later.
	Delay time.Duration
	// Overlap is how much of what was covered each query asks again, for
	// records that arrived after their hour was first queried.
	Overlap time.Duration
	// Lookback is the longest window: after a restart it is refilled once.
	Lookback time.Duration
	Budget   Budget
}

// Why says why the planner has nothing to submit.
type Why int

// Reasons for not submitting.
const (
	Due           Why = iota // an interval is due
	UpToDate                 // every closed hour of the lookback is covered
	BudgetSpent              // the per-day budget is spent
	TooManyActive            // MaxActive queries are queued or running
)

// ErrUnsplittable says a truncated interval of one hour cannot be split.
var ErrUnsplittable = errors.New("audit query of one hour was truncated and cannot be split")

// Planner decides which interval to query next, and keeps the budget.
// It is not safe for concurrent use; one reader owns it.
type Planner struct {
	cfg    PlanConfig
	subs   []time.Time // submissions of the trailing 24 hours, oldest first
	active int
	queue  []Interval // halves of truncated intervals, queried first
}

// NewPlanner returns a Planner; a budget of zero or less is clamped to 1.
func NewPlanner(cfg PlanConfig) *Planner {
	cfg.Budget.PerDay = max(cfg.Budget.PerDay, 1)
	cfg.Budget.MaxActive = max(cfg.Budget.MaxActive, 1)
	cfg.Lookback = min(max(hoursCeil(cfg.Lookback), time.Hour), MaxQuerySpan)
	return &Planner{cfg: cfg}
}

// Next returns the interval to query now, or why there is none. It ends
// at the last whole hour at least Delay before now, and starts at the
// first hour of the lookback no query covered yet, less the overlap; a
// restart, with nothing covered, so refills the whole lookback once. The
// halves of a truncated interval come first.
func (p *Planner) Next(now time.Time, s *Store) (Interval, Why) {
	end := Hour(now.Add(-p.cfg.Delay))
	from := end.Add(-p.cfg.Lookback)
	p.dropQueuedBefore(from)
	iv, ok := Interval{}, false
	if len(p.queue) > 0 {
		iv, ok = p.queue[0], true
	} else {
		iv, ok = p.fresh(from, end, s)
	}
	switch {
	case !ok:
		return Interval{}, UpToDate
	case p.active >= p.cfg.Budget.MaxActive:
		return Interval{}, TooManyActive
	case p.spent(now) >= p.cfg.Budget.PerDay:
		return Interval{}, BudgetSpent
	}
	return iv, Due
}

func (p *Planner) fresh(from, end time.Time, s *Store) (Interval, bool) {
	first := from
	for first.Before(end) && s.covered[first] {
		first = first.Add(time.Hour)
	}
	if !first.Before(end) {
		return Interval{}, false
	}
	start := Hour(first.Add(-p.cfg.Overlap))
	if start.Before(from) {
		start = from
	}
	return Interval{start, end}, true
}

func (p *Planner) dropQueuedBefore(from time.Time) {
	kept := p.queue[:0]
	for _, iv := range p.queue {
		if iv.End.After(from) {
			kept = append(kept, iv)
		}
	}
	p.queue = kept
}

// spent is how many submissions the trailing 24 hours hold.
func (p *Planner) spent(now time.Time) int {
	cut := now.Add(-24 * time.Hour)
	i := 0
	for i < len(p.subs) && !p.subs[i].After(cut) {
		i++
	}
	p.subs = p.subs[i:]
	return len(p.subs)
}

// Spent is how many submissions the trailing 24 hours hold.
func (p *Planner) Spent(now time.Time) int { return p.spent(now) }

// Submit records that a query is about to be created. Every attempt
// counts, a refused one (429) too: the budget is Graph's, not ours. It
// fails, and records nothing, when the budget does not allow one more.
func (p *Planner) Submit(now time.Time) error {
	if p.active >= p.cfg.Budget.MaxActive {
		return errors.New("audit query budget: too many queries active")
	}
	if p.spent(now) >= p.cfg.Budget.PerDay {
		return errors.New("audit query budget: daily submissions spent")
	}
	p.subs = append(p.subs, now)
	p.active++
	return nil
}

// Outcome is how a submitted query ended.
type Outcome int

// Query outcomes.
const (
	Succeeded Outcome = iota // records read in full; the caller adds them to the Store
	Truncated                // the result hit its record limit: query each half
	Failed                   // failed, cancelled, timed out or unreadable: query again later
)

// Finish records how the query of iv ended; every Submit is followed by
// one Finish. A truncated interval is replaced by its halves, queried
// next; a truncated hour cannot be split and gives ErrUnsplittable.
func (p *Planner) Finish(iv Interval, o Outcome) error {
	p.active = max(p.active-1, 0)
	queued := len(p.queue) > 0 && p.queue[0] == iv
	switch o {
	case Succeeded:
		if queued {
			p.queue = p.queue[1:]
		}
	case Truncated:
		if queued {
			p.queue = p.queue[1:]
		}
		if iv.Hours() < 2 {
			return ErrUnsplittable
		}
		p.queue = append(iv.Split(), p.queue...)
	}
	return nil
}

// Queued is how many split intervals wait.
func (p *Planner) Queued() int { return len(p.queue) }
