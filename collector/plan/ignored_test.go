package plan

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestIgnoredFilterCaught: a Graph that silently ignores $filter is caught
// on a first counted read and on a steady one; the read lists instead,
// exact, and so do reads for a day.
func TestIgnoredFilterCaught(t *testing.T) {
	for _, o := range []order{newestFirst, oldestFirst, arbitrary} {
		m := newModel(5, behaviour{page: 10, order: o})
		m.populate(600, 200*24*time.Hour, time.Second, odd{})
		settings := m.settings(10)
		_, steady, err := Read(context.Background(), m, settings, Memory{})
		if err != nil || !steady.Counted {
			t.Fatalf("honest Graph: counted %v, err %v", steady.Counted, err)
		}
		m.b.ignoreFilter = true
		for _, mem := range []Memory{{}, steady} {
			m.seen = nil
			res, next, err := Read(context.Background(), m, settings, mem)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.FellBack, "ignored") || res.Plan != "listing" || !next.ListingUntil.Equal(settings.Now.Add(listingMemory)) {
				t.Errorf("%v, memory %+v: plan %q, fell back %q, listing until %v", o, mem, res.Plan, res.FellBack, next.ListingUntil)
			}
			if err := exact(res, m.seen); err != nil {
				t.Errorf("%v: %v", o, err)
			}
		}
	}
}

// TestIgnoredFilterCounts: the counts alone give an ignored filter away,
// even when no answer shows a session: the filter that matches nothing
// matches the total, or two disjoint checks each match the total.
func TestIgnoredFilterCounts(t *testing.T) {
	everything := Answer{Page: Page{Count: 5000, HasCount: true, NextLink: "more"}}
	settings := Settings{Now: day(30), WindowStarts: []time.Time{day(29), day(1)}, Top: 10}
	first := everything.Page
	for _, tc := range []struct {
		mem   Memory
		first *Page
		why   string
	}{
		{Memory{Page: 10}, &first, "a filter no session matches matched 5000"},
		{Memory{Page: 10, Counted: true, Newest: day(29), Oldest: day(2), LastModified: day(29)}, nil, "disjoint filters matched 5000 and 5000 of 5000"},
	} {
		src := &script{}
		for range 30 {
			src.pages = append(src.pages, everything)
		}
		r := &reader{src: src, s: settings, page: 10}
		_, _, err := r.counted(context.Background(), tc.mem, tc.first)
		if !errors.Is(err, errFallBack) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("err = %v, want %q", err, tc.why)
		}
		if r.res.Rounds != 1 || (tc.first == nil && len(src.asked) != 2*2+4) {
			t.Errorf("%d requests in %d rounds, want one round (of %d when steady)", len(src.asked), r.res.Rounds, 2*2+4)
		}
	}
}

// TestRefusedFilter: a 400 to $filter is a reason to list, not a failure.
func TestRefusedFilter(t *testing.T) {
	m := newModel(6, behaviour{page: 10, refuseFilter: true})
	m.populate(500, 100*24*time.Hour, time.Second, odd{})
	res, mem, err := Read(context.Background(), m, m.settings(10), Memory{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.FellBack, "refused") || mem.ListingUntil.IsZero() {
		t.Errorf("fell back %q, memory %+v", res.FellBack, mem)
	}
	if err := exact(res, m.seen); err != nil {
		t.Error(err)
	}
	m.requests, m.seen = 0, nil
	if _, _, err := Read(context.Background(), m, m.settings(10), mem); err != nil || m.requests != m.naive(10) {
		t.Errorf("within the hour: %d requests (naive %d), err %v", m.requests, m.naive(10), err)
	}
}

// TestItemOutsideFilter: an answer holding a session its filter excludes is
// evidence of an ignored filter.
func TestItemOutsideFilter(t *testing.T) {
	r := &reader{src: &script{pages: []Answer{{Page: Page{Sessions: sess("a"), Count: 1, HasCount: true}}}}, s: Settings{Top: 10}}
	rd := &round{}
	rd.add(r.count(since(Created, day(5)), 10))
	if _, err := r.send(context.Background(), rd); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("err = %v", err)
	}
}

// TestIgnoredModifiedFilter: Graph honouring $filter on createdDateTime but
// ignoring it on lastModifiedDateTime counts every session in the shortest
// window; that is taken for what it is.
func TestIgnoredModifiedFilter(t *testing.T) {
	count := func(n int64) Answer { return Answer{Page: Page{Count: n, HasCount: true, NextLink: "more"}} }
	settings := Settings{Now: day(30), WindowStarts: []time.Time{day(29), day(1)}, Top: 10}
	mem := Memory{Page: 10, Counted: true, Newest: day(29), Oldest: day(2), LastModified: day(29)}
	src := &script{pages: []Answer{
		count(5000),            // total
		count(30), count(5000), // created, modified since day 29
		count(4000), count(5000), // created, modified since day 1
		count(12), count(15), count(5000), // the checks
	}}
	r := &reader{src: src, s: settings, page: 10}
	_, _, err := r.counted(context.Background(), mem, nil)
	if !errors.Is(err, errFallBack) || !strings.Contains(err.Error(), "lastModifiedDateTime ignored") {
		t.Errorf("err = %v", err)
	}
}
