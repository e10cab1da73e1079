package azuresim

import "time"

// injectedLatency is the latency a test injects to tell a delayed request
// from an undelayed one on this machine, now: far above the slowest of a
// few undelayed requests (f makes one), so that a loaded machine makes the
// test slower, never wrong; never below minLatency.
func injectedLatency(minLatency time.Duration, f func()) time.Duration {
	var slowest time.Duration
	for range 3 {
		start := time.Now()
		f()
		slowest = max(slowest, time.Since(start))
	}
	return max(minLatency, 20*slowest)
}
