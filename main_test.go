package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// These tests run the real binary, as a user would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func exporterBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "securitycopilot-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "securitycopilot_exporter")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type process struct {
	cmd  *exec.Cmd
	addr string
	logs *lockedBuffer
}

// startExporter runs the binary with args on a free loopback port and
// waits until it is ready.
func startExporter(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	// Bounds on a hang, not speed requirements: a loaded machine may take
	// long to start the demo.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	cmd := exec.CommandContext(ctx, exporterBinary(t), append(args, "--web.listen-address="+addr)...)
	cmd.Env = append(os.Environ(), env...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	p := &process{cmd: cmd, addr: addr, logs: logs}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exporter did not exit cleanly on SIGINT: %v\n%s", err, p.output())
			}
		case <-time.After(time.Minute):
			cancel()
			t.Errorf("exporter did not stop within a minute of SIGINT")
		}
		cancel()
	})
	for ready := time.Now().Add(2 * time.Minute); time.Now().Before(ready); {
		if code, _ := p.get(t, "/-/ready"); code == http.StatusOK {
			return p
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("exporter not ready after 2 minutes:\n%s", p.output())
	return nil
}

// lockedBuffer collects a child's stdout and stderr, which two goroutines
// of exec write, while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (p *process) output() string { return p.logs.String() }

// fileWriter returns a function that writes a file into a fresh temporary
// directory and returns its path.
func fileWriter(t *testing.T) func(name, content string) string {
	dir := t.TempDir()
	return func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
}

func (p *process) request(t *testing.T, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+p.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (p *process) get(t *testing.T, path string) (int, string) {
	return p.request(t, http.MethodGet, path)
}

// documentedMetrics are the names the README promises.
var documentedMetrics = []string{
	"securitycopilot_up", "securitycopilot_sessions", "securitycopilot_sessions_created",
	"securitycopilot_sessions_active", "securitycopilot_sessions_newest_created_timestamp_seconds",
	"securitycopilot_sessions_oldest_created_timestamp_seconds", "securitycopilot_sessions_last_modified_timestamp_seconds",
	"securitycopilot_scrape_duration_seconds", "securitycopilot_last_success_timestamp_seconds",
	"securitycopilot_workspace_discovery_success", "securitycopilot_workspace_info", "securitycopilot_tenant_access_info", "securitycopilot_sign_in_required", "securitycopilot_graph_requests_total",
	"securitycopilot_graph_request_duration_seconds", "securitycopilot_graph_retries_total",
	"securitycopilot_token_requests_total", "securitycopilot_exporter_build_info",
	"securitycopilot_exporter_config_last_reload_successful", "securitycopilot_exporter_config_last_reload_success_timestamp_seconds",
	// The demo turns the opt-in activity collector on.
	"securitycopilot_activity_success", "securitycopilot_activity_sessions_covered", "securitycopilot_activity_sessions_skipped",
	"securitycopilot_prompts_created", "securitycopilot_evaluations", "securitycopilot_evaluations_result",
	"securitycopilot_evaluation_duration_seconds",
	// And the opt-in capacity collector.
	"securitycopilot_capacity_up", "securitycopilot_capacity_last_success_timestamp_seconds",
	"securitycopilot_capacity_units", "securitycopilot_capacity_overage_units", "securitycopilot_capacity_info",
	// The plugin counts, and contoso's opt-in series per plugin.
	"securitycopilot_plugins_success", "securitycopilot_plugins_last_success_timestamp_seconds", "securitycopilot_plugins",
	"securitycopilot_plugin_enabled", "securitycopilot_plugin_info",
}

func TestDemoServesCleanMetrics(t *testing.T) {
	p := startExporter(t, nil, "--demo")
	var body string
	for i := 0; i < 2; i++ { // the second scrape also shows the first one's Graph requests
		code, b := p.get(t, "/metrics")
		if code != http.StatusOK {
			t.Fatalf("/metrics: HTTP %d: %s", code, b)
		}
		body = b
	}
	for _, tenantWS := range [][2]string{{"contoso", contosoDefaultWorkspace}, {"contoso", "soc-emea"}, {"fabrikam", fabrikamDefaultWorkspace}, {"fabrikam", "tier1"}, {"northwind", northwindDefaultWorkspace}} {
		up := fmt.Sprintf(`securitycopilot_up{tenant=%q,workspace=%q} 1`, tenantWS[0], tenantWS[1])
		if !strings.Contains(body, up+"\n") {
			t.Errorf("missing %s\nlogs:\n%s", up, p.output())
		}
	}
	// Beside the application tenants, northwind reads with a signed-in
	// account, and Graph shows it only that account's 30 of 120 sessions.
	for _, want := range []string{
		`securitycopilot_tenant_access_info{auth="client_secret",tenant="contoso",token_kind="application"} 1`,
		`securitycopilot_tenant_access_info{auth="device_code",tenant="northwind",token_kind="delegated"} 1`,
		`securitycopilot_sessions{tenant="northwind",workspace="` + northwindDefaultWorkspace + `"} 30`,
		`securitycopilot_sign_in_required{tenant="northwind"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	for _, name := range documentedMetrics {
		if !strings.Contains(body, "\n# TYPE "+name+" ") {
			t.Errorf("metric %s missing", name)
		}
	}
	promtool := os.Getenv("PROMTOOL")
	if promtool == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PROMTOOL is not set: CI must check the metrics with the real promtool")
		}
		t.Skip("PROMTOOL not set; run tools/test.sh to lint with promtool")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestHealthReadyReloadEndpoints(t *testing.T) {
	p := startExporter(t, nil, "--demo")
	if code, _ := p.get(t, "/-/healthy"); code != http.StatusOK {
		t.Errorf("/-/healthy = %d", code)
	}
	if code, _ := p.get(t, "/-/reload"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload = %d, want 405", code)
	}
	if code, body := p.request(t, http.MethodPost, "/-/reload"); code != http.StatusOK {
		t.Errorf("POST /-/reload = %d: %s", code, body)
	}
	if code, body := p.get(t, "/"); code != http.StatusOK || !strings.Contains(body, "/metrics") {
		t.Errorf("landing page = %d", code)
	}
}

// simConfig starts a simulator and writes a config file for it; the child
// process trusts the simulator's certificate through SSL_CERT_FILE.
func simConfig(t *testing.T) (cfgPath string, env []string, sim *azuresim.Server) {
	t.Helper()
	const secret = "e2e-secret-value-0123456789"
	sim, err := azuresim.New(azuresim.Options{Tenants: []azuresim.Tenant{{
		ID: "00000000-0000-4000-8000-000000000001", ClientID: "00000000-0000-4000-8000-000000000002", ClientSecret: secret,
		Workspaces: []azuresim.Workspace{{ID: "default", Sessions: azuresim.GenerateSessions(3, 25, time.Now())}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	write := fileWriter(t)
	ca := write("ca.pem", string(sim.CertificatePEM()))
	secretPath := write("secret", secret)
	cfgPath = write("config.yml", fmt.Sprintf(`graph:
  endpoint: %s
  authority_host: %s
tenants:
  - name: contoso
    tenant_id: 00000000-0000-4000-8000-000000000001
    client_id: 00000000-0000-4000-8000-000000000002
    client_secret_file: %s
    workspaces: [default]
`, sim.GraphEndpoint(), sim.AuthorityHost(), secretPath))
	return cfgPath, []string{"SSL_CERT_FILE=" + ca}, sim
}

func TestFailedReloadKeepsTheRunningConfig(t *testing.T) {
	cfgPath, env, _ := simConfig(t)
	p := startExporter(t, env, "--config.file="+cfgPath)
	if _, body := p.get(t, "/metrics"); !strings.Contains(body, `securitycopilot_sessions{tenant="contoso",workspace="default"} 25`) {
		t.Fatalf("first scrape lacks the session count:\n%s\nlogs:\n%s", body, p.output())
	}
	if err := os.WriteFile(cfgPath, []byte("tenants:\n  - name: contoso\n    tennant_id: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, body := p.request(t, http.MethodPost, "/-/reload")
	if code != http.StatusInternalServerError || !strings.Contains(body, "tennant_id") {
		t.Fatalf("reload of a broken file = %d: %s", code, body)
	}
	_, metrics := p.get(t, "/metrics")
	for _, want := range []string{
		"securitycopilot_exporter_config_last_reload_successful 0\n",
		`securitycopilot_sessions{tenant="contoso",workspace="default"} 25` + "\n",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("after a failed reload, /metrics lacks %q", want)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	cfgPath, env, _ := simConfig(t)
	run := func(args ...string) (int, string) {
		cmd := exec.Command(exporterBinary(t), args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := run("--config.check", "--config.file="+cfgPath); code != 0 || !strings.Contains(out, "configuration is valid") {
		t.Fatalf("valid config: exit %d: %s", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("windows: [-5m]\ntenants: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--config.check", "--config.file=" + bad},
		{"--config.file=" + bad},
		{"--config.check", "--config.file=/nonexistent/config.yml"},
	} {
		code, out := run(args...)
		if code != 1 || !strings.Contains(out, "config.yml") && !strings.Contains(out, "bad.yml") {
			t.Errorf("%v: exit %d, output does not name the file:\n%s", args, code, out)
		}
	}
}

func TestSIGHUPReloadsTheConfig(t *testing.T) {
	cfgPath, env, _ := simConfig(t)
	p := startExporter(t, env, "--config.file="+cfgPath)
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, append([]byte("windows: [2h]\n"), data...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	want := `securitycopilot_sessions_created{tenant="contoso",window="2h",workspace="default"}`
	for i := 0; i < 50; i++ {
		if _, body := p.get(t, "/metrics"); strings.Contains(body, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the 2h window never appeared after SIGHUP; logs:\n%s", p.output())
}

func TestShardReplicaServesProbesOnly(t *testing.T) {
	p := startExporter(t, nil, "--demo", "--no-web.telemetry-all-tenants")
	code, body := p.get(t, "/metrics")
	if code != http.StatusOK || strings.Contains(body, "securitycopilot_up{") || !strings.Contains(body, "securitycopilot_exporter_build_info") {
		t.Fatalf("/metrics of a shard replica: HTTP %d, want only the exporter's own metrics:\n%s", code, body)
	}
	code, body = p.get(t, "/probe?tenant=contoso")
	if code != http.StatusOK || !strings.Contains(body, `securitycopilot_up{tenant="contoso",workspace="`+contosoDefaultWorkspace+`"} 1`) || strings.Contains(body, "fabrikam") {
		t.Fatalf("/probe?tenant=contoso: HTTP %d:\n%s", code, body)
	}
	if code, body = p.get(t, "/probe?tenant=nobody"); code != http.StatusBadRequest {
		t.Fatalf("/probe for an unknown tenant: HTTP %d:\n%s", code, body)
	}
}
