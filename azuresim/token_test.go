package azuresim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

func clientOptions(s *Server) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost()},
		Transport: &http.Client{Transport: s.Transport()},
		// The simulator answers at once; retries would only hide errors.
		Retry: policy.RetryOptions{MaxRetries: -1},
	}
}

func TestAzidentityClientSecret(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC))))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	cred, err := azidentity.NewClientSecretCredential(tenantA, clientA, secretA, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            clientOptions(s),
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{s.URL() + "/.default"}})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if tok.Token == "" || time.Until(tok.ExpiresOn) < 50*time.Minute {
		t.Fatalf("token %q expires %v", tok.Token, tok.ExpiresOn)
	}

	c := newClient(t, s)
	c.token = tok.Token
	a := c.get(sessionsPath)
	if a.status != http.StatusOK || len(a.values()) != 3 {
		t.Fatalf("sessions with azidentity token: %d %s", a.status, a.raw)
	}
	st := s.Stats()
	if st.TokenRequests != 1 || st.DiscoveryRequests < 1 || st.GraphRequests != 1 {
		t.Errorf("stats %+v", st)
	}
	reqs := s.Requests()
	if last := reqs[len(reqs)-1]; last.Tenant != tenantA || last.Status != http.StatusOK {
		t.Errorf("last request %+v", last)
	}

	bad, err := azidentity.NewClientSecretCredential(tenantA, clientA, "wrong", &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            clientOptions(s),
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{s.Scope()}})
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestAzidentityClientAssertion(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	assertion := func(context.Context) (string, error) {
		return "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl", nil
	}
	cred, err := azidentity.NewClientAssertionCredential(tenantB, clientB, assertion, &azidentity.ClientAssertionCredentialOptions{
		ClientOptions:            clientOptions(s),
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{s.Scope()}})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	c := newClient(t, s)
	c.token = tok.Token
	a := c.get(sessionsPath)
	vs := a.values()
	if a.status != http.StatusOK || len(vs) != 1 || vs[0]["id"] != "b-only" {
		t.Fatalf("tenant B data expected: %d %s", a.status, a.raw)
	}

	notJWT, err := azidentity.NewClientAssertionCredential(tenantB, clientB, func(context.Context) (string, error) { return "not-a-jwt", nil },
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notJWT.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{s.Scope()}}); err == nil || !strings.Contains(err.Error(), "AADSTS50027") {
		t.Fatalf("malformed assertion: %v", err)
	}
}

func TestDiscovery(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s)
	a := c.get(s.URL() + "/" + strings.ToUpper(tenantA) + "/v2.0/.well-known/openid-configuration")
	if a.status != http.StatusOK {
		t.Fatalf("discovery: %d %s", a.status, a.raw)
	}
	want := map[string]string{
		"issuer":                        s.URL() + "/" + tenantA + "/v2.0",
		"token_endpoint":                s.URL() + "/" + tenantA + "/oauth2/v2.0/token",
		"authorization_endpoint":        s.URL() + "/" + tenantA + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint": s.URL() + "/" + tenantA + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":          s.URL() + "/" + tenantA + "/oauth2/v2.0/logout",
		"jwks_uri":                      s.URL() + "/" + tenantA + "/discovery/v2.0/keys",
	}
	for k, v := range want {
		if a.body[k] != v {
			t.Errorf("%s = %v, want %s", k, a.body[k], v)
		}
	}
	if a.body["tenant_region_scope"] == nil {
		t.Error("tenant_region_scope missing")
	}
	if keys := c.get(want["jwks_uri"]); keys.status != http.StatusOK {
		t.Errorf("jwks: %d", keys.status)
	}

	u := c.get(s.URL() + "/33333333-3333-4333-8333-333333333333/v2.0/.well-known/openid-configuration")
	if u.status != http.StatusBadRequest || u.body["error"] != "invalid_tenant" || !strings.HasPrefix(u.body["error_description"].(string), "AADSTS90002") {
		t.Fatalf("unknown tenant: %d %s", u.status, u.raw)
	}
	if codes := u.body["error_codes"].([]any); len(codes) != 1 || codes[0] != float64(90002) {
		t.Errorf("error_codes %v", codes)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s)
	form := func(mod func(url.Values)) url.Values {
		f := secretForm(clientA, secretA, s.Scope())
		mod(f)
		return f
	}
	cases := []struct {
		name   string
		tenant string
		form   url.Values
		status int
		err    string
		aadsts string
	}{
		{"ok", tenantA, form(func(url.Values) {}), 200, "", ""},
		{"wrong secret", tenantA, form(func(f url.Values) { f.Set("client_secret", "nope") }), 401, "invalid_client", "AADSTS7000215"},
		{"secret of other tenant", tenantA, form(func(f url.Values) { f.Set("client_secret", secretB) }), 401, "invalid_client", "AADSTS7000215"},
		{"unknown client", tenantA, form(func(f url.Values) { f.Set("client_id", clientB) }), 401, "invalid_client", "AADSTS7000215"},
		{"graph scope", tenantA, form(func(f url.Values) { f.Set("scope", "https://graph.microsoft.com/.default") }), 400, "invalid_scope", "AADSTS70011"},
		{"no .default", tenantA, form(func(f url.Values) { f.Set("scope", s.URL()) }), 400, "invalid_scope", "AADSTS70011"},
		{"no scope", tenantA, form(func(f url.Values) { f.Del("scope") }), 400, "invalid_scope", "AADSTS70011"},
		{"bad grant", tenantA, form(func(f url.Values) { f.Set("grant_type", "password") }), 400, "unsupported_grant_type", "AADSTS70003"},
		{"no secret", tenantA, form(func(f url.Values) { f.Del("client_secret") }), 401, "invalid_client", "AADSTS7000216"},
		{"unknown tenant", "33333333-3333-4333-8333-333333333333", form(func(url.Values) {}), 400, "invalid_request", "AADSTS90002"},
		{"assertion type", tenantA, form(func(f url.Values) { f.Del("client_secret"); f.Set("client_assertion", "a.b.c") }), 400, "invalid_request", "AADSTS900144"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			status, body := c.postToken(tc.tenant, tc.form)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, body)
			}
			if tc.err == "" {
				if body["token_type"] != "Bearer" || body["expires_in"] != float64(3599) || body["ext_expires_in"] != float64(3599) || body["access_token"] == "" {
					t.Fatalf("success body %v", body)
				}
				return
			}
			desc, _ := body["error_description"].(string)
			if body["error"] != tc.err || !strings.HasPrefix(desc, tc.aadsts+":") {
				t.Fatalf("got %v", body)
			}
			for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
				if body[k] == "" || body[k] == nil {
					t.Errorf("%s missing", k)
				}
			}
		})
	}
	if got := s.Stats().TokenRequests; got != len(cases) {
		t.Errorf("TokenRequests = %d, want %d", got, len(cases))
	}
}

