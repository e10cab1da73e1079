package graphclient

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// someFilters are distinct count queries: the total and four windows.
func someFilters() []Filter {
	now := time.Now()
	fs := []Filter{nil}
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
		fs = append(fs, Filter{{Property: PropCreated, Op: OpGE, Time: now.Add(-d)}})
	}
	return fs
}

// singly counts each filter in a request of its own, the reference the
// batched answers must match.
func singly(t *testing.T, c *Client, filters []Filter) []int64 {
	t.Helper()
	var want []int64
	for _, f := range filters {
		n, err := c.Reader().CountSessions(context.Background(), "default", []Filter{f})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, n[0])
	}
	return want
}

func TestBatchedCounts(t *testing.T) {
	for _, tc := range []struct {
		name        string
		faults      azuresim.Faults
		wantBatches int // $batch POSTs for one CountSessions of five filters
		wantRetries bool
	}{
		{name: "one batch", wantBatches: 1},
		{name: "items throttled", faults: azuresim.Faults{ThrottleEvery: 2, RetryAfter: "0"}, wantBatches: 2, wantRetries: true},
		// One item of five throttled: it goes again alone, as a plain GET.
		{name: "one item throttled without Retry-After", faults: azuresim.Faults{ThrottleEvery: 3}, wantBatches: 1, wantRetries: true},
		{name: "failed dependency", faults: azuresim.Faults{DependencyFailed: 2}, wantBatches: 2, wantRetries: true},
		{name: "batching refused", faults: azuresim.Faults{BatchUnsupported: http.StatusNotFound}, wantBatches: 1},
		{name: "batching not implemented", faults: azuresim.Faults{BatchUnsupported: http.StatusNotImplemented}, wantBatches: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := startSim(t, 400)
			sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
			if err != nil {
				t.Fatal(err)
			}
			filters := someFilters()
			want := singly(t, sc.client, filters)
			sim.SetFaults(tc.faults)
			sim.ResetStats()
			got, err := sc.client.Reader().CountSessions(context.Background(), "default", filters)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("batched counts %v, singly %v", got, want)
			}
			st := sim.Stats()
			if st.BatchRequests != tc.wantBatches {
				t.Errorf("%d $batch requests, want %d", st.BatchRequests, tc.wantBatches)
			}
			if retried := testutil.ToFloat64(sc.metrics.retries) > 0; retried != tc.wantRetries {
				t.Errorf("retries counted: %v, want %v", retried, tc.wantRetries)
			}
			if got := testutil.ToFloat64(sc.metrics.requests.WithLabelValues("200")); got < float64(len(filters)) {
				t.Errorf("securitycopilot_graph_requests_total{code=\"200\"} = %v, want at least %d", got, len(filters))
			}
		})
	}
}

func TestRefusedBatchingIsRemembered(t *testing.T) {
	sim := startSim(t, 100)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	sim.SetFaults(azuresim.Faults{BatchUnsupported: http.StatusBadRequest})
	for range 3 {
		if _, err := sc.client.Reader().CountSessions(context.Background(), "default", someFilters()); err != nil {
			t.Fatal(err)
		}
	}
	if st := sim.Stats(); st.BatchRequests != 1 || st.GraphRequests != 15 {
		t.Fatalf("%d $batch and %d Graph requests, want 1 refused $batch then 15 single requests", st.BatchRequests, st.GraphRequests)
	}
}

func TestBrokenBatchAnswersFailOnlyTheirItems(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults azuresim.Faults
		want   string
	}{
		{"item missing", azuresim.Faults{BatchDropItem: true}, "no response for request"},
		{"item answered twice", azuresim.Faults{BatchDuplicateID: true}, "twice"},
		{"item not found", azuresim.Faults{StatusFor: map[string]int{"default": http.StatusNotFound}}, "HTTP 404 NotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := startSim(t, 100)
			sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
			if err != nil {
				t.Fatal(err)
			}
			sim.SetFaults(tc.faults)
			_, err = sc.client.Reader().CountSessions(context.Background(), "default", someFilters())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// readyClient is a client of a simulator with 100 sessions that already has
// its token, so that what follows counts Graph requests only.
func readyClient(t *testing.T) (*azuresim.Server, *simClient) {
	t.Helper()
	sim := startSim(t, 100)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.client.Reader().CountSessions(context.Background(), "default", []Filter{nil}); err != nil {
		t.Fatal(err)
	}
	return sim, sc
}

func TestThrottledItemsDoNotWaitPastTheDeadline(t *testing.T) {
	sim, sc := readyClient(t)
	sim.SetFaults(azuresim.Faults{ThrottleEvery: 1, RetryAfter: "120"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err := sc.client.Reader().CountSessions(ctx, "default", someFilters())
	if !IsStatus(err, http.StatusTooManyRequests) {
		t.Fatalf("err = %v, want Graph's 429", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("waited into the deadline (%v) instead of failing at once", time.Since(start))
	}
}

func TestBatcherSendsOneRoundForManyParticipants(t *testing.T) {
	sim, sc := readyClient(t)
	sim.ResetStats()
	filters := someFilters()
	got := make([]int64, 2*len(filters))
	errs := make([]error, len(got))
	parts := make([]func(Reader), len(got))
	for i := range got {
		parts[i] = func(r Reader) {
			if i == 0 {
				return // a participant that asks nothing must not hold the round
			}
			// Each participant asks twice, so there are two rounds.
			for range 2 {
				n, err := r.CountSessions(context.Background(), "default", []Filter{filters[i%len(filters)]})
				if err != nil {
					errs[i] = err
					return
				}
				got[i] = n[0]
			}
		}
	}
	sc.client.Run(context.Background(), parts...)
	want := singly(t, sc.client, filters)
	for i := 1; i < len(got); i++ {
		if errs[i] != nil || got[i] != want[i%len(filters)] {
			t.Fatalf("participant %d counted %d (err %v), want %d", i, got[i], errs[i], want[i%len(filters)])
		}
	}
	if st := sim.Stats(); st.RoundTrips != 2+len(filters) || st.BatchRequests != 2 {
		// 2 rounds of one $batch each, then the reference counts singly.
		t.Fatalf("%d round trips, %d batches; want %d and 2", st.RoundTrips, st.BatchRequests, 2+len(filters))
	}
}

func TestBatchItemStatusLabelsAreBounded(t *testing.T) {
	for status, want := range map[int]string{200: "200", 429: "429", 599: "599", 0: "invalid", 99: "invalid", 600: "invalid", 1 << 30: "invalid", -200: "invalid"} {
		if got := statusLabel(status); got != want {
			t.Errorf("statusLabel(%d) = %q, want %q", status, got, want)
		}
	}
}
