package collector

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// activitySource is the part of graphclient.Reader the activity read needs.
type activitySource interface {
	ListSessionRefs(ctx context.Context, workspaceID string, f graphclient.Filter, pageSize int, visit func(graphclient.SessionRef)) error
	ListPrompts(ctx context.Context, workspaceID, sessionID string, pageSize int, visit func(graphclient.PromptRef)) error
	ListEvaluations(ctx context.Context, workspaceID, sessionID, promptID string, pageSize int, visit func(graphclient.Evaluation)) error
	Parallel(fs ...func() error) error
}

// activityResult is what one read of a workspace's prompts and evaluations
// found, and what it leaves for the next read.
type activityResult struct {
	covered, skipped int64
	prompts          []int64 // created within each activity window, in config order
	states           map[graphclient.EvaluationState]int64
	results          map[graphclient.ResultType]int64
	// newlyCompleted are the evaluations first seen completed in this
	// read, for the duration histogram.
	newlyCompleted []completion
	next           activityMemory
}

// activityRead reads one workspace's activity at one instant.
type activityRead struct {
	src       activitySource
	workspace string
	pageSize  int
	settings  config.Activity
	now       time.Time
}

// promptRead is one covered prompt and its evaluations, cached or read now.
type promptRead struct {
	key         string // promptKey
	ref         graphclient.PromptRef
	evaluations []graphclient.Evaluation
}

// promptKey identifies a prompt within the workspace. Nothing documents that
// prompt and evaluation ids are unique beyond their parent, so memory is
// keyed by the whole path.
func promptKey(sessionID, promptID string) string { return sessionID + "\x00" + promptID }

// run covers the sessions created or modified within the lookback, newest
// first up to max_sessions, lists their prompts, and lists the evaluations
// of every prompt whose evaluations could still change. The rounds are:
// both session listings together, then every covered session's prompts,
// then the evaluations, each round sharing $batch calls with the other
// workspaces of the tenant.
func (a *activityRead) run(ctx context.Context, mem activityMemory) (activityResult, error) {
	cutoff := a.now.Add(-time.Duration(a.settings.Lookback))
	sessions, err := a.recentSessions(ctx, cutoff)
	if err != nil {
		return activityResult{}, err
	}
	covered := sessions[:min(len(sessions), a.settings.MaxSessions)]
	perSession := make([][]promptRead, len(covered))
	work := make([]func() error, len(covered))
	for i, s := range covered {
		work[i] = func() error {
			prompts, err := a.sessionPrompts(ctx, s.ID, mem)
			perSession[i] = prompts
			return err
		}
	}
	if err := a.src.Parallel(work...); err != nil {
		return activityResult{}, err
	}
	res := a.tally(perSession, mem, cutoff)
	res.covered, res.skipped = int64(len(covered)), int64(len(sessions)-len(covered))
	return res, nil
}

