package plan

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestCostTargets reads a workspace of 1,000 sessions served 25 a page, in
// every order, and checks the targets: a first read of at most 30 requests in
// at most 6 rounds (naive listing takes 40), then steady reads of
// 2 × windows + 4 requests in one round.
func TestCostTargets(t *testing.T) {
	for _, o := range []order{newestFirst, oldestFirst, arbitrary} {
		for _, age := range []time.Duration{90 * 24 * time.Hour, 2 * 365 * 24 * time.Hour} {
			m := newModel(uint64(o)+uint64(age), behaviour{page: 25, order: o})
			m.populate(1000, age, time.Microsecond, odd{})
			naive := m.naive(1000)
			res, mem, err := Read(context.Background(), m, m.settings(1000), Memory{})
			if err != nil {
				t.Fatalf("%v, age %v: %v", o, age, err)
			}
			if err := exact(res, m.seen); err != nil {
				t.Errorf("%v, age %v: %v", o, age, err)
			}
			t.Logf("%v, age %v: first read %d requests in %d rounds (naive %d)", o, age, m.requests, m.calls, naive)
			if m.requests > 30 || m.calls > 6 || naive != 40 {
				t.Errorf("%v, age %v: first read took %d requests in %d rounds, want at most 30 in 6", o, age, m.requests, m.calls)
			}
			for range 3 {
				m.now = m.now.Add(time.Minute)
				m.apply(creation, time.Microsecond)
				m.apply(rename, time.Microsecond)
				m.requests, m.calls, m.seen = 0, 0, nil
				res, mem, err = Read(context.Background(), m, m.settings(1000), mem)
				if err != nil {
					t.Fatal(err)
				}
				if err := exact(res, m.seen); err != nil {
					t.Error(err)
				}
				if want := 2*len(m.ends) + 4; m.requests != want || m.calls != 1 {
					t.Errorf("%v, age %v: steady read took %d requests in %d rounds, want %d in 1", o, age, m.requests, m.calls, want)
				}
			}
		}
	}
}

// TestSmallWorkspaceCostsOneRequest: a workspace that fits in a page costs
// one request on every read.
func TestSmallWorkspaceCostsOneRequest(t *testing.T) {
	m := newModel(1, behaviour{page: 100})
	m.populate(60, 30*24*time.Hour, time.Second, odd{unset: true, future: true})
	var mem Memory
	for read := range 2 {
		m.requests, m.calls, m.seen = 0, 0, nil
		res, next, err := Read(context.Background(), m, m.settings(1000), mem)
		if err != nil {
			t.Fatal(err)
		}
		if err := exact(res, m.seen); err != nil {
			t.Error(err)
		}
		if m.requests != 1 {
			t.Errorf("read %d took %d requests", read, m.requests)
		}
		mem = next
		m.evolve(time.Second)
	}
}

// TestDeletedExtremesCostNoSearch: the checks start a few sessions short of
// the extremes, so deleting the newest, the oldest and the last modified
// session before each of two reads leaves each at one round. (The margin is
// what the last listing held: deletions alone wear it down, until a search
// sets it anew.)
func TestDeletedExtremesCostNoSearch(t *testing.T) {
	m := newModel(21, behaviour{page: 25, order: arbitrary})
	m.populate(1000, 90*24*time.Hour, time.Microsecond, odd{})
	_, mem, err := Read(context.Background(), m, m.settings(1000), Memory{})
	if err != nil {
		t.Fatal(err)
	}
	for read := range 2 {
		for _, c := range []change{deleteNewest, deleteOldest, deleteModified} {
			m.apply(c, time.Microsecond)
		}
		m.requests, m.calls, m.seen = 0, 0, nil
		var res Result
		res, mem, err = Read(context.Background(), m, m.settings(1000), mem)
		if err != nil {
			t.Fatal(err)
		}
		if err := exact(res, m.seen); err != nil {
			t.Error(err)
		}
		if want := 2*len(m.ends) + 4; m.requests != want || m.calls != 1 {
			t.Errorf("read %d: %d requests in %d rounds, want %d in 1", read, m.requests, m.calls, want)
		}
	}
}

// TestReadDeterministic: the same answers bring the same requests, so a cost
// measured once is the cost every time.
func TestReadDeterministic(t *testing.T) {
	for seed := range uint64(6) {
		var logs [2][]string
		for run := range logs {
			m := newModel(seed, behaviour{page: 25, order: order(seed % 3)})
			m.populate(3000, 90*24*time.Hour, time.Microsecond, odd{unset: true, future: true})
			m.log = func(format string, args ...any) { logs[run] = append(logs[run], fmt.Sprintf(format, args...)) }
			if _, _, err := Read(context.Background(), m, m.settings(1000), Memory{}); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(logs[0], logs[1]) {
			t.Errorf("seed %d: two reads of the same workspace asked %d and %d different requests", seed, len(logs[0]), len(logs[1]))
		}
	}
}

// TestCrowdedCostTargets: sessions that crowd towards the present, as real
// use does (an age of 400 days times the cube of a uniform number: the last
// hour holds about 45 of 1,000, more than a page of 25), cost a first read
// of at most 28 requests in 4 rounds in every order (naive listing takes
// 40), and steady reads of 2 × windows + 4 in one.
func TestCrowdedCostTargets(t *testing.T) {
	for seed := range uint64(4) {
		for _, o := range []order{newestFirst, oldestFirst, arbitrary} {
			m := newModel(seed, behaviour{page: 25, order: o})
			for range 1000 {
				u := m.rng.Float64()
				created := m.now.Add(-time.Duration(float64(400*24*time.Hour) * u * u * u)).Truncate(tick)
				// A session modified minutes after its creation, or, when that
				// would be in the future, at some time since.
				later := min(30*time.Minute, m.now.Sub(created))
				modified := created.Add(time.Duration(m.rng.Int64N(int64(later) + 1))).Truncate(tick)
				m.create(created, modified)
			}
			res, mem, err := Read(context.Background(), m, m.settings(1000), Memory{})
			if err != nil {
				t.Fatalf("seed %d, %v: %v", seed, o, err)
			}
			if err := exact(res, m.seen); err != nil {
				t.Errorf("seed %d, %v: %v", seed, o, err)
			}
			t.Logf("seed %d, %v: first read %d requests in %d rounds (naive %d)", seed, o, m.requests, m.calls, m.naive(1000))
			if m.requests > 28 || m.calls > 4 {
				t.Errorf("seed %d, %v: first read took %d requests in %d rounds, want at most 28 in 4", seed, o, m.requests, m.calls)
			}
			m.requests, m.calls, m.seen = 0, 0, nil
			if _, _, err = Read(context.Background(), m, m.settings(1000), mem); err != nil {
				t.Fatal(err)
			}
			if want := 2*len(m.ends) + 4; m.requests != want || m.calls != 1 {
				t.Errorf("seed %d, %v: steady read took %d requests in %d rounds, want %d in 1", seed, o, m.requests, m.calls, want)
			}
		}
	}
}
