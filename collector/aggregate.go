package collector

import (
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// result is what one scrape learns about one workspace.
type result struct {
	sessions int64
	created  []int64 // per window, in config order
	active   []int64
	// Zero when unknown: an empty workspace, or only unset timestamps.
	newest, oldest, lastModified time.Time
}

// aggregate computes a result client-side from a full listing. It uses the
// same rule as the $filter queries, "timestamp ge window start", so both
// plans give the same numbers; timestamps Graph did not set (zero) count as
// sessions but fall in no window.
type aggregate struct {
	starts []time.Time
	res    result
}

func newAggregate(starts []time.Time) *aggregate {
	return &aggregate{starts: starts, res: result{
		created: make([]int64, len(starts)),
		active:  make([]int64, len(starts)),
	}}
}

func (a *aggregate) add(s graphclient.SessionTimes) {
	a.res.sessions++
	if !s.Created.IsZero() {
		for i, start := range a.starts {
			if !s.Created.Before(start) {
				a.res.created[i]++
			}
		}
		if a.res.newest.IsZero() || s.Created.After(a.res.newest) {
			a.res.newest = s.Created
		}
		if a.res.oldest.IsZero() || s.Created.Before(a.res.oldest) {
			a.res.oldest = s.Created
		}
	}
	if !s.LastModified.IsZero() {
		for i, start := range a.starts {
			if !s.LastModified.Before(start) {
				a.res.active[i]++
			}
		}
		if s.LastModified.After(a.res.lastModified) {
			a.res.lastModified = s.LastModified
		}
	}
}
