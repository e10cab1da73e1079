package graphclient

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

var auditFrom = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

func auditClient(t *testing.T, recs int) (*azuresim.Server, *simClient) {
	t.Helper()
	sim := startSim(t, 1)
	sim.AddAuditRecords(testTenantID, azuresim.GenerateAuditRecords(1, recs, auditFrom, auditFrom.Add(24*time.Hour))...)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	return sim, sc
}

func spec() AuditQuerySpec {
	return AuditQuerySpec{DisplayName: "t", Start: auditFrom, End: auditFrom.Add(24 * time.Hour), Operations: []string{"CopilotInteraction"}}
}

// runQuery creates, polls and pages a query; it fails the test on error.
func runQuery(t *testing.T, a AuditLog) (AuditQuery, int) {
	t.Helper()
	ctx := context.Background()
	q, err := a.CreateQuery(ctx, spec())
	if err != nil {
		t.Fatal(err)
	}
	if q.Status != "notStarted" || q.ID == "" {
		t.Fatalf("created %+v", q)
	}
	for !q.Finished() {
		if q, err = a.GetQuery(ctx, q.ID); err != nil {
			t.Fatal(err)
		}
	}
	n, err := a.ListRecords(ctx, q.ID, func(raw json.RawMessage) error {
		if !json.Valid(raw) {
			t.Fatalf("invalid record %s", raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return q, n
}

func TestAuditQueryLifecycle(t *testing.T) {
	sim, sc := auditClient(t, 450)
	sim.SetAuditFaults(azuresim.AuditFaults{PollsToFinish: 3})
	a, err := sc.client.AuditLog("beta")
	if err != nil {
		t.Fatal(err)
	}
	q, n := runQuery(t, a)
	if q.Status != "succeeded" || !q.HasApproximate || int(q.ApproximateRecords) != n || q.RecordCountLimitExceeded {
		t.Fatalf("query %+v, %d records", q, n)
	}
	if n < 200 || n > 450 {
		t.Fatalf("%d interaction records of 450 mixed", n)
	}
	if st := sim.AuditStats(); st.Submissions != 1 || st.Polls != 3 || st.RecordPages < 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestAuditV1NotFoundSaysSo(t *testing.T) {
	_, sc := auditClient(t, 10)
	a, _ := sc.client.AuditLog("v1.0")
	_, err := a.CreateQuery(context.Background(), spec())
	if !errors.Is(err, ErrAuditVersion) || !IsStatus(err, 404) || !strings.Contains(err.Error(), "use beta") {
		t.Fatalf("err = %v", err)
	}
}

func TestAuditVersionIsChecked(t *testing.T) {
	_, sc := auditClient(t, 0)
	for _, v := range []string{"", "..", "beta/../v1.0", "beta?x"} {
		if _, err := sc.client.AuditLog(v); err == nil {
			t.Errorf("version %q accepted", v)
		}
	}
}

func TestAuditCreateRetriesAfterRetryAfter(t *testing.T) {
	sim, sc := auditClient(t, 10)
	sim.SetAuditFaults(azuresim.AuditFaults{CreateThrottles: 2, RetryAfter: "7"})
	var waits []time.Duration
	sc.client.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	a, _ := sc.client.AuditLog("beta")
	if _, err := a.CreateQuery(context.Background(), spec()); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 2 || waits[0] != 7*time.Second || waits[1] != 7*time.Second {
		t.Fatalf("waits %v, want two of Retry-After 7s", waits)
	}
	// A Retry-After that would end past the deadline: Graph's answer
	// stands at once, and no other query is submitted.
	sim.SetAuditFaults(azuresim.AuditFaults{CreateThrottles: 10, RetryAfter: "60"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := a.CreateQuery(ctx, spec()); !IsStatus(err, 429) {
		t.Fatalf("err = %v, want 429", err)
	}
	if st := sim.AuditStats(); st.Submissions != 3+1 {
		t.Fatalf("%d submissions, want 4", st.Submissions)
	}
}

func TestAuditRecordPageFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults azuresim.AuditFaults
		want   string
	}{
		// The door sends a page answered 500 again: the paging goes on.
		{"500 while paging", azuresim.AuditFaults{RecordFailures: 1}, ""},
		{"malformed page", azuresim.AuditFaults{MalformedPages: 1}, "decode page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, sc := auditClient(t, 300)
			a, _ := sc.client.AuditLog("beta")
			ctx := context.Background()
			q, err := a.CreateQuery(ctx, spec())
			if err != nil {
				t.Fatal(err)
			}
			if q, err = a.GetQuery(ctx, q.ID); err != nil || q.Status != "succeeded" {
				t.Fatalf("%+v, %v", q, err)
			}
			all, err := a.ListRecords(ctx, q.ID, func(json.RawMessage) error { return nil })
			if err != nil || all == 0 {
				t.Fatalf("%d records, %v without a fault", all, err)
			}
			sim.SetAuditFaults(tc.faults)
			n, err := a.ListRecords(ctx, q.ID, func(json.RawMessage) error { return nil })
			if tc.want == "" {
				if err != nil || n != all {
					t.Fatalf("%d records, %v; want all %d", n, err, all)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAuditQueryEnds(t *testing.T) {
	sim, sc := auditClient(t, 10)
	sim.SetAuditFaults(azuresim.AuditFaults{Ends: []string{"failed", "cancelled", "never"}})
	a, _ := sc.client.AuditLog("beta")
	ctx := context.Background()
	for _, want := range []string{"failed", "cancelled", "running"} {
		q, err := a.CreateQuery(ctx, spec())
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if q, err = a.GetQuery(ctx, q.ID); err != nil {
				t.Fatal(err)
			}
		}
		if q.Status != want || (want == "running") == q.Finished() {
			t.Fatalf("status %q, want %q", q.Status, want)
		}
	}
}
