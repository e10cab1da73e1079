package auditusage

import (
	"testing"
	"time"
)

func planner(perDay int) *Planner {
	return NewPlanner(PlanConfig{Delay: 2 * time.Hour, Overlap: 3 * time.Hour, Lookback: 24 * time.Hour, Budget: Budget{PerDay: perDay, MaxActive: 1}})
}

// run submits and finishes the interval due at now, and returns it.
func run(t *testing.T, p *Planner, s *Store, now time.Time, o Outcome) (Interval, Why) {
	t.Helper()
	iv, why := p.Next(now, s)
	if why != Due {
		return iv, why
	}
	if !iv.Valid() {
		t.Fatalf("invalid interval %v", iv)
	}
	if err := p.Submit(now); err != nil {
		t.Fatal(err)
	}
	if o == Succeeded {
		s.Add(iv, nil)
	}
	if err := p.Finish(iv, o); err != nil {
		t.Fatal(err)
	}
	return iv, why
}

func TestPlannerRefillsThenQueriesTheNewHourWithOverlap(t *testing.T) {
	p, s := planner(48), NewStore()
	// Started at 10:30 after a restart: the whole lookback, ending 2h
	// before now on an hour.
	iv, _ := run(t, p, s, at(34, 30), Succeeded)
	if iv != hours(8, 32) {
		t.Fatalf("refill %v, want %v", iv, hours(8, 32))
	}
	if _, why := p.Next(at(34, 59), s); why != UpToDate {
		t.Fatalf("within the same hour: %v, want UpToDate", why)
	}
	iv, _ = run(t, p, s, at(35, 0), Succeeded)
	if iv != hours(29, 33) {
		t.Fatalf("next %v, want the new hour and a 3h overlap %v", iv, hours(29, 33))
	}
}

func TestPlannerRetriesAFailedInterval(t *testing.T) {
	p, s := planner(48), NewStore()
	run(t, p, s, at(34, 0), Succeeded)
	first, _ := run(t, p, s, at(35, 0), Failed)
	again, _ := run(t, p, s, at(35, 20), Succeeded)
	if first != again {
		t.Fatalf("after a failure %v, want %v again", again, first)
	}
	// Two hours lost to failures are taken along by the next query.
	run(t, p, s, at(36, 0), Failed)
	run(t, p, s, at(37, 0), Failed)
	iv, _ := run(t, p, s, at(38, 0), Succeeded)
	if iv != hours(30, 36) {
		t.Fatalf("catch-up %v, want %v", iv, hours(30, 36))
	}
}

func TestPlannerSplitsATruncatedInterval(t *testing.T) {
	p, s := planner(48), NewStore()
	whole, _ := run(t, p, s, at(34, 0), Truncated)
	a, _ := run(t, p, s, at(34, 1), Truncated)
	b, _ := run(t, p, s, at(34, 2), Succeeded)
	c, _ := run(t, p, s, at(34, 3), Succeeded)
	halves := whole.Split()
	quarters := halves[0].Split()
	if a != halves[0] || b != quarters[0] || c != quarters[1] {
		t.Fatalf("got %v %v %v", a, b, c)
	}
	d, _ := run(t, p, s, at(34, 4), Succeeded)
	if d != halves[1] || p.Queued() != 0 || !s.Covered(whole) {
		t.Fatalf("got %v, %d queued, covered %v", d, p.Queued(), s.Covered(whole))
	}
	if _, why := p.Next(at(34, 5), s); why != UpToDate {
		t.Fatalf("%v, want UpToDate", why)
	}
}

func TestPlannerUnsplittableHour(t *testing.T) {
	p := planner(48)
	if err := p.Submit(at(0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := p.Finish(hours(3, 4), Truncated); err != ErrUnsplittable {
		t.Fatalf("got %v", err)
	}
}

func TestPlannerNeverExceedsTheBudget(t *testing.T) {
	p, s := planner(5), NewStore()
	n := 0
	// Every query fails, every minute for two days: the worst case.
	for m := 0; m < 48*60; m++ {
		now := at(30, m)
		if _, why := p.Next(now, s); why == Due {
			if err := p.Submit(now); err != nil {
				t.Fatal(err)
			}
			n++
			_ = p.Finish(Interval{}, Failed)
		} else if why != BudgetSpent {
			t.Fatalf("minute %d: %v", m, why)
		}
		if p.Spent(now) > 5 {
			t.Fatalf("minute %d: %d submissions in 24h", m, p.Spent(now))
		}
	}
	if n != 10 {
		t.Fatalf("%d submissions in two days, want 10", n)
	}
	if err := p.Submit(at(30+47, 59)); err == nil {
		t.Fatal("Submit beyond the budget succeeded")
	}
}

func TestPlannerMaxActive(t *testing.T) {
	p, s := planner(48), NewStore()
	if err := p.Submit(at(30, 0)); err != nil {
		t.Fatal(err)
	}
	if _, why := p.Next(at(30, 0), s); why != TooManyActive {
		t.Fatalf("%v, want TooManyActive", why)
	}
	if p.Submit(at(30, 0)) == nil {
		t.Fatal("a second active query was allowed")
	}
}

// Steady state: one submission per new closed hour, never more, and every
// hour of the lookback covered.
func TestPlannerSteadyState(t *testing.T) {
	p, s := planner(48), NewStore()
	subs := 0
	for m := 0; m < 7*24*60; m += 5 {
		now := at(0, m)
		if iv, why := p.Next(now, s); why == Due {
			subs++
			if err := p.Submit(now); err != nil {
				t.Fatal(err)
			}
			s.Add(iv, nil)
			if err := p.Finish(iv, Succeeded); err != nil {
				t.Fatal(err)
			}
		}
	}
	// One at the start (the refill), then one each hour.
	if want := 7 * 24; subs != want {
		t.Fatalf("%d submissions in a week, want %d", subs, want)
	}
	end := Hour(at(0, 7*24*60-5).Add(-2 * time.Hour))
	if !s.Covered(Interval{end.Add(-24 * time.Hour), end}) {
		t.Fatal("lookback not covered")
	}
}

func TestPlannerDropsSplitsOutsideTheLookback(t *testing.T) {
	p, s := planner(48), NewStore()
	run(t, p, s, at(34, 0), Truncated)
	if p.Queued() != 2 {
		t.Fatalf("%d queued", p.Queued())
	}
	if iv, _ := p.Next(at(34+48, 0), s); iv.Start.Before(at(34+48-26, 0)) {
		t.Fatalf("a stale split came back: %v", iv)
	}
}
