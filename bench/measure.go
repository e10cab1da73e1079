package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

const secretEnv = "SECURITYCOPILOT_BENCH_CLIENT_SECRET"

// figures are one mode's measurements of one case.
type figures struct {
	firstRequests        int // the first scrape: token, and any search
	requests, roundTrips float64
	tokens               int
	p50, p95             time.Duration
	cpu                  time.Duration // per scrape, this process's user and system time
	simCPU               time.Duration // per scrape, the simulator's
	peakHeap             uint64
	allocsPerScrape      float64
	scrapes              int
}

// scrapeFunc runs one scrape and fails if any workspace was not read.
type scrapeFunc func(ctx context.Context) error

func benchConfig(p *simProcess, c simCase) (*config.Config, error) {
	cfg := config.Default()
	cfg.Activity.Enabled = c.Activity
	cfg.Graph.Endpoint, cfg.Graph.AuthorityHost = p.GraphEndpoint, p.AuthorityHost
	cfg.Collection.CacheTTL = 0 // every scrape fetches: the cache would hide the plan's cost
	cfg.Collection.Timeout = model.Duration(10 * time.Minute)
	t := config.Tenant{Name: "bench", TenantID: simTenantID, ClientID: simClientID, ClientSecretEnv: secretEnv}
	for i := range c.Workspaces {
		t.Workspaces = append(t.Workspaces, workspaceID(i))
	}
	cfg.Tenants = []config.Tenant{t}
	return cfg, cfg.Validate()
}

func trusting(certPEM string) (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(certPEM)) {
		return nil, errors.New("simulator certificate is not PEM")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 64}}, nil
}

// startPair starts the case's simulator, and the exporter and the naive
// baseline that scrape it; the caller stops the simulator.
func startPair(c simCase) (p *simProcess, exporter, baseline scrapeFunc, err error) {
	if p, err = startSim(c); err != nil {
		return nil, nil, nil, err
	}
	defer func() {
		if err != nil {
			p.stop()
		}
	}()
	cfg, err := benchConfig(p, c)
	if err != nil {
		return nil, nil, nil, err
	}
	client, err := trusting(p.CertPEM)
	if err != nil {
		return nil, nil, nil, err
	}
	if exporter, err = exporterScrape(cfg, client); err != nil {
		return nil, nil, nil, err
	}
	if baseline, err = baselineScrape(cfg, client); err != nil {
		return nil, nil, nil, err
	}
	return p, exporter, baseline, nil
}

// exporterScrape scrapes the exporter's /metrics handler in-process.
func exporterScrape(cfg *config.Config, client *http.Client) (scrapeFunc, error) {
	exp := collector.New(collector.Options{
		Logger:    slog.New(slog.DiscardHandler),
		Metrics:   graphclient.NewMetrics(prometheus.NewRegistry()),
		Transport: client,
	})
	if err := exp.Apply(cfg); err != nil {
		return nil, err
	}
	handler := exp.Handler(prometheus.NewRegistry())
	return func(ctx context.Context) error {
		w := &scrapeReader{header: http.Header{}, code: http.StatusOK}
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/metrics", nil)
		handler.ServeHTTP(w, req)
		if w.code != http.StatusOK || w.down || w.part.Len() > 0 {
			return fmt.Errorf("scrape failed: HTTP %d, or a workspace has up 0, or the body does not end a line", w.code)
		}
		return nil
	}, nil
}

// scrapeReader is the scraper's end of a scrape: it reads the body line by
// line as the exporter writes it, as Prometheus reads it off the network,
// and keeps only the line being written, so that the exporter's peak heap
// is the exporter's, not a copy of its whole answer.
type scrapeReader struct {
	header http.Header
	code   int
	part   bytes.Buffer // the line being written
	down   bool         // a workspace has up 0
}

func (w *scrapeReader) Header() http.Header  { return w.header }
func (w *scrapeReader) WriteHeader(code int) { w.code = code }

func (w *scrapeReader) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			w.part.Write(b)
			break
		}
		w.part.Write(b[:i+1])
		w.down = w.down || upZero(w.part.Bytes())
		w.part.Reset()
		b = b[i+1:]
	}
	return n, nil
}

// upZero says whether a line of the exposition is an up or a success
// series at 0.
func upZero(line []byte) bool {
	return (bytes.HasPrefix(line, []byte("securitycopilot_up{")) || bytes.HasPrefix(line, []byte("securitycopilot_activity_success{"))) && bytes.HasSuffix(line, []byte(" 0\n"))
}

