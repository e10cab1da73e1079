package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// The tenants mode's simulator, in a child process, and the exporter's
// configuration for it.

// tenantsSessions is each simulated tenant's workspace: a few sessions
// with prompts, so that every read of the layout (sessions, activity,
// plugins) has something to do.
const tenantsSessions = 3

func tenantGUID(i, kind int) string { return fmt.Sprintf("00000000-0000-4000-800%d-%012d", kind, i) }

// tenantSecret is tenant i's client secret: every tenant has its own.
func tenantSecret(i int) string { return fmt.Sprintf("bench-secret-of-customer-%05d", i) }

// serveTenantsSim is the child's main for the tenants mode: n tenants of
// one small workspace each.
func serveTenantsSim(n int) error {
	now := time.Now()
	opts := azuresim.Options{MaxPageSize: 1000}
	for i := range n {
		sessions := azuresim.GenerateSessions(int64(i+1), tenantsSessions, now)
		opts.Tenants = append(opts.Tenants, azuresim.Tenant{
			ID: tenantGUID(i, 1), ClientID: tenantGUID(i, 2), ClientSecret: tenantSecret(i),
			Workspaces: []azuresim.Workspace{{ID: "default", DisplayName: "default", Sessions: sessions, Prompts: azuresim.GeneratePrompts(int64(i+1), sessions, now)}},
		})
	}
	sim, err := azuresim.New(opts)
	if err != nil {
		return err
	}
	defer sim.Close()
	return serveChild(sim, http.NewServeMux())
}

func startTenantsSim(n int) (*simProcess, error) {
	return startSimProcess("-serve-tenants-sim", strconv.Itoa(n))
}

// writeTenantsConfig writes n tenants in the documented MSSP layout, and
// each tenant's secret to its own file, under dir.
func writeTenantsConfig(dir string, n int, p *simProcess) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "graph:\n  endpoint: %s\n  authority_host: %s\ncollection:\n  timeout: 10m\n  cache_ttl: 0s\ntenants:\n", p.GraphEndpoint, p.AuthorityHost)
	secrets := filepath.Join(dir, "secrets")
	if err := os.Mkdir(secrets, 0o700); err != nil {
		return "", err
	}
	for i := range n {
		file := filepath.Join(secrets, fmt.Sprintf("customer-%05d", i))
		if err := os.WriteFile(file, []byte(tenantSecret(i)+"\n"), 0o600); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, `  - name: customer-%05d
    tenant_id: %s
    client_id: %s
    client_secret_file: %s
    workspaces: [default]
    activity:
      enabled: true
      max_sessions: 50
    plugins:
      per_plugin: true
      interval: 30m
`, i, tenantGUID(i, 1), tenantGUID(i, 2), file)
	}
	path := filepath.Join(dir, "config.yml")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}
