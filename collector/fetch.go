package collector

import (
	"context"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// workspaceRead is one workspace's part of a fetch.
type workspaceRead struct {
	ws          string
	prev, next  plan.Memory
	prevAct     activityMemory
	o           outcome
	sessionsEnd time.Time
	activityEnd time.Time
}

// fetch reads the workspaces from Graph and records what they leave. Each
// workspace's sessions and its activity are two participants of one
// Batcher, so the requests of every workspace of the tenant share $batch
// calls round after round, and a throttled request delays only its own
// workspace.
func (t *tenant) fetch(ctx context.Context, ids []string, cfg *config.Config) map[string]outcome {
	now := t.now()
	at := now.UTC().Truncate(time.Second)
	starts := make([]time.Time, len(cfg.Windows))
	for i, w := range cfg.Windows {
		starts[i] = at.Add(-w.Duration)
	}
	settings := plan.Settings{Now: at, WindowStarts: starts, Top: cfg.Graph.PageSize, Scratch: t.scratch.planScratch()}
	act := cfg.ActivityFor(t.cfg)
	key := fetchKey(cfg, act)
	reads := make([]workspaceRead, len(ids))
	var parts []func(graphclient.Reader)
	for i, ws := range ids {
		w := &reads[i]
		w.ws, w.o = ws, outcome{fetchedAt: now, key: key}
		w.prev, w.prevAct = t.memories(ws)
		parts = append(parts, func(r graphclient.Reader) {
			w.o.res, w.next, w.o.err = readSessions(ctx, r, t.scratch, ws, settings, w.prev)
			w.sessionsEnd = time.Now()
		})
		if act.Enabled {
			w.o.act = &activityOutcome{}
			parts = append(parts, func(r graphclient.Reader) {
				a := &activityRead{src: r, workspace: ws, pageSize: cfg.Graph.PageSize, settings: act, now: at, expand: &t.expand}
				w.o.act.res, w.o.act.err = a.run(ctx, w.prevAct)
				w.activityEnd = time.Now()
			})
		}
	}
	parts = append(parts, t.duePluginParts(ctx, ids, cfg)...)
	begin := time.Now()
	t.client.Run(ctx, parts...)
	out := make(map[string]outcome, len(ids))
	for i := range reads {
		w := &reads[i]
		w.o.duration = later(w.sessionsEnd, w.activityEnd).Sub(begin)
		t.record(w)
		out[w.ws] = w.o
	}
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// readSessions reads the session numbers of one workspace by its plan.
func readSessions(ctx context.Context, r graphclient.Reader, scratch *readScratch, ws string, s plan.Settings, prev plan.Memory) (plan.Result, plan.Memory, error) {
	pages, err := r.Sessions(ws)
	if err != nil {
		return plan.Result{}, prev, err
	}
	return plan.Read(ctx, source{pages: pages, scratch: scratch}, s, prev)
}

// record keeps what later reads need and logs what support needs.
func (t *tenant) record(w *workspaceRead) {
	logger := t.logger.With("workspace", w.ws)
	o := w.o
	if o.act != nil {
		if o.act.err != nil {
			logger.Error("Collecting activity failed", append(errorAttrs(o.act.err), "duration", o.duration)...)
		} else {
			t.durations.observe(w.ws, t.commitActivity(w.ws, o.act.res.next, o.act.res.newlyCompleted))
		}
	}
	if o.err != nil {
		logger.Error("Collecting workspace failed", append(errorAttrs(o.err), "duration", o.duration)...)
	} else if o.res.FellBack != "" {
		logger.Info("Graph did not honour the query; counting this workspace by listing it", "reason", o.res.FellBack)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	// Kept after a failure too: the plan notes there to start its next read
	// as cheaply as listing, so that a workspace that keeps failing (deleted,
	// 404) costs no more than listing it would.
	t.plans[w.ws] = w.next
	if o.err == nil {
		t.cache[w.ws] = o
	}
}
