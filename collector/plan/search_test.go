package plan

import (
	"context"
	"testing"
	"time"
)

func TestSearchBracket(t *testing.T) {
	const page = 10
	s := newSearch(Created, false)
	x := int64(1_000_000)
	s.pts[x] = point{count: 0, round: 1}
	s.pts[x+1] = point{count: 50, round: 1}
	if xs := s.next(8, page); len(xs) != 0 || !s.done || !s.found.Equal(timeOf(x+1)) {
		t.Errorf("adjacent 0 and 50 in one round: next %v, done %v, found %v; want the oldest at x+1", xs, s.done, s.found)
	}

	s = newSearch(Created, false)
	s.pts[x] = point{count: 0, round: 1}
	s.pts[x+1] = point{count: 50, round: 2}
	if xs := s.next(8, page); s.done || len(xs) != 2 || xs[0] != x || xs[1] != x+1 {
		t.Errorf("adjacent counts of two rounds: next %v, done %v; want both counted again", xs, s.done)
	}

	s = newSearch(Created, true)
	s.pts[-x] = point{count: 3, round: 2}
	s.pts[-x+5] = point{count: 30, round: 2}
	if at, ok := s.hit(page); !ok || at != -x {
		t.Errorf("hit = %d, %v; want the position counted with 3", at, ok)
	}

	s = newSearch(Created, false)
	s.pts[x+100] = point{count: 0, round: 1} // older: since then a session older than x+100 appeared
	s.pts[x] = point{count: 40, round: 2}
	a, b, cb, _, _ := s.bracket(page)
	if a != s.ax.lo()-1 || b != x || cb != 40 || len(s.pts) != 1 {
		t.Errorf("disagreeing rounds: bracket (%d, %d, %d) with %d points; want the older count dropped", a, b, cb, len(s.pts))
	}
	xs := s.next(8, page)
	if len(xs) == 0 || len(xs) > 8 {
		t.Fatalf("next = %v", xs)
	}
	for _, y := range xs {
		if y >= x || y < s.ax.lo() {
			t.Errorf("probe %d outside (lo, %d)", y, x)
		}
	}

	s = newSearch(LastModified, true)
	s.pts[s.ax.hi()] = point{count: 0, round: 1}
	if s.next(8, page); !s.done || !s.found.IsZero() {
		t.Errorf("no set value at all: done %v, found %v", s.done, s.found)
	}
}

// TestSplitNarrows: with both ends of the bracket known, the probes lie
// inside it, distinct, no more than boundedProbes of the 8 offered, and
// include where a linear spread leaves part of a page.
func TestSplitNarrows(t *testing.T) {
	s := newSearch(Created, false)
	a, b := int64(1000), int64(1_000_000)
	s.pts[a] = point{count: 0, round: 1}
	s.pts[b] = point{count: 900, round: 1}
	xs := s.next(8, 30)
	seen := map[int64]bool{}
	linear := false
	for _, x := range xs {
		if x <= a || x >= b || seen[x] {
			t.Errorf("probe %d: outside (%d, %d) or repeated", x, a, b)
		}
		seen[x] = true
		if n := float64(x-a) / float64(b-a) * 900; n > 0 && n <= 30 {
			linear = true
		}
	}
	if len(xs) != boundedProbes || !linear {
		t.Errorf("probes %v: want %d, one where a linear spread leaves at most a page", xs, boundedProbes)
	}
}

// TestClumpPinnedExactly: more than a page of sessions sharing the newest
// and the oldest timestamp are found exactly, without listing them.
func TestClumpPinnedExactly(t *testing.T) {
	m := newModel(9, behaviour{page: 10})
	m.populate(400, 100*24*time.Hour, time.Second, odd{})
	early, late := m.now.Add(-200*24*time.Hour), m.now.Add(-time.Minute)
	for range 30 {
		m.create(early, early)
		m.create(late, late)
	}
	var mem Memory
	for read := range 3 {
		m.seen = nil
		res, next, err := Read(context.Background(), m, m.settings(10), mem)
		if err != nil {
			t.Fatal(err)
		}
		if err := exact(res, m.seen); err != nil {
			t.Errorf("read %d: %v", read, err)
		}
		if !res.Oldest.Equal(early) || !res.Newest.Equal(late) {
			t.Errorf("read %d: oldest %v, newest %v", read, res.Oldest, res.Newest)
		}
		mem = next
	}
}
