package plan

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// TestPartitionCost reads a workspace of a few served pages (1,000 sessions
// served 100 a page, $top 1,000) while sessions are created, renamed and
// deleted between reads, and checks the targets of a partitioned read: after
// the first read (a listing, and the one request asking whether Graph
// honours $filter), every steady read takes at most 2 rounds and no more
// requests than naive listing, with exact numbers. Naive listing takes 10
// rounds; so did every read before partitions.
func TestPartitionCost(t *testing.T) {
	for _, o := range []order{oldestFirst, newestFirst} {
		for _, n := range []int{1000, 950, 640} {
			m := newModel(uint64(n)+uint64(o), behaviour{page: 100, order: o})
			m.populate(n, 20*24*time.Hour, time.Microsecond, odd{})
			var mem Memory
			partitioned := 0
			for read := range 8 {
				m.requests, m.calls, m.seen = 0, 0, nil
				naive := m.naive(1000)
				res, next, err := Read(context.Background(), m, m.settings(1000), mem)
				if err != nil {
					t.Fatalf("%v, %d sessions, read %d: %v", o, n, read, err)
				}
				if err := exact(res, m.seen); err != nil {
					t.Fatalf("%v, %d sessions, read %d: %v", o, n, read, err)
				}
				if res.Plan == "partitioned" {
					partitioned++
				}
				if read >= 1 && (m.calls > 2 || m.requests > naive) {
					t.Errorf("%v, %d sessions, read %d (%s): %d requests in %d rounds, naive listing %d in %d",
						o, n, read, res.Plan, m.requests, m.calls, naive, naive)
				}
				mem = next
				m.now = m.now.Add(time.Minute)
				if n != 1000 { // 1,000 stays a whole number of pages, as in the benchmark
					m.apply(creation, time.Microsecond)
					m.apply(rename, time.Microsecond)
				}
			}
			if partitioned != 7 {
				t.Errorf("%v, %d sessions: %d of 7 steady reads partitioned", o, n, partitioned)
			}
		}
	}
}

// TestPartitionWithinListingCost changes workspaces of a few pages between
// reads, deletions included, and checks that no read after the first costs
// more requests than listing, or more rounds than two when partitioned.
func TestPartitionWithinListingCost(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		page := []int{7, 25, 100}[seed%3]
		m := newModel(seed, behaviour{page: page, order: []order{oldestFirst, newestFirst}[seed/3%2]})
		m.populate(page*(2+rng.IntN(12))+rng.IntN(page), 20*24*time.Hour, []time.Duration{tick, time.Second}[rng.IntN(2)], odd{})
		var mem Memory
		for read := range 8 {
			m.requests, m.calls, m.seen = 0, 0, nil
			naive := m.naive(1000)
			res, next, err := Read(context.Background(), m, m.settings(1000), mem)
			if err != nil {
				t.Fatalf("seed %d read %d: %v", seed, read, err)
			}
			if err := exact(res, m.seen); err != nil {
				t.Fatalf("seed %d read %d: %v", seed, read, err)
			}
			if asked(m, mem, next, res) {
				naive++ // the one request asking whether Graph honours $filter
			}
			if read >= 1 && m.requests > naive || res.Plan == "partitioned" && m.calls > 2 {
				t.Errorf("seed %d, page %d, read %d (%s): %d requests in %d rounds, naive listing %d", seed, page, read, res.Plan, m.requests, m.calls, naive)
			}
			mem = next
			m.now = m.now.Add(time.Minute)
			m.apply([]change{creation, deletion, rename}[rng.IntN(3)], time.Second)
		}
	}
}

// TestPartitionGrowsPastAPage: more sessions created between two reads
// than fit in the range where they land are read with that range's next
// page, in a second round, never more requests than listing; and a
// deletion in every range costs no more than listing either.
func TestPartitionGrowsPastAPage(t *testing.T) {
	m := newModel(3, behaviour{page: 100, order: oldestFirst})
	m.populate(1000, 20*24*time.Hour, time.Microsecond, odd{})
	var mem Memory
	for read := range 4 {
		m.requests, m.calls, m.seen = 0, 0, nil
		naive := m.naive(1000)
		res, next, err := Read(context.Background(), m, m.settings(1000), mem)
		if err != nil {
			t.Fatal(err)
		}
		if err := exact(res, m.seen); err != nil {
			t.Fatalf("read %d: %v", read, err)
		}
		if read >= 2 && (res.Plan != "partitioned" || m.calls > 2 || m.requests > naive) {
			t.Errorf("read %d (%s): %d requests in %d rounds, naive listing %d", read, res.Plan, m.requests, m.calls, naive)
		}
		mem = next
		m.now = m.now.Add(time.Minute)
		if read == 1 {
			for range 60 {
				m.apply(creation, time.Microsecond)
			}
		}
	}
}

