package azuresim

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestHostileTokenAnswers(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s)
	s.SetHostile(Hostile{OmitExpiresIn: true, TokenPadding: 5000})
	status, body := c.postToken(tenantA, secretForm(clientA, secretA, s.Scope()))
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || len(tok) < 5000 || body["expires_in"] != nil || s.LastToken() != tok {
		t.Errorf("status %d, token of %d bytes, expires_in %v, LastToken matches %v", status, len(tok), body["expires_in"], s.LastToken() == tok)
	}
}

func TestRevokedTokensAreRefused(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.RevokeTokens()
	if a := c.get("/security/securityCopilot/workspaces"); a.status != http.StatusUnauthorized || a.errorCode() != "InvalidAuthenticationToken" {
		t.Errorf("after RevokeTokens: %d %s", a.status, a.errorCode())
	}
}

func TestHostileRedirectsAndDiscovery(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	s.SetHostile(Hostile{Redirect: http.StatusPermanentRedirect, RedirectTo: "http://elsewhere.invalid", TokenEndpoint: "http://elsewhere.invalid/token"})
	c := newClient(t, s)
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	a := c.get("/security/securityCopilot/workspaces?$top=1")
	if a.status != http.StatusPermanentRedirect || a.header.Get("Location") != "http://elsewhere.invalid/beta/security/securityCopilot/workspaces?$top=1" {
		t.Errorf("Graph: %d to %q", a.status, a.header.Get("Location"))
	}
	resp, err := c.http.Get(s.URL() + "/" + tenantA + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.TokenEndpoint != "http://elsewhere.invalid/token" {
		t.Errorf("token_endpoint = %q, %v", doc.TokenEndpoint, err)
	}
}
