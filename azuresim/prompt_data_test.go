package azuresim

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestGeneratePromptsDeterministic(t *testing.T) {
	now := time.Date(2025, 10, 15, 15, 54, 58, 486276899, time.UTC)
	sessions := GenerateSessions(1, 300, now)
	a := GeneratePrompts(5, sessions, now)
	if !reflect.DeepEqual(a, GeneratePrompts(5, sessions, now)) {
		t.Fatal("same seed gave different prompts")
	}
	if reflect.DeepEqual(a, GeneratePrompts(6, sessions, now)) {
		t.Fatal("another seed gave the same prompts")
	}
	if got := GeneratePrompts(5, nil, now); len(got) != 0 {
		t.Fatalf("prompts without sessions: %v", got)
	}
	// The output is fit for a Workspace as it is.
	opts := twoTenants(sessions)
	opts.Tenants[0].Workspaces[0].Prompts = a
	s := startServer(t, opts)
	for sid, want := range a {
		got, err := s.Prompts(tenantA, "default", sid)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("session %s: stored %+v, generated %+v (%v)", sid, got, want, err)
		}
	}
}

func TestGeneratePromptsDistribution(t *testing.T) {
	now := time.Date(2025, 10, 15, 15, 54, 58, 486276899, time.UTC)
	sessions := GenerateSessions(2, 3000, now)
	// Sessions in the last minutes, so that running and pending show up.
	for i := range 50 {
		c := now.Add(-time.Duration(i) * 2 * time.Second)
		sessions = append(sessions, Session{ID: "recent-" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Created: c, LastModified: c})
	}
	byID := make(map[string]Session, len(sessions))
	for _, s := range sessions {
		byID[s.ID] = s
	}
	all := GeneratePrompts(3, sessions, now)
	types, states, results := map[string]int{}, map[string]int{}, map[string]int{}
	seen := map[string]bool{}
	guid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	prompts, reruns := 0, 0
	for sid, ps := range all {
		sess := byID[sid]
		if len(ps) == 0 || len(ps) > 6 {
			t.Fatalf("session %s has %d prompts", sid, len(ps))
		}
		for i, p := range ps {
			prompts++
			types[p.Type]++
			if seen[p.ID] || !guid.MatchString(p.ID) {
				t.Fatalf("prompt id %q", p.ID)
			}
			seen[p.ID] = true
			if p.Created.Before(sess.Created) || p.Created.After(now) || p.LastModified.Before(p.Created) || p.LastModified.After(now) {
				t.Fatalf("prompt times %+v of session %+v", p, sess)
			}
			if i > 0 && !ps[i-1].LastModified.Before(p.Created) {
				t.Fatalf("prompt %s before the previous one ended", p.ID)
			}
			if !strings.HasPrefix(p.Content, "PROMPT-CONTENT-") || (p.Type == "skill") != (p.SkillName != "") {
				t.Fatalf("prompt %+v", p)
			}
			wantEvals := p.Type == "prompt" || p.Type == "skill"
			if wantEvals != (len(p.Evaluations) > 0) || len(p.Evaluations) > 2 {
				t.Fatalf("%s prompt with %d evaluations", p.Type, len(p.Evaluations))
			}
			if n := len(p.Evaluations); n > 0 && p.LastModified != p.Evaluations[n-1].LastModified {
				t.Fatalf("prompt LastModified %v, last evaluation's %v", p.LastModified, p.Evaluations[n-1].LastModified)
			}
			for j, e := range p.Evaluations {
				if j == 1 {
					reruns++
				}
				checkGeneratedEvaluation(t, p, e, int64(j+1), now)
				states[e.State]++
				if e.State == "completed" {
					results[e.ResultType]++
				}
			}
		}
	}
	if none := len(sessions) - len(all); none < len(sessions)/10 || none > len(sessions)/5 {
		t.Errorf("%d of %d sessions without prompts, want ~15%%", none, len(sessions))
	}
	if types["prompt"] < prompts*6/10 || types["skill"] < prompts/10 || types["context"] == 0 || types["feedback"] == 0 {
		t.Errorf("types %v", types)
	}
	for _, st := range []string{"completed", "running", "pending", "cancelled"} {
		if states[st] == 0 {
			t.Errorf("no %s evaluation: %v", st, states)
		}
	}
	for _, r := range []string{"success", "error", "capacityExceeded", "rejected", "timedOut", "needAdditionalClaims"} {
		if results[r] == 0 {
			t.Errorf("no %s result: %v", r, results)
		}
	}
	if results["success"] < states["completed"]*8/10 || reruns == 0 {
		t.Errorf("results %v, %d re-runs", results, reruns)
	}
}

func checkGeneratedEvaluation(t *testing.T, p Prompt, e Evaluation, count int64, now time.Time) {
	t.Helper()
	bad := e.ExecutionCount != count || e.Created.Before(p.Created) || e.Created.After(now) || e.LastModified.After(now) ||
		(!e.RunStart.IsZero() && e.RunStart.Before(e.Created)) || (!e.Completed.IsZero() && (e.Completed.Before(e.RunStart) || e.Completed.After(now)))
	for _, ts := range []time.Time{e.Created, e.RunStart, e.Completed, e.LastModified} {
		bad = bad || ts.Location() != time.UTC || ts.Nanosecond()%100 != 0
	}
	switch e.State {
	case "completed":
		d := e.Completed.Sub(e.RunStart)
		bad = bad || d < 2*time.Second || d > 3*time.Minute || e.LastModified != e.Completed || e.ResultType == "" || !strings.HasPrefix(e.ResultContent, "RESULT-CONTENT-") || e.IsCancelled
	case "running":
		bad = bad || e.RunStart.IsZero() || !e.Completed.IsZero() || e.ResultType != "" || e.LastModified != e.RunStart
	case "pending":
		bad = bad || !e.RunStart.IsZero() || !e.Completed.IsZero() || e.ResultType != "" || now.Sub(e.Created) > 2*time.Minute
	case "cancelled":
		bad = bad || !e.IsCancelled || (e.ResultType != "" && e.ResultType != "error")
	default:
		bad = true
	}
	if bad {
		t.Fatalf("evaluation %+v of prompt created %v", e, p.Created)
	}
}
