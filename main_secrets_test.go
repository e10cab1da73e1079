package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// The client secret and the bearer tokens must never show: not in logs,
// metrics, the landing page, /probe answers or error messages, on any
// error path. The exporter runs in-process here, wired as main wires it,
// so that the test sees every token it was sent: a transport records them.

// tokenRecorder remembers every bearer token the exporter sent.
type tokenRecorder struct {
	next   http.RoundTripper
	mu     sync.Mutex
	tokens []string
}

func (r *tokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		r.mu.Lock()
		r.tokens = append(r.tokens, tok)
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

var parseFlagsOnce sync.Once

// startInProcess serves newMux as run does, with its logger writing to
// logs, on a loopback test server.
func startInProcess(t *testing.T, cfgPath string, transport http.RoundTripper, logs io.Writer) string {
	t.Helper()
	parseFlagsOnce.Do(func() {
		if _, err := kingpin.CommandLine.Parse(nil); err != nil { // sets the flags' defaults
			t.Fatal(err)
		}
	})
	level := promslog.NewLevel()
	if err := level.Set("debug"); err != nil {
		t.Fatal(err)
	}
	logger := promslog.New(&promslog.Config{Level: level, Writer: logs})
	reg := prometheus.NewRegistry()
	exporter := collector.New(collector.Options{Logger: logger, Metrics: graphclient.NewMetrics(reg), Transport: &http.Client{Transport: transport}})
	reloader, err := config.NewReloader(func() (*config.Config, error) { return config.Load(cfgPath) }, exporter.Apply, reg, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := reloader.Reload(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newMux(exporter, reloader, reg, logger))
	t.Cleanup(srv.Close)
	return srv.URL
}

// secretsSetup starts a simulator whose tenant's secret is random, and
// writes a config for it whose secret file holds wrongSecret for now.
func secretsSetup(t *testing.T) (cfgPath, secretPath, secret, wrongSecret string, sim *azuresim.Server) {
	t.Helper()
	secret, wrongSecret = rand.Text(), rand.Text()
	sim, err := azuresim.New(azuresim.Options{Tenants: []azuresim.Tenant{{
		ID: "00000000-0000-4000-8000-000000000001", ClientID: "00000000-0000-4000-8000-000000000002", ClientSecret: secret,
		Workspaces: []azuresim.Workspace{{ID: "default", Sessions: azuresim.GenerateSessions(3, 25, time.Now())}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	dir := t.TempDir()
	secretPath, cfgPath = filepath.Join(dir, "secret"), filepath.Join(dir, "config.yml")
	writeFile(t, secretPath, wrongSecret)
	writeFile(t, cfgPath, secretsConfig(sim, secretPath, ""))
	return cfgPath, secretPath, secret, wrongSecret, sim
}

func secretsConfig(sim *azuresim.Server, secretPath, extra string) string {
	return fmt.Sprintf("graph:\n  endpoint: %s\n  authority_host: %s\ncollection:\n  cache_ttl: 0s\n  timeout: 4s\ntenants:\n  - name: contoso\n    tenant_id: 00000000-0000-4000-8000-000000000001\n    client_id: 00000000-0000-4000-8000-000000000002\n    client_secret_file: %s\n    workspaces: [default]\n%s",
		sim.GraphEndpoint(), sim.AuthorityHost(), secretPath, extra)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestNoSecretOnAnyErrorPath(t *testing.T) {
	cfgPath, secretPath, secret, wrongSecret, sim := secretsSetup(t)
	recorder := &tokenRecorder{next: sim.Transport()}
	logs := &lockedBuffer{}
	base := startInProcess(t, cfgPath, recorder, logs)
	var seen []string // every answer and message a user can read
	call := func(method, path string) {
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		seen = append(seen, fmt.Sprintf("%s %s: HTTP %d\n%s", method, path, resp.StatusCode, body))
	}

	call(http.MethodGet, "/metrics") // the token request fails: wrong secret
	writeFile(t, secretPath, secret)
	call(http.MethodGet, "/metrics") // a token, and numbers
	for _, f := range []azuresim.Faults{
		{StatusFor: map[string]int{"default": 403}},
		{StatusFor: map[string]int{"default": 500}}, // retried until the deadline, then logged
		{ListingFor: map[string]azuresim.ListingFault{"default": {Body: azuresim.BodyHTML}}},
		{ListingFor: map[string]azuresim.ListingFault{"default": {Created: `"yesterday"`}}},
	} {
		sim.SetFaults(f)
		call(http.MethodGet, "/metrics")
		call(http.MethodGet, "/probe?tenant=contoso")
	}
	sim.SetFaults(azuresim.Faults{})
	for _, path := range []string{"/", "/probe?tenant=nobody", "/probe?tenant=contoso&workspace=nope", "/-/ready"} {
		call(http.MethodGet, path)
	}
	// Failed reloads: the secret written where it does not belong, and the
	// configuration file pointed at the secret file.
	for _, broken := range []string{
		secretsConfig(sim, secretPath, "    client_secret: "+secret+"\n"),
		secretsConfig(sim, filepath.Join(filepath.Dir(secretPath), "missing"), ""),
		secret + "\n",
	} {
		writeFile(t, cfgPath, broken)
		call(http.MethodPost, "/-/reload")
		seen = append(seen, runConfigCheck(t, cfgPath))
	}
	call(http.MethodGet, "/metrics")

	everything := logs.String() + strings.Join(seen, "\n")
	for _, want := range []string{"AADSTS7000215", "status=403", "status=500", "status=502", "Error reloading config", `securitycopilot_up{tenant="contoso",workspace="default"} 1`} {
		if !strings.Contains(everything, want) {
			t.Errorf("%q never showed: an error path did not run", want)
		}
	}
	if len(recorder.tokens) == 0 {
		t.Fatal("no bearer token was sent: the test proves nothing about tokens")
	}
	for _, s := range []string{secret, wrongSecret} {
		if part := sharedPart(everything, s, 6); part != "" {
			t.Errorf("%q of a client secret shows:\n%s", part, around(everything, part))
		}
	}
	for _, tok := range recorder.tokens {
		if strings.Contains(everything, tok) {
			t.Errorf("a bearer token shows:\n%s", around(everything, tok))
		}
	}
}

// runConfigCheck runs the binary's --config.check on the file and returns
// what it printed.
func runConfigCheck(t *testing.T, cfgPath string) string {
	t.Helper()
	out, _ := exec.Command(exporterBinary(t), "--config.check", "--config.file="+cfgPath).CombinedOutput()
	return "--config.check: " + string(out)
}

// sharedPart returns a piece of secret at least n bytes long found in
// text, or "".
func sharedPart(text, secret string, n int) string {
	for i := 0; i+n <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+n]) {
			return secret[i : i+n]
		}
	}
	return ""
}

func around(text, part string) string {
	i := strings.Index(text, part)
	return text[max(0, i-200):min(len(text), i+len(part)+200)]
}
