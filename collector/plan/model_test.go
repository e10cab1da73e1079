package plan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// model is an in-memory Graph serving one workspace's sessions, configured
// to behave in one of the ways Graph may. It pages by offset, at the
// instant each page is asked for, and counts what the plan costs.
type model struct {
	sessions []Session
	order    map[string]int // arbitrary order: a key drawn at creation
	b        behaviour
	rng      *rand.Rand
	nextID   int

	requests, calls int
	widest          int // the most requests in one Fetch call
	cursors         map[string]cursor
	// between runs after every Fetch call: the workspace changing while a
	// read is under way.
	between func()
	// seen holds the truth at each instant a read's answers saw, for the
	// checks; the test resets it before each read.
	seen []truth
	now  time.Time
	log  func(format string, args ...any) // logs every request when set
	ends []time.Duration                  // window lengths
	// The sessions a filter matched, in order, while nothing changed: the
	// pages of one listing share them.
	version   int
	lastKey   string
	lastMatch []Session
}

// behaviour is how the modelled Graph answers.
type behaviour struct {
	page         int  // most items it serves on a page, whatever $top says; 0: no cap
	ignoreTop    bool // serves page items on every page, whatever $top says
	noCount      bool // never sends @odata.count
	refuseFilter bool // answers any $filter with ErrRefused
	ignoreFilter bool // answers as if there were no $filter
	// answers as if the $filter had no condition on lastModifiedDateTime
	ignoreModified bool
	order          order // the order it lists sessions in
	// fail answers every request with an error that is no refusal, as
	// Graph does for a deleted workspace (404): listing fails on its first
	// page, so it costs one request.
	fail bool
	// summarize answers a request that carries a Summarizer with a
	// summary when the page has no next link, as the exporter's Source
	// does.
	summarize bool
}

type order int

const (
	newestFirst order = iota
	oldestFirst
	arbitrary
)

func (o order) String() string { return [...]string{"newest-first", "oldest-first", "arbitrary"}[o] }

func (b behaviour) String() string {
	return fmt.Sprintf("page=%d ignoreTop=%v noCount=%v refuse=%v ignoreFilter=%v ignoreModified=%v fail=%v summarize=%v %v",
		b.page, b.ignoreTop, b.noCount, b.refuseFilter, b.ignoreFilter, b.ignoreModified, b.fail, b.summarize, b.order)
}

type cursor struct {
	req    Request
	offset int
}

func newModel(seed uint64, b behaviour) *model {
	return &model{b: b, rng: rand.New(rand.NewPCG(seed, 7)), order: map[string]int{}, cursors: map[string]cursor{},
		now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), ends: []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}}
}

func (m *model) settings(top int) Settings {
	s := Settings{Now: m.now, Top: top}
	for _, d := range m.ends {
		s.WindowStarts = append(s.WindowStarts, m.now.Add(-d))
	}
	return s
}

func (m *model) create(created, modified time.Time) {
	m.nextID++
	// Graph's ids are GUIDs; every third is another text, so that both
	// forms an ID holds are read.
	id := fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(m.nextID*2654435761), m.nextID)
	if m.nextID%3 == 0 {
		id = "s" + strconv.Itoa(m.nextID)
	}
	m.sessions = append(m.sessions, Session{ID: IDOf(id), Created: created, LastModified: modified})
	m.order[id] = m.rng.Int()
	m.version++
}

func (m *model) delete(i int) {
	delete(m.order, m.sessions[i].ID.String())
	m.sessions = slices.Delete(m.sessions, i, i+1)
	m.version++
}

// served is how many items a page holds when top is asked for.
func (m *model) served(top int) int {
	n := top
	if n <= 0 || m.b.ignoreTop {
		n = max(m.b.page, 100)
	}
	if m.b.page > 0 {
		n = min(n, m.b.page)
	}
	return n
}

// naive is what listing every page costs: the baseline no plan may exceed.
func (m *model) naive(top int) int {
	p := m.served(top)
	if m.b.fail {
		return 1
	}
	return max(1, (len(m.sessions)+p-1)/p)
}

func (m *model) Fetch(ctx context.Context, reqs []Request) []Answer {
	m.calls++
	m.requests += len(reqs)
	m.widest = max(m.widest, len(reqs))
	m.seen = append(m.seen, m.truth())
	out := make([]Answer, len(reqs))
	for i, req := range reqs {
		out[i] = m.answer(req)
		if p := &out[i].Page; m.b.summarize && req.Summary != nil && out[i].Err == nil && p.NextLink == "" {
			p.Summary, p.Sessions = req.Summary.Of(p.Sessions), nil
		}
		if m.log != nil {
			m.log("call %d: %v count=%v top=%d next=%q -> count %d, %d items, next %q %v", m.calls, req.Filter, req.Count, req.Top, req.Next,
				out[i].Page.Count, len(out[i].Page.Sessions), out[i].Page.NextLink, out[i].Err)
		}
	}
	if m.between != nil {
		m.between()
	}
	return out
}

func (m *model) answer(req Request) Answer {
	c := cursor{req: req}
	if m.b.fail {
		return Answer{Err: errors.New("404 NotFound: the workspace was not found")}
	}
	if req.Next != "" {
		var ok bool
		if c, ok = m.cursors[req.Next]; !ok {
			return Answer{Err: fmt.Errorf("unknown next link %q", req.Next)}
		}
	} else if len(req.Filter) > 0 && m.b.refuseFilter {
		return Answer{Err: fmt.Errorf("400 BadRequest: %w", ErrRefused)}
	}
	f := c.req.Filter
	if m.b.ignoreModified {
		f = slices.DeleteFunc(slices.Clone(f), func(c Condition) bool { return c.Prop == LastModified })
	}
	match := m.matching(f)
	end := min(len(match), c.offset+m.served(c.req.Top))
	p := Page{Sessions: slices.Clone(match[min(c.offset, end):end])}
	if c.req.Count && !m.b.noCount {
		p.Count, p.HasCount = int64(len(match)), true
	}
	if end < len(match) {
		p.NextLink = "next" + strconv.Itoa(len(m.cursors))
		m.cursors[p.NextLink] = cursor{req: c.req, offset: end}
	}
	return Answer{Page: p}
}

// matching returns the sessions f matches, in the listing order.
func (m *model) matching(f Filter) []Session {
	key := fmt.Sprint(m.version, m.b, f)
	if key == m.lastKey {
		return m.lastMatch
	}
	var match []Session
	for _, s := range m.sessions {
		if m.b.ignoreFilter || f.Matches(s) {
			match = append(match, s)
		}
	}
	m.sort(match)
	m.lastKey, m.lastMatch = key, match
	return match
}

func (m *model) sort(ss []Session) {
	slices.SortFunc(ss, func(a, b Session) int {
		switch m.b.order {
		case newestFirst:
			return b.Created.Compare(a.Created)*2 + cmpStr(a.ID.String(), b.ID.String())
		case oldestFirst:
			return a.Created.Compare(b.Created)*2 + cmpStr(a.ID.String(), b.ID.String())
		}
		return cmp.Compare(m.order[a.ID.String()], m.order[b.ID.String()])
	})
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
