package graphclient

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// threeWorkspaces serves "slow", "a" and "b", 10 sessions each.
func threeWorkspaces(t *testing.T) (*azuresim.Server, *Client) {
	t.Helper()
	now := time.Now()
	var wss []azuresim.Workspace
	for i, id := range []string{"slow", "a", "b"} {
		wss = append(wss, azuresim.Workspace{ID: id, Sessions: azuresim.GenerateSessions(int64(i+1), 10, now)})
	}
	sim, err := azuresim.New(azuresim.Options{MaxPageSize: 50, Tenants: []azuresim.Tenant{{
		ID: testTenantID, ClientID: testClientID, ClientSecret: testSecret, Workspaces: wss,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	tenant := config.Tenant{Name: "contoso", TenantID: testTenantID, ClientID: testClientID, Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)}
	c, err := New(config.Graph{Endpoint: sim.GraphEndpoint(), AuthorityHost: sim.AuthorityHost()}, tenant, Options{
		Metrics: NewMetrics(prometheus.NewRegistry()), Transport: &http.Client{Transport: sim.Transport()}, RetryDelay: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListWorkspaces(context.Background()); err != nil { // the token
		t.Fatal(err)
	}
	return sim, c
}

// A throttled request leaves its round: the other participants' next
// requests go out without it, and it is sent again alone once its own wait
// is over. The wait is released only when the others have finished, so a
// Batcher that held their rounds for the retry would never let them finish.
func TestThrottledRequestLeavesItsRound(t *testing.T) {
	sim, c := threeWorkspaces(t)
	sim.SetFaults(azuresim.Faults{TransientFor: map[string]azuresim.Transient{"slow": {Status: http.StatusServiceUnavailable, Times: 2}}, RetryAfter: "2"})
	sim.ResetStats()
	var finished atomic.Int32
	othersDone := make(chan struct{})
	var waits []time.Duration
	var sawOthersDone []bool
	c.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d) // retries of one call are sequential
		select {
		case <-othersDone:
			sawOthersDone = append(sawOthersDone, true)
		case <-time.After(10 * time.Second):
			sawOthersDone = append(sawOthersDone, false)
		}
		return nil
	}
	names := []string{"slow", "a", "b"}
	counts := make([]int64, len(names))
	errs := make([]error, len(names))
	part := func(i int) func(Reader) {
		ws := names[i]
		return func(r Reader) {
			for range 2 { // two requests each: two rounds for the others
				n, err := r.CountSessions(context.Background(), ws, []Filter{nil})
				if err != nil {
					errs[i] = err
					return
				}
				counts[i] = n[0]
			}
			if ws != "slow" && finished.Add(1) == 2 {
				close(othersDone)
			}
		}
	}
	c.Run(context.Background(), part(0), part(1), part(2))
	for i, ws := range names {
		if errs[i] != nil || counts[i] != 10 {
			t.Fatalf("%s: count %d, err %v", ws, counts[i], errs[i])
		}
	}
	if len(waits) != 2 || waits[0] != 2*time.Second || waits[1] != 2*time.Second {
		t.Fatalf("retry waits %v, want Graph's Retry-After of 2s twice", waits)
	}
	if !sawOthersDone[0] {
		t.Fatal("the other workspaces did not finish while the throttled request waited")
	}
	// Round 1: one $batch of three; round 2: a $batch of a and b; then the
	// throttled request alone, twice, and its second request.
	if st := sim.Stats(); st.BatchRequests != 2 || st.RoundTrips != 5 || st.GraphRequests != 8 {
		t.Fatalf("%d round trips, %d batches, %d Graph requests; want 5, 2, 8", st.RoundTrips, st.BatchRequests, st.GraphRequests)
	}
}
