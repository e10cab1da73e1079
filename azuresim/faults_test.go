package azuresim

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

func TestThrottleEvery(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	c.get(sessionsPath) // counted before the faults: must not shift the sequence
	s.SetFaults(Faults{ThrottleEvery: 3, RetryAfter: "7"})
	var statuses []int
	for range 7 {
		a := c.get(sessionsPath)
		statuses = append(statuses, a.status)
		if a.status == http.StatusTooManyRequests {
			if a.errorCode() != "TooManyRequests" || a.header.Get("Retry-After") != "7" {
				t.Errorf("429 answer: %v %s", a.header, a.raw)
			}
		}
	}
	// The request after a 429 is the same one sent again: let through.
	want := []int{200, 200, 429, 200, 200, 429, 200}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("statuses %v, want %v", statuses, want)
		}
	}
	// Token requests do not count.
	c.login(tenantA, clientA, secretA)
	if a := c.get(sessionsPath); a.status != 200 {
		t.Errorf("8th request: %d", a.status)
	}
	if a := c.get(sessionsPath); a.status != 429 || a.header.Get("Retry-After") != "7" {
		t.Errorf("9th request: %d", a.status)
	}
	if st := s.Stats(); st.Throttled != 3 || st.GraphRequests != 10 {
		t.Errorf("stats %+v", st)
	}

	s.SetFaults(Faults{ThrottleEvery: 1})
	a := c.get(sessionsPath)
	if a.status != 429 || a.header.Get("Retry-After") != "" {
		t.Errorf("no Retry-After expected: %d %v", a.status, a.header)
	}
	s.ResetStats()
	if st := s.Stats(); st.Throttled != 0 || st.GraphRequests != 0 || len(s.Requests()) != 0 {
		t.Errorf("after reset %+v", st)
	}
}

func TestThrottledRequestIsLetThroughWhenSentAgain(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.SetFaults(Faults{ThrottleEvery: 1})
	other := sessionsPath + "?$top=1"
	if a := c.get(sessionsPath); a.status != 429 {
		t.Fatalf("first request: %d, want 429", a.status)
	}
	if a := c.get(other); a.status != 429 {
		t.Fatalf("another request: %d, want 429: only the throttled URL is owed", a.status)
	}
	if a := c.get(sessionsPath); a.status != 200 {
		t.Fatalf("the throttled request sent again: %d, want 200", a.status)
	}
	if a := c.get(sessionsPath); a.status != 429 {
		t.Fatalf("the same request a third time: %d, want 429: the pass is used up", a.status)
	}
}

func TestRejectFilterAndOmitCount(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	f := url.QueryEscape("createdDateTime ge 2025-09-01T00:00:00Z")
	s.SetFaults(Faults{RejectFilter: true, OmitCount: true})
	a := c.get(sessionsPath + "?$filter=" + f)
	if a.status != 400 || a.errorCode() != "BadRequest" || !strings.Contains(string(a.raw), "Invalid filter clause") {
		t.Errorf("RejectFilter: %d %s", a.status, a.raw)
	}
	if a := c.get(sessionsPath + "/$count?$filter=" + f); a.status != 400 {
		t.Errorf("RejectFilter on $count: %d", a.status)
	}
	a = c.get(sessionsPath + "?$count=true&$top=1")
	if _, has := a.body["@odata.count"]; a.status != 200 || has {
		t.Errorf("OmitCount: %s", a.raw)
	}
	// The nextLink still works and still has no count.
	if b := c.get(a.body["@odata.nextLink"].(string)); b.status != 200 || b.body["@odata.count"] != nil {
		t.Errorf("OmitCount next page: %s", b.raw)
	}
	s.SetFaults(Faults{})
	if a := c.get(sessionsPath + "?$count=true&$filter=" + f); a.status != 200 || a.body["@odata.count"] != float64(3) {
		t.Errorf("faults cleared: %s", a.raw)
	}
}