// recentSessions lists the sessions created or modified since cutoff, most
// recently active first. It asks for both timestamps rather than only
// lastModifiedDateTime: nothing documented says a session's
// lastModifiedDateTime is never before its createdDateTime.
func (a *activityRead) recentSessions(ctx context.Context, cutoff time.Time) ([]graphclient.SessionRef, error) {
	var mu sync.Mutex
	byID := map[string]graphclient.SessionRef{}
	visit := func(s graphclient.SessionRef) {
		mu.Lock()
		defer mu.Unlock()
		byID[s.ID] = s
	}
	list := func(prop string) func() error {
		return func() error {
			f := graphclient.Filter{{Property: prop, Op: graphclient.OpGE, Time: cutoff}}
			return a.src.ListSessionRefs(ctx, a.workspace, f, a.pageSize, visit)
		}
	}
	if err := a.src.Parallel(list(graphclient.PropCreated), list(graphclient.PropLastModified)); err != nil {
		return nil, fmt.Errorf("list sessions active since %s: %w", graphclient.FormatTimestamp(cutoff), err)
	}
	out := make([]graphclient.SessionRef, 0, len(byID))
	for _, s := range byID {
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y graphclient.SessionRef) int {
		if c := lastActive(y).Compare(lastActive(x)); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return out, nil
}

func lastActive(s graphclient.SessionRef) time.Time {
	if s.LastModified.After(s.Created) {
		return s.LastModified
	}
	return s.Created
}

// sessionPrompts lists a session's prompts and then, together, the
// evaluations of those the memory cannot answer for.
func (a *activityRead) sessionPrompts(ctx context.Context, sessionID string, mem activityMemory) ([]promptRead, error) {
	var prompts []promptRead
	seen := map[string]bool{}
	err := a.src.ListPrompts(ctx, a.workspace, sessionID, a.pageSize, func(p graphclient.PromptRef) {
		if !seen[p.ID] { // a prompt repeated across pages counts once
			seen[p.ID] = true
			prompts = append(prompts, promptRead{key: promptKey(sessionID, p.ID), ref: p})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("list prompts of session %s: %w", sessionID, err)
	}
	var work []func() error
	for i := range prompts {
		p := &prompts[i]
		if cached, ok := mem.final[p.key]; ok && cached.lastModified.Equal(p.ref.LastModified) {
			p.evaluations = cached.evaluations
			continue
		}
		work = append(work, func() error {
			byID := map[string]int{}
			err := a.src.ListEvaluations(ctx, a.workspace, sessionID, p.ref.ID, a.pageSize, func(e graphclient.Evaluation) {
				if j, dup := byID[e.ID]; dup {
					p.evaluations[j] = e
					return
				}
				byID[e.ID] = len(p.evaluations)
				p.evaluations = append(p.evaluations, e)
			})
			if err != nil {
				return fmt.Errorf("list evaluations of prompt %s in session %s: %w", p.ref.ID, sessionID, err)
			}
			return nil
		})
	}
	return prompts, a.src.Parallel(work...)
}

// tally counts what was read and works out the memory for the next read.
func (a *activityRead) tally(perSession [][]promptRead, mem activityMemory, cutoff time.Time) activityResult {
	res := activityResult{
		prompts: make([]int64, len(a.settings.Windows)),
		states:  map[graphclient.EvaluationState]int64{},
		results: map[graphclient.ResultType]int64{},
		next:    activityMemory{watching: true, final: map[string]finalPrompt{}, seen: map[string]time.Time{}},
	}
	for id, completed := range mem.seen {
		if !completed.Before(cutoff) {
			res.next.seen[id] = completed
		}
	}
	for _, prompts := range perSession {
		for _, p := range prompts {
			a.countPrompt(&res, p, mem, cutoff)
		}
	}
	return res
}

func (a *activityRead) countPrompt(res *activityResult, p promptRead, mem activityMemory, cutoff time.Time) {
	for i, w := range a.settings.Windows {
		if !p.ref.Created.IsZero() && !p.ref.Created.Before(a.now.Add(-w.Duration)) {
			res.prompts[i]++
		}
	}
	final := len(p.evaluations) > 0
	for _, e := range p.evaluations {
		res.states[e.State]++
		if e.Result != "" {
			res.results[e.Result]++
		}
		if e.State != graphclient.StateCompleted {
			final = false
			continue
		}
		d, ok := duration(e)
		if !ok || e.Completed.Before(cutoff) {
			continue
		}
		key := p.key + "\x00" + e.ID
		if _, known := res.next.seen[key]; !known {
			res.next.seen[key] = e.Completed
			if mem.watching {
				res.newlyCompleted = append(res.newlyCompleted, completion{key: key, duration: d})
			}
		}
	}
	if final {
		res.next.final[p.key] = finalPrompt{lastModified: p.ref.LastModified, evaluations: p.evaluations}
	}
}

// duration is how long a completed evaluation ran; ok is false when Graph
// left a timestamp unset, they are out of order, or centuries apart.
func duration(e graphclient.Evaluation) (time.Duration, bool) {
	if e.RunStart.IsZero() || e.Completed.IsZero() || e.Completed.Before(e.RunStart) {
		return 0, false
	}
	return span(e.RunStart, e.Completed)
}
