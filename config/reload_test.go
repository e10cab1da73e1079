package config

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fakeSource hands out configurations or errors on demand.
type fakeSource struct {
	mu       sync.Mutex
	cfg      *Config
	loadErr  error
	applyErr error
	applied  []*Config
}

func (f *fakeSource) load() (*Config, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loadErr != nil {
		return nil, f.loadErr
	}
	return f.cfg, nil
}

func (f *fakeSource) apply(c *Config) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.applyErr != nil {
		return f.applyErr
	}
	f.applied = append(f.applied, c)
	return nil
}

func (f *fakeSource) set(cfg *Config, loadErr, applyErr error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg, f.loadErr, f.applyErr = cfg, loadErr, applyErr
}

func newTestReloader(t *testing.T, src *fakeSource) (*Reloader, *prometheus.Registry, *strings.Builder) {
	t.Helper()
	reg := prometheus.NewRegistry()
	logs := &strings.Builder{}
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil))
	r, err := NewReloader(src.load, src.apply, reg, logger)
	if err != nil {
		t.Fatal(err)
	}
	return r, reg, logs
}

type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func gauges(r *Reloader) (successful, timestamp float64) {
	return testutil.ToFloat64(r.lastSuccessful), testutil.ToFloat64(r.lastSuccessfulSec)
}

