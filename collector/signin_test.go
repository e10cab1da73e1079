package collector

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

const delegatedUser = "monitor@contoso.example"

// delegatedFixture is a tenant read with auth device_code: signed in once
// against the simulator, its token cache in a temporary directory.
type delegatedFixture struct {
	sim   *azuresim.Server
	cfg   *config.Config
	cache string
	own   int // sessions of the workspace owned by the signed-in user
	total int
}

func newDelegatedFixture(t *testing.T) *delegatedFixture {
	t.Helper()
	sessions := azuresim.GenerateSessions(7, 30, testNow)
	own := 0
	for i := range sessions {
		if i%3 == 0 {
			sessions[i].Owner = delegatedUser
			own++
		} else {
			sessions[i].Owner = "analyst@contoso.example"
		}
	}
	st := simTenant(40, "", nil)
	st.Users = []azuresim.User{{ObjectID: "00000000-0000-4000-8000-0000000000c1", UPN: delegatedUser}}
	st.Workspaces = []azuresim.Workspace{{ID: "ws-a", DisplayName: "A", Sessions: sessions}}
	// A token lifetime below MSAL's five-minute margin makes every token
	// request a refresh, so that each scrape meets the refresh token.
	sim, err := azuresim.New(azuresim.Options{Tenants: []azuresim.Tenant{st}, TokenLifetime: time.Minute, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	f := &delegatedFixture{sim: sim, cache: filepath.Join(t.TempDir(), "tokens", "contoso.json"), own: own, total: len(sessions)}
	cfg := config.Default()
	cfg.Graph.Endpoint, cfg.Graph.AuthorityHost = sim.GraphEndpoint(), sim.AuthorityHost()
	cfg.Collection.Timeout = model.Duration(20 * time.Second)
	cfg.Collection.CacheTTL = 0
	cfg.Tenants = []config.Tenant{{Name: "contoso", TenantID: st.ID, ClientID: st.ClientID, Auth: config.AuthDeviceCode, TokenCacheFile: f.cache, Workspaces: []string{"ws-a"}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f.cfg = cfg
	if err := sim.ApproveDeviceLogin(st.ID, delegatedUser); err != nil {
		t.Fatal(err)
	}
	_, err = signin.Login(t.Context(), signin.LoginOptions{
		Settings: graphclient.SignInSettings(cfg.Tenants[0], cfg.Graph.AuthorityHost, &http.Client{Transport: sim.Transport()}),
		Scope:    sim.Scope(),
	})
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	return f
}

// exporter starts an exporter process's worth of state: a restart is a new
// one over the same cache file.
func (f *delegatedFixture) exporter(t *testing.T, logs *syncBuffer) *fixture {
	t.Helper()
	exp := New(Options{
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics:    graphclient.NewMetrics(prometheus.NewRegistry()),
		Transport:  &http.Client{Transport: f.sim.Transport()},
		RetryDelay: time.Millisecond,
		Now:        func() time.Time { return testNow },
	})
	if err := exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, sim: f.sim, cfg: f.cfg, exp: exp, logs: logs}
}

func TestDelegatedTenantScrapesAfterRestartAndWritesRotatedToken(t *testing.T) {
	f := newDelegatedFixture(t)
	logs := &syncBuffer{}
	for restart := range 2 {
		fams := f.exporter(t, logs).scrape()
		if v, ok := value(fams, "securitycopilot_up", map[string]string{"tenant": "contoso", "workspace": "ws-a"}); !ok || v != 1 {
			t.Fatalf("after restart %d: up %v (present %v), want 1\nlogs:\n%s", restart, v, ok, logs)
		}
		if _, ok := value(fams, "securitycopilot_tenant_access_info", map[string]string{"tenant": "contoso", "auth": "device_code", "token_kind": "delegated"}); !ok {
			t.Error("no securitycopilot_tenant_access_info for the delegated tenant")
		}
		if v, ok := value(fams, "securitycopilot_sign_in_required", map[string]string{"tenant": "contoso"}); !ok || v != 0 {
			t.Errorf("securitycopilot_sign_in_required %v (present %v), want 0", v, ok)
		}
	}
	st := f.sim.Stats()
	if st.DeviceCodeRequests != 1 || st.RefreshRequests < 2 {
		t.Errorf("device code requests %d (want the one sign-in), refreshes %d (want one per exporter at least)", st.DeviceCodeRequests, st.RefreshRequests)
	}
	cache, err := os.ReadFile(f.cache)
	if err != nil {
		t.Fatal(err)
	}
	issued := f.sim.IssuedTokens()
	if newest := issued[len(issued)-1]; !bytes.Contains(cache, []byte(newest)) {
		t.Error("the newest refresh token is not in the cache file")
	}
	assertNoIssuedToken(t, f.sim, logs.String())
}

func TestRevokedSignInGivesUpZeroAndAsksEntraRarely(t *testing.T) {
	f := newDelegatedFixture(t)
	// Revoked while the exporter was down: the access token in the cache
	// is too close to its expiry for MSAL, so the first scrape redeems the
	// refresh token. (A running exporter keeps using its access token
	// until it expires, as it should.)
	f.sim.RevokeSignIns(f.cfg.Tenants[0].TenantID)
	f.sim.ResetStats()
	logs := &syncBuffer{}
	fx := f.exporter(t, logs)
	var out strings.Builder
	for range 10 {
		fams := fx.scrape()
		if v, ok := value(fams, "securitycopilot_up", map[string]string{"tenant": "contoso", "workspace": "ws-a"}); !ok || v != 0 {
			t.Fatalf("up %v (present %v) with a revoked refresh token, want 0", v, ok)
		}
		if v, ok := value(fams, "securitycopilot_sign_in_required", map[string]string{"tenant": "contoso"}); !ok || v != 1 {
			t.Fatalf("securitycopilot_sign_in_required %v (present %v) with a revoked refresh token, want 1", v, ok)
		}
		for _, fam := range fams {
			out.WriteString(fam.String())
		}
	}
	if n := f.sim.Stats().TokenRequests; n > 1 {
		t.Errorf("%d token requests over ten scrapes, want at most 1", n)
	}
	text := logs.String()
	if n := strings.Count(text, "Delegated access stopped"); n != 1 {
		t.Errorf("%d lines saying access stopped over ten scrapes, want 1:\n%s", n, text)
	}
	if !strings.Contains(text, "sign in again with --auth.login=contoso") || !strings.Contains(text, "AADSTS50173") {
		t.Errorf("the log does not say to sign in again, with the code:\n%s", text)
	}
	if strings.Contains(text, "Collecting workspace failed") {
		t.Errorf("the sign-in failure is logged per scrape:\n%s", text)
	}
	assertNoIssuedToken(t, f.sim, text+out.String())
}

func TestDelegatedVisibilityCountsOwnSessionsOnly(t *testing.T) {
	f := newDelegatedFixture(t)
	f.sim.SetFaults(azuresim.Faults{OwnSessionsOnly: true})
	fams := f.exporter(t, &syncBuffer{}).scrape()
	v, ok := value(fams, "securitycopilot_sessions", map[string]string{"tenant": "contoso", "workspace": "ws-a"})
	if !ok || int(v) != f.own || f.own == f.total {
		t.Errorf("sessions %v (present %v), want the signed-in user's %d of %d", v, ok, f.own, f.total)
	}
}

// assertNoIssuedToken fails if text holds any token the simulator issued
// to a signed-in user, or a recognisable piece of one.
func assertNoIssuedToken(t *testing.T, sim *azuresim.Server, text string) {
	t.Helper()
	tokens := sim.IssuedTokens()
	if len(tokens) == 0 {
		t.Fatal("the simulator issued no delegated token: nothing to look for")
	}
	for _, tok := range tokens {
		if strings.Contains(text, tok[len(tok)-24:]) {
			t.Fatalf("a token leaked into logs or metrics:\n%s", text)
		}
	}
}
