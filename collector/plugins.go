package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// maxPluginRetryWait bounds how long a failed plugin listing is reported
// before the workspace is listed again: a listing that failed once (a
// throttled retry ran out, a scrape ended) must not blank the plugin
// metrics for a whole interval, and one that keeps failing costs one
// request a minute.
const maxPluginRetryWait = time.Minute

// pluginReads remembers the last plugin listing of each workspace of a
// tenant, so that the list is read once per plugins.interval, apart from
// the sessions and their cache_ttl.
type pluginReads struct {
	mu    sync.Mutex
	reads map[string]pluginRead
}

// pluginRead is what a scrape reports of a workspace's plugins: the list
// of the last successful listing (at), or err when the last attempt
// (tried) failed.
type pluginRead struct {
	plugins []graphclient.Plugin
	at      time.Time
	tried   time.Time
	err     error
	// metrics are the series of a successful listing, built at its first
	// scrape and sent again by the next ones until the next listing: a
	// listing is reused for plugins.interval, and building its constant
	// metrics was a third of what a scrape allocated.
	metrics *pluginMetrics
}

// pluginMetrics holds the series built from one listing, for the labels
// and settings they were built with.
type pluginMetrics struct {
	mu      sync.Mutex
	key     pluginMetricsKey
	metrics []prometheus.Metric
}

type pluginMetricsKey struct {
	tenant, workspace string
	perPlugin         bool
	descs             pluginDescs
}

// get returns the series built for key, building them when none were or
// when they were built for another key (a reload renamed the tenant or
// changed plugins.per_plugin).
func (m *pluginMetrics) get(key pluginMetricsKey, build func() []prometheus.Metric) []prometheus.Metric {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.metrics == nil || m.key != key {
		m.key, m.metrics = key, build()
	}
	return m.metrics
}

// current copies into out the reads of ids that are recent enough to
// report, and returns the ids that are due for a listing.
func (p *pluginReads) current(ids []string, now time.Time, interval time.Duration, out map[string]pluginRead) []string {
	retry := min(interval, maxPluginRetryWait)
	p.mu.Lock()
	defer p.mu.Unlock()
	var due []string
	for _, ws := range ids {
		if _, done := out[ws]; done {
			continue
		}
		r, ok := p.reads[ws]
		switch {
		case ok && r.err == nil && now.Sub(r.at) < interval,
			ok && r.err != nil && now.Sub(r.tried) < retry:
			out[ws] = r
		default:
			due = append(due, ws)
		}
	}
	return due
}

// record keeps a listing's result; a failure keeps the time of the last
// success, for the timestamp metric, but not its list.
func (p *pluginReads) record(ws string, plugins []graphclient.Plugin, err error, now time.Time) pluginRead {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reads == nil {
		p.reads = map[string]pluginRead{}
	}
	r := pluginRead{plugins: plugins, at: now, tried: now, metrics: &pluginMetrics{}}
	if err != nil {
		r = pluginRead{at: p.reads[ws].at, tried: now, err: err}
	}
	p.reads[ws] = r
	return r
}

func (p *pluginReads) lastSuccess(ws string) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads[ws].at
}

// readPlugins returns the plugins of every workspace in ids: listed now
// when due, else as last listed. Concurrent scrapes of the tenant share
// one listing per workspace, as they share the sessions fetch.
func (t *tenant) readPlugins(ctx context.Context, ids []string, cfg *config.Config) map[string]pluginRead {
	interval := time.Duration(cfg.PluginsFor(t.cfg).Interval)
	out := make(map[string]pluginRead, len(ids))
	for range 2 {
		due := t.plugins.current(ids, t.now(), interval, out)
		if len(due) == 0 {
			return out
		}
		ch := t.flight.DoChan("plugins", func() (any, error) {
			fctx, cancel := detach(ctx, time.Duration(cfg.Collection.Timeout))
			defer cancel()
			return t.listPlugins(fctx, due, cfg.Graph.PageSize), nil
		})
		select {
		case r := <-ch:
			for ws, read := range r.Val.(map[string]pluginRead) {
				if slices.Contains(due, ws) {
					out[ws] = read
				}
			}
		case <-ctx.Done():
			for _, ws := range due {
				out[ws] = pluginRead{at: t.plugins.lastSuccess(ws), err: fmt.Errorf("scrape ended before the plugins were listed: %w", ctx.Err())}
			}
			return out
		}
	}
	for _, ws := range ids {
		if _, ok := out[ws]; !ok {
			out[ws] = pluginRead{at: t.plugins.lastSuccess(ws), err: errors.New("plugins not listed: the workspace list changed during the scrape")}
		}
	}
	return out
}

// listPlugins lists the plugins of each workspace, one participant each
// of one Batcher, so twenty workspaces share a $batch call.
func (t *tenant) listPlugins(ctx context.Context, ids []string, pageSize int) map[string]pluginRead {
	t.client.Run(ctx, t.pluginParts(ctx, ids, pageSize)...)
	t.plugins.mu.Lock()
	defer t.plugins.mu.Unlock()
	out := make(map[string]pluginRead, len(ids))
	for _, ws := range ids {
		out[ws] = t.plugins.reads[ws]
	}
	return out
}

// duePluginParts are the plugin listings a fetch of the sessions of ids
// takes along, for the workspaces whose plugins are due: they share its
// rounds, so reading the plugins costs no round trip of its own.
func (t *tenant) duePluginParts(ctx context.Context, ids []string, cfg *config.Config) []func(graphclient.Reader) {
	due := t.plugins.current(ids, t.now(), time.Duration(cfg.PluginsFor(t.cfg).Interval), map[string]pluginRead{})
	return t.pluginParts(ctx, due, cfg.Graph.PageSize)
}

// pluginParts are Batcher participants that list and record the plugins of
// one workspace each.
func (t *tenant) pluginParts(ctx context.Context, ids []string, pageSize int) []func(graphclient.Reader) {
	parts := make([]func(graphclient.Reader), len(ids))
	for i, ws := range ids {
		parts[i] = func(r graphclient.Reader) {
			begin := time.Now()
			list, err := r.ListPlugins(ctx, ws, pageSize)
			var te *graphclient.TokenError
			// A token error fails the workspace's sessions too, and that
			// read logs it.
			if err != nil && !errors.As(err, &te) {
				t.logger.Error("Listing plugins failed", append(errorAttrs(err), "workspace", ws, "duration", time.Since(begin))...)
			}
			t.plugins.record(ws, list, err, t.now())
		}
	}
	return parts
}
