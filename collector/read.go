package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// outcome is what a scrape reports for a workspace: numbers read from Graph
// at fetchedAt, or the error that kept them from being read.
type outcome struct {
	res       plan.Result
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

// fetched is what a shared fetch hands to every scrape that waited for it.
type fetched struct {
	outcomes map[string]outcome
	// cutShort is true when the fetch's own deadline ended it.
	cutShort bool
}

// read returns an outcome for every workspace in ids by ctx's deadline: the
// cached one while it is younger than cache_ttl, else one fetched now.
// Concurrent scrapes of the tenant share one fetch, so an HA pair of
// Prometheus servers costs Graph what one does; a scrape that joined a
// fetch started for fewer workspaces starts one more for the rest.
//
// A shared fetch has the deadline of the scrape that started it, so a
// scrape that joined it may have more time left when it ends: what the
// fetch could not read in its time is then read again, once, in the
// joining scrape's own time. No scrape waits past its own deadline.
func (t *tenant) read(ctx context.Context, ids []string, cfg *config.Config) map[string]outcome {
	out := make(map[string]outcome, len(ids))
	key := fetchKey(cfg, cfg.ActivityFor(t.cfg))
	for attempt := range 2 {
		stale := t.takeFresh(ids, key, time.Duration(cfg.Collection.CacheTTL), out)
		if len(stale) == 0 {
			return out
		}
		var mine atomic.Bool
		ch := t.flight.DoChan("fetch "+key, func() (any, error) {
			mine.Store(true)
			fctx, cancel := detach(ctx, time.Duration(cfg.Collection.Timeout))
			defer cancel()
			outcomes := t.fetch(fctx, stale, cfg)
			return fetched{outcomes: outcomes, cutShort: fctx.Err() != nil}, nil
		})
		select {
		case r := <-ch:
			res := r.Val.(fetched)
			again := attempt == 0 && res.cutShort && !mine.Load() && ctx.Err() == nil
			for ws, o := range res.outcomes {
				if slices.Contains(stale, ws) && (o.err == nil || !again) {
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
// reported the whole tenant as failed. It never lies more than
// collection.timeout ahead: a scrape that announced an hour, and went
// away, must not leave a fetch hanging on Graph that every later scrape
// of the tenant joins for that hour.
func detach(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = time.Minute
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok {
		margin := min(time.Until(d)/10, maxFetchMargin)
		if d = d.Add(-margin); d.Before(deadline) {
			deadline = d
		}
	}
	return context.WithDeadline(context.WithoutCancel(ctx), deadline)
}

// shared runs fn once for all the callers that ask for key at the same
// time, detached from the caller that started it as a fetch is (see
// detach); each caller waits only until its own ctx ends.
func (t *tenant) shared(ctx context.Context, key string, fn func(context.Context) error) error {
	ch := t.flight.DoChan(key, func() (any, error) {
		fctx, cancel := detach(ctx, t.timeout())
		defer cancel()
		return nil, fn(fctx)
	})
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return fmt.Errorf("scrape ended while waiting for the %s: %w", key, ctx.Err())
	}
}

// takeFresh copies into out the cached outcomes of ids that are fresh, and
// returns the ids that are neither there nor already in out.
func (t *tenant) takeFresh(ids []string, key string, ttl time.Duration, out map[string]outcome) []string {
	now := t.now()
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
