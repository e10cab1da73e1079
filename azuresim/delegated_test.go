package azuresim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const monitorUPN = "monitor@a.example"

// delegatedTenant is tenant A with a monitoring account, a second user,
// and sessions owned by each.
func delegatedTenant(t *testing.T) *Server {
	t.Helper()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sessions := fixedSessions(6, base)
	for i := range sessions {
		sessions[i].Owner = "analyst@a.example"
		if i%2 == 0 {
			sessions[i].Owner = monitorUPN
		}
	}
	opts := twoTenants(sessions)
	opts.Tenants[0].Users = []User{{ObjectID: "00000000-0000-4000-8000-0000000000d1", UPN: monitorUPN}, {ObjectID: "00000000-0000-4000-8000-0000000000d2", UPN: "analyst@a.example"}}
	return startServer(t, opts)
}

func (c *client) postDeviceCode(tenant string, form url.Values) (int, map[string]any) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.s.URL()+"/"+tenant+"/oauth2/v2.0/devicecode", form)
	if err != nil {
		c.t.Fatalf("devicecode POST: %v", err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		c.t.Fatalf("devicecode body: %v", err)
	}
	return resp.StatusCode, body
}

func (c *client) startDeviceLogin() string {
	c.t.Helper()
	status, body := c.postDeviceCode(tenantA, url.Values{"client_id": {clientA}, "scope": {c.s.Scope() + " openid offline_access profile"}})
	if status != http.StatusOK {
		c.t.Fatalf("devicecode: %d %v", status, body)
	}
	for _, k := range []string{"user_code", "device_code", "verification_uri", "message"} {
		if s, _ := body[k].(string); s == "" {
			c.t.Errorf("devicecode answer lacks %s: %v", k, body)
		}
	}
	return body["device_code"].(string)
}

func pollForm(device string) url.Values {
	return url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {clientA}, "device_code": {device}}
}

func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDeviceCodePendingSlowDownThenDelegatedTokens(t *testing.T) {
	s := delegatedTenant(t)
	s.SetFaults(Faults{SlowDown: 1})
	c := newClient(t, s)
	device := c.startDeviceLogin()
	for _, want := range []string{"slow_down", "authorization_pending"} {
		status, body := c.postToken(tenantA, pollForm(device))
		if status != http.StatusBadRequest || body["error"] != want {
			t.Fatalf("poll: %d %v, want 400 %s", status, body, want)
		}
	}
	if err := s.ApproveDeviceLogin(tenantA, monitorUPN); err != nil {
		t.Fatal(err)
	}
	status, body := c.postToken(tenantA, pollForm(device))
	if status != http.StatusOK {
		t.Fatalf("approved poll: %d %v", status, body)
	}
	for _, k := range []string{"access_token", "refresh_token", "id_token", "client_info"} {
		if s, _ := body[k].(string); s == "" {
			t.Errorf("token answer lacks %s", k)
		}
	}
	claims := claimsOf(t, body["access_token"].(string))
	if claims["scp"] != RoleRead || claims["upn"] != monitorUPN || claims["oid"] == "" || claims["roles"] != nil || claims["idtyp"] != "user" {
		t.Errorf("delegated token claims %v", claims)
	}
	if status, _ := c.postToken(tenantA, pollForm(device)); status != http.StatusBadRequest {
		t.Errorf("a redeemed device code answered %d, want 400", status)
	}
	st := s.Stats()
	if st.DeviceCodeRequests != 1 || st.TokenRequests != 4 {
		t.Errorf("stats %+v, want 1 device code and 4 token requests", st)
	}
}

// signIn runs a device code sign-in of the monitoring account and returns
// the answer.
func signIn(t *testing.T, s *Server, c *client) map[string]any {
	t.Helper()
	if err := s.ApproveDeviceLogin(tenantA, monitorUPN); err != nil {
		t.Fatal(err)
	}
	status, body := c.postToken(tenantA, pollForm(c.startDeviceLogin()))
	if status != http.StatusOK {
		t.Fatalf("sign-in: %d %v", status, body)
	}
	return body
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {clientA}, "refresh_token": {rt}}
}

