package plan

import (
	"context"
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

var (
	boundSeeds = flag.Int("bound-seeds", 12, "how many random workspaces TestCostNeverAboveListing reads per behaviour")
	boundDebug = flag.String("bound-debug", "", "log every request TestCostNeverAboveListing makes for this behaviour and seed, as name/seed")
)

// graphs are the ways the model's Graph behaves, one at a time, beside an
// honest Graph that serves 25 a page: every served page cap, $top ignored,
// $filter ignored (wholly, or on lastModifiedDateTime) or refused,
// @odata.count missing, each listing order, offset paging (the model always
// pages by offset), more than a page of sessions on the tick of the newest
// or the oldest, and a Graph that starts answering 404, or stops honouring
// $filter.
var graphs = []struct {
	name   string
	b      behaviour
	o      odd
	from   int              // the read from which Graph changes how it answers; 0: never
	change func(*behaviour) // how
}{
	{name: "honest", b: behaviour{page: 25}},
	{name: "served page 7", b: behaviour{page: 7, order: arbitrary}},
	{name: "served page 100", b: behaviour{page: 100, order: arbitrary}},
	{name: "no page cap", b: behaviour{order: arbitrary}},
	{name: "$top ignored", b: behaviour{page: 25, ignoreTop: true, order: arbitrary}},
	{name: "$filter ignored", b: behaviour{page: 25, ignoreFilter: true, order: arbitrary}},
	{name: "$filter on lastModifiedDateTime ignored", b: behaviour{page: 25, ignoreModified: true, order: arbitrary}},
	{name: "$filter refused", b: behaviour{page: 25, refuseFilter: true, order: arbitrary}},
	{name: "no @odata.count", b: behaviour{page: 25, noCount: true, order: arbitrary}},
	{name: "newest first", b: behaviour{page: 25, order: newestFirst}},
	{name: "oldest first", b: behaviour{page: 25, order: oldestFirst}},
	{name: "served page 100, oldest first", b: behaviour{page: 100, order: oldestFirst}},
	{name: "arbitrary order", b: behaviour{page: 25, order: arbitrary}},
	{name: "a tie of the newest near now", b: behaviour{page: 25, order: arbitrary}, o: odd{crowdNewest: true}},
	{name: "a tie of the newest, newest first", b: behaviour{page: 25, order: newestFirst}, o: odd{crowdNewest: true}},
	{name: "a tie of the oldest", b: behaviour{page: 25, order: oldestFirst}, o: odd{crowdOldest: true}},
	{name: "404 from the third read", b: behaviour{page: 25, order: arbitrary}, from: 2, change: func(b *behaviour) { b.fail = true }},
	{name: "$filter ignored from the third read", b: behaviour{page: 25, order: arbitrary}, from: 2, change: func(b *behaviour) { b.ignoreFilter = true }},
	{name: "$filter refused from the third read", b: behaviour{page: 25, order: arbitrary}, from: 2, change: func(b *behaviour) { b.refuseFilter = true }},
}

// TestCostNeverAboveListing reads random workspaces (seeded, up to 60
// served pages) in each of the model's behaviours, six times while they
// change between reads, and checks the bound the README states: a steady
// read costs no more requests than listing every served page (naive
// listing, which also bounds its rounds); the first read of a workspace, and
// the read on which Graph changes how it answers, cost at most one round
// more; asking whether Graph honours $filter (once a day after a fallback,
// and before a listed workspace is first counted) costs one request more.
// Every number is exact, and a read fails only where Graph fails.
func TestCostNeverAboveListing(t *testing.T) {
	seeds := *boundSeeds
	if testing.Short() {
		seeds = min(seeds, 4)
	}
	for _, g := range graphs {
		t.Run(g.name, func(t *testing.T) {
			var reads, steady, counted, partitioned, asks int
			for seed := range uint64(seeds) {
				rng := rand.New(rand.NewPCG(seed*0x9e3779b97f4a7c15, 19))
				m := newModel(seed, g.b)
				top := []int{1000, 50}[rng.IntN(2)]
				page := m.served(top)
				grain := []time.Duration{tick, time.Second, time.Minute}[rng.IntN(3)]
				o := g.o
				o.crowd = page + 1 + rng.IntN(page)
				o.unset, o.future, o.clump = rng.IntN(4) == 0, rng.IntN(4) == 0, rng.IntN(4) == 0
				// Up to 60 pages, and 6,000 sessions: enough to be counted at
				// the smaller served pages, and to be listed at the larger.
				m.populate(rng.IntN(60*min(page, 100)), time.Duration(1+rng.IntN(900))*24*time.Hour, grain, o)
				if *boundDebug == g.name+"/"+itoa(int(seed)) {
					m.log = t.Logf
				}
				var mem Memory
				for read := range 6 {
					if g.change != nil && read == g.from {
						g.change(&m.b)
					}
					m.requests, m.calls, m.seen = 0, 0, nil
					naive := m.naive(top)
					res, next, err := Read(context.Background(), m, m.settings(top), mem)
					reads++
					where := func() string {
						return g.b.String() + " " + grain.String() + " seed " + itoa(int(seed)) + " read " + itoa(read) + " plan " + res.Plan
					}
					switch {
					case err != nil && !m.b.fail:
						t.Fatalf("%s: %d sessions: the read failed with Graph answering: %v", where(), len(m.sessions), err)
					case err == nil && m.b.fail:
						t.Fatalf("%s: the read succeeded with Graph failing", where())
					case err == nil:
						if err := exact(res, m.seen); err != nil {
							t.Fatalf("%s: %d sessions: %v", where(), len(m.sessions), err)
						}
					}
					switch res.Plan {
					case "counted":
						counted++
					case "partitioned":
						partitioned++
						if m.calls > 2 && err == nil && read != g.from {
							// Only a range grown past two pages takes more.
							t.Logf("%s: partitioned read took %d rounds", where(), m.calls)
						}
					}
					switch {
					case read == 0 || read == g.from && g.change != nil:
						if m.requests > naive+maxPerCall || m.calls > naive+1 {
							t.Errorf("%s: %d requests in %d rounds, naive listing %d: more than one round above it", where(), m.requests, m.calls, naive)
						}
					case err == nil && asked(m, mem, next, res):
						asks++
						if m.requests > naive+1 || m.calls > naive+1 {
							t.Errorf("%s: asking cost %d requests in %d rounds, naive listing %d", where(), m.requests, m.calls, naive)
						}
					default:
						steady++
						if m.requests > naive {
							t.Errorf("%s: steady read of %d sessions at %d a page: %d requests in %d rounds, naive listing %d", where(), len(m.sessions), page, m.requests, m.calls, naive)
						}
					}
					mem = next
					m.evolve(grain)
				}
			}
			t.Logf("%d reads: %d steady, %d counted, %d partitioned, %d asked whether Graph honours $filter", reads, steady, counted, partitioned, asks)
		})
	}
}
