package azuresim

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestBatchStatsCountLogicalRequestsAndRoundTrips(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	c.get(sessionsPath)
	c.get("/security/securityCopilot/workspaces")
	c.postBatch(batchOf(sessionsPath, sessionsPath+"/$count", "/security/securityCopilot/workspaces", "/nowhere"))
	c.postBatch(batchOf(repeat(sessionsPath, 21)...))
	newClient(t, s).postBatch(batchOf(sessionsPath))
	want := Stats{
		GraphRequests: 6, RoundTrips: 5, BatchRequests: 3, TokenRequests: 1, Throttled: 0,
		ByPath: map[string]int{PathSessions: 3, PathWorkspaces: 2, PathOther: 1},
	}
	if got := s.Stats(); !reflect.DeepEqual(got, want) {
		t.Fatalf("stats\n%+v\nwant\n%+v", got, want)
	}

	// ResetStats restarts the DependencyFailed count too.
	s.SetFaults(Faults{DependencyFailed: 2})
	c.postBatch(batchOf(sessionsPath))
	s.ResetStats()
	if st := s.Stats(); st.RoundTrips != 0 || st.BatchRequests != 0 || st.GraphRequests != 0 {
		t.Errorf("after reset %+v", st)
	}
	if got := c.postBatch(batchOf(sessionsPath)).statuses(t); got["1"] != 200 {
		t.Errorf("first request after reset: %v", got)
	}
	if got := c.postBatch(batchOf(sessionsPath)).statuses(t); got["1"] != 424 {
		t.Errorf("second request after reset: %v", got)
	}
}

func TestBatchLatencyAppliesOnce(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	latency := injectedLatency(300*time.Millisecond, func() { c.postBatch(batchOf(repeat(sessionsPath, 10)...)) })
	s.SetFaults(Faults{Latency: latency})
	start := time.Now()
	b := c.postBatch(batchOf(repeat(sessionsPath, 10)...))
	// Per item, ten requests would take ten times the latency.
	if elapsed := time.Since(start); b.status != 200 || elapsed < latency || elapsed >= 8*latency {
		t.Fatalf("%d after %v with latency %v", b.status, elapsed, latency)
	}

	// The latency comes before the requests run: a batch given up while
	// waiting runs none of them.
	s.SetFaults(Faults{Latency: time.Hour})
	s.ResetStats()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.GraphEndpoint()+"/$batch", strings.NewReader(batchOf(sessionsPath)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	if _, err := c.http.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	// A bound on a hang, not a speed requirement.
	deadline := time.Now().Add(time.Minute)
	for {
		if reqs := s.Requests(); len(reqs) == 1 && reqs[0].Status == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log %+v", s.Requests())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := s.Stats(); st.GraphRequests != 0 || st.BatchRequests != 1 {
		t.Errorf("stats %+v", st)
	}
}
