package signin

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

const (
	simTenantID = "00000000-0000-4000-8000-0000000000a1"
	simClientID = "00000000-0000-4000-8000-0000000000a2"
	simUser     = "monitor@contoso.example"
)

type simFixture struct {
	sim   *azuresim.Server
	cache string
}

func startSim(t *testing.T) *simFixture {
	t.Helper()
	sim, err := azuresim.New(azuresim.Options{Tenants: []azuresim.Tenant{{
		ID: simTenantID, ClientID: simClientID,
		Users:      []azuresim.User{{ObjectID: "00000000-0000-4000-8000-0000000000a3", UPN: simUser}},
		Workspaces: []azuresim.Workspace{{ID: "ws1", DisplayName: "ws1", Default: true}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return &simFixture{sim: sim, cache: filepath.Join(t.TempDir(), "cache", "contoso.json")}
}

func (f *simFixture) settings() Settings {
	return Settings{
		Tenant: "contoso", TenantID: simTenantID, ClientID: simClientID, CacheFile: f.cache,
		AuthorityHost: f.sim.AuthorityHost(), DisableInstanceDiscovery: true,
		Transport: &http.Client{Transport: f.sim.Transport()},
	}
}

// approveWriter approves the sign-in once the prompt was printed and
// Entra ID answered at least `after` polls, so the login meets
// authorization_pending (or slow_down) first.
type approveWriter struct {
	t     *testing.T
	f     *simFixture
	after int
	mu    sync.Mutex
	buf   bytes.Buffer
	once  sync.Once
	done  chan struct{}
}

func (w *approveWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	w.mu.Unlock()
	w.once.Do(func() {
		base := w.f.sim.Stats().TokenRequests
		go func() {
			defer close(w.done)
			for w.f.sim.Stats().TokenRequests < base+w.after {
				select {
				case <-w.f.sim.Polled():
				case <-w.t.Context().Done():
					return
				}
			}
			if err := w.f.sim.ApproveDeviceLogin(simTenantID, simUser); err != nil {
				w.t.Error(err)
			}
		}()
	})
	return len(p), nil
}

func (f *simFixture) login(t *testing.T, after int) (LoginResult, string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(f.cache), 0o700); err != nil {
		t.Fatal(err)
	}
	w := &approveWriter{t: t, f: f, after: after, done: make(chan struct{})}
	res, err := Login(t.Context(), LoginOptions{Settings: f.settings(), Scope: f.sim.Scope(), Prompt: w})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	<-w.done
	return res, w.buf.String()
}

func TestLoginWritesPrivateCacheAfterPendingPolls(t *testing.T) {
	f := startSim(t)
	f.sim.SetFaults(azuresim.Faults{SlowDown: 1})
	res, prompt := f.login(t, 2)
	if res.Account != simUser {
		t.Errorf("account %q, want %q", res.Account, simUser)
	}
	if !strings.Contains(prompt, "/devicelogin") || !strings.Contains(prompt, "enter the code") {
		t.Errorf("prompt lacks the URL or the code: %q", prompt)
	}
	info, err := os.Stat(f.cache)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %v, want 0600", info.Mode().Perm())
	}
	if st := f.sim.Stats(); st.DeviceCodeRequests != 1 || st.TokenRequests < 3 {
		t.Errorf("device code requests %d, token requests %d: want 1 and at least 3 polls (slow_down, pending, success)", st.DeviceCodeRequests, st.TokenRequests)
	}
	assertNoToken(t, f.sim, prompt)
}

func TestCredentialRenewsFromCacheAndWritesRotatedToken(t *testing.T) {
	f := startSim(t)
	f.login(t, 0)
	before, err := os.ReadFile(f.cache)
	if err != nil {
		t.Fatal(err)
	}
	// A new credential is a restarted exporter: it has only the file.
	c, err := NewCredential(f.settings(), CredentialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The cached access token is still valid; a forced refresh needs a
	// scope the cache has no access token for: Resource Manager's.
	tok, err := c.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{f.sim.Scope()}})
	if err != nil || tok.Token == "" {
		t.Fatalf("GetToken: %v", err)
	}
	if n := f.sim.Stats().RefreshRequests; n != 0 {
		t.Errorf("%d refreshes for a cached access token, want 0", n)
	}
	if _, err := c.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{f.sim.ARMScope()}}); err != nil {
		t.Fatalf("GetToken by refresh token: %v", err)
	}
	if n := f.sim.Stats().RefreshRequests; n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	after, err := os.ReadFile(f.cache)
	if err != nil {
		t.Fatal(err)
	}
	issued := f.sim.IssuedTokens()
	rotated := issued[len(issued)-1]
	if !bytes.Contains(after, []byte(rotated)) {
		t.Error("the rotated refresh token was not written back to the cache file")
	}
	if bytes.Equal(before, after) {
		t.Error("cache file unchanged after a refresh")
	}
	if info, err := os.Stat(f.cache); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("cache after rewrite: %v, %v", info.Mode(), err)
	}
}

