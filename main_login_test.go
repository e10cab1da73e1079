package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

const (
	loginTenantID = "00000000-0000-4000-8000-000000000031"
	loginClientID = "00000000-0000-4000-8000-000000000032"
	loginUPN      = "monitor@contoso.example"
)

// delegatedConfig starts a simulator with a monitoring account and writes
// a config whose tenant uses auth device_code, its cache in a directory
// that does not exist yet (a volume's subdirectory).
func delegatedConfig(t *testing.T) (cfgPath, cache string, env []string, sim *azuresim.Server) {
	t.Helper()
	sim, err := azuresim.New(azuresim.Options{Tenants: []azuresim.Tenant{{
		ID: loginTenantID, ClientID: loginClientID,
		Users:      []azuresim.User{{ObjectID: "00000000-0000-4000-8000-000000000033", UPN: loginUPN}},
		Workspaces: []azuresim.Workspace{{ID: "ws-main", DisplayName: "SecurityCopilot_Workspace", Default: true, Sessions: azuresim.GenerateSessions(5, 20, time.Now())}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	write := fileWriter(t)
	ca := write("ca.pem", string(sim.CertificatePEM()))
	cache = filepath.Join(t.TempDir(), "tokens", "contoso.json")
	cfgPath = write("config.yml", fmt.Sprintf(`graph:
  endpoint: %s
  authority_host: %s
tenants:
  - name: contoso
    tenant_id: %s
    auth: device_code
    client_id: %s
    token_cache_file: %s
    workspaces: [default]
`, sim.GraphEndpoint(), sim.AuthorityHost(), loginTenantID, loginClientID, cache))
	return cfgPath, cache, []string{"SSL_CERT_FILE=" + ca}, sim
}

// runLoginBinary runs the sign-in as the README shows it and returns its
// exit code, stdout and stderr.
func runLoginBinary(t *testing.T, env []string, cfgPath string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exporterBinary(t), "--config.file="+cfgPath, "--auth.login=contoso", "--auth.login-timeout=50s")
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run sign-in: %v", err)
		}
		code = ee.ExitCode()
	}
	return code, stdout.String(), stderr.String()
}

func TestLoginThenServeWithTheCache(t *testing.T) {
	cfgPath, cache, env, sim := delegatedConfig(t)
	// The user enters the code only after the binary polled once.
	polled := sim.Polled()
	go func() {
		select {
		case <-polled:
			if err := sim.ApproveDeviceLogin(loginTenantID, loginUPN); err != nil {
				t.Error(err)
			}
		case <-time.After(time.Minute):
		}
	}()
	code, stdout, stderr := runLoginBinary(t, env, cfgPath)
	if code != 0 {
		t.Fatalf("sign-in exited %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "/devicelogin") || !strings.Contains(stderr, "enter the code") {
		t.Errorf("stderr lacks the verification URL or the code:\n%s", stderr)
	}
	if !strings.Contains(stdout, "signed in as "+loginUPN+" for tenant contoso") {
		t.Errorf("stdout does not name the account:\n%s", stdout)
	}
	info, err := os.Stat(cache)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("token cache mode %v, want 0600", info.Mode().Perm())
	}

	p := startExporter(t, env, "--config.file="+cfgPath)
	_, body := p.get(t, "/metrics")
	for _, want := range []string{
		`securitycopilot_up{tenant="contoso",workspace="ws-main"} 1`,
		`securitycopilot_tenant_access_info{auth="device_code",tenant="contoso",token_kind="delegated"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s\nlogs:\n%s\n%s", want, p.output(), grepLines(body, "securitycopilot_up", "tenant_access"))
		}
	}
	if n := sim.Stats().DeviceCodeRequests; n != 1 {
		t.Errorf("%d device code sign-ins, want the one", n)
	}
	all := stdout + stderr + p.output() + body
	for _, tok := range sim.IssuedTokens() {
		if strings.Contains(all, tok[len(tok)-24:]) {
			t.Fatalf("a token leaked into the output or logs:\n%s", all)
		}
	}
}

func TestLoginBlockedByConditionalAccessSaysWhatToDo(t *testing.T) {
	cfgPath, cache, env, sim := delegatedConfig(t)
	sim.SetFaults(azuresim.Faults{DeviceCodeError: "AADSTS53003"})
	code, stdout, stderr := runLoginBinary(t, env, cfgPath)
	if code == 0 {
		t.Fatalf("sign-in blocked by Conditional Access exited 0\nstdout: %s", stdout)
	}
	for _, want := range []string{"sign-in failed", "AADSTS53003", "What to do: Conditional Access blocked the sign-in"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(cache); err == nil {
		t.Error("a failed sign-in wrote a token cache")
	}
}

func grepLines(text string, subs ...string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		for _, s := range subs {
			if strings.Contains(l, s) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
