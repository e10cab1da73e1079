package collector

import (
	"bytes"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// testNow is the fixed instant of every test scrape, so expected values can
// be computed from the seeded sessions.
var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

const testSecretEnv = "SECURITYCOPILOT_TEST_CLIENT_SECRET"

type fixture struct {
	t    testing.TB
	sim  *azuresim.Server
	opts azuresim.Options
	cfg  *config.Config
	exp  *Exporter
	logs *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// simTenant builds a simulated tenant with workspaces of the given sizes,
// seeded deterministically.
func simTenant(n int, secret string, sizes map[string]int) azuresim.Tenant {
	t := azuresim.Tenant{
		ID:           fmt.Sprintf("00000000-0000-4000-8000-%012d", 2*n+1),
		ClientID:     fmt.Sprintf("00000000-0000-4000-8000-%012d", 2*n+2),
		ClientSecret: secret,
	}
	seed := int64(1000 * (n + 1))
	// Sorted, so that each workspace gets the same seed, and so the same
	// sessions, on every run: a cost measured on them is repeatable.
	for _, id := range slices.Sorted(maps.Keys(sizes)) {
		seed++
		t.Workspaces = append(t.Workspaces, azuresim.Workspace{ID: id, DisplayName: id, Sessions: azuresim.GenerateSessions(seed+int64(len(id)), sizes[id], testNow)})
	}
	return t
}

// newFixture starts a simulator with the tenants and an exporter whose
// config names every tenant's workspaces (discover lists tenants whose
// workspaces are discovered instead).
func newFixture(t testing.TB, opts azuresim.Options, pageSize int, discover ...string) *fixture {
	t.Helper()
	t.Setenv(testSecretEnv, "s3cret-value-for-tests")
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	sim, err := azuresim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	cfg := config.Default()
	cfg.Graph.Endpoint, cfg.Graph.AuthorityHost = sim.GraphEndpoint(), sim.AuthorityHost()
	cfg.Graph.PageSize = pageSize
	cfg.Collection.Timeout = model.Duration(20 * time.Second)
	cfg.Collection.CacheTTL = 0 // tests of the cache set it themselves
	for i, st := range opts.Tenants {
		ct := config.Tenant{Name: fmt.Sprintf("tenant%d", i), TenantID: st.ID, ClientID: st.ClientID, ClientSecretEnv: testSecretEnv}
		if !slices.Contains(discover, ct.Name) {
			for _, w := range st.Workspaces {
				ct.Workspaces = append(ct.Workspaces, w.ID)
			}
		}
		cfg.Tenants = append(cfg.Tenants, ct)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	exp := New(Options{
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics:    graphclient.NewMetrics(prometheus.NewRegistry()),
		Transport:  &http.Client{Transport: sim.Transport()},
		RetryDelay: time.Millisecond,
		Now:        func() time.Time { return testNow },
	})
	if err := exp.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, sim: sim, opts: opts, cfg: cfg, exp: exp, logs: logs}
}

// scrape serves one /metrics request and parses the answer.
func (f *fixture) scrape() map[string]*dto.MetricFamily {
	f.t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "20")
	f.exp.Handler(prometheus.NewRegistry()).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		f.t.Fatalf("scrape: HTTP %d: %s", rec.Code, rec.Body.String())
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		f.t.Fatalf("parse scrape: %v", err)
	}
	return fams
}

// value returns the gauge with exactly these labels, and whether it exists.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	fam, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range fam.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if labels[lp.GetName()] != lp.GetValue() {
				continue next
			}
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

// expected computes, independently of the collector, what the gauges must
// say for a workspace's seeded sessions.
func expected(sessions []azuresim.Session, windows []config.Window) map[string]float64 {
	out := map[string]float64{"securitycopilot_sessions": float64(len(sessions))}
	var newest, oldest, lastMod time.Time
	for _, w := range windows {
		start := testNow.Add(-w.Duration)
		var created, active int
		for _, s := range sessions {
			if !s.Created.IsZero() && !s.Created.Before(start) {
				created++
			}
			if !s.LastModified.IsZero() && !s.LastModified.Before(start) {
				active++
			}
		}
		out["securitycopilot_sessions_created/"+w.Label] = float64(created)
		out["securitycopilot_sessions_active/"+w.Label] = float64(active)
	}
	for _, s := range sessions {
		if s.Created.After(newest) {
			newest = s.Created
		}
		if !s.Created.IsZero() && (oldest.IsZero() || s.Created.Before(oldest)) {
			oldest = s.Created
		}
		if s.LastModified.After(lastMod) {
			lastMod = s.LastModified
		}
	}
	if len(sessions) > 0 {
		out["securitycopilot_sessions_newest_created_timestamp_seconds"] = exactUnixSeconds(newest)
		out["securitycopilot_sessions_oldest_created_timestamp_seconds"] = exactUnixSeconds(oldest)
		out["securitycopilot_sessions_last_modified_timestamp_seconds"] = exactUnixSeconds(lastMod)
	}
	return out
}

var timestampGauges = []string{
	"securitycopilot_sessions_newest_created_timestamp_seconds",
	"securitycopilot_sessions_oldest_created_timestamp_seconds",
	"securitycopilot_sessions_last_modified_timestamp_seconds",
}

// assertExact checks every gauge of one workspace against the seeded data.
func (f *fixture) assertExact(fams map[string]*dto.MetricFamily, tenant string, ws azuresim.Workspace) {
	f.t.Helper()
	labels := map[string]string{"tenant": tenant, "workspace": ws.ID}
	if up, _ := value(fams, "securitycopilot_up", labels); up != 1 {
		f.t.Fatalf("%s/%s: up = %v, want 1; logs:\n%s", tenant, ws.ID, up, f.logs.String())
	}
	for key, want := range expected(ws.Sessions, f.cfg.Windows) {
		name, window, _ := strings.Cut(key, "/")
		l := map[string]string{"tenant": tenant, "workspace": ws.ID}
		if window != "" {
			l["window"] = window
		}
		got, ok := value(fams, name, l)
		if !ok || math.Float64bits(got) != math.Float64bits(want) {
			f.t.Errorf("%s%v = %v (present %v), want %v", name, l, got, ok, want)
		}
	}
	if len(ws.Sessions) == 0 {
		for _, name := range timestampGauges {
			if _, ok := value(fams, name, labels); ok {
				f.t.Errorf("%s present for empty workspace %s", name, ws.ID)
			}
		}
	}
}
