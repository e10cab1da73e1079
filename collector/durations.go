package collector

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// durationBuckets are the upper bounds, in seconds, of the evaluation
// duration histogram: Security Copilot answers in seconds to minutes.
var durationBuckets = []float64{1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600}

// durationHistograms hold the evaluation duration histogram of each
// workspace of a tenant.
type durationHistograms struct {
	mu sync.Mutex
	m  map[string]*durationHistogram // by workspace
}

type durationHistogram struct {
	buckets []uint64 // per bucket, not cumulative
	count   uint64
	sum     float64
}

// observe adds the durations to the workspace's histogram, creating it,
// empty if there are none, on the workspace's first successful read.
func (h *durationHistograms) observe(ws string, ds []time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]*durationHistogram{}
	}
	hist := h.m[ws]
	if hist == nil {
		hist = &durationHistogram{buckets: make([]uint64, len(durationBuckets))}
		h.m[ws] = hist
	}
	for _, d := range ds {
		s := d.Seconds()
		hist.count++
		hist.sum += s
		for i, le := range durationBuckets {
			if s <= le {
				hist.buckets[i]++
				break
			}
		}
	}
}

// metric returns the workspace's histogram; ok is false before its first
// successful read.
func (h *durationHistograms) metric(desc *prometheus.Desc, tenant, ws string) (prometheus.Metric, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	hist := h.m[ws]
	if hist == nil {
		return nil, false
	}
	cumulative := make(map[float64]uint64, len(durationBuckets))
	var running uint64
	for i, le := range durationBuckets {
		running += hist.buckets[i]
		cumulative[le] = running
	}
	return prometheus.MustNewConstHistogram(desc, hist.count, hist.sum, cumulative, tenant, ws), true
}

// span is to minus from, and false when that does not fit a time.Duration
// (about 292 years), where time.Time.Sub would silently saturate.
func span(from, to time.Time) (time.Duration, bool) {
	d := to.Sub(from)
	return d, from.Add(d).Equal(to)
}
