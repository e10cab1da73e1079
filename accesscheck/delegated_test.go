package accesscheck

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

const monitorUPN = "monitor@contoso.example"

// newDelegatedFixture signs the monitoring account in against the
// simulator and configures the tenant with auth device_code.
func newDelegatedFixture(t *testing.T) *fixture {
	t.Helper()
	// Tokens of a minute are within MSAL's margin of expiry, so every token
	// request redeems the refresh token.
	sim, err := azuresim.New(azuresim.Options{MaxPageSize: 5, TokenLifetime: time.Minute, Tenants: []azuresim.Tenant{{
		ID: tenantID, ClientID: clientID,
		Users:      []azuresim.User{{ObjectID: "00000000-0000-4000-8000-0000000000c1", UPN: monitorUPN}},
		Workspaces: []azuresim.Workspace{{ID: onboarded, DisplayName: "SecurityCopilot_Workspace", Default: true, Sessions: azuresim.GenerateSessions(1, 12, time.Now())}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	cfg := config.Default()
	cfg.Graph.Endpoint, cfg.Graph.AuthorityHost, cfg.Graph.PageSize = sim.GraphEndpoint(), sim.AuthorityHost(), testPageSize
	cfg.Tenants = []config.Tenant{{Name: "contoso", TenantID: tenantID, ClientID: clientID, Auth: config.AuthDeviceCode,
		TokenCacheFile: filepath.Join(t.TempDir(), "contoso.json"), Workspaces: []string{"default"}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := sim.ApproveDeviceLogin(tenantID, monitorUPN); err != nil {
		t.Fatal(err)
	}
	if _, err := signin.Login(t.Context(), signin.LoginOptions{
		Settings: graphclient.SignInSettings(cfg.Tenants[0], cfg.Graph.AuthorityHost, &http.Client{Transport: sim.Transport()}),
		Scope:    sim.Scope(),
	}); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, sim: sim, cfg: cfg}
}

func TestDelegatedTokenReportsAccountScopesAndCaveat(t *testing.T) {
	f := newDelegatedFixture(t)
	out, ok := f.run(nil)
	if !ok {
		t.Errorf("not ok:\n%s", out)
	}
	wantContains(t, out, "auth device_code", "kind: delegated; account: "+monitorUPN+"; scopes: SecurityCopilotWorkspaces.Read.All",
		"may cover only "+monitorUPN+"'s sessions")
	if strings.Contains(out, "NOT granted") {
		t.Errorf("delegated scope reported missing:\n%s", out)
	}
	assertNoDelegatedToken(t, f.sim, out)
}

func TestRevokedSignInSaysSignInAgain(t *testing.T) {
	f := newDelegatedFixture(t)
	f.sim.SetFaults(azuresim.Faults{RefreshTokenError: "AADSTS700082"})
	out, ok := f.run(nil)
	if ok {
		t.Errorf("ok with a dead refresh token:\n%s", out)
	}
	wantContains(t, out, "AADSTS700082", "sign in again with --auth.login=contoso", "fix: The refresh token expired after 90 days without use")
	assertNoDelegatedToken(t, f.sim, out)
}

func assertNoDelegatedToken(t *testing.T, sim *azuresim.Server, out string) {
	t.Helper()
	for _, tok := range sim.IssuedTokens() {
		if strings.Contains(out, tok[len(tok)-24:]) {
			t.Fatalf("a token leaked into the report:\n%s", out)
		}
	}
}
