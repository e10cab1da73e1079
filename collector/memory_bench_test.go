package collector

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// BenchmarkTenantMemory builds n tenants with client secret credentials
// through Apply, as a configuration load does, scrapes them once from the
// simulated Graph (each gets a token and reads one small workspace), and
// reports the live heap per tenant after garbage collection, before and
// after the scrape.
//
//	go test ./collector -run '^$' -bench TenantMemory -benchtime 1x
func BenchmarkTenantMemory(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			opts := azuresim.Options{}
			for i := range n {
				opts.Tenants = append(opts.Tenants, simTenant(i, "s3cret-value-for-tests", map[string]int{"default": 3}))
			}
			f := newFixture(b, opts, 1000)
			f.exp = nil
			var applied, peak, scraped, resident float64
			for b.Loop() {
				before := liveHeap()
				residentBefore := residentBytes()
				exp := New(Options{Logger: slog.New(slog.DiscardHandler), Metrics: graphclient.NewMetrics(prometheus.NewRegistry()),
					Transport: &http.Client{Transport: f.sim.Transport()}, Now: func() time.Time { return testNow }})
				if err := exp.Apply(f.cfg); err != nil {
					b.Fatal(err)
				}
				applied = float64(liveHeap()-before) / float64(n)
				stopPeak := samplePeakHeap()
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
				req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "600")
				exp.Handler(prometheus.NewRegistry()).ServeHTTP(rec, req)
				if want := fmt.Sprintf("securitycopilot_up{tenant=\"tenant%d\",workspace=\"default\"} 1", n-1); !strings.Contains(rec.Body.String(), want) {
					b.Fatalf("the scrape lacks %s", want)
				}
				rec = nil
				peak = float64(stopPeak()-before) / float64(n)
				scraped = float64(liveHeap()-before) / float64(n)
				resident = (float64(residentBytes()) - float64(residentBefore)) / float64(n)
				runtime.KeepAlive(exp)
			}
			b.ReportMetric(applied, "heap-B/tenant-applied")
			b.ReportMetric(peak, "peak-heap-B/tenant")
			b.ReportMetric(scraped, "heap-B/tenant-scraped")
			b.ReportMetric(resident, "resident-B/tenant-scraped")
		})
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// residentBytes is the memory the Go runtime holds from the system and has
// not given back: what a tenant's share of the process's resident set
// comes from.
func residentBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

// samplePeakHeap watches the heap's live and not yet swept objects every
// few milliseconds, without stopping the world, until the returned
// function is called; that returns the highest value seen.
func samplePeakHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
