package collector

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// A completed evaluation is observed by the duration histogram exactly once,
// when the exporter first reads it as completed; those already completed
// at the first read are not, and a completed prompt's evaluations are not
// listed again until the prompt changes.
func TestEvaluationDurationsObservedOnceAndCached(t *testing.T) {
	at := func(d time.Duration) time.Time { return testNow.Add(-d) }
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 0})
	ws := &tenant.Workspaces[0]
	ws.Sessions = []azuresim.Session{
		{ID: "s1", Created: at(time.Hour), LastModified: at(time.Hour)},
		{ID: "dormant", Created: at(72 * time.Hour), LastModified: at(72 * time.Hour)},
	}
	done := azuresim.Evaluation{ID: "e1", State: "completed", ResultType: "success", Created: at(50 * time.Minute),
		RunStart: at(50 * time.Minute), Completed: at(50*time.Minute - 4*time.Second), LastModified: at(49 * time.Minute)}
	running := azuresim.Evaluation{ID: "e2", State: "running", Created: at(2 * time.Minute), RunStart: at(2 * time.Minute), LastModified: at(2 * time.Minute)}
	p1 := azuresim.Prompt{ID: "p1", Type: "prompt", Created: at(50 * time.Minute), LastModified: at(49 * time.Minute), Evaluations: []azuresim.Evaluation{done}}
	p2 := azuresim.Prompt{ID: "p2", Type: "prompt", Created: at(2 * time.Minute), LastModified: at(2 * time.Minute), Evaluations: []azuresim.Evaluation{running}}
	old := azuresim.Evaluation{ID: "e-old", State: "completed", ResultType: "success", Created: at(71 * time.Hour),
		RunStart: at(71 * time.Hour), Completed: at(71*time.Hour - 7*time.Second), LastModified: at(71 * time.Hour)}
	ws.Prompts = map[string][]azuresim.Prompt{
		"s1":      {p1, p2},
		"dormant": {{ID: "p-old", Type: "prompt", Created: at(71 * time.Hour), LastModified: at(71 * time.Hour), Evaluations: []azuresim.Evaluation{old}}},
	}
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.enableActivity(nil)

	step := func(name string, wantCount uint64, wantSum float64, wantEvaluationRequests int) {
		t.Helper()
		f.sim.ResetStats()
		fams := f.scrape()
		f.assertActivity(fams, "tenant0", "default", activityTruth(t, f.sim, tenant.ID, "default", f.cfg.Activity))
		h, ok := histogram(fams, "tenant0", "default")
		if !ok {
			t.Fatalf("%s: no duration histogram; logs:\n%s", name, f.logs.String())
		}
		if h.GetSampleCount() != wantCount || h.GetSampleSum() != wantSum {
			t.Errorf("%s: histogram count %d sum %v, want %d and %v (%s)", name, h.GetSampleCount(), h.GetSampleSum(), wantCount, wantSum, bucketCounts(h))
		}
		if got := f.sim.Stats().ByPath[azuresim.PathEvaluations]; got != wantEvaluationRequests {
			t.Errorf("%s: %d evaluation listings, want %d", name, got, wantEvaluationRequests)
		}
	}
	// The first read sees e1 completed already: it is the baseline.
	step("first read", 0, 0, 2)
	// p1 is answered from memory; p2 still runs.
	step("nothing changed", 0, 0, 1)

	running.State, running.ResultType, running.Completed = "completed", "capacityExceeded", at(2*time.Minute-45*time.Second)
	if err := f.sim.PutEvaluation(tenant.ID, "default", "s1", "p2", running); err != nil {
		t.Fatal(err)
	}
	step("e2 completed", 1, 45, 1)
	fams := f.scrape()
	if h, _ := histogram(fams, "tenant0", "default"); bucketCounts(h) != "le=1:0 le=2.5:0 le=5:0 le=10:0 le=20:0 le=30:0 le=60:1 le=120:1 le=300:1 le=600:1 le=+Inf:1 " {
		t.Errorf("buckets %s, want 45 s in le=60", bucketCounts(h))
	}
	step("read again", 1, 45, 0)

	// A re-run of p1: the prompt changes, so its evaluations are listed
	// again; e1 is not observed twice.
	p1.LastModified = at(time.Minute)
	p1.Evaluations = append(p1.Evaluations, azuresim.Evaluation{ID: "e3", State: "completed", ResultType: "success",
		Created: at(time.Minute), RunStart: at(time.Minute), Completed: at(time.Minute - 8*time.Second), LastModified: at(time.Minute)})
	if err := f.sim.UpdatePrompt(tenant.ID, "default", "s1", p1); err != nil {
		t.Fatal(err)
	}
	step("p1 re-run", 2, 53, 1)

	// A dormant session renamed now comes into the lookback; its evaluation
	// completed long before it and is not a new completion.
	if err := f.sim.UpdateSession(tenant.ID, "default", azuresim.Session{ID: "dormant", Created: at(72 * time.Hour), LastModified: at(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	step("dormant session renamed", 2, 53, 1)
}

// failPrompts answers every unbatched prompt request with Graph's 500,
// leaving everything else to next.
type failPrompts struct{ next http.RoundTripper }

func (f failPrompts) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.Contains(req.URL.Path, "/prompts") {
		return f.next.RoundTrip(req)
	}
	body := `{"error":{"code":"UnknownError","message":"","innerError":{"request-id":"11111111-2222-4333-8444-555555555555"}}}`
	return &http.Response{StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}, "Request-Id": {"11111111-2222-4333-8444-555555555555"}},
		Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// A failed activity read exports activity_success 0 and no activity
// gauges, with one logged error, leaves the session metrics exact, and
// the next read is exact again.
func TestActivityFailureIsReportedAndRecovers(t *testing.T) {
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 400})
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.enableActivity(nil)
	f.sim.SetFaults(azuresim.Faults{BatchUnsupported: 400}) // so that each prompt request travels alone
	f.useTransport(failPrompts{next: f.sim.Transport()})
	fams := f.scrape()
	labels := map[string]string{"tenant": "tenant0", "workspace": "default"}
	if v, ok := value(fams, "securitycopilot_activity_success", labels); !ok || v != 0 {
		t.Errorf("activity_success = %v (present %v), want 0", v, ok)
	}
	for _, name := range []string{"securitycopilot_activity_sessions_covered", "securitycopilot_prompts_created", "securitycopilot_evaluations"} {
		for _, m := range fams[name].GetMetric() {
			t.Errorf("%s exported for a failed read: %v", name, m)
		}
	}
	f.assertExact(fams, "tenant0", tenant.Workspaces[0])
	if n := strings.Count(f.logs.String(), "Collecting activity failed"); n != 1 {
		t.Errorf("%d lines say the activity read failed, want 1:\n%s", n, f.logs.String())
	}
	if !strings.Contains(f.logs.String(), "11111111-2222-4333-8444-555555555555") {
		t.Error("the failure's log line lacks Graph's request-id")
	}
	f.useTransport(f.sim.Transport())
	fams = f.scrape()
	f.assertExact(fams, "tenant0", tenant.Workspaces[0])
	f.assertActivity(fams, "tenant0", "default", activityTruth(t, f.sim, tenant.ID, "default", f.cfg.Activity))
}