func TestStatusFor(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(2, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	cases := []struct {
		status int
		code   string
	}{
		{403, "Forbidden"}, {404, "NotFound"}, {500, "UnknownError"}, {503, "ServiceUnavailable"},
		{502, "InternalServerError"}, {429, "TooManyRequests"}, {400, "BadRequest"},
	}
	for _, tc := range cases {
		faults := Faults{StatusFor: map[string]int{"default": tc.status}, RetryAfter: "3"}
		s.SetFaults(faults)
		faults.StatusFor["default"] = 200 // the server must have its own copy
		for _, p := range []string{sessionsPath, sessionsPath + "/$count", "/security/securityCopilot/workspaces/default"} {
			a := c.get(p)
			if a.status != tc.status || a.errorCode() != tc.code {
				t.Errorf("%d on %s: %d %s", tc.status, p, a.status, a.raw)
			}
			hasRetry := a.header.Get("Retry-After") == "3"
			if hasRetry != (tc.status == 503 || tc.status == 429) {
				t.Errorf("%d: Retry-After %q", tc.status, a.header.Get("Retry-After"))
			}
			if tc.status == 500 && a.body["error"].(map[string]any)["message"] != "" {
				t.Errorf("500 must have an empty message: %s", a.raw)
			}
		}
		if a := c.get(wsSessionsPath("second")); a.status != 200 {
			t.Errorf("other workspace affected: %d", a.status)
		}
		if a := c.get("/security/securityCopilot/workspaces"); a.status != 200 {
			t.Errorf("listing affected: %d", a.status)
		}
	}
	// Unauthenticated requests still get 401 first.
	s.SetFaults(Faults{StatusFor: map[string]int{"default": 500}})
	anon := newClient(t, s)
	if a := anon.get(sessionsPath); a.status != 401 {
		t.Errorf("anonymous: %d", a.status)
	}
}

func TestLatencyRespectsCancellation(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.SetFaults(Faults{Latency: 150 * time.Millisecond})
	start := time.Now()
	if a := c.get(sessionsPath); a.status != 200 || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("latency not applied: %d after %v", a.status, time.Since(start))
	}

	s.SetFaults(Faults{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.GraphEndpoint()+sessionsPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if _, err := c.http.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	// The handler must give up too, and log that nothing was answered.
	deadline := time.Now().Add(5 * time.Second)
	for {
		reqs := s.Requests()
		if last := reqs[len(reqs)-1]; last.Status == 0 && len(reqs) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("handler still sleeping: %+v", s.Requests())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCloseEndsLatency(t *testing.T) {
	s, err := New(twoTenants(nil))
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.SetFaults(Faults{Latency: time.Hour})
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, s.GraphEndpoint()+sessionsPath, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := c.http.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("request during Close got an answer")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request outlived Close")
	}
}

func TestTokenError(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s)
	s.SetFaults(Faults{TokenError: "AADSTS7000215"})
	status, body := c.postToken(tenantA, secretForm(clientA, secretA, s.Scope()))
	desc, _ := body["error_description"].(string)
	if status != 401 || body["error"] != "invalid_client" || !strings.HasPrefix(desc, "AADSTS7000215: Invalid client secret provided.") {
		t.Fatalf("%d %v", status, body)
	}
	if codes, _ := body["error_codes"].([]any); len(codes) != 1 || codes[0] != float64(7000215) {
		t.Errorf("error_codes %v", body["error_codes"])
	}

	s.SetFaults(Faults{TokenError: "AADSTS700024: Client assertion is not within its valid time range."})
	cred, err := azidentity.NewClientSecretCredential(tenantA, clientA, secretA, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: clientOptions(s), DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{s.Scope()}})
	if err == nil || !strings.Contains(err.Error(), "AADSTS700024: Client assertion is not within") {
		t.Fatalf("azidentity with TokenError: %v", err)
	}
	s.SetFaults(Faults{})
	c.login(tenantA, clientA, secretA)
}
