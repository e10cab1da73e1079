package collector

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// deadlineSlack is how late a scrape may answer after its deadline: the
// time to write the answer on a busy CI machine running -race. The fault
// matrix raises it to a few healthy scrapes measured on the machine.
const deadlineSlack = 2 * time.Second

// wireTap watches the exporter's side of the wire: which hosts were sent a
// bearer token, and how many body bytes came back.
type wireTap struct {
	next      http.RoundTripper
	bytesRead atomic.Int64

	mu          sync.Mutex
	bearerHosts map[string]int
}

func newWireTap(next http.RoundTripper) *wireTap {
	return &wireTap{next: next, bearerHosts: map[string]int{}}
}

func (w *wireTap) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
		w.mu.Lock()
		w.bearerHosts[req.URL.Scheme+"://"+req.URL.Host]++
		w.mu.Unlock()
	}
	resp, err := w.next.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &w.bytesRead}
	}
	return resp, err
}

// hostsWithBearer returns the scheme://host of every request that carried a
// bearer token.
func (w *wireTap) hostsWithBearer() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, len(w.bearerHosts))
	for h, n := range w.bearerHosts {
		out[h] = n
	}
	return out
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// useTransport rebuilds the fixture's exporter on rt, keeping its logger,
// clock and config.
func (f *fixture) useTransport(rt http.RoundTripper) {
	f.t.Helper()
	f.exp = New(Options{
		Logger:     f.exp.opts.Logger,
		Metrics:    graphclient.NewMetrics(prometheus.NewRegistry()),
		Transport:  &http.Client{Transport: rt},
		RetryDelay: time.Millisecond,
		Now:        f.exp.opts.Now,
	})
	if err := f.exp.Apply(f.cfg); err != nil {
		f.t.Fatal(err)
	}
}

// scrapeTimed serves one /metrics request announcing timeout (seconds) as
// Prometheus does, and returns the parsed answer and how long it took.
func (f *fixture) scrapeTimed(timeout string) (map[string]*dto.MetricFamily, time.Duration) {
	f.t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	start := time.Now()
	f.exp.Handler(prometheus.NewRegistry()).ServeHTTP(rec, req)
	took := time.Since(start)
	if rec.Code != http.StatusOK {
		f.t.Fatalf("scrape: HTTP %d: %s", rec.Code, rec.Body.String())
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		f.t.Fatalf("parse scrape: %v", err)
	}
	return fams, took
}

// assertCurrent checks a workspace against what the simulator holds now,
// which includes sessions a test added.
func (f *fixture) assertCurrent(fams map[string]*dto.MetricFamily, tenant int, ws string) {
	f.t.Helper()
	sessions, err := f.sim.Sessions(f.opts.Tenants[tenant].ID, ws)
	if err != nil {
		f.t.Fatal(err)
	}
	f.assertExact(fams, f.cfg.Tenants[tenant].Name, azuresim.Workspace{ID: ws, Sessions: sessions})
}

// assertDown checks that a workspace reports up 0 and no numbers.
func assertDown(t testing.TB, fams map[string]*dto.MetricFamily, tenant, ws string) {
	t.Helper()
	labels := map[string]string{"tenant": tenant, "workspace": ws}
	if up, ok := value(fams, "securitycopilot_up", labels); !ok || up != 0 {
		t.Errorf("%s/%s: up = %v (present %v), want 0", tenant, ws, up, ok)
	}
	if n, ok := value(fams, "securitycopilot_sessions", labels); ok {
		t.Errorf("%s/%s failed but still exports securitycopilot_sessions %v", tenant, ws, n)
	}
}

// errorLines returns the lines logged at level ERROR since offset.
func errorLines(logs string, offset int) []string {
	var out []string
	for _, line := range strings.Split(logs[offset:], "\n") {
		if strings.Contains(line, "level=ERROR") {
			out = append(out, line)
		}
	}
	return out
}

// assertOneErrorLine checks that each failed workspace logged exactly one
// error line saying want, and that nothing else logged an error.
func assertOneErrorLine(t *testing.T, lines []string, tenant string, failed []string, want string) {
	t.Helper()
	for _, ws := range failed {
		var mine []string
		for _, l := range lines {
			if strings.Contains(l, "tenant="+tenant+" ") && strings.Contains(l, "workspace="+ws+" ") {
				mine = append(mine, l)
			}
		}
		if len(mine) != 1 || !strings.Contains(mine[0], want) {
			t.Errorf("%s/%s: want one error line saying %q, got %d:\n%s", tenant, ws, want, len(mine), strings.Join(mine, "\n"))
		}
	}
	if len(lines) != len(failed) {
		t.Errorf("%d error lines for %d failed workspaces:\n%s", len(lines), len(failed), strings.Join(lines, "\n"))
	}
}
