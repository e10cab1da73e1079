package main

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// activityCases measure the activity collector: workspaces of generated
// sessions, about 14% of them created or renamed within the default
// lookback of a day, each with generated prompts and evaluations, on a
// Graph that honours $expand=prompts with counts (the simulator's
// default), and 20 workspaces once more on one that ignores it.
func activityCases(quick bool) []simCase {
	var out []simCase
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		for _, c := range []struct{ workspaces, sessions int }{{1, 1000}, {20, 1000}, {1, 10000}} {
			// At 50 ms the baseline would take about 9 minutes per scrape of
			// 20 workspaces, one GET after the other.
			if quick && c.workspaces*c.sessions > 1000 || latency > 0 && c.workspaces > 1 {
				continue
			}
			out = append(out, simCase{Workspaces: c.workspaces, Sessions: c.sessions, Latency: latency, Activity: true})
		}
	}
	// The simulator honours $expand with counts; a Graph that does not
	// costs what the activity cost before it asked.
	if !quick {
		out = append(out, simCase{Workspaces: 20, Sessions: 1000, Activity: true, Graph: "$expand ignored"})
	}
	return out
}

// naiveActivity reads what the activity collector exports the way an
// exporter without rounds or memory would: the same two session listings,
// then every covered session's prompts and every prompt's evaluations, one
// plain GET after the other, on every scrape.
func naiveActivity(ctx context.Context, c *graphclient.Client, cfg *config.Config, ws string) error {
	r := c.Reader()
	cutoff := time.Now().Add(-time.Duration(cfg.Activity.Lookback))
	recent := map[string]graphclient.SessionRef{}
	for _, prop := range []string{graphclient.PropCreated, graphclient.PropLastModified} {
		f := graphclient.Filter{{Property: prop, Op: graphclient.OpGE, Time: cutoff}}
		lists, err := r.ListSessionRefs(ctx, ws, []graphclient.Filter{f}, cfg.Graph.PageSize)
		if err != nil {
			return err
		}
		for _, s := range lists[0] {
			recent[s.ID] = s
		}
	}
	// The same sessions as the exporter's: the most recently active first.
	ordered := slices.SortedFunc(maps.Values(recent), func(a, b graphclient.SessionRef) int {
		return lastActive(b).Compare(lastActive(a))
	})
	states := map[graphclient.EvaluationState]int{}
	for _, s := range ordered[:min(len(ordered), cfg.Activity.MaxSessions)] {
		id := s.ID
		prompts, err := r.ListPrompts(ctx, ws, []string{id}, cfg.Graph.PageSize)
		if err != nil {
			return err
		}
		for _, p := range prompts[0] {
			evals, err := r.ListEvaluations(ctx, ws, []graphclient.PromptPath{{SessionID: id, PromptID: p.ID}}, cfg.Graph.PageSize)
			if err != nil {
				return err
			}
			for _, e := range evals[0] {
				states[e.State]++
			}
		}
	}
	return nil
}

func lastActive(s graphclient.SessionRef) time.Time {
	if s.LastModified.After(s.Created) {
		return s.LastModified
	}
	return s.Created
}
