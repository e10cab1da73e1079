package plan

import (
	"context"
	"errors"
	"testing"
	"time"
)

// reading reads the model's workspace the way a tenant does, keeping the
// memory, and returns each read's cost.
type reading struct {
	t   *testing.T
	m   *model
	top int
	mem Memory
}

func (rd *reading) read(what string) Result {
	rd.t.Helper()
	rd.m.requests, rd.m.calls, rd.m.seen = 0, 0, nil
	res, next, err := Read(context.Background(), rd.m, rd.m.settings(rd.top), rd.mem)
	rd.mem = next
	if err != nil {
		if !rd.m.b.fail {
			rd.t.Fatalf("%s: %v", what, err)
		}
		return res
	}
	if rd.m.b.fail {
		rd.t.Fatalf("%s: the read succeeded with Graph failing", what)
	}
	if err := exact(res, rd.m.seen); err != nil {
		rd.t.Errorf("%s: %v", what, err)
	}
	return res
}

// want checks the cost of the last read.
func (rd *reading) want(what string, requests, rounds int) {
	rd.t.Helper()
	if rd.m.requests != requests || rd.m.calls != rounds {
		rd.t.Errorf("%s: %d requests in %d rounds, want %d in %d (naive listing %d)", what, rd.m.requests, rd.m.calls, requests, rounds, rd.m.naive(rd.top))
	}
}

// TestFilterFallbackGoesOnFromTheFirstPage: a first read that finds Graph
// refusing or ignoring $filter costs listing plus the one round that found
// it out, in one round trip more than listing; reads within the day cost
// listing; the read a day later asks again with one request beside the
// first page, and when Graph honours $filter by then, the workspace is
// counted again.
func TestFilterFallbackGoesOnFromTheFirstPage(t *testing.T) {
	for _, b := range []behaviour{{page: 25, refuseFilter: true}, {page: 25, ignoreFilter: true}, {page: 25, ignoreModified: true}} {
		m := newModel(31, b)
		m.populate(1500, 300*24*time.Hour, time.Second, odd{})
		rd := &reading{t: t, m: m, top: 1000}
		naive := m.naive(1000)
		res := rd.read("first read")
		if res.FellBack == "" || m.requests > naive+maxPerCall || m.calls != naive+1 {
			t.Errorf("%v: first read fell back %q with %d requests in %d rounds, want at most %d in %d", b, res.FellBack, m.requests, m.calls, naive+maxPerCall, naive+1)
		}
		m.now = m.now.Add(listingMemory - time.Minute)
		rd.read("within the day")
		rd.want(b.String()+", within the day", naive, naive)
		m.now = m.now.Add(time.Minute)
		rd.read("a day later")
		rd.want(b.String()+", a day later", naive+1, naive)
		if !rd.mem.ListingUntil.Equal(m.now.Add(listingMemory)) {
			t.Errorf("%v: still not honoured, listed until %v, want a day more", b, rd.mem.ListingUntil)
		}
		m.b = behaviour{page: 25}
		m.now = m.now.Add(listingMemory)
		if res := rd.read("honoured at last"); res.Plan != "counted" || m.requests > naive+1 {
			t.Errorf("%v: once Graph honours $filter: plan %q, %d requests, want counted within %d", b, res.Plan, m.requests, naive+1)
		}
		rd.read("steady")
		rd.want(b.String()+", steady", 2*len(m.ends)+4, 1)
	}
}

// TestAskedBeforeCounting: a listed workspace of a few pages asks whether
// Graph honours $filter once, with one request in a round of its own, when
// a partition first fits it (a Graph that does not costs that request, not
// a round of ranges or counts on top of a listing); one that grows past
// what listing costs is then counted from the next read.
func TestAskedBeforeCounting(t *testing.T) {
	for _, b := range []behaviour{{page: 25}, {page: 25, refuseFilter: true}, {page: 25, ignoreFilter: true}} {
		m := newModel(32, b)
		m.populate(500, 300*24*time.Hour, time.Second, odd{})
		rd := &reading{t: t, m: m, top: 1000}
		res := rd.read("20 pages")
		rd.want(b.String()+", 20 pages", 21, 21)
		honest := !b.refuseFilter && !b.ignoreFilter
		if (res.FellBack == "") != honest {
			t.Errorf("%v: fell back %q", b, res.FellBack)
		}
		for range 300 {
			m.apply(creation, time.Second)
		}
		rd.read("32 pages")
		if honest {
			// The partition reads the 300 new sessions' pages one after
			// the other.
			rd.want(b.String()+", 32 pages", 32, 13)
		} else {
			rd.want(b.String()+", 32 pages", 32, 32)
		}
		if rd.mem.Counted != honest {
			t.Errorf("%v: counted next %v", b, rd.mem.Counted)
		}
		rd.read("next")
		if honest {
			rd.want(b.String()+", next", 2*len(m.ends)+4, 1)
		} else {
			rd.want(b.String()+", next", 32, 32)
		}
	}
}