func TestRefreshTokenRotatesAndDies(t *testing.T) {
	s := delegatedTenant(t)
	c := newClient(t, s)
	first := signIn(t, s, c)["refresh_token"].(string)
	status, body := c.postToken(tenantA, refreshForm(first))
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, body)
	}
	second := body["refresh_token"].(string)
	if second == "" || second == first {
		t.Error("the refresh answer carries no new refresh token")
	}
	for _, tc := range []struct {
		fault string
		code  float64
	}{{"AADSTS70008", 70008}, {"AADSTS700082", 700082}, {"AADSTS50076", 50076}} {
		s.SetFaults(Faults{RefreshTokenError: tc.fault})
		status, body := c.postToken(tenantA, refreshForm(second))
		codes, _ := body["error_codes"].([]any)
		if status != http.StatusBadRequest || body["error"] != "invalid_grant" || len(codes) != 1 || codes[0] != tc.code {
			t.Errorf("%s: %d %v", tc.fault, status, body)
		}
	}
	s.SetFaults(Faults{})
	s.RevokeSignIns(tenantA)
	for _, rt := range []string{first, second} {
		status, body := c.postToken(tenantA, refreshForm(rt))
		if status != http.StatusBadRequest || !strings.HasPrefix(body["error_description"].(string), "AADSTS50173") {
			t.Errorf("revoked: %d %v", status, body)
		}
	}
	if n := s.Stats().RefreshRequests; n != 6 {
		t.Errorf("%d refresh requests counted, want 6", n)
	}
}

func TestConditionalAccessBlocksDeviceCode(t *testing.T) {
	s := delegatedTenant(t)
	s.SetFaults(Faults{DeviceCodeError: "AADSTS53003"})
	c := newClient(t, s)
	if err := s.ApproveDeviceLogin(tenantA, monitorUPN); err != nil {
		t.Fatal(err)
	}
	status, body := c.postToken(tenantA, pollForm(c.startDeviceLogin()))
	if status != http.StatusBadRequest || !strings.HasPrefix(body["error_description"].(string), "AADSTS53003: Access has been blocked by Conditional Access") {
		t.Errorf("%d %v", status, body)
	}
}

func TestDelegatedListingSeesOwnSessionsInVisibilityMode(t *testing.T) {
	s := delegatedTenant(t)
	c := newClient(t, s)
	c.token = signIn(t, s, c)["access_token"].(string)
	if a := c.get(sessionsPath); a.status != http.StatusOK || len(a.values()) != 6 {
		t.Fatalf("delegated listing: %d, %d sessions, want all 6", a.status, len(a.values()))
	}
	s.SetFaults(Faults{OwnSessionsOnly: true})
	if a := c.get(sessionsPath + "?$count=true"); len(a.values()) != 3 || a.body["@odata.count"] != float64(3) {
		t.Errorf("own-only listing: %d sessions, count %v, want 3", len(a.values()), a.body["@odata.count"])
	}
	if a := c.get(sessionsPath + "/$count"); string(a.raw) != "3" {
		t.Errorf("own-only $count %q, want 3", a.raw)
	}
	own, other := formatUUID([16]byte{0, 0}), formatUUID([16]byte{0, 1})
	if a := c.get(sessionsPath + "/" + own); a.status != http.StatusOK {
		t.Errorf("the user's own session answered %d, want 200", a.status)
	}
	if a := c.get(sessionsPath + "/" + other); a.status != http.StatusNotFound {
		t.Errorf("another user's session answered %d, want 404", a.status)
	}
	app := newClient(t, s).login(tenantA, clientA, secretA)
	if a := app.get(sessionsPath); len(a.values()) != 6 {
		t.Errorf("app-only listing in visibility mode: %d sessions, want all 6", len(a.values()))
	}
}