// Prompt and evaluation ids need not be unique beyond their session: the
// memory of one session's prompt must not answer for another's.
func TestActivityMemoryKeepsSessionsApart(t *testing.T) {
	at := func(d time.Duration) time.Time { return testNow.Add(-d) }
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 0})
	ws := &tenant.Workspaces[0]
	ws.Sessions = []azuresim.Session{{ID: "a", Created: at(time.Hour), LastModified: at(time.Hour)}, {ID: "b", Created: at(time.Hour), LastModified: at(time.Hour)}}
	evaluation := func(state string) azuresim.Evaluation {
		e := azuresim.Evaluation{ID: "1", State: state, Created: at(time.Hour), RunStart: at(time.Hour)}
		if state == "completed" {
			e.ResultType, e.Completed = "success", at(time.Hour-20*time.Second)
		}
		return e
	}
	prompt := func(state string) azuresim.Prompt {
		return azuresim.Prompt{ID: "1", Type: "prompt", Created: at(time.Hour), LastModified: at(time.Hour), Evaluations: []azuresim.Evaluation{evaluation(state)}}
	}
	ws.Prompts = map[string][]azuresim.Prompt{"a": {prompt("completed")}, "b": {prompt("running")}}
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.enableActivity(nil)
	for round := range 2 {
		f.assertActivity(f.scrape(), "tenant0", "default", activityTruth(t, f.sim, tenant.ID, "default", f.cfg.Activity))
		if t.Failed() {
			t.Fatalf("scrape %d", round+1)
		}
	}
	done := evaluation("completed")
	done.Completed = at(time.Hour - 3*time.Second)
	if err := f.sim.PutEvaluation(tenant.ID, "default", "b", "1", done); err != nil {
		t.Fatal(err)
	}
	fams := f.scrape()
	f.assertActivity(fams, "tenant0", "default", activityTruth(t, f.sim, tenant.ID, "default", f.cfg.Activity))
	if h, ok := histogram(fams, "tenant0", "default"); !ok || h.GetSampleCount() != 1 || h.GetSampleSum() != 3 {
		t.Errorf("histogram %v, want session b's evaluation of 3 s observed once", h)
	}
}

// Two fetches of one workspace that overlap, across a reload, must not
// observe one evaluation twice, whichever commits first.
func TestCommitActivityObservesEachCompletionOnce(t *testing.T) {
	tn := newTenant(config.Tenant{Name: "t"}, config.Graph{}, 1, nil, slog.New(slog.DiscardHandler), time.Now)
	completed := testNow.Add(-time.Minute)
	first := activityMemory{watching: true, seen: map[string]time.Time{"a": completed}}
	if got := tn.commitActivity("ws", first, []completion{{key: "a", duration: 5 * time.Second}}); len(got) != 1 || got[0] != 5*time.Second {
		t.Fatalf("first commit observed %v, want [5s]", got)
	}
	// The slower fetch read a as completed too, and b; its memory lacks a.
	second := activityMemory{watching: true, seen: map[string]time.Time{"b": completed}}
	got := tn.commitActivity("ws", second, []completion{{key: "a", duration: 5 * time.Second}, {key: "b", duration: 7 * time.Second}})
	if len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("second commit observed %v, want only b's 7s", got)
	}
	if _, mem := tn.memories("ws"); len(mem.seen) != 2 {
		t.Errorf("memory after both commits holds %v, want a and b", mem.seen)
	}
}
