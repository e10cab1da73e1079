package plan

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// emptyFirst serves, before every page that holds sessions, an empty page
// with the same @odata.count and a next link to the real one, as Graph
// does where it filters after paging. The real page is the one Graph
// answered when asked, so the model's truths still say what it held.
type emptyFirst struct {
	src  Source
	held map[string]Answer
	n    int
}

func (e *emptyFirst) Fetch(ctx context.Context, reqs []Request) []Answer {
	out := make([]Answer, len(reqs))
	var pass []Request
	var at []int
	for i, r := range reqs {
		if a, ok := e.held[r.Next]; ok {
			delete(e.held, r.Next)
			out[i] = a
			continue
		}
		pass, at = append(pass, r), append(at, i)
	}
	if len(pass) == 0 {
		return out
	}
	for k, a := range e.src.Fetch(ctx, pass) {
		if a.Err != nil || len(a.Page.Sessions) == 0 {
			out[at[k]] = a
			continue
		}
		e.n++
		link := "empty" + strconv.Itoa(e.n)
		e.held[link] = a
		out[at[k]] = Answer{Page: Page{Count: a.Page.Count, HasCount: a.Page.HasCount, NextLink: link}}
	}
	return out
}

// TestReadExactThroughEmptyPages reads random workspaces from a Graph that
// puts an empty page with a next link before every page of sessions: the
// numbers are exact, and a read fails only when the workspace changed.
func TestReadExactThroughEmptyPages(t *testing.T) {
	seeds := min(*seedCount, 60)
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 3))
		b := behaviour{
			page:         []int{0, 7, 25, 100}[rng.IntN(4)],
			noCount:      rng.IntN(8) == 0,
			refuseFilter: rng.IntN(8) == 0,
			ignoreFilter: rng.IntN(6) == 0,
			order:        order(rng.IntN(3)),
		}
		m := newModel(seed, b)
		grain := []time.Duration{tick, time.Second, time.Minute}[rng.IntN(3)]
		m.populate(rng.IntN(400), time.Duration(1+rng.IntN(900))*24*time.Hour, grain, odd{clump: rng.IntN(3) == 0})
		top := []int{1000, 50, 10}[rng.IntN(3)]
		churn := rng.IntN(3) == 0
		var mem Memory
		for read := range 4 {
			m.seen = nil
			changed := false
			m.between = func() {
				if churn && m.rng.IntN(4) == 0 && !(b.noCount && changed) {
					c := creation
					if !b.noCount && m.rng.IntN(2) == 0 {
						c = deletion
					}
					m.apply(c, grain)
					changed = true
				}
			}
			src := &emptyFirst{src: m, held: map[string]Answer{}}
			res, next, err := Read(context.Background(), src, m.settings(top), mem)
			where := b.String() + " seed " + itoa(int(seed)) + " read " + itoa(read)
			switch {
			case err != nil && !changed:
				t.Errorf("%s: %d sessions, top %d: read failed with nothing changing: %v", where, len(m.sessions), top, err)
			case err == nil:
				if err := exact(res, m.seen); err != nil {
					t.Errorf("%s: %d sessions, top %d, plan %s: %v", where, len(m.sessions), top, res.Plan, err)
				}
			}
			mem = next
			m.evolve(grain)
		}
	}
}
