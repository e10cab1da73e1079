package auditread

import (
	"context"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/auditusage"
)

// BenchmarkSteadyState runs one cycle per interval after the refill of a
// start, against the simulator, and reports what each interval costs in
// query submissions, polls and record pages. It fails if the intervals
// elapsed cost more than one submission each, or the trailing 24 hours
// more than the budget.
func BenchmarkSteadyState(b *testing.B) {
	f := newFixture(b, "beta", 2000)
	ctx := context.Background()
	if err := f.reader.Cycle(ctx); err != nil {
		b.Fatal(err)
	}
	before, t0 := f.sim.AuditStats(), f.clock.now()
	b.ResetTimer()
	for b.Loop() {
		f.clock.t = f.clock.t.Add(f.set.Interval)
		if err := f.reader.Cycle(ctx); err != nil {
			b.Fatal(err)
		}
		// The polls move the clock too (30 s each), so a cycle may cross
		// an hour and query two: what counts is one submission per hour
		// that closed, with an interval of an hour.
		elapsed := closedHours(t0, f.clock.now())
		if n := f.sim.AuditStats().Submissions - before.Submissions; n > elapsed {
			b.Fatalf("%d submissions in %d intervals", n, elapsed)
		}
		if s := f.reader.Snapshot().Submissions; s > f.set.Plan.Budget.PerDay {
			b.Fatalf("%d submissions in 24 hours, budget %d", s, f.set.Plan.Budget.PerDay)
		}
	}
	after := f.sim.AuditStats()
	n := float64(closedHours(t0, f.clock.now()))
	b.ReportMetric(float64(after.Submissions-before.Submissions)/n, "submissions/interval")
	b.ReportMetric(float64(after.Polls-before.Polls)/n, "polls/interval")
	b.ReportMetric(float64(after.RecordPages-before.RecordPages)/n, "pages/interval")
	b.ReportMetric(float64(f.reader.Snapshot().Submissions), "submissions/24h")
}

// closedHours is how many hours closed between from and to.
func closedHours(from, to time.Time) int {
	return int(auditusage.Hour(to).Sub(auditusage.Hour(from)) / time.Hour)
}
