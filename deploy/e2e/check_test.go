package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// queryTimeout bounds one query round trip to Prometheus.
const queryTimeout = 10 * time.Second

// checker runs one round of queries against Prometheus and collects what
// is wrong, so that a round can be repeated until the data has arrived.
type checker struct {
	ctx      context.Context
	prom     *process
	at       time.Time
	problems []string
}

func (c *checker) errorf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// query returns the result, or nil after recording the error as a problem.
func (c *checker) query(expr string) []sample {
	samples, err := query(c.ctx, c.prom, expr, c.at)
	if err != nil {
		c.errorf("%v", err)
		return nil
	}
	return samples
}

// eventually repeats the check until a round finds no problem, and fails
// the test with the last round's problems after the pace's poll bound.
func eventually(t *testing.T, prom *process, check func(c *checker)) {
	t.Helper()
	deadline := time.Now().Add(prom.pace.poll)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
		c := &checker{ctx: ctx, prom: prom, at: time.Now().Add(-prom.pace.settle)}
		check(c)
		cancel()
		if len(c.problems) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, p := range c.problems {
				t.Error(p)
			}
			t.Logf("still wrong after %s; end of the Prometheus log:\n%s", prom.pace.poll, lastLines(prom.logs.String(), 20))
			return
		}
		time.Sleep(min(prom.pace.interval, 5*time.Second))
	}
}

// targetsHealthy checks that Prometheus has targets and scrapes all of
// them successfully, and returns them.
func (c *checker) targetsHealthy() []activeTarget {
	targets, err := activeTargets(c.ctx, c.prom)
	if err != nil {
		c.errorf("%v", err)
		return nil
	}
	if len(targets) == 0 {
		c.errorf("Prometheus has no active targets")
	}
	for _, tg := range targets {
		if tg.Health != "up" {
			c.errorf("target %s of %s is %q: %s", tg.ScrapeURL, tg.ScrapePool, tg.Health, tg.LastError)
		}
	}
	return targets
}

// upIs1 checks that up of the job has exactly n series, each 1.
func (c *checker) upIs1(job string, n int) {
	expr := fmt.Sprintf("up{job=%q}", job)
	samples := c.query(expr)
	if len(samples) != n {
		c.errorf("%s has %d series, want %d", expr, len(samples), n)
	}
	for _, s := range samples {
		if s.value != 1 {
			c.errorf("%s%v = %g, want 1", "up", s.labels, s.value)
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
