package config

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Reloader loads config through a load function, hands it to apply, and
// keeps the last good one. A failed reload leaves the running configuration
// in place, so a typo pushed with SIGHUP or POST /-/reload never takes the
// exporter down.
type Reloader struct {
	load   func() (*Config, error)
	apply  func(*Config) error
	logger *slog.Logger
	now    func() time.Time // replaced in tests

	mu      sync.Mutex // serializes Reload so applies never interleave
	current atomic.Pointer[Config]

	lastSuccessful    prometheus.Gauge
	lastSuccessfulSec prometheus.Gauge
}

// NewReloader returns a Reloader and registers its two metrics on reg
// (skipped when reg is nil). apply may be nil when there is nothing to do
// beyond keeping the configuration; a nil logger discards logs. It does not
// load anything: call Reload for the first load.
func NewReloader(load func() (*Config, error), apply func(*Config) error, reg prometheus.Registerer, logger *slog.Logger) (*Reloader, error) {
	if load == nil {
		return nil, errors.New("config reloader: load function is nil")
	}
	if apply == nil {
		apply = func(*Config) error { return nil }
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{
		load:   load,
		apply:  apply,
		logger: logger,
		now:    time.Now,
		lastSuccessful: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metricnames.ConfigLastReloadSuccessful,
			Help: "Whether the last configuration reload attempt of the exporter (at start-up, on SIGHUP or POST /-/reload) succeeded (1) or failed (0). After a failure the previous configuration stays in use.",
		}),
		lastSuccessfulSec: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metricnames.ConfigLastReloadSuccessTime,
			Help: "Unix time in seconds of the exporter's last successful configuration reload (at start-up, on SIGHUP or POST /-/reload).",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{r.lastSuccessful, r.lastSuccessfulSec} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("config reloader: registering metrics: %w", err)
			}
		}
	}
	return r, nil
}

// Reload loads the configuration and applies it. On success the new
// configuration becomes Current; on failure the previous one stays, and the
// error is logged and returned. Concurrent calls run one after the other.
func (r *Reloader) Reload() (err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() {
		if err != nil {
			r.lastSuccessful.Set(0)
			r.logger.Error("Error reloading config", "err", err)
			return
		}
		r.lastSuccessful.Set(1)
		r.lastSuccessfulSec.Set(float64(r.now().UnixNano()) / 1e9)
		r.logger.Info("Loaded config")
	}()

	cfg, err := r.load()
	if err != nil {
		return fmt.Errorf("loading config: %w", err)
	}
	if cfg == nil {
		return errors.New("loading config: load returned no config")
	}
	if err := r.apply(cfg); err != nil {
		return fmt.Errorf("applying config: %w", err)
	}
	r.current.Store(cfg)
	return nil
}

// Current returns the configuration in use, or nil before the first
// successful load. Callers must treat it as read-only: it is shared.
func (r *Reloader) Current() *Config {
	return r.current.Load()
}

// Loaded reports whether a configuration has ever loaded successfully; it
// backs the readiness endpoint.
func (r *Reloader) Loaded() bool {
	return r.current.Load() != nil
}