// baselineScrape is the naive exporter: every page of every workspace,
// one workspace after the other, no $batch, no cache.
func baselineScrape(cfg *config.Config, client *http.Client) (scrapeFunc, error) {
	c, err := graphclient.New(cfg.Graph, cfg.Tenants[0], graphclient.Options{Metrics: graphclient.NewMetrics(prometheus.NewRegistry()), Transport: client})
	if err != nil {
		return nil, err
	}
	q := graphclient.Query{Count: true, Select: graphclient.TimesSelect, Top: cfg.Graph.PageSize}
	return func(ctx context.Context) error {
		now := time.Now()
		for _, ws := range cfg.Tenants[0].Workspaces {
			var agg naiveAggregate
			for _, w := range cfg.Windows {
				agg.starts = append(agg.starts, now.Add(-w.Duration))
			}
			agg.created = make([]int, len(agg.starts))
			agg.active = make([]int, len(agg.starts))
			if _, err := c.ListSessions(ctx, ws, q, agg.add); err != nil {
				return err
			}
			if cfg.Activity.Enabled {
				if err := naiveActivity(ctx, c, cfg, ws); err != nil {
					return err
				}
			}
		}
		return nil
	}, nil
}

// naiveAggregate computes what the exporter exports, from every session.
type naiveAggregate struct {
	starts                       []time.Time
	sessions                     int
	created, active              []int
	newest, oldest, lastModified time.Time
}

func (a *naiveAggregate) add(s graphclient.SessionTimes) {
	a.sessions++
	for i, start := range a.starts {
		if !s.Created.Before(start) {
			a.created[i]++
		}
		if !s.LastModified.Before(start) {
			a.active[i]++
		}
	}
	if s.Created.After(a.newest) {
		a.newest = s.Created
	}
	if a.oldest.IsZero() || s.Created.Before(a.oldest) {
		a.oldest = s.Created
	}
	if s.LastModified.After(a.lastModified) {
		a.lastModified = s.LastModified
	}
}

// measure runs one warm-up scrape, then scrapes until it has maxScrapes or
// the budget is spent (at least one), sampling the heap meanwhile.
func measure(p *simProcess, scrape scrapeFunc, maxScrapes int, budget time.Duration) (figures, error) {
	var f figures
	ctx := context.Background()
	if err := p.reset(); err != nil {
		return f, err
	}
	if err := p.rearm(); err != nil {
		return f, err
	}
	if err := scrape(ctx); err != nil {
		return f, fmt.Errorf("first scrape: %w", err)
	}
	st, err := p.stats()
	if err != nil {
		return f, err
	}
	f.firstRequests, f.tokens = st.GraphRequests, st.TokenRequests
	if err := p.reset(); err != nil {
		return f, err
	}
	runtime.GC()
	sampler := startHeapSampler()
	allocsBefore := readUint(allocsMetric)
	var latencies []time.Duration
	start, cpuBefore, simBefore := time.Now(), cpuTime(), childCPU(p.cmd.Process.Pid)
	for len(latencies) < maxScrapes && (len(latencies) == 0 || time.Since(start) < budget) {
		if err := p.rearm(); err != nil {
			sampler.stop()
			return f, err
		}
		t0 := time.Now()
		if err := scrape(ctx); err != nil {
			sampler.stop()
			return f, err
		}
		latencies = append(latencies, time.Since(t0))
	}
	f.cpu = (cpuTime() - cpuBefore) / time.Duration(len(latencies))
	f.simCPU = (childCPU(p.cmd.Process.Pid) - simBefore) / time.Duration(len(latencies))
	f.allocsPerScrape = float64(readUint(allocsMetric)-allocsBefore) / float64(len(latencies))
	f.peakHeap = sampler.stop()
	if st, err = p.stats(); err != nil {
		return f, err
	}
	n := float64(len(latencies))
	f.scrapes = len(latencies)
	f.requests, f.roundTrips = float64(st.GraphRequests)/n, float64(st.RoundTrips)/n
	f.tokens += st.TokenRequests
	slices.Sort(latencies)
	f.p50, f.p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
	return f, nil
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

const (
	heapMetric   = "/memory/classes/heap/objects:bytes"
	allocsMetric = "/gc/heap/allocs:objects"
)

func readUint(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapSampler records the largest live-and-unswept heap it saw; runtime/
// metrics reads it without stopping the world.
type heapSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{done: make(chan struct{})}
	h.wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			h.peak = max(h.peak, readUint(heapMetric))
			select {
			case <-h.done:
				return
			case <-tick.C:
			}
		}
	})
	return h
}

func (h *heapSampler) stop() uint64 {
	close(h.done)
	h.wg.Wait()
	return h.peak
}
