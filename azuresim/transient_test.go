package azuresim

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestTransientForRecovers(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.SetFaults(Faults{RetryAfter: "3", TransientFor: map[string]Transient{"default": {Status: 503, Times: 2}}})
	var statuses []int
	for range 4 {
		a := c.get(sessionsPath)
		statuses = append(statuses, a.status)
		if a.status == 503 && (a.header.Get("Retry-After") != "3" || a.errorCode() != "ServiceUnavailable") {
			t.Errorf("503 answer: %v %s", a.header, a.raw)
		}
	}
	if want := []int{503, 503, 200, 200}; !equalInts(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	if a := c.get(wsSessionsPath("second")); a.status != 200 {
		t.Errorf("another workspace answered %d", a.status)
	}
	// Inside a $batch the item fails on its own, and the count restarts
	// with ResetStats.
	s.ResetStats()
	b := c.postBatch(batchOf(sessionsPath, wsSessionsPath("second"))).statuses(t)
	if b["1"] != 503 || b["2"] != 200 {
		t.Fatalf("batch statuses %v", b)
	}
	s.SetFaults(Faults{TransientFor: map[string]Transient{"default": {Status: 500, Times: 1}}, StatusFor: map[string]int{"second": 403}})
	if a := c.get(sessionsPath); a.status != 500 || a.errorCode() != "UnknownError" {
		t.Fatalf("after SetFaults: %d %s", a.status, a.raw)
	}
	if a := c.get(sessionsPath); a.status != 200 {
		t.Fatalf("second request after SetFaults: %d", a.status)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTokenLatency(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s)
	calibration := newClient(t, s).login(tenantA, clientA, secretA)
	latency := injectedLatency(300*time.Millisecond, func() { calibration.get(sessionsPath) })
	s.SetFaults(Faults{TokenLatency: latency})
	start := time.Now()
	c.login(tenantA, clientA, secretA)
	if d := time.Since(start); d < latency {
		t.Fatalf("token answered after %v, before the latency %v", d, latency)
	}
	start = time.Now()
	if a := c.get(sessionsPath); a.status != 200 || time.Since(start) >= latency {
		t.Fatalf("Graph slowed down too: HTTP %d after %v (token latency %v)", a.status, time.Since(start), latency)
	}
}

func TestDeleteWorkspace(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	if err := s.DeleteWorkspace(tenantA, "default"); err != nil {
		t.Fatal(err)
	}
	ws := c.get("/security/securityCopilot/workspaces").values()
	if len(ws) != 1 || ws[0]["id"] != "second" {
		t.Fatalf("workspaces after deleting default: %v", ws)
	}
	for _, path := range []string{sessionsPath, sessionsPath + "/$count", "/security/securityCopilot/workspaces/default"} {
		if a := c.get(path); a.status != http.StatusNotFound || a.errorCode() != "NotFound" {
			t.Errorf("%s: %d %s", path, a.status, a.raw)
		}
	}
	if b := c.postBatch(batchOf(sessionsPath, wsSessionsPath("second"))).statuses(t); b["1"] != 404 || b["2"] != 200 {
		t.Errorf("batch statuses %v", b)
	}
	if err := s.DeleteWorkspace(tenantA, "default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	if err := s.AddSession(tenantA, "default", Session{ID: "new", Created: time.Now()}); !errors.Is(err, ErrNotFound) {
		t.Errorf("adding to a deleted workspace: %v", err)
	}
	// Tenant B's workspace of the same id is another workspace.
	cb := newClient(t, s).login(tenantB, clientB, secretB)
	if a := cb.get(sessionsPath); a.status != 200 || len(a.values()) != 1 {
		t.Errorf("tenant B's default: %d %s", a.status, a.raw)
	}
}
