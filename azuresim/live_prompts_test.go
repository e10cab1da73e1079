package azuresim

import (
	"context"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
)

// livePrompts counts the evaluations of tenant A's sessions by state and,
// for completed ones, by result type, checking their invariants.
func livePrompts(t *testing.T, s *Server, now time.Time) (states, results map[string]int) {
	t.Helper()
	states, results = map[string]int{}, map[string]int{}
	for _, ws := range []string{"default", "second"} {
		sessions, err := s.Sessions(tenantA, ws)
		if err != nil {
			t.Fatal(err)
		}
		for _, sess := range sessions {
			ps, err := s.Prompts(tenantA, ws, sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if p.Type != "prompt" || !strings.HasPrefix(p.Content, "PROMPT-CONTENT-") || len(p.Evaluations) != 1 || p.Created.Before(sess.Created) {
					t.Fatalf("live prompt %+v in session %+v", p, sess)
				}
				e := p.Evaluations[0]
				states[e.State]++
				switch e.State {
				case "running":
					if e.RunStart != p.Created || !e.Completed.IsZero() || e.ResultType != "" {
						t.Fatalf("running %+v", e)
					}
				case "completed":
					results[e.ResultType]++
					if e.Completed.Before(e.RunStart) || e.Completed.After(now) || e.LastModified != e.Completed ||
						p.LastModified.Before(e.Completed) || !strings.HasPrefix(e.ResultContent, "RESULT-CONTENT-") {
						t.Fatalf("completed %+v of %+v", e, p)
					}
				default:
					t.Fatalf("state %q", e.State)
				}
			}
		}
	}
	return states, results
}

func TestLiveModeRunsPrompts(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 10, 15, 12, 0, 0, 0, time.UTC)}
	opts := twoTenants(nil)
	opts.Now = clock.Now
	s := startServer(t, opts)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.StartLive(ctx, 2*time.Millisecond, 11)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	deadline := time.Now().Add(10 * time.Second)
	for {
		clock.Advance(time.Second)
		_, results := livePrompts(t, s, clock.Now())
		completed := 0
		for _, n := range results {
			completed += n
		}
		if completed >= 30 && results["capacityExceeded"] > 0 && results["success"] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("live mode completed too little: %v", results)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	time.Sleep(50 * time.Millisecond) // a tick in flight may still land
	states, _ := livePrompts(t, s, clock.Now())
	if states["running"] > 1 {
		t.Errorf("live mode left %d evaluations running; it completes them on the next tick", states["running"])
	}
	// What live mode made is served like the rest.
	sessions, _ := s.Sessions(tenantA, "default")
	for _, sess := range sessions {
		ps, _ := s.Prompts(tenantA, "default", sess.ID)
		if len(ps) == 0 {
			continue
		}
		path := sessionsPath + "/" + sess.ID + "/prompts/" + ps[0].ID + "/evaluations?$select=state,result/type"
		if a := c.get(path); a.status != http.StatusOK || len(a.values()) != 1 || strings.Contains(string(a.raw), "RESULT-CONTENT-") {
			t.Errorf("%s: %d %s", path, a.status, a.raw)
		}
		break
	}
}

func TestLivePromptGoesToARecentSession(t *testing.T) {
	now := time.Date(2025, 10, 15, 12, 0, 0, 0, time.UTC)
	old := Session{ID: "old", Created: now.Add(-48 * time.Hour), LastModified: now.Add(-48 * time.Hour)}
	fresh := Session{ID: "fresh", Created: now.Add(-time.Hour), LastModified: now.Add(-time.Hour)}
	opts := Options{Tenants: []Tenant{{ID: tenantA, ClientID: clientA, Workspaces: []Workspace{{ID: "w", Sessions: []Session{old, fresh}}, {ID: "empty"}}}}}
	s := startServer(t, opts)
	ws := s.store.tenant(tenantA).byID["w"]
	empty := s.store.tenant(tenantA).byID["empty"]
	rng := mrand.New(mrand.NewPCG(1, 2))
	for range 20 {
		r, ok := s.addLivePrompt(rng, []*workspaceState{ws}, nil, now)
		if !ok || r.session != "fresh" {
			t.Fatalf("prompt went to %+v (%v)", r, ok)
		}
	}
	if _, ok := s.addLivePrompt(rng, []*workspaceState{empty}, nil, now); ok {
		t.Error("prompt added to a workspace without a recent session")
	}
	if ps, _ := s.Prompts(tenantA, "w", "old"); len(ps) != 0 {
		t.Errorf("old session got prompts: %v", ps)
	}
	// A session deleted meanwhile is skipped, not resurrected.
	if err := s.DeleteSession(tenantA, "w", "fresh"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.addLivePrompt(rng, nil, []liveRef{{ws: ws, id: "fresh"}}, now); ok {
		t.Error("prompt added to a deleted session")
	}
}