func TestRevokedRefreshTokenAsksEntraOnceAndLogsOnce(t *testing.T) {
	f := startSim(t)
	f.login(t, 0)
	f.sim.RevokeSignIns(simTenantID)
	var logs bytes.Buffer
	c, err := NewCredential(f.settings(), CredentialOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.sim.ResetStats()
	var last error
	for range 10 {
		_, last = c.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{f.sim.ARMScope()}})
		if last == nil {
			t.Fatal("GetToken succeeded with a revoked refresh token")
		}
	}
	if n := f.sim.Stats().TokenRequests; n != 1 {
		t.Errorf("%d token requests over ten attempts, want 1", n)
	}
	if !strings.Contains(last.Error(), "sign in again with --auth.login=contoso") || !strings.Contains(last.Error(), "AADSTS50173") {
		t.Errorf("error %q lacks the code or the command", last)
	}
	if n := strings.Count(logs.String(), "Delegated access stopped"); n != 1 {
		t.Errorf("%d log lines for one change, want 1:\n%s", n, logs.String())
	}
	assertNoToken(t, f.sim, logs.String()+last.Error())
}

func TestMissingCacheNeedsSignInWithoutAskingEntra(t *testing.T) {
	f := startSim(t)
	c, err := NewCredential(f.settings(), CredentialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{f.sim.Scope()}})
	if err == nil || !strings.Contains(err.Error(), "sign in again with --auth.login=contoso") {
		t.Fatalf("error %v, want a sign-in hint", err)
	}
	if n := f.sim.Stats().TokenRequests; n != 0 {
		t.Errorf("%d token requests without an account", n)
	}
}

// assertNoToken fails if text holds any token the simulator issued.
func assertNoToken(t *testing.T, sim *azuresim.Server, text string) {
	t.Helper()
	for _, tok := range sim.IssuedTokens() {
		if strings.Contains(text, tok) || strings.Contains(text, tok[:20]) {
			t.Fatalf("a token leaked into the output:\n%s", text)
		}
	}
}

func TestNewSignInEndsTheWaitAtOnce(t *testing.T) {
	f := startSim(t)
	f.login(t, 0)
	f.sim.RevokeSignIns(simTenantID)
	var logs bytes.Buffer
	c, err := NewCredential(f.settings(), CredentialOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	arm := policy.TokenRequestOptions{Scopes: []string{f.sim.ARMScope()}}
	if _, err := c.GetToken(t.Context(), arm); err == nil || !c.SignInRequired() {
		t.Fatalf("revoked sign-in: err %v, SignInRequired %v", err, c.SignInRequired())
	}
	// The administrator signs in again, in another process, while the
	// credential is waiting out its five minutes.
	f.login(t, 0)
	if _, err := c.GetToken(t.Context(), arm); err != nil {
		t.Fatalf("after a new sign-in: %v", err)
	}
	if c.SignInRequired() {
		t.Error("SignInRequired after a new sign-in")
	}
	if n := strings.Count(logs.String(), "Delegated access works again"); n != 1 {
		t.Errorf("%d lines saying access works again, want 1:\n%s", n, logs.String())
	}
}
