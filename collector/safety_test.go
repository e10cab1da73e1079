package collector

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// recordingTransport remembers every bearer token the exporter sent.
type recordingTransport struct {
	next   http.RoundTripper
	mu     sync.Mutex
	tokens map[string]bool
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		r.mu.Lock()
		r.tokens[tok] = true
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func TestNoSecretOrTokenInLogsOrMetrics(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 10, Tenants: []azuresim.Tenant{
		simTenant(0, "s3cret-value-for-tests", map[string]int{"ok": 25, "forbidden": 3, "missing": 2, "broken": 4}),
		simTenant(1, "another-secret-not-ours", map[string]int{"default": 5}),
	}}
	f := newFixture(t, opts, 10)
	rec := &recordingTransport{next: f.sim.Transport(), tokens: map[string]bool{}}
	f.exp = New(Options{Logger: f.exp.opts.Logger, Metrics: graphclient.NewMetrics(prometheus.NewRegistry()),
		Transport: &http.Client{Transport: rec}, RetryDelay: time.Millisecond, Now: f.exp.opts.Now})
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	f.sim.SetFaults(azuresim.Faults{ThrottleEvery: 4, StatusFor: map[string]int{"forbidden": 403, "missing": 404, "broken": 500}})
	var exposition strings.Builder
	for i := 0; i < 2; i++ {
		rr := httptest.NewRecorder()
		f.exp.Handler(prometheus.NewRegistry()).ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		exposition.WriteString(rr.Body.String())
	}
	if len(rec.tokens) == 0 {
		t.Fatal("no bearer token was recorded; the test proves nothing")
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "AADSTS7000215") || !strings.Contains(logs, "status=403") {
		t.Fatalf("the error paths did not run:\n%s", logs)
	}
	for _, where := range []struct{ name, text string }{{"logs", logs}, {"metrics", exposition.String()}} {
		for _, secret := range []string{"s3cret-value-for-tests", "another-secret-not-ours"} {
			if strings.Contains(where.text, secret) {
				t.Errorf("a client secret appears in the %s", where.name)
			}
		}
		for tok := range rec.tokens {
			if strings.Contains(where.text, tok) {
				t.Errorf("a bearer token appears in the %s", where.name)
			}
		}
	}
}

func TestSlowGraphMissesTheDeadlineWithoutHanging(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 5, "second": 5})}}
	f := newFixture(t, opts, 1000)
	f.scrape() // token and discovery are not what this test is about
	f.sim.SetFaults(azuresim.Faults{Latency: time.Minute})
	rr := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	// 1.5 s announced minus the 0.5 s default offset: a 1 s deadline.
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "1.5")
	f.exp.Handler(prometheus.NewRegistry()).ServeHTTP(rr, req)
	for _, ws := range []string{"default", "second"} {
		want := `securitycopilot_up{tenant="tenant0",workspace="` + ws + `"} 0`
		if !strings.Contains(rr.Body.String(), want) {
			t.Errorf("missing %s in:\n%s", want, rr.Body.String())
		}
	}
	// The fetch logs its failure as it ends, at the same deadline as the
	// scrape, possibly just after the scrape has answered.
	for i := 0; !strings.Contains(f.logs.String(), "context deadline exceeded"); i++ {
		if i == 50 {
			t.Fatalf("the deadline is not what failed:\n%s", f.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestScrapeTimeoutHeader(t *testing.T) {
	for header, want := range map[string]time.Duration{
		"":     30 * time.Second,
		"10":   9500 * time.Millisecond,
		"2.5":  2 * time.Second,
		"0.6":  minScrapeTimeout,
		"-1":   30 * time.Second,
		"abc":  30 * time.Second,
		"1e10": 30 * time.Second,
		// ParseFloat accepts these; none is a deadline.
		"NaN":      30 * time.Second,
		"nan":      30 * time.Second,
		"Inf":      30 * time.Second,
		"+Inf":     30 * time.Second,
		"-Inf":     30 * time.Second,
		"Infinity": 30 * time.Second,
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if header != "" {
			req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", header)
		}
		if got := scrapeTimeout(req, 30*time.Second, 500*time.Millisecond); got != want {
			t.Errorf("header %q: timeout %v, want %v", header, got, want)
		}
	}
}

// Ids that could leave their path segment are no workspace ids: the
// configuration refuses them, and discovery leaves them out, so no request
// is ever built from one.
func TestOddWorkspaceIDsNeverReachAPath(t *testing.T) {
	sizes := map[string]int{"a/b": 3, "x?y#z": 4, "sp ace": 5, "50%2F": 6, "b": 7}
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", sizes)}}
	f := newFixture(t, opts, 1000, "tenant0")
	fams := f.scrape()
	for _, ws := range opts.Tenants[0].Workspaces {
		if ws.ID == "b" {
			f.assertExact(fams, "tenant0", ws)
		} else if _, ok := value(fams, "securitycopilot_up", map[string]string{"tenant": "tenant0", "workspace": ws.ID}); ok {
			t.Errorf("workspace %q was read", ws.ID)
		}
	}
	for _, r := range f.sim.Requests() {
		if strings.Contains(r.Path, "/workspaces/") && !strings.HasSuffix(r.Path, "/sessions") && !strings.HasSuffix(r.Path, "/plugins") {
			t.Errorf("request escaped its workspace segment: %s", r.Path)
		}
	}
}

// brokenPipe is a client that went away: every write fails.
type brokenPipe struct{ header http.Header }

func (b *brokenPipe) Header() http.Header       { return b.header }
func (b *brokenPipe) WriteHeader(int)           {}
func (b *brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

func TestGoneClientLogsOneLine(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 12, "emea": 3})}}
	f := newFixture(t, opts, 1000)
	mark := len(f.logs.String())
	f.exp.Handler(prometheus.NewRegistry()).ServeHTTP(&brokenPipe{header: http.Header{}}, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if n := strings.Count(f.logs.String()[mark:], "Serving metrics failed"); n != 1 {
		t.Errorf("%d lines for one client that went away:\n%s", n, f.logs.String()[mark:])
	}
}
