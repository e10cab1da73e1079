package graphclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// These tests hold the door to what issue 19 found it let through: each
// sends real requests through the client to a simulator answering as a
// hostile or failing Azure would.

// listener is a plain http server that records what reaches it: a place
// no token or secret may ever go.
type listener struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newListener(t *testing.T) *listener {
	l := &listener{}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		l.mu.Lock()
		l.bodies = append(l.bodies, r.Method+" "+r.URL.String()+" "+r.Header.Get("Authorization")+" "+string(body))
		l.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[],"token_type":"Bearer","access_token":"stolen","expires_in":3599}`))
	}))
	t.Cleanup(l.Close)
	return l
}

func (l *listener) got() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.bodies...)
}

func secretTenant() config.Tenant {
	return config.Tenant{Auth: config.AuthClientSecret, ClientSecretEnv: "DOOR_TEST_SECRET"}
}

func doorClient(t *testing.T, sim *azuresim.Server) *simClient {
	t.Helper()
	t.Setenv("DOOR_TEST_SECRET", testSecret)
	sc, err := newSimClient(t, sim, secretTenant())
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Item 1: a redirect from Graph is never followed, whatever its status:
// the bearer token would go to the Location.
func TestDoorRefusesGraphRedirects(t *testing.T) {
	sim := startSim(t, 3)
	sc := doorClient(t, sim)
	away := newListener(t)
	if _, err := sc.client.AccessToken(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	for _, status := range []int{301, 302, 307, 308} {
		sim.SetHostile(azuresim.Hostile{Redirect: status, RedirectTo: away.URL})
		_, _, err := listAll(testCtx(t), sc.client)
		t.Log(err)
		t.Log(err)
		host := strings.TrimPrefix(away.URL, "http://")
		if err == nil || !strings.Contains(err.Error(), "HTTP "+strconv.Itoa(status)) || !strings.Contains(err.Error(), host) {
			t.Errorf("redirect %d: err = %v, want one naming the status and %s", status, err, host)
		}
	}
	if got := away.got(); len(got) != 0 {
		t.Errorf("the redirect's host got %d requests: %q", len(got), got)
	}
}

// Item 1: a redirect from the token endpoint is never followed: the
// client secret would be posted to the Location.
func TestDoorRefusesTokenRedirects(t *testing.T) {
	sim := startSim(t, 3)
	sc := doorClient(t, sim)
	away := newListener(t)
	sim.SetHostile(azuresim.Hostile{Redirect: http.StatusTemporaryRedirect, RedirectTo: away.URL})
	_, err := sc.client.AccessToken(testCtx(t))
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "307") || !strings.Contains(err.Error(), strings.TrimPrefix(away.URL, "http://")) {
		t.Errorf("err = %v, want one naming 307 and the Location's host", err)
	}
	for _, req := range away.got() {
		t.Errorf("the redirect's host got %q", req)
	}
}

// Item 2: a discovery document naming another token endpoint, over plain
// http or on another host, never receives the secret.
func TestDoorSendsCredentialsOnlyToTheAuthority(t *testing.T) {
	away := newListener(t)
	sim, err := azuresim.New(azuresim.Options{Hostnames: []string{"localhost"}, Tenants: []azuresim.Tenant{{
		ID: testTenantID, ClientID: testClientID, ClientSecret: testSecret,
		Workspaces: []azuresim.Workspace{{ID: "default"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	_, port, _ := strings.Cut(strings.TrimPrefix(sim.URL(), "https://"), ":")
	for _, endpoint := range []string{
		away.URL + "/" + testTenantID + "/oauth2/v2.0/token",
		"https://localhost:" + port + "/" + testTenantID + "/oauth2/v2.0/token",
		"http://" + strings.TrimPrefix(sim.URL(), "https://") + "/" + testTenantID + "/oauth2/v2.0/token",
	} {
		sim.SetHostile(azuresim.Hostile{TokenEndpoint: endpoint})
		sim.ResetStats()
		sc := doorClient(t, sim)
		_, err := sc.client.AccessToken(testCtx(t))
		t.Log(err)
		u, _ := url.Parse(endpoint)
		if err == nil || !strings.Contains(err.Error(), u.Host) {
			t.Errorf("token endpoint %s: err = %v, want a refusal naming %s", endpoint, err, u.Host)
		}
		if n := sim.Stats().TokenRequests; n != 0 {
			t.Errorf("token endpoint %s: the simulator got %d token requests", endpoint, n)
		}
	}
	for _, req := range away.got() {
		t.Errorf("the foreign token endpoint got %q", req)
	}
}

// Item 3: a token answer without expires_in fails, and no part of the
// token appears in the error.
func TestDoorNeverPrintsTheTokenOfABadAnswer(t *testing.T) {
	sim := startSim(t, 3)
	sc := doorClient(t, sim)
	sim.SetHostile(azuresim.Hostile{OmitExpiresIn: true})
	_, err := sc.client.AccessToken(testCtx(t))
	t.Log(err)
	token := sim.LastToken()
	if err == nil || token == "" {
		t.Fatalf("err = %v, token sent %q: want a failure after a token was sent", err, token)
	}
	if leak := tokenPart(err.Error(), token); leak != "" {
		t.Errorf("the error quotes the token (%q): %v", leak, err)
	}
	if !strings.Contains(err.Error(), "expires_in") {
		t.Errorf("err = %v, want it to name the missing expires_in", err)
	}
}

// tokenPart returns a 12-byte piece of token found in s, or "".
func tokenPart(s, token string) string {
	for i := 0; i+12 <= len(token); i++ {
		if strings.Contains(s, token[i:i+12]) {
			return token[i : i+12]
		}
	}
	return ""
}

// Item 4: a token answer larger than its cap fails instead of being read
// whole.
func TestDoorCapsTokenAnswers(t *testing.T) {
	sim := startSim(t, 3)
	sc := doorClient(t, sim)
	sim.SetHostile(azuresim.Hostile{TokenPadding: 3 << 20})
	_, err := sc.client.AccessToken(testCtx(t))
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v, want the answer refused for its size", err)
	}
}

// Item 4: a page larger than the configured cap fails the request,
// whether the cap comes from the client's options or from the config's
// graph.max_page_bytes.
func TestDoorCapsPages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		graph   int64
		options int64
	}{{"options", 0, 2048}, {"config", 2048, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			sim := startSim(t, 40)
			t.Setenv("DOOR_TEST_SECRET", testSecret)
			tenant := secretTenant()
			tenant.Name, tenant.TenantID, tenant.ClientID = "contoso", testTenantID, testClientID
			g := config.Graph{Endpoint: sim.GraphEndpoint(), AuthorityHost: sim.AuthorityHost(), MaxPageBytes: tc.graph}
			c, err := New(g, tenant, Options{
				Metrics: NewMetrics(prometheus.NewRegistry()), Transport: &http.Client{Transport: sim.Transport()}, MaxAnswerBytes: tc.options,
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := listAll(testCtx(t), c); err == nil || !strings.Contains(err.Error(), "larger than 2048 bytes") {
				t.Errorf("err = %v, want the page refused for its size", err)
			}
		})
	}
}

// Item 9: Retry-After: 9300000000 overflows no Duration: it is clamped,
// past the deadline, so the request gives up at once and says why.
func TestDoorClampsRetryAfter(t *testing.T) {
	sim := startSim(t, 3)
	sc := doorClient(t, sim)
	sim.SetFaults(azuresim.Faults{RetryAfter: "9300000000", TransientFor: map[string]azuresim.Transient{"default": {Status: 429, Times: 1}}})
	_, _, err := listAll(testCtx(t), sc.client)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "Retry-After") || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("err = %v, want a 429 given up for its Retry-After past the deadline", err)
	}
	if n := sim.Stats().GraphRequests; n != 1 {
		t.Errorf("Graph got %d requests, want 1: no retry before the Retry-After", n)
	}
}

// Item 10: a revoked token (plain 401, no claims challenge) is dropped
// and a new one asked for, once.
func TestDoorRenewsARevokedToken(t *testing.T) {
	sim := startSim(t, 3)
	sc := doorClient(t, sim)
	if _, _, err := listAll(testCtx(t), sc.client); err != nil {
		t.Fatal(err)
	}
	sim.RevokeTokens()
	if _, _, err := listAll(testCtx(t), sc.client); err != nil {
		t.Fatalf("after the token was revoked: %v", err)
	}
	if n := sim.Stats().TokenRequests; n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

// Item 10: a 401 that a new token does not mend fails after one renewal,
// not in a loop.
func TestDoorRenewsOncePerRequest(t *testing.T) {
	sim := startSim(t, 3)
	sc := doorClient(t, sim)
	sim.SetFaults(azuresim.Faults{StatusFor: map[string]int{"default": 401}})
	_, _, err := listAll(testCtx(t), sc.client)
	t.Log(err)
	if !IsStatus(err, 401) {
		t.Fatalf("err = %v, want the 401", err)
	}
	if n := sim.Stats().TokenRequests; n != 2 {
		t.Errorf("%d token requests, want 2: the first token and one renewal", n)
	}
}

// Items 11 and 12: 500 and 502 are retried, and throttling is retried
// as long as the deadline allows, not three times.
func TestDoorRetriesWithinTheDeadline(t *testing.T) {
	for _, tr := range []azuresim.Transient{{Status: 500, Times: 2}, {Status: 502, Times: 2}, {Status: 503, Times: 2}, {Status: 429, Times: 5}} {
		sim := startSim(t, 3)
		sc := doorClient(t, sim)
		sim.SetFaults(azuresim.Faults{TransientFor: map[string]azuresim.Transient{"default": tr}})
		if _, n, err := listAll(testCtx(t), sc.client); err != nil || n != 3 {
			t.Errorf("%d answered %d times: %d sessions, err = %v; want all 3", tr.Status, tr.Times, n, err)
		}
	}
}

// Item 14: a certificate that is not trusted is reported as such, at
// once, not as the deadline it would reach being retried.
func TestDoorKeepsTheTLSCause(t *testing.T) {
	sim := startSim(t, 3)
	t.Setenv("DOOR_TEST_SECRET", testSecret)
	tenant := secretTenant()
	tenant.Name, tenant.TenantID, tenant.ClientID = "contoso", testTenantID, testClientID
	c, err := New(config.Graph{Endpoint: sim.GraphEndpoint(), AuthorityHost: sim.AuthorityHost()}, tenant, Options{
		Metrics: NewMetrics(prometheus.NewRegistry()), Transport: &http.Client{Transport: &http.Transport{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = c.AccessToken(ctx)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "certificate") || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the certificate named, not the deadline", err)
	}
}

// A retry that only meets the deadline still names the answer it was
// retrying after.
func TestRetryKeepsTheAnswerItFollowed(t *testing.T) {
	call := &pageCall{err: &Error{Method: "GET", Path: "/beta/x", Status: 502}, transient: true}
	c := &Client{metrics: NewMetrics(prometheus.NewRegistry())}
	c.resend([]*pageCall{call})
	call.err = context.DeadlineExceeded
	call.keepCause()
	if !IsStatus(call.err, 502) || !errors.Is(call.err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline and the 502", call.err)
	}
}

// Item 9 in a Batcher's round: the throttled request asks the door, which
// gives up at once on a Retry-After past the deadline; the others are
// read as usual, and nobody sleeps.
func TestBatcherAsksTheDoorAboutRetryAfter(t *testing.T) {
	sim, c := threeWorkspaces(t)
	sim.SetFaults(azuresim.Faults{TransientFor: map[string]azuresim.Transient{"slow": {Status: 429, Times: 1}}, RetryAfter: "9300000000"})
	slept := 0
	c.sleep = func(context.Context, time.Duration) error { slept++; return nil }
	errs := map[string]error{}
	var mu sync.Mutex
	var parts []func(Reader)
	for _, ws := range []string{"slow", "a", "b"} {
		parts = append(parts, func(r Reader) {
			_, err := r.ListSessions(testCtx(t), ws, Query{Select: TimesSelect, Top: 1000}, func(SessionTimes) {})
			mu.Lock()
			errs[ws] = err
			mu.Unlock()
		})
	}
	c.Run(testCtx(t), parts...)
	if err := errs["slow"]; !IsStatus(err, 429) || !strings.Contains(err.Error(), "Retry-After") {
		t.Errorf("slow: err = %v, want the 429 given up for its Retry-After", err)
	}
	if errs["a"] != nil || errs["b"] != nil || slept != 0 {
		t.Errorf("a: %v, b: %v, %d sleeps; want both read and no sleep", errs["a"], errs["b"], slept)
	}
}