// TestFailingWorkspaceCostsOneRequest: a counted workspace that starts
// answering 404 costs its counted round once, then one request a read, as
// listing it would; when it answers again, it is read exactly at once, and
// counted in one round from the next read.
func TestFailingWorkspaceCostsOneRequest(t *testing.T) {
	m := newModel(33, behaviour{page: 25, order: arbitrary})
	m.populate(1500, 300*24*time.Hour, time.Second, odd{})
	rd := &reading{t: t, m: m, top: 1000}
	rd.read("first read")
	rd.read("steady")
	rd.want("steady", 2*len(m.ends)+4, 1)
	m.b.fail = true
	rd.read("fails")
	rd.want("the read on which it fails", 2*len(m.ends)+4, 1)
	for i := range 3 {
		rd.read("fails again")
		rd.want("failing read "+itoa(i), 1, 1)
	}
	m.b.fail = false
	rd.read("back")
	// The first page, then the counted round but for the total, which the
	// first page gave.
	rd.want("back", 2*len(m.ends)+4, 2)
	rd.read("steady again")
	rd.want("steady again", 2*len(m.ends)+4, 1)
}

// TestTiedExtremesCostOneRound: more than a page of sessions on the tick of
// the newest (a batch created together, near now) and of the oldest (an
// import) cost a steady read one request more per tie, in its one round,
// while sessions come and go beyond them.
func TestTiedExtremesCostOneRound(t *testing.T) {
	for _, o := range []order{newestFirst, oldestFirst, arbitrary} {
		m := newModel(34, behaviour{page: 25, order: o})
		m.populate(1500, 300*24*time.Hour, time.Microsecond, odd{crowdNewest: true, crowd: 40})
		oldest := m.truth().oldest
		for range 30 {
			m.create(oldest, oldest)
		}
		rd := &reading{t: t, m: m, top: 1000}
		rd.read("first read")
		t.Logf("%v: first read %d requests in %d rounds (naive %d)", o, m.requests, m.calls, m.naive(1000))
		if m.requests > m.naive(1000) {
			t.Errorf("%v: first read %d requests, naive listing %d", o, m.requests, m.naive(1000))
		}
		steps := []struct {
			name   string
			change func()
		}{
			{"nothing", func() {}},
			{"one created beyond the tie", func() { m.apply(creation, time.Microsecond) }},
			{"it deleted", func() { m.apply(deleteNewest, time.Microsecond) }},
			{"one of the tie deleted", func() { m.apply(deleteNewest, time.Microsecond) }},
			{"one of the oldest deleted", func() { m.apply(deleteOldest, time.Microsecond) }},
		}
		for _, step := range steps {
			step.change()
			m.now = m.now.Add(time.Minute)
			rd.read(step.name)
			if limit := 2*len(m.ends) + 4 + 3; m.requests > limit || m.calls != 1 {
				t.Errorf("%v, after %s: %d requests in %d rounds, want at most %d in 1", o, step.name, m.requests, m.calls, limit)
			}
		}
	}
}

// failingProbe fails the question whether Graph honours $filter the first
// times it is asked, with an error that is no refusal.
type failingProbe struct {
	*model
	left int
}

func (f *failingProbe) Fetch(ctx context.Context, reqs []Request) []Answer {
	out := f.model.Fetch(ctx, reqs)
	for i, req := range reqs {
		if f.left > 0 && len(req.Filter) == 1 && req.Filter[0].Prop == LastModified && req.Filter[0].Op == LT {
			out[i], f.left = Answer{Err: errors.New("503 ServiceUnavailable after every retry")}, f.left-1
		}
	}
	return out
}

// TestProbeErrorAsksAgain: an error that is no refusal says nothing of
// $filter: the workspace is listed, not counted and not remembered as
// listed, and the next read asks again.
func TestProbeErrorAsksAgain(t *testing.T) {
	m := newModel(35, behaviour{page: 25, order: arbitrary})
	m.populate(800, 300*24*time.Hour, time.Second, odd{})
	src := &failingProbe{model: m, left: 1}
	var mem Memory
	for read, want := range []struct {
		requests int
		counted  bool
	}{{33, false}, {33, true}, {2*len(m.ends) + 4, true}} {
		m.requests, m.seen = 0, nil
		res, next, err := Read(context.Background(), src, m.settings(1000), mem)
		if err != nil {
			t.Fatal(err)
		}
		if err := exact(res, m.seen); err != nil {
			t.Error(err)
		}
		if m.requests != want.requests || next.Counted != want.counted || !next.ListingUntil.IsZero() {
			t.Errorf("read %d: %d requests, memory %+v; want %d requests, counted next %v", read, m.requests, next, want.requests, want.counted)
		}
		mem = next
	}
}
