package graphclient

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestEvaluationDecoding(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       Evaluation
		err        string
	}{
		{name: "completed", body: `{"id":"e","state":"completed","runStartDateTime":"2025-10-15T10:00:01.5Z","completedDateTime":"2025-10-15T10:00:31.5Z","result":{"type":"capacityExceeded"}}`,
			want: Evaluation{ID: "e", State: StateCompleted, Result: ResultCapacityExceeded,
				RunStart: time.Date(2025, 10, 15, 10, 0, 1, 5e8, time.UTC), Completed: time.Date(2025, 10, 15, 10, 0, 31, 5e8, time.UTC)}},
		{name: "running, unset completion", body: `{"id":"e","state":"running","runStartDateTime":"2025-10-15T10:00:01Z","completedDateTime":"0001-01-01T00:00:00Z","result":null}`,
			want: Evaluation{ID: "e", State: StateRunning, RunStart: time.Date(2025, 10, 15, 10, 0, 1, 0, time.UTC)}},
		{name: "running as the docs show it", body: `{"id":"e","state":"running","result":{"content":null,"type":"unknown","previewState":"ga"}}`,
			want: Evaluation{ID: "e", State: StateRunning, Result: ResultUnknown}},
		{name: "member 0 of both enums", body: `{"id":"e","state":"unknown","result":{"type":"unknown"}}`,
			want: Evaluation{ID: "e", State: StateUnknown, Result: ResultUnknown}},
		{name: "unknownFutureValue itself", body: `{"id":"e","state":"unknownFutureValue","result":{"type":"unknownFutureValue"}}`,
			want: Evaluation{ID: "e", State: StateUnknownFutureValue, Result: ResultUnknownFutureValue}},
		{name: "state left out or null", body: `{"id":"e","state":null}`,
			want: Evaluation{ID: "e", State: StateUnknown}},
		{name: "created as the docs show it", body: `{"id":"e","state":"created","result":null}`,
			want: Evaluation{ID: "e", State: StateCreated}},
		{name: "unknown values", body: `{"id":"e","state":"paused","result":{"type":"quotaExceeded"}}`,
			want: Evaluation{ID: "e", State: StateUnknownFutureValue, Result: ResultUnknownFutureValue}},
		{name: "enum case differs", body: `{"id":"e","state":"Completed","result":{"type":"Success"}}`,
			want: Evaluation{ID: "e", State: StateUnknownFutureValue, Result: ResultUnknownFutureValue}},
		{name: "result without type", body: `{"id":"e","state":"completed","result":{}}`,
			want: Evaluation{ID: "e", State: StateCompleted}},
		{name: "content served anyway is ignored", body: `{"id":"e","state":"completed","result":{"type":"success","content":"secret answer"}}`,
			want: Evaluation{ID: "e", State: StateCompleted, Result: ResultSuccess}},
		{name: "no id", body: `{"state":"completed"}`, err: "evaluation without an id"},
		{name: "state not a string", body: `{"id":"e","state":3}`, err: "cannot unmarshal number"},
		{name: "malformed time", body: `{"id":"e","completedDateTime":"yesterday"}`, err: "completedDateTime: malformed DateTimeOffset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var raw evaluationJSON
			err := json.Unmarshal([]byte(tc.body), &raw)
			var got Evaluation
			if err == nil {
				got, err = raw.evaluation()
			}
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error quotes content: %v", err)
				}
			case err != nil:
				t.Fatal(err)
			case got != tc.want:
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestActivityPathsEscapeIDs(t *testing.T) {
	path, err := promptsPath("team/a", "s?1#x")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/security/securityCopilot/workspaces/team%2Fa/sessions/s%3F1%23x/prompts"; path != want {
		t.Errorf("path %q, want %q", path, want)
	}
	for _, id := range []string{"", ".", ".."} {
		if _, err := promptsPath("default", id); err == nil {
			t.Errorf("session id %q accepted", id)
		}
	}
}

func TestEnumsAreTheDocumentedOnes(t *testing.T) {
	// Exactly as the beta metadata lists the members, member 0 first.
	states := []string{"unknown", "created", "running", "completed", "cancelled", "pending", "deferred", "waitingForInput", "unknownFutureValue"}
	results := []string{"unknown", "success", "error", "needAdditionalClaims", "rejected", "timedOut", "capacityExceeded", "unknownFutureValue"}
	for i, s := range EvaluationStates() {
		if string(s) != states[i] || ParseEvaluationState(states[i]) != s {
			t.Errorf("state %d: %q, want %q", i, s, states[i])
		}
	}
	for i, r := range ResultTypes() {
		if string(r) != results[i] || ParseResultType(results[i]) != r {
			t.Errorf("result %d: %q, want %q", i, r, results[i])
		}
	}
	if len(EvaluationStates()) != len(states) || len(ResultTypes()) != len(results) {
		t.Errorf("%d states and %d results, want %d and %d", len(EvaluationStates()), len(ResultTypes()), len(states), len(results))
	}
}
