package auditusage

import (
	"sort"
	"time"
)

// Interval is a half-open span of whole hours [Start, End), UTC.
type Interval struct {
	Start, End time.Time
}

// Hours is how many hours the interval spans.
func (iv Interval) Hours() int { return int(iv.End.Sub(iv.Start) / time.Hour) }

// Valid reports whether the interval is non-empty and hour-aligned.
func (iv Interval) Valid() bool {
	return iv.End.After(iv.Start) && iv.Start.Equal(Hour(iv.Start)) && iv.End.Equal(Hour(iv.End))
}

// Split halves the interval on an hour; an interval of one hour cannot be
// split and comes back alone.
func (iv Interval) Split() []Interval {
	h := iv.Hours()
	if h < 2 {
		return []Interval{iv}
	}
	mid := iv.Start.Add(time.Duration(h/2) * time.Hour)
	return []Interval{{iv.Start, mid}, {mid, iv.End}}
}

// Hour truncates t to its hour, in UTC.
func Hour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// Store holds the records read so far in per-hour buckets, keyed by record
// id, and the hours a finished query covered. A record lands in the hour
// of its createdDateTime, so a record read twice replaces itself.
type Store struct {
	buckets map[time.Time]map[string]Record
	covered map[time.Time]bool
	// names holds one copy of each account, surface, session, operation
	// and plugin name the records share: a month of a busy tenant's
	// records repeats a few hundred of them. Prune rebuilds it.
	names map[string]string
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{buckets: map[time.Time]map[string]Record{}, covered: map[time.Time]bool{}, names: map[string]string{}}
}

func (s *Store) intern(v string) string {
	if w, ok := s.names[v]; ok {
		return w
	}
	s.names[v] = v
	return v
}

// shared returns r with its strings interned.
func (s *Store) shared(r Record) Record {
	r.Operation, r.User, r.Surface, r.Session = s.intern(r.Operation), s.intern(r.User), s.intern(r.Surface), s.intern(r.Session)
	if len(r.Plugins) > 0 {
		plugins := make([]string, len(r.Plugins))
		for i, p := range r.Plugins {
			plugins[i] = s.intern(p)
		}
		r.Plugins = plugins
	}
	return r
}

// Add records what a finished query over iv read, and marks iv's hours
// covered. Records are added to what earlier queries read, never replace
// it: the audit log does not delete records, so a record missing from a
// re-query was missed by that paging, not removed. A record outside iv
// (the end behaved as exclusive in one test, not in all) is kept in its
// own hour, which stays uncovered unless a query covers it.
func (s *Store) Add(iv Interval, recs []Record) {
	for _, r := range recs {
		if r.Kind == Other {
			continue
		}
		h := Hour(r.Time)
		b := s.buckets[h]
		if b == nil {
			b = map[string]Record{}
			s.buckets[h] = b
		}
		b[r.ID] = s.shared(r)
	}
	for h := iv.Start; h.Before(iv.End); h = h.Add(time.Hour) {
		s.covered[h] = true
	}
}

// Covered reports whether every hour of iv was covered by a finished query.
func (s *Store) Covered(iv Interval) bool {
	for h := iv.Start; h.Before(iv.End); h = h.Add(time.Hour) {
		if !s.covered[h] {
			return false
		}
	}
	return true
}

// NewestEnd is the end of the newest covered hour: the age of the data.
// It is zero when nothing is covered.
func (s *Store) NewestEnd() time.Time {
	var end time.Time
	for h := range s.covered {
		if e := h.Add(time.Hour); e.After(end) {
			end = e
		}
	}
	return end
}

// CoveredEnd is the end of the contiguous covered run that reaches back
// from NewestEnd at least to since; zero when the hours since since are
// not covered without a gap. The planner queries from there on.
func (s *Store) CoveredEnd(since time.Time) time.Time {
	since = Hour(since)
	if !s.covered[since] {
		return time.Time{}
	}
	h := since
	for s.covered[h] {
		h = h.Add(time.Hour)
	}
	return h
}

// Prune forgets the hours before t: they are outside every window.
func (s *Store) Prune(t time.Time) {
	t = Hour(t)
	for h := range s.buckets {
		if h.Before(t) {
			delete(s.buckets, h)
		}
	}
	for h := range s.covered {
		if h.Before(t) {
			delete(s.covered, h)
		}
	}
	s.names = map[string]string{}
	for _, b := range s.buckets {
		for id, r := range b {
			b[id] = s.shared(r)
		}
	}
}

// Len is how many records the Store holds.
func (s *Store) Len() int {
	n := 0
	for _, b := range s.buckets {
		n += len(b)
	}
	return n
}

// records returns the records of the hours of iv.
func (s *Store) records(iv Interval) []Record {
	var out []Record
	for h := iv.Start; h.Before(iv.End); h = h.Add(time.Hour) {
		for _, r := range s.buckets[h] {
			out = append(out, r)
		}
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
