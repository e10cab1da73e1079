package accesscheck

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// hostile is text that would clear the screen, retitle the terminal and
// ring its bell if printed raw.
const hostile = "\x1b[2J\x1b]0;owned\x07"

// hostileFixture serves a tenant whose onboarding workspace has a hostile
// display name and who lists a second workspace with a hostile id.
func hostileFixture(t *testing.T, workspaces ...string) *fixture {
	t.Helper()
	t.Setenv(secretEnv, secret)
	sim, err := azuresim.New(azuresim.Options{Tenants: []azuresim.Tenant{{
		ID: tenantID, ClientID: clientID, ClientSecret: secret,
		Workspaces: []azuresim.Workspace{
			{ID: onboarded, DisplayName: hostile + "SOC", Default: true},
			{ID: hostile + "x", DisplayName: "y"},
		},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	cfg := config.Default()
	cfg.Graph.Endpoint, cfg.Graph.AuthorityHost = sim.GraphEndpoint(), sim.AuthorityHost()
	cfg.Tenants = []config.Tenant{{Name: "contoso", TenantID: tenantID, ClientID: clientID, ClientSecretEnv: secretEnv, Workspaces: workspaces}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, sim: sim, cfg: cfg}
}

func assertNoControl(t *testing.T, out string) {
	t.Helper()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("the report prints control characters from the network raw:\n%q", out)
	}
}

func TestReportEscapesNamesFromGraph(t *testing.T) {
	out, _ := hostileFixture(t, "default").run(nil)
	assertNoControl(t, out)
	wantContains(t, out, `"default" is `+onboarded+` (\x1b[2J\x1b]0;owned\aSOC)`)
}

func TestReportEscapesDiscoveredIDs(t *testing.T) {
	out, ok := hostileFixture(t).run(nil)
	assertNoControl(t, out)
	if ok {
		t.Errorf("a listed id that is no workspace id passed the check:\n%s", out)
	}
	wantContains(t, out, `\x1b[2J\x1b]0;owned\ax`, "not a workspace id")
}

// rolesRewriter adds a hostile role to every token Entra ID issues, and a
// hostile scope too when delegated is set (a token with scp reads as
// delegated).
type rolesRewriter struct {
	next      http.RoundTripper
	delegated bool
}

func (r rolesRewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/oauth2/v2.0/token") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var answer map[string]any
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, err
	}
	parts := strings.Split(answer["access_token"].(string), ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	claims["roles"] = []string{hostile + "Role"}
	if r.delegated {
		claims["scp"] = hostile + "Scope"
	}
	payload, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	answer["access_token"] = strings.Join(parts, ".")
	body, _ = json.Marshal(answer)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func TestReportEscapesRolesFromTheToken(t *testing.T) {
	for _, tc := range []struct {
		delegated bool
		want      string
	}{
		{false, `roles: \x1b[2J\x1b]0;owned\aRole`},
		{true, `scopes: \x1b[2J\x1b]0;owned\aScope`},
	} {
		f := hostileFixture(t, onboarded)
		var out bytes.Buffer
		Run(context.Background(), f.cfg, Options{Transport: &http.Client{Transport: rolesRewriter{f.sim.Transport(), tc.delegated}}, TenantTimeout: 20 * time.Second}, &out)
		assertNoControl(t, out.String())
		wantContains(t, out.String(), tc.want)
	}
}