func TestBasicAuthClientSecret(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s)
	f := url.Values{"grant_type": {"client_credentials"}, "scope": {s.Scope()}}
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/"+tenantA+"/oauth2/v2.0/token", strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientA, secretA)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("basic auth: %d", resp.StatusCode)
	}
}

func TestGraphAuthentication(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 10, 15, 12, 0, 0, 0, time.UTC)}
	opts := twoTenants(fixedSessions(2, clock.t.Add(-time.Hour)))
	opts.Now = clock.Now
	opts.TokenLifetime = 10 * time.Minute
	s := startServer(t, opts)
	c := newClient(t, s)

	a := c.get(sessionsPath)
	if a.status != http.StatusUnauthorized || a.errorCode() != "InvalidAuthenticationToken" || a.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d %s", a.status, a.raw)
	}
	c.token = "made-up"
	if a := c.get(sessionsPath); a.status != http.StatusUnauthorized || a.errorCode() != "InvalidAuthenticationToken" {
		t.Fatalf("bad token: %d %s", a.status, a.raw)
	}

	status, body := c.postToken(tenantA, secretForm(clientA, secretA, s.Scope()))
	if status != http.StatusOK || body["expires_in"] != float64(600) {
		t.Fatalf("token: %d %v", status, body)
	}
	c.token = body["access_token"].(string)
	if a := c.get(sessionsPath); a.status != http.StatusOK {
		t.Fatalf("fresh token: %d %s", a.status, a.raw)
	}
	clock.Advance(10 * time.Minute)
	a = c.get(sessionsPath)
	if a.status != http.StatusUnauthorized || !strings.Contains(a.body["error"].(map[string]any)["message"].(string), "expired") {
		t.Fatalf("expired token: %d %s", a.status, a.raw)
	}
}

// TestTenantIsolation checks that the token, not the path, picks the data.
func TestTenantIsolation(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(4, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))))
	a := newClient(t, s).login(tenantA, clientA, secretA).get(sessionsPath)
	b := newClient(t, s).login(tenantB, clientB, secretB).get(sessionsPath)
	if len(a.values()) != 4 || len(b.values()) != 1 {
		t.Fatalf("A got %d, B got %d", len(a.values()), len(b.values()))
	}
	if ws := newClient(t, s).login(tenantB, clientB, secretB).get(wsSessionsPath("second")); ws.status != http.StatusNotFound {
		t.Fatalf("tenant B sees A's workspace: %d", ws.status)
	}
	var tenants []string
	for _, r := range s.Requests() {
		tenants = append(tenants, r.Tenant)
	}
	raw, _ := json.Marshal(tenants)
	if !strings.Contains(string(raw), tenantA) || !strings.Contains(string(raw), tenantB) {
		t.Errorf("request log tenants %s", raw)
	}
}
