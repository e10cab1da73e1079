package azuresim

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesPrompts(t *testing.T) {
	cases := map[string]map[string][]Prompt{
		"not in the workspace":     {"nope": {{ID: "p"}}},
		"prompt with empty ID":     {"s1": {{ID: ""}}},
		"already exists":           {"s1": {{ID: "p"}, {ID: "p"}}},
		"evaluation with empty ID": {"s1": {{ID: "p", Evaluations: []Evaluation{{}}}}},
		"is given twice":           {"s1": {{ID: "p", Evaluations: []Evaluation{{ID: "e"}, {ID: "e"}}}}},
	}
	for want, prompts := range cases {
		opts := twoTenants(filterFixture())
		opts.Tenants[0].Workspaces[0].Prompts = prompts
		s, err := New(opts)
		if err == nil {
			_ = s.Close()
			t.Errorf("%s: New accepted %v", want, prompts)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to say %q", err, want)
		}
	}
}

func TestPromptAPI(t *testing.T) {
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	got, err := s.Prompts(tenantA, "default", "s1")
	if err != nil || len(got) != 5 || got[0].ID != "p0" || got[0].Evaluations[0].ID != "e-done" || got[0].Evaluations[1].ID != "e-run" {
		t.Fatalf("Prompts: %v %+v", err, got)
	}
	// A copy: changing it changes nothing served.
	got[0].Content = "changed"
	got[0].Evaluations[0].State = "changed"
	again, _ := s.Prompts(tenantA, "default", "s1")
	if again[0].Content == "changed" || again[0].Evaluations[0].State == "changed" {
		t.Fatal("Prompts shares memory with the server")
	}
	if none, err := s.Prompts(tenantA, "default", "s2"); err != nil || none == nil || len(none) != 0 {
		t.Errorf("session without prompts: %v %v", none, err)
	}

	// AddPrompt detaches from the caller's evaluations and normalizes times.
	at := time.Date(2025, 10, 15, 12, 0, 0, 123456789, time.FixedZone("X", 3600))
	evs := []Evaluation{{ID: "n-e", Created: at, State: "pending"}}
	if err := s.AddPrompt(tenantA, "default", "s2", Prompt{ID: "n", Type: "prompt", Created: at, LastModified: at, Evaluations: evs}); err != nil {
		t.Fatal(err)
	}
	evs[0].State = "caller changed it"
	added, _ := s.Prompts(tenantA, "default", "s2")
	if added[0].Evaluations[0].State != "pending" || added[0].Created != at.UTC().Truncate(graphTick) || added[0].Evaluations[0].Created.Location() != time.UTC {
		t.Errorf("added %+v", added[0])
	}
	if a := c.get(sessionsPath + "/s2/prompts/n/evaluations/n-e"); a.body["runStartDateTime"] != unsetGraphTime || a.body["createdDateTime"] != "2025-10-15T11:00:00.1234567Z" {
		t.Errorf("served %s", a.raw)
	}

	// PutEvaluation completes the running one and adds a re-run.
	done := Evaluation{ID: "e-run", Created: promptBase().Add(40 * time.Second), RunStart: promptBase().Add(41 * time.Second), Completed: promptBase().Add(50 * time.Second), State: "completed", ResultType: "capacityExceeded", ResultContent: "x"}
	if err := s.PutEvaluation(tenantA, "default", "s1", "p0", done); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEvaluation(tenantA, "default", "s1", "p0", Evaluation{ID: "e-3", Created: promptBase().Add(time.Minute), State: "created"}); err != nil {
		t.Fatal(err)
	}
	a := c.get(promptsPath + "/p0/evaluations?$select=id,state,result/type")
	if !reflect.DeepEqual(ids(a), []string{"e-done", "e-run", "e-3"}) || a.values()[1]["result"].(map[string]any)["type"] != "capacityExceeded" {
		t.Errorf("after PutEvaluation: %s", a.raw)
	}

	// UpdatePrompt keeps nothing of the old prompt.
	bumped := promptBase().Add(time.Hour)
	if err := s.UpdatePrompt(tenantA, "default", "s1", Prompt{ID: "p0", Type: "feedback", Created: promptBase().Add(10 * time.Minute), LastModified: bumped}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Prompts(tenantA, "default", "s1")
	if last := after[len(after)-1]; last.ID != "p0" || len(last.Evaluations) != 0 || last.LastModified != bumped || last.Content != "" {
		t.Errorf("after UpdatePrompt: %+v", last)
	}

	for name, err := range map[string]error{
		"unknown session":       s.AddPrompt(tenantA, "default", "nope", Prompt{ID: "x"}),
		"unknown tenant":        s.AddPrompt("nope", "default", "s1", Prompt{ID: "x"}),
		"unknown workspace":     s.UpdatePrompt(tenantA, "nope", "s1", Prompt{ID: "p0"}),
		"unknown prompt":        s.UpdatePrompt(tenantA, "default", "s1", Prompt{ID: "nope"}),
		"unknown prompt to put": s.PutEvaluation(tenantA, "default", "s1", "nope", Evaluation{ID: "e"}),
		"prompts of nothing":    func() error { _, err := s.Prompts(tenantA, "default", "nope"); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	for name, err := range map[string]error{
		"duplicate prompt":   s.AddPrompt(tenantA, "default", "s1", Prompt{ID: "p1"}),
		"empty prompt ID":    s.AddPrompt(tenantA, "default", "s1", Prompt{}),
		"empty evaluation":   s.PutEvaluation(tenantA, "default", "s1", "p1", Evaluation{}),
		"duplicate eval IDs": s.UpdatePrompt(tenantA, "default", "s1", Prompt{ID: "p1", Evaluations: []Evaluation{{ID: "a"}, {ID: "a"}}}),
	} {
		if err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}

	// DeleteSession drops the prompts: a session added again has none.
	if err := s.DeleteSession(tenantA, "default", "s1"); err != nil {
		t.Fatal(err)
	}
	if a := c.get(promptsPath); a.status != http.StatusNotFound {
		t.Errorf("prompts of a deleted session: %d", a.status)
	}
	if err := s.AddSession(tenantA, "default", Session{ID: "s1"}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.Prompts(tenantA, "default", "s1"); len(ps) != 0 {
		t.Errorf("deleted session's prompts came back: %v", ps)
	}
}
