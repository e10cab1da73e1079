package azuresim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	tenantA = "11111111-1111-4111-8111-111111111111"
	clientA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	secretA = "s3cr3t~value"
	tenantB = "22222222-2222-4222-8222-222222222222"
	clientB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	secretB = "other-secret"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func strptr(s string) *string { return &s }

// fixedSessions returns n sessions one minute apart starting at base.
func fixedSessions(n int, base time.Time) []Session {
	out := make([]Session, n)
	for i := range out {
		c := base.Add(time.Duration(i) * time.Minute)
		out[i] = Session{ID: formatUUID([16]byte{byte(i >> 8), byte(i)}), Created: c, LastModified: c.Add(time.Duration(i%3) * time.Second)}
		if i%5 != 0 {
			out[i].DisplayName = strptr("session " + string(rune('A'+i%26)))
		}
	}
	return out
}

func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func twoTenants(sessionsA []Session) Options {
	return Options{Tenants: []Tenant{
		{ID: tenantA, ClientID: clientA, ClientSecret: secretA, Workspaces: []Workspace{
			{ID: "default", DisplayName: "Default workspace", Sessions: sessionsA},
			{ID: "second", DisplayName: "Second"},
		}},
		{ID: tenantB, ClientID: clientB, ClientSecret: secretB, Workspaces: []Workspace{
			{ID: "default", DisplayName: "B default", Sessions: []Session{{ID: "b-only", Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), LastModified: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}}},
		}},
	}}
}

type client struct {
	t     *testing.T
	s     *Server
	http  *http.Client
	token string
}

func newClient(t *testing.T, s *Server) *client {
	t.Helper()
	tr := s.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	return &client{t: t, s: s, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// postToken posts a token request form and returns status and decoded body.
func (c *client) postToken(tenant string, form url.Values) (int, map[string]any) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.s.URL()+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		c.t.Fatalf("token POST: %v", err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		c.t.Fatalf("token body: %v", err)
	}
	return resp.StatusCode, body
}

func secretForm(clientID, secret, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {scope}}
}

// login gets a token for the tenant with a plain form POST.
func (c *client) login(tenant, clientID, secret string) *client {
	c.t.Helper()
	status, body := c.postToken(tenant, secretForm(clientID, secret, c.s.Scope()))
	if status != http.StatusOK {
		c.t.Fatalf("token: %d %v", status, body)
	}
	c.token = body["access_token"].(string)
	return c
}

type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (a answer) errorCode() string {
	e, _ := a.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (a answer) values() []map[string]any {
	vs, _ := a.body["value"].([]any)
	out := make([]map[string]any, len(vs))
	for i, v := range vs {
		out[i] = v.(map[string]any)
	}
	return out
}

// get requests a URL; rel is relative to GraphEndpoint unless absolute.
func (c *client) get(rel string) answer {
	c.t.Helper()
	return c.getCtx(context.Background(), rel)
}

func (c *client) getCtx(ctx context.Context, rel string) answer {
	c.t.Helper()
	u := rel
	if !strings.HasPrefix(rel, "https://") {
		u = c.s.GraphEndpoint() + rel
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		c.t.Fatalf("request %s: %v", u, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("client-request-id", "test-client-request")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s: %v", u, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			c.t.Fatalf("decode %s: %v\n%s", u, err, raw)
		}
	}
	return a
}

const sessionsPath = "/security/securityCopilot/workspaces/default/sessions"

func wsSessionsPath(id string) string {
	return "/security/securityCopilot/workspaces/" + url.PathEscape(id) + "/sessions"
}
