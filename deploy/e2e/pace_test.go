package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// pace is the timing of one Prometheus under test, derived from how long
// the exporters took to answer on this machine now, so that a loaded
// machine gets a longer scrape timeout instead of a failed test.
type pace struct {
	// interval is the scrape and evaluation interval, and the scrape
	// timeout: a few times the slowest measured scrape.
	interval time.Duration
	// poll bounds how long a check waits for Prometheus to hold what it
	// checks: many intervals, never less than a minute.
	poll time.Duration
	// settle keeps queries behind the scrapes still being appended, so that
	// all queries of a round see the same scrapes.
	settle time.Duration
}

const (
	// measureBound only stops a hung exporter; it is no speed requirement.
	measureBound = 10 * time.Minute
	// scrapeFactor is how many times the slowest measured answer the scrape
	// timeout allows, for the load to change between the measurement and
	// the scrapes.
	scrapeFactor = 4
	// pollIntervals is how many intervals a check may wait: scrapes, then
	// rule evaluations on them, then the rate windows of the dashboard.
	pollIntervals = 30
)

// measurePace scrapes each URL twice (the demo's first fetch reads every
// prompt; later ones read what changed) as Prometheus would, with a scrape
// timeout header far above any real answer, and derives the pace from the
// slowest answer.
func measurePace(t *testing.T, urls ...string) pace {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), measureBound)
	defer cancel()
	var slowest time.Duration
	for _, u := range urls {
		for range 2 {
			took, err := timeScrape(ctx, u)
			if err != nil {
				t.Fatalf("measure the scrape of %s: %v", u, err)
			}
			slowest = max(slowest, took)
		}
	}
	// The exporter subtracts its timeout offset (0.5 s) from the scrape
	// timeout; whole seconds, rounded up, keep the generated config readable.
	interval := (scrapeFactor*slowest + time.Second/2 + time.Second - 1).Truncate(time.Second)
	p := pace{interval: interval, poll: max(time.Minute, pollIntervals*interval), settle: 2*time.Second + interval}
	t.Logf("slowest measured scrape %s: scrape interval and timeout %s, checks wait up to %s", slowest.Round(time.Millisecond), p.interval, p.poll)
	return p
}

func timeScrape(ctx context.Context, u string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "3600")
	start := time.Now()
	// Not httpClient: its timeout is for Prometheus' API, not for a scrape.
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return time.Since(start), nil
}

// seconds is d as a Prometheus duration.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
}
