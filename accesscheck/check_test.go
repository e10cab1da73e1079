package accesscheck

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

const (
	tenantID     = "00000000-0000-4000-8000-000000000001"
	clientID     = "00000000-0000-4000-8000-000000000002"
	secret       = "s3cret-value-never-printed"
	secretEnv    = "ACCESSCHECK_TEST_SECRET"
	onboarded    = "17aafe23-ab95-4b37-8c4d-5e6f7a8b9c0d"
	secondary    = "0b5a1d2e-0000-4000-8000-000000000002"
	tokenPrefix  = "eyJ" // every JWT starts so: base64url of `{"`
	testPageSize = 10
)

type fixture struct {
	t   *testing.T
	sim *azuresim.Server
	cfg *config.Config
}

func newFixture(t *testing.T, workspaces ...string) *fixture {
	t.Helper()
	t.Setenv(secretEnv, secret)
	now := time.Now()
	sim, err := azuresim.New(azuresim.Options{MaxPageSize: 5, Tenants: []azuresim.Tenant{{
		ID: tenantID, ClientID: clientID, ClientSecret: secret,
		Workspaces: []azuresim.Workspace{
			{ID: onboarded, DisplayName: "SecurityCopilot_Workspace", Default: true, Sessions: azuresim.GenerateSessions(1, 12, now)},
			{ID: secondary, DisplayName: "SOC EMEA"},
		},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	cfg := config.Default()
	cfg.Graph.Endpoint, cfg.Graph.AuthorityHost, cfg.Graph.PageSize = sim.GraphEndpoint(), sim.AuthorityHost(), testPageSize
	cfg.Tenants = []config.Tenant{{Name: "contoso", TenantID: tenantID, ClientID: clientID, ClientSecretEnv: secretEnv, Workspaces: workspaces}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, sim: sim, cfg: cfg}
}

func (f *fixture) run(transport *http.Client) (string, bool) {
	f.t.Helper()
	if transport == nil {
		transport = &http.Client{Transport: f.sim.Transport()}
	}
	var out bytes.Buffer
	ok := Run(context.Background(), f.cfg, Options{Transport: transport, TenantTimeout: 20 * time.Second}, &out)
	s := out.String()
	if strings.Contains(s, secret) || strings.Contains(s, tokenPrefix) {
		f.t.Errorf("the report shows a secret or a token:\n%s", s)
	}
	return s, ok
}

// rowOf returns the table line of a workspace, its cells split on runs of
// spaces.
func rowOf(t *testing.T, out, workspace string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "contoso ") && strings.Contains(line, " "+workspace+" ") {
			return strings.Join(strings.Fields(line), " ")
		}
	}
	t.Fatalf("no row for %s in:\n%s", workspace, out)
	return ""
}

func wantContains(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%q lacks %q", s, p)
		}
	}
}

func TestEverythingReadable(t *testing.T) {
	f := newFixture(t, "default", secondary)
	out, ok := f.run(nil)
	if !ok {
		t.Errorf("not ok:\n%s", out)
	}
	wantContains(t, out, "roles: SecurityCopilotWorkspaces.Read.All", "SecurityCopilotWorkspaces.Read.All is granted",
		`"default" is `+onboarded+" (SecurityCopilot_Workspace)", "Every workspace can be read.")
	wantContains(t, rowOf(t, out, onboarded), "configured as default 200 ", "yes (12) honoured 5 (asked 10) accepted")
	wantContains(t, rowOf(t, out, secondary), "configured 200 ", "yes (0) untested (no sessions) all 0 in one accepted")
	if strings.Count(out, "\ncontoso ") != 2 {
		t.Errorf("want two rows, default and its id being one workspace:\n%s", out)
	}
}

func TestDiscoveredWorkspaces(t *testing.T) {
	f := newFixture(t)
	out, ok := f.run(nil)
	if !ok {
		t.Errorf("not ok:\n%s", out)
	}
	wantContains(t, rowOf(t, out, onboarded), "discovered 200")
	wantContains(t, rowOf(t, out, secondary), "discovered 200")
}

