package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// outcome is what a scrape reports for a workspace: numbers read from Graph
// at fetchedAt, or the error that kept them from being read.
type outcome struct {
	res       result
	err       error
	fetchedAt time.Time     // exporter clock
	duration  time.Duration // spent reading the workspace
	key       string        // fetchKey of the settings the numbers follow
	// act is the activity read; nil when activity is off for the tenant.
	act *activityOutcome
}

type activityOutcome struct {
	res activityResult
	err error
}

// fetchKey identifies the settings a fetch follows, so that neither a
// cached result nor a shared fetch crosses a reload that changed the
// windows or the activity settings.
func fetchKey(cfg *config.Config, act config.Activity) string {
	var b strings.Builder
	for _, w := range cfg.Windows {
		fmt.Fprintf(&b, "%s=%d;", w.Label, w.Duration)
	}
	if act.Enabled {
		fmt.Fprintf(&b, "activity %d %d;", act.Lookback, act.MaxSessions)
		for _, w := range act.Windows {
			fmt.Fprintf(&b, "%s=%d;", w.Label, w.Duration)
		}
	}
	return b.String()
}

// collect returns an outcome for every workspace in ids: the cached one
// while it is younger than cache_ttl, else one fetched now. Concurrent
// scrapes of the tenant share one fetch, so an HA pair of Prometheus servers
// costs Graph what one does; a scrape that joined a fetch started for fewer
// workspaces starts one more for the rest.
func (e *Exporter) collect(ctx context.Context, t *tenant, ids []string, cfg *config.Config) map[string]outcome {
	out := make(map[string]outcome, len(ids))
	key := fetchKey(cfg, cfg.ActivityFor(t.cfg))
	for range 2 {
		stale := t.takeFresh(ids, key, time.Duration(cfg.Collection.CacheTTL), e.opts.Now(), out)
		if len(stale) == 0 {
			return out
		}
		ch := t.flight.DoChan("fetch "+key, func() (any, error) {
			fctx, cancel := detach(ctx)
			defer cancel()
			return e.fetch(fctx, t, stale, cfg), nil
		})
		select {
		case r := <-ch:
			for ws, o := range r.Val.(map[string]outcome) {
				if slices.Contains(stale, ws) {
					out[ws] = o
				}
			}
		case <-ctx.Done():
			for _, ws := range stale {
				out[ws] = outcome{err: fmt.Errorf("scrape ended before the workspace was read: %w", ctx.Err())}
			}
			return out
		}
	}
	for _, ws := range ids {
		if _, ok := out[ws]; !ok {
			out[ws] = outcome{err: errors.New("not collected: the workspace list changed during the scrape")}
		}
	}
	return out
}

// maxFetchMargin caps how long before the scrape's deadline a shared fetch
// must end.
const maxFetchMargin = 250 * time.Millisecond

// detach keeps ctx's values but not its cancellation: a shared fetch must
// not end because the scrape that started it went away while others wait
// for it. Its deadline comes a tenth of the time left (at most
// maxFetchMargin) before ctx's, so that a fetch held up by one slow
// workspace still hands over, and logs, every workspace it read before the
// scrape must answer; with the same deadline, the scrape gave up first and
// reported the whole tenant as failed.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		margin := min(time.Until(deadline)/10, maxFetchMargin)
		return context.WithDeadline(context.WithoutCancel(ctx), deadline.Add(-margin))
	}
	return context.WithCancel(context.WithoutCancel(ctx))
}

// takeFresh copies into out the cached outcomes of ids that are fresh, and
// returns the ids that are neither there nor already in out.
func (t *tenant) takeFresh(ids []string, key string, ttl time.Duration, now time.Time, out map[string]outcome) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var stale []string
	for _, ws := range ids {
		if _, done := out[ws]; done {
			continue
		}
		if o, ok := t.cache[ws]; ok && o.key == key && now.Sub(o.fetchedAt) < ttl {
			out[ws] = o
			continue
		}
		stale = append(stale, ws)
	}
	return stale
}

// lastSuccess is when the workspace was last read successfully.
func (t *tenant) lastSuccess(ws string) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cache[ws].fetchedAt
}

// fetch reads the workspaces from Graph, all of them through one Batcher so
// that their requests share $batch calls, and logs each failure once. A
// workspace's sessions and activity are read side by side, so their first
// requests share a round too.
func (e *Exporter) fetch(ctx context.Context, t *tenant, ids []string, cfg *config.Config) map[string]outcome {
	now := e.opts.Now()
	at := now.UTC().Truncate(time.Second)
	starts := make([]time.Time, len(cfg.Windows))
	for i, w := range cfg.Windows {
		starts[i] = at.Add(-w.Duration)
	}
	act := cfg.ActivityFor(t.cfg)
	key := fetchKey(cfg, act)
	reader := t.client.NewBatcher(ctx).Reader()
	outcomes := make([]outcome, len(ids))
	work := make([]func() error, len(ids))
	for i, ws := range ids {
		work[i] = func() error {
			start := time.Now()
			prev, prevAct := t.plan(ws), t.activityMemory(ws)
			o := outcome{fetchedAt: now, key: key}
			var next planMemory
			parts := []func() error{func() error {
				m := &measurement{src: reader, workspace: ws, pageSize: cfg.Graph.PageSize, starts: starts, now: at}
				o.res, next, o.err = m.run(ctx, prev)
				return nil
			}}
			if act.Enabled {
				o.act = &activityOutcome{}
				parts = append(parts, func() error {
					r := &activityRead{src: reader, workspace: ws, pageSize: cfg.Graph.PageSize, settings: act, now: at}
					o.act.res, o.act.err = r.run(ctx, prevAct)
					return nil
				})
			}
			_ = reader.Parallel(parts...) // each part keeps its own error
			o.duration = time.Since(start)
			outcomes[i] = o
			e.record(t, ws, prev, next, o)
			return nil
		}
	}
	_ = reader.Parallel(work...) // each workspace keeps its own error
	out := make(map[string]outcome, len(ids))
	for i, ws := range ids {
		out[ws] = outcomes[i]
	}
	return out
}

// record keeps what later scrapes need and logs what support needs.
func (e *Exporter) record(t *tenant, ws string, prev, next planMemory, o outcome) {
	logger := e.opts.Logger.With("tenant", t.cfg.Name, "workspace", ws)
	if o.act != nil {
		if o.act.err != nil {
			logger.Error("Collecting activity failed", append(errorAttrs(o.act.err), "duration", o.duration)...)
		} else {
			fresh := t.commitActivity(ws, o.act.res.next, o.act.res.newlyCompleted)
			e.durations.observe(t.cfg.Name, ws, fresh)
		}
	}
	if o.err != nil {
		logger.Error("Collecting workspace failed", append(errorAttrs(o.err), "duration", o.duration)...)
		return
	}
	if next.listingUntil.After(prev.listingUntil) {
		logger.Info("Graph did not honour $count or $filter; counting this workspace by listing it", "for", listingMemory)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.plans[ws] = next
	t.cache[ws] = o
}
