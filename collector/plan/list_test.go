package plan

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// script is a Source that answers each request with the next page of a
// script, whatever it asks, and records what was asked.
type script struct {
	pages []Answer
	asked []Request
}

func (s *script) Fetch(_ context.Context, reqs []Request) []Answer {
	out := make([]Answer, len(reqs))
	for i, r := range reqs {
		s.asked = append(s.asked, r)
		if len(s.pages) == 0 {
			out[i] = Answer{Err: errors.New("script ran out")}
			continue
		}
		out[i], s.pages = s.pages[0], s.pages[1:]
	}
	return out
}

func sess(ids ...string) []Session {
	var out []Session
	for _, id := range ids {
		out = append(out, Session{ID: IDOf(id), Created: day(1), LastModified: day(1)})
	}
	return out
}

func day(n int) time.Time { return time.Date(2026, 11, n, 0, 0, 0, 0, time.UTC) }

func pg(count int64, next string, ids ...string) Answer {
	return Answer{Page: Page{Sessions: sess(ids...), Count: count, HasCount: count >= 0, NextLink: next}}
}

func TestListing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pages    []Answer
		sessions int64 // -1: the read fails
		errHas   string
		requests int
	}{
		{"one page", []Answer{pg(2, "", "a", "b")}, 2, "", 1},
		{"served twice across pages, counted once", []Answer{pg(3, "n1", "a", "b"), pg(3, "", "b", "c")}, 3, "", 2},
		{"count changed between pages: listed again", []Answer{pg(3, "n1", "a", "b"), pg(4, "", "x", "c"), pg(3, "n2", "a", "b"), pg(3, "", "c")}, 3, "", 4},
		{"never settles: fails", []Answer{pg(3, "n1", "a", "b"), pg(2, "", "c"), pg(3, "n2", "a", "b"), pg(2, "", "c")}, -1, "changed", 4},
		{"one skipped by a deletion: listed again", []Answer{pg(3, "n1", "a", "b"), pg(3, "", "b"), pg(3, "n2", "a", "b"), pg(3, "", "c")}, 3, "", 4},
		{"one page whose count disagrees twice: fails", []Answer{pg(3, "", "a", "b"), pg(3, "", "a", "b")}, -1, "@odata.count says 3", 2},
		{"without a count, duplicates dropped", []Answer{pg(-1, "n1", "a", "b"), pg(-1, "", "b", "c")}, 3, "", 2},
		{"a session without id fails", []Answer{pg(1, "", "")}, -1, "no id", 1},
		{"an empty page with a next link is followed", []Answer{pg(3, "n1", "a"), pg(3, "n2"), pg(3, "", "b", "c")}, 3, "", 3},
		{"an empty first page with a next link is followed", []Answer{pg(2, "n1"), pg(2, "n2"), pg(2, "", "a", "b")}, 2, "", 3},
		{"a next link that repeats fails", []Answer{pg(3, "n1", "a"), pg(3, "n1", "b")}, -1, "repeats an earlier page", 2},
		{"more pages with sessions than sessions fails", []Answer{pg(1, "n1", "a"), pg(1, "n2", "a"), pg(1, "", "a")}, -1, "does not end", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &script{pages: tc.pages}
			r := &reader{src: src, s: Settings{Top: 2, Now: day(2)}}
			res, err := r.listAll(context.Background(), nil)
			switch {
			case tc.sessions < 0 && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
				t.Errorf("err = %v, want one saying %q", err, tc.errHas)
			case tc.sessions >= 0 && err != nil:
				t.Errorf("err = %v", err)
			case tc.sessions >= 0 && res.Sessions != tc.sessions:
				t.Errorf("%d sessions, want %d", res.Sessions, tc.sessions)
			}
			if len(src.asked) != tc.requests {
				t.Errorf("%d requests, want %d", len(src.asked), tc.requests)
			}
		})
	}
}