func TestMissingRoleGivesTheFix(t *testing.T) {
	f := newFixture(t, "default")
	f.sim.SetFaults(azuresim.Faults{RoleMissing: true})
	out, ok := f.run(nil)
	if ok {
		t.Errorf("ok without the role:\n%s", out)
	}
	wantContains(t, out, "kind: application; roles: none", "SecurityCopilotWorkspaces.Read.All is NOT granted",
		"Microsoft does not let tenants grant this application permission today", "Use delegated access instead: set auth: device_code",
		`resolving "default" failed: graph GET`, "HTTP 403 Forbidden: Missing role permissions")
	wantContains(t, rowOf(t, out, "default"), "configured not resolved")
}

func TestMissingRoleOnAConfiguredGUID(t *testing.T) {
	f := newFixture(t, onboarded)
	f.sim.SetFaults(azuresim.Faults{RoleMissing: true})
	out, ok := f.run(nil)
	if ok {
		t.Errorf("ok without the role:\n%s", out)
	}
	row := rowOf(t, out, onboarded)
	wantContains(t, row, "configured 403 Forbidden ")
	if fields := strings.Fields(row); len(fields) < 6 || len(fields[5]) != 36 {
		t.Errorf("row %q has no request-id", row)
	}
}

func TestGraphQuirksAreReported(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults azuresim.Faults
		want   string
		ok     bool
	}{
		{"$count left out", azuresim.Faults{OmitCount: true}, " no honoured 5 (asked 10) accepted", true},
		{"$filter refused", azuresim.Faults{RejectFilter: true}, "refused: 400 BadRequest", true},
		{"$batch refused", azuresim.Faults{BatchUnsupported: http.StatusNotImplemented}, "refused: 501 NotImplemented", true},
		{"workspace fails", azuresim.Faults{StatusFor: map[string]int{onboarded: http.StatusInternalServerError}}, "configured 500 UnknownError ", false},
		{"throttled once, then read", azuresim.Faults{TransientFor: map[string]azuresim.Transient{onboarded: {Status: http.StatusTooManyRequests, Times: 1}}, RetryAfter: "0"}, "configured 200 ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, onboarded)
			f.sim.SetFaults(tc.faults)
			out, ok := f.run(nil)
			if ok != tc.ok {
				t.Errorf("ok = %v, want %v:\n%s", ok, tc.ok, out)
			}
			wantContains(t, rowOf(t, out, onboarded), tc.want)
		})
	}
}

func TestTokenFailuresAreOneLine(t *testing.T) {
	t.Run("wrong secret", func(t *testing.T) {
		f := newFixture(t, onboarded)
		f.sim.SetFaults(azuresim.Faults{TokenError: "AADSTS7000215"})
		out, ok := f.run(nil)
		if ok {
			t.Error("ok without a token")
		}
		line := tokenLine(t, out)
		host := strings.TrimPrefix(strings.TrimSuffix(f.sim.AuthorityHost(), "/"), "https://")
		wantContains(t, line, "no token from "+host+": AADSTS7000215: Invalid client secret provided.")
		if n := strings.Count(line, "AADSTS7000215"); n != 1 {
			t.Errorf("the code appears %d times: %s", n, line)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		f := newFixture(t, onboarded)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		f.cfg.Graph.AuthorityHost = "https://" + addr + "/"
		out, _ := f.run(nil)
		wantContains(t, tokenLine(t, out), "no token: "+addr, "connection refused")
	})
	t.Run("no such host", func(t *testing.T) {
		f := newFixture(t, onboarded)
		f.cfg.Graph.AuthorityHost = "https://login.example.invalid/"
		// The resolver is not asked: the dialer answers as it would for a
		// name that does not exist, so no query leaves the machine.
		tr := f.sim.Transport()
		tr.DialContext = func(_ context.Context, _, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		}
		out, _ := f.run(&http.Client{Transport: tr})
		wantContains(t, tokenLine(t, out), "no token: login.example.invalid: no such host")
	})
}

func tokenLine(t *testing.T, out string) string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "token:") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("want one token line, got %d:\n%s", len(lines), out)
	}
	return lines[0]
}