// TestPartitionExactWhenGraphChanges: a partitioned workspace whose Graph
// starts ignoring $filter, or refusing it, or stops ordering its listing,
// is still read exactly, and the read after it no more than listing.
func TestPartitionExactWhenGraphChanges(t *testing.T) {
	changes := map[string]func(*behaviour){
		"$filter ignored": func(b *behaviour) { b.ignoreFilter = true },
		"$filter refused": func(b *behaviour) { b.refuseFilter = true },
		"arbitrary order": func(b *behaviour) { b.order = arbitrary },
		"no count":        func(b *behaviour) { b.noCount = true },
		"404":             func(b *behaviour) { b.fail = true },
	}
	for name, change := range changes {
		m := newModel(5, behaviour{page: 100, order: oldestFirst})
		m.populate(950, 20*24*time.Hour, time.Microsecond, odd{unset: true})
		var mem Memory
		for read := range 6 {
			if read == 3 {
				change(&m.b)
			}
			m.requests, m.calls, m.seen = 0, 0, nil
			naive := m.naive(1000)
			res, next, err := Read(context.Background(), m, m.settings(1000), mem)
			switch {
			case m.b.fail && err == nil:
				t.Fatalf("%s, read %d: no error from a failing Graph", name, read)
			case !m.b.fail && err != nil:
				t.Fatalf("%s, read %d: %v", name, read, err)
			case err == nil:
				if err := exact(res, m.seen); err != nil {
					t.Fatalf("%s, read %d (%s): %v", name, read, res.Plan, err)
				}
			}
			if read == 2 && res.Plan != "partitioned" {
				t.Fatalf("%s: read 2 is %s, want partitioned", name, res.Plan)
			}
			if read > 3 && m.requests > naive {
				t.Errorf("%s, read %d (%s): %d requests, naive listing %d", name, read, res.Plan, m.requests, naive)
			}
			mem = next
			m.now = m.now.Add(time.Minute)
			m.apply(creation, time.Microsecond)
		}
	}
}

// TestPartitionExactUnderChange changes the workspace between the rounds
// of partitioned reads (creations, deletions, renames, at random) and checks
// that every number is exact at an instant the read saw, or the read fails.
func TestPartitionExactUnderChange(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 11))
		m := newModel(seed, behaviour{page: 25, order: []order{oldestFirst, newestFirst}[seed%2], ignoreTop: seed%3 == 0})
		m.populate(100+rng.IntN(300), 10*24*time.Hour, time.Second, odd{unset: seed%4 == 0, future: seed%5 == 0, clump: seed%3 == 1})
		var mem Memory
		for read := range 6 {
			if read >= 2 {
				m.between = func() {
					if rng.IntN(2) == 0 {
						m.apply(change(rng.IntN(int(changes))), time.Second)
					}
				}
			}
			m.requests, m.calls, m.seen = 0, 0, nil
			res, next, err := Read(context.Background(), m, m.settings(50), mem)
			m.between = nil
			if err == nil {
				if err := exact(res, m.seen); err != nil {
					t.Fatalf("seed %d read %d (%s): %v", seed, read, res.Plan, err)
				}
			}
			mem = next
			m.evolve(time.Second)
		}
	}
}

// uncountedRanges is the model, but a Graph that leaves @odata.count out
// of every filtered listing.
type uncountedRanges struct{ *model }

func (u uncountedRanges) Fetch(ctx context.Context, reqs []Request) []Answer {
	out := u.model.Fetch(ctx, reqs)
	for i, r := range reqs {
		if len(r.Filter) > 0 {
			out[i].Page.HasCount, out[i].Page.Count = false, 0
		}
	}
	return out
}

// TestPartitionWithoutRangeCounts: a Graph that counts the unfiltered
// listing but not the ranges is read exactly on the read that finds it out,
// and listed, at listing's cost, for a day after.
func TestPartitionWithoutRangeCounts(t *testing.T) {
	m := newModel(9, behaviour{page: 100, order: oldestFirst})
	m.populate(950, 20*24*time.Hour, time.Microsecond, odd{})
	src := uncountedRanges{m}
	var mem Memory
	for read := range 5 {
		m.requests, m.calls, m.seen = 0, 0, nil
		naive := m.naive(1000)
		res, next, err := Read(context.Background(), src, m.settings(1000), mem)
		if err != nil {
			t.Fatalf("read %d: %v", read, err)
		}
		if err := exact(res, m.seen); err != nil {
			t.Fatalf("read %d (%s): %v", read, res.Plan, err)
		}
		if read >= 3 && (res.Plan != "listing" || m.requests > naive) {
			t.Errorf("read %d (%s): %d requests, naive listing %d", read, res.Plan, m.requests, naive)
		}
		mem = next
		m.now = m.now.Add(time.Minute)
	}
}