// TestPageSizeLearned: the page size is what Graph serves on a page with a
// next one, not what $top asks; a workspace of one page teaches nothing.
func TestPageSizeLearned(t *testing.T) {
	for _, tc := range []struct {
		b        behaviour
		top, n   int
		wantPage int
	}{
		{behaviour{page: 25}, 1000, 100, 25},
		{behaviour{page: 7, ignoreTop: true}, 1000, 30, 7},
		{behaviour{page: 100, ignoreTop: true}, 10, 300, 100},
		{behaviour{}, 50, 120, 50},
		{behaviour{page: 25}, 1000, 20, 0},
	} {
		m := newModel(3, tc.b)
		m.populate(tc.n, 10*24*time.Hour, time.Second, odd{})
		_, mem, err := Read(context.Background(), m, m.settings(tc.top), Memory{})
		if err != nil {
			t.Fatal(err)
		}
		if mem.Page != tc.wantPage {
			t.Errorf("%v, top %d, %d sessions: learned page %d, want %d", tc.b, tc.top, tc.n, mem.Page, tc.wantPage)
		}
	}
}

// TestTally: the windows count "ge start"; unset timestamps count as
// sessions only; future ones are in every window and can be extremes.
func TestTally(t *testing.T) {
	starts := []time.Time{day(20), day(10)}
	tl := newTally(starts)
	future := day(30).AddDate(1, 0, 0)
	for _, s := range []Session{
		{Created: day(20), LastModified: day(25)},
		{Created: day(15)},
		{LastModified: day(5)},
		{Created: future, LastModified: future},
		{},
	} {
		tl.add(s)
	}
	got := tl.res
	if got.Sessions != 5 || show(got.Created) != "[2 3]" || show(got.Active) != "[2 2]" ||
		!got.Newest.Equal(future) || !got.Oldest.Equal(day(15)) || !got.LastModified.Equal(future) {
		t.Errorf("tally = %+v", got)
	}
}

// TestChangeDuringListing: a session deleted (or created) between two pages
// of an offset-paged listing is seen in @odata.count; the workspace is listed
// again, exact, or the read fails when it keeps changing.
func TestChangeDuringListing(t *testing.T) {
	for _, c := range []change{deletion, creation} {
		for _, keepChanging := range []bool{false, true} {
			m := newModel(11, behaviour{page: 10, order: newestFirst})
			m.populate(150, 50*24*time.Hour, time.Second, odd{})
			m.between = func() {
				if m.calls == 3 || keepChanging {
					m.apply(c, time.Second)
				}
			}
			res, next, err := Read(context.Background(), m, m.settings(1000), Memory{})
			asked := 0
			if next.Honours {
				asked = 1 // a partition fits: whether Graph honours $filter was asked
			}
			switch {
			case keepChanging && err == nil:
				t.Errorf("change %d at every page: read did not fail: %+v", c, res)
			case !keepChanging && err != nil:
				t.Errorf("change %d once: %v", c, err)
			case !keepChanging:
				if err := exact(res, m.seen); err != nil {
					t.Errorf("change %d once: %v", c, err)
				}
				if want := 4 + m.naive(1000) + asked; m.requests != want {
					t.Errorf("change %d once: %d requests, want %d: 4 pages, the last showing the change, then a listing", c, m.requests, want)
				}
			}
		}
	}
}

// TestNoCountLists: Graph answering $count=true without @odata.count is
// listed, exact, at the cost of listing on every read; and since every
// listing asks for the count, a Graph that sends it again is counted again
// at no cost of asking.
func TestNoCountLists(t *testing.T) {
	m := newModel(12, behaviour{page: 10, noCount: true, order: arbitrary})
	m.populate(400, 50*24*time.Hour, time.Second, odd{unset: true})
	var mem Memory
	for read := range 2 {
		m.requests, m.seen = 0, nil
		res, next, err := Read(context.Background(), m, m.settings(1000), mem)
		if err != nil {
			t.Fatal(err)
		}
		if err := exact(res, m.seen); err != nil {
			t.Error(err)
		}
		if res.FellBack == "" || next.Counted || m.requests != m.naive(1000) {
			t.Errorf("read %d: fell back %q, memory %+v, %d requests (naive %d)", read, res.FellBack, next, m.requests, m.naive(1000))
		}
		mem = next
	}
	m.b.noCount = false
	m.requests, m.seen = 0, nil
	res, _, err := Read(context.Background(), m, m.settings(1000), mem)
	if err != nil || res.Plan != "counted" || m.requests > m.naive(1000) {
		t.Errorf("with @odata.count back: plan %q, %d requests (naive %d), err %v", res.Plan, m.requests, m.naive(1000), err)
	}
}