func TestReloaderMetricsExposition(t *testing.T) {
	src := &fakeSource{cfg: Default()}
	r, reg, _ := newTestReloader(t, src)
	r.now = func() time.Time { return time.Unix(1700000000, 500000000) }
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	const want = `
# HELP securitycopilot_exporter_config_last_reload_success_timestamp_seconds Unix time in seconds of the exporter's last successful configuration reload (at start-up, on SIGHUP or POST /-/reload).
# TYPE securitycopilot_exporter_config_last_reload_success_timestamp_seconds gauge
securitycopilot_exporter_config_last_reload_success_timestamp_seconds 1.7000000005e+09
# HELP securitycopilot_exporter_config_last_reload_successful Whether the last configuration reload attempt of the exporter (at start-up, on SIGHUP or POST /-/reload) succeeded (1) or failed (0). After a failure the previous configuration stays in use.
# TYPE securitycopilot_exporter_config_last_reload_successful gauge
securitycopilot_exporter_config_last_reload_successful 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) != 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestReloader(t *testing.T) {
	first, second := Default(), Default()
	src := &fakeSource{cfg: first}
	r, _, logs := newTestReloader(t, src)
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }

	// Before any load: nothing current, not ready, not successful.
	if r.Current() != nil || r.Loaded() {
		t.Fatal("config present before the first load")
	}
	if s, ts := gauges(r); s != 0 || ts != 0 {
		t.Fatalf("initial gauges = %v, %v", s, ts)
	}

	// Success.
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if r.Current() != first || !r.Loaded() {
		t.Fatal("first config not current after success")
	}
	if s, ts := gauges(r); s != 1 || ts != 1000 {
		t.Fatalf("gauges after success = %v, %v; want 1, 1000", s, ts)
	}

	// Load failure: old config stays, successful=0, timestamp unchanged.
	now = time.Unix(2000, 0)
	src.set(second, errors.New("config.yml: tenants[0].name: required"), nil)
	err := r.Reload()
	if err == nil || !strings.Contains(err.Error(), "loading config: config.yml: tenants[0].name: required") {
		t.Fatalf("Reload error = %v", err)
	}
	if r.Current() != first || !r.Loaded() {
		t.Fatal("failed load replaced the config")
	}
	if s, ts := gauges(r); s != 0 || ts != 1000 {
		t.Fatalf("gauges after load failure = %v, %v; want 0, 1000", s, ts)
	}
	if got := logs.String(); !strings.Contains(got, `level=ERROR msg="Error reloading config" err="loading config: config.yml: tenants[0].name: required"`) {
		t.Errorf("failure not logged as expected:\n%s", got)
	}

	// Apply failure counts as failure too, and the loaded config is dropped.
	src.set(second, nil, errors.New("collector refused"))
	if err := r.Reload(); err == nil || err.Error() != "applying config: collector refused" {
		t.Fatalf("Reload error = %v", err)
	}
	if r.Current() != first {
		t.Fatal("failed apply replaced the config")
	}
	if s, ts := gauges(r); s != 0 || ts != 1000 {
		t.Fatalf("gauges after apply failure = %v, %v; want 0, 1000", s, ts)
	}

	// A nil config from load is a failure, not a panic later.
	src.set(nil, nil, nil)
	if err := r.Reload(); err == nil || r.Current() != first {
		t.Fatalf("nil config accepted: %v", err)
	}

	// Recovery.
	now = time.Unix(3000, 0)
	src.set(second, nil, nil)
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if r.Current() != second {
		t.Fatal("second config not current after success")
	}
	if s, ts := gauges(r); s != 1 || ts != 3000 {
		t.Fatalf("gauges after recovery = %v, %v; want 1, 3000", s, ts)
	}
	if len(src.applied) != 2 || src.applied[0] != first || src.applied[1] != second {
		t.Errorf("applied = %v, want [first second]", src.applied)
	}
}

func TestReloaderFirstLoadFails(t *testing.T) {
	src := &fakeSource{loadErr: errors.New("no such file")}
	r, _, _ := newTestReloader(t, src)
	if err := r.Reload(); err == nil {
		t.Fatal("Reload succeeded")
	}
	if r.Current() != nil || r.Loaded() {
		t.Fatal("config present after a failed first load")
	}
	if s, ts := gauges(r); s != 0 || ts != 0 {
		t.Fatalf("gauges = %v, %v", s, ts)
	}
}

func TestNewReloader(t *testing.T) {
	if _, err := NewReloader(nil, nil, nil, nil); err == nil {
		t.Error("nil load accepted")
	}
	// nil apply, registerer and logger are fine.
	r, err := NewReloader(func() (*Config, error) { return Default(), nil }, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err != nil || !r.Loaded() {
		t.Fatalf("Reload = %v, loaded %v", err, r.Loaded())
	}
	// Registering twice on one registry is reported, not a panic.
	reg := prometheus.NewRegistry()
	load := func() (*Config, error) { return Default(), nil }
	if _, err := NewReloader(load, nil, reg, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := NewReloader(load, nil, reg, nil); err == nil {
		t.Error("second registration on the same registry succeeded")
	}
}

// Run with -race: concurrent reloads and readers must not race, applies must
// never overlap, and Current must always be a config that was applied.
func TestReloaderConcurrent(t *testing.T) {
	var (
		mu       sync.Mutex
		inApply  int
		overlaps int
		applied  = map[*Config]bool{}
	)
	configs := []*Config{Default(), Default(), Default()}
	var n int
	var nmu sync.Mutex
	load := func() (*Config, error) {
		nmu.Lock()
		defer nmu.Unlock()
		n++
		if n%4 == 0 {
			return nil, errors.New("broken")
		}
		return configs[n%len(configs)], nil
	}
	apply := func(c *Config) error {
		mu.Lock()
		inApply++
		if inApply > 1 {
			overlaps++
		}
		applied[c] = true
		mu.Unlock()
		time.Sleep(100 * time.Microsecond)
		mu.Lock()
		inApply--
		mu.Unlock()
		return nil
	}
	r, err := NewReloader(load, apply, prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				_ = r.Reload()
				if c := r.Current(); c != nil {
					mu.Lock()
					ok := applied[c]
					mu.Unlock()
					if !ok {
						t.Error("Current returned a config that was never applied")
					}
				}
				_ = r.Loaded()
			}
		})
	}
	wg.Wait()
	if overlaps != 0 {
		t.Errorf("%d applies overlapped", overlaps)
	}
	if !r.Loaded() {
		t.Error("never loaded")
	}
}
