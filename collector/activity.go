package collector

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// activitySource is the part of graphclient.Reader the activity read
// needs: each call lists several collections side by side, in one round per
// page.
type activitySource interface {
	ListSessionPrompts(ctx context.Context, workspaceID string, listings []graphclient.SessionListing, pageSize int) (graphclient.SessionListings, error)
	ListPrompts(ctx context.Context, workspaceID string, sessionIDs []string, pageSize int) ([][]graphclient.PromptRef, error)
	ListEvaluations(ctx context.Context, workspaceID string, prompts []graphclient.PromptPath, pageSize int) ([][]graphclient.Evaluation, error)
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
	// expand is the tenant's memory of whether Graph refuses $expand on
	// session listings; nil never asks for it.
	expand *expandMemory
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
// of every prompt whose evaluations could still change. The steps are: both
// session listings together, then every covered session's prompts, then
// the evaluations, each step sharing $batch calls with the other
// workspaces of the tenant.
func (a *activityRead) run(ctx context.Context, mem activityMemory) (activityResult, error) {
	cutoff := a.now.Add(-time.Duration(a.settings.Lookback))
	sessions, err := a.recentSessions(ctx, cutoff)
	if err != nil {
		return activityResult{}, err
	}
	covered := sessions[:min(len(sessions), a.settings.MaxSessions)]
	perSession, err := a.prompts(ctx, covered, mem)
	if err != nil {
		return activityResult{}, err
	}
	res := a.tally(perSession, mem, cutoff)
	res.covered, res.skipped = int64(len(covered)), int64(len(sessions)-len(covered))
	return res, nil
}

// recentSessions lists the sessions created or modified since cutoff, most
// recently active first, with their prompts where Graph expanded them
// completely. It asks for both timestamps rather than only
// lastModifiedDateTime: nothing documented says a session's
// lastModifiedDateTime is never before its createdDateTime.
func (a *activityRead) recentSessions(ctx context.Context, cutoff time.Time) ([]graphclient.SessionPrompts, error) {
	lists, err := a.sessionListings(ctx, cutoff)
	if err != nil {
		return nil, fmt.Errorf("list sessions active since %s: %w", graphclient.FormatTimestamp(cutoff), err)
	}
	byID := map[string]graphclient.SessionPrompts{}
	for _, list := range lists {
		for _, s := range list {
			// A Graph that ignores $filter lists sessions it should not:
			// the filters are applied here too, as Graph compares.
			if s.Created.Before(cutoff) && s.LastModified.Before(cutoff) {
				continue
			}
			// A session listed twice keeps the prompts either listing
			// expanded completely.
			if known, ok := byID[s.ID]; !ok || !known.Complete {
				byID[s.ID] = s
			}
		}
	}
	out := make([]graphclient.SessionPrompts, 0, len(byID))
	for _, s := range byID {
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y graphclient.SessionPrompts) int {
		if c := lastActive(y.SessionRef).Compare(lastActive(x.SessionRef)); c != 0 {
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

// prompts lists the prompts of the sessions whose listing did not expand
// them completely and then, together, the evaluations of those the memory
// cannot answer for.
func (a *activityRead) prompts(ctx context.Context, sessions []graphclient.SessionPrompts, mem activityMemory) ([][]promptRead, error) {
	ids := make([]string, len(sessions))
	lists := make([][]graphclient.PromptRef, len(sessions))
	var unlisted []string
	var at []int
	for i, s := range sessions {
		ids[i], lists[i] = s.ID, s.Prompts
		if !s.Complete {
			unlisted, at = append(unlisted, s.ID), append(at, i)
		}
	}
	listed, err := a.src.ListPrompts(ctx, a.workspace, unlisted, a.pageSize)
	if err != nil {
		return nil, fmt.Errorf("list prompts: %w", err)
	}
	for k, i := range at {
		lists[i] = listed[k]
	}
	perSession := make([][]promptRead, len(sessions))
	var todo []*promptRead
	var paths []graphclient.PromptPath
	for i, list := range lists {
		seen := map[string]bool{}
		for _, p := range list {
			if seen[p.ID] { // a prompt repeated across pages counts once
				continue
			}
			seen[p.ID] = true
			perSession[i] = append(perSession[i], promptRead{key: promptKey(ids[i], p.ID), ref: p})
		}
		for j := range perSession[i] {
			p := &perSession[i][j]
			if cached, ok := mem.final[p.key]; ok && cached.lastModified.Equal(p.ref.LastModified) {
				p.evaluations = cached.evaluations
				continue
			}
			todo = append(todo, p)
			paths = append(paths, graphclient.PromptPath{SessionID: ids[i], PromptID: p.ref.ID})
		}
	}
	evals, err := a.src.ListEvaluations(ctx, a.workspace, paths, a.pageSize)
	if err != nil {
		return nil, fmt.Errorf("list evaluations: %w", err)
	}
	for k, p := range todo {
		p.evaluations = latestByID(evals[k])
	}
	return perSession, nil
}

// latestByID keeps one evaluation per id, the last one listed, in the order
// of first appearance: an evaluation repeated across pages counts once.
func latestByID(list []graphclient.Evaluation) []graphclient.Evaluation {
	var out []graphclient.Evaluation
	at := map[string]int{}
	for _, e := range list {
		if j, dup := at[e.ID]; dup {
			out[j] = e
			continue
		}
		at[e.ID] = len(out)
		out = append(out, e)
	}
	return out
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
	// A prompt that has had no evaluation for a while (a context or a
	// feedback prompt) is as settled as one whose evaluations all ended.
	final := len(p.evaluations) > 0 || !p.ref.Created.IsZero() && !p.ref.Created.After(a.now.Add(-settledAfter))
	for _, e := range p.evaluations {
		res.states[e.State]++
		if e.Result != "" {
			res.results[e.Result]++
		}
		if e.State == graphclient.StateCancelled {
			continue // ended: it never changes, but it has no duration
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
