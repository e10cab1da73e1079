package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// Workspace ids reach Graph URLs as path segments; tenant names never do,
// and tenant ids reach Entra ID's only after validation. Ids written to
// climb out of their segment ("../other", "a/../../b", "?$top=1", "#x",
// "%2F", spaces) are no workspace ids: the configuration refuses them, and
// discovery leaves them out, so none reaches a path. The simulator holds a
// workspace named as each would resolve if it escaped, with other
// numbers, and logs every path it was asked for.

var hostileWorkspaces = []string{"../other", "a/../../b", "x?$top=1", "y#frag", "50%2F", "sp ace", "..%2Fother", "./", "other/.."}

// escapeTargets are where the hostile ids would lead if they escaped; all
// but "50/" are workspace ids.
var escapeTargets = []string{"other", "b", "x", "y", "50/", "sp"}

// readTargets are the escape targets that are workspace ids.
var readTargets = []string{"other", "b", "x", "y", "sp"}

const (
	listedTenantID     = "00000000-0000-4000-8000-000000000001"
	discoveredTenantID = "00000000-0000-4000-8000-000000000003"
)

// pathSimConfig starts a simulator whose tenants both hold the hostile
// workspaces and their targets, where tenant 1 lists the targets in its
// config and tenant 2 discovers them all, and writes the exporter's config
// for it. want holds the size of each target that is read.
func pathSimConfig(t *testing.T) (cfgPath string, env []string, sim *azuresim.Server, want map[string]int) {
	t.Helper()
	const secret = "path-test-secret-0123456789"
	want = map[string]int{}
	var workspaces []azuresim.Workspace
	// The targets an escaped id would reach: each with a size no hostile
	// workspace has.
	for i, id := range escapeTargets {
		workspaces = append(workspaces, azuresim.Workspace{ID: id, Sessions: azuresim.GenerateSessions(int64(100+i), 100+i, time.Now())})
		if config.CheckWorkspaceID(id) == nil {
			want[id] = 100 + i
		}
	}
	for i, id := range hostileWorkspaces {
		workspaces = append(workspaces, azuresim.Workspace{ID: id, Sessions: azuresim.GenerateSessions(int64(i+1), i+1, time.Now())})
	}
	tenant := func(n int) azuresim.Tenant {
		return azuresim.Tenant{ID: fmt.Sprintf("00000000-0000-4000-8000-00000000000%d", 2*n-1), ClientID: fmt.Sprintf("00000000-0000-4000-8000-00000000000%d", 2*n),
			ClientSecret: secret, Workspaces: workspaces}
	}
	sim, err := azuresim.New(azuresim.Options{MaxPageSize: 1000, Tenants: []azuresim.Tenant{tenant(1), tenant(2)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	write := fileWriter(t)
	ca := write("ca.pem", string(sim.CertificatePEM()))
	secretPath := write("secret", secret)
	var listed []string
	for _, id := range readTargets {
		listed = append(listed, strconv.Quote(id))
	}
	cfgPath = write("config.yml", fmt.Sprintf(`graph:
  endpoint: %s
  authority_host: %s
tenants:
  - name: listed
    tenant_id: 00000000-0000-4000-8000-000000000001
    client_id: 00000000-0000-4000-8000-000000000002
    client_secret_file: %s
    workspaces: [%s]
  - name: discovered
    tenant_id: 00000000-0000-4000-8000-000000000003
    client_id: 00000000-0000-4000-8000-000000000004
    client_secret_file: %s
`, sim.GraphEndpoint(), sim.AuthorityHost(), secretPath, strings.Join(listed, ", "), secretPath))
	return cfgPath, []string{"SSL_CERT_FILE=" + ca}, sim, want
}

func TestWorkspaceIDsCannotLeaveTheirPathSegment(t *testing.T) {
	cfgPath, env, sim, want := pathSimConfig(t)
	p := startExporter(t, env, "--config.file="+cfgPath)
	code, body := p.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: HTTP %d", code)
	}
	for _, tenant := range []string{"listed", "discovered"} {
		for id, n := range want {
			series := fmt.Sprintf("securitycopilot_sessions{tenant=%q,workspace=%q} %d\n", tenant, id, n)
			if !strings.Contains(body, series) {
				t.Errorf("missing %q: the id did not reach its own workspace; logs:\n%s", series, p.output())
			}
		}
	}
	if !strings.Contains(body, `securitycopilot_workspace_discovery_success{tenant="discovered"} 0`) {
		t.Error("discovery left the hostile ids out without saying so")
	}
	// Either tenant may ask for the list and for the workspaces that are
	// workspace ids, each under its own segment; never for a hostile one.
	sessionsPath := func(id string) string {
		return "/beta/security/securityCopilot/workspaces/" + url.PathEscape(id) + "/sessions"
	}
	allowed := map[string]map[string]bool{listedTenantID: {"/beta/security/securityCopilot/workspaces": true}, discoveredTenantID: {"/beta/security/securityCopilot/workspaces": true}}
	pluginsPath := func(id string) string { return strings.TrimSuffix(sessionsPath(id), "/sessions") + "/plugins" }
	for id := range want {
		allowed[listedTenantID][sessionsPath(id)] = true
		allowed[listedTenantID][pluginsPath(id)] = true
		allowed[discoveredTenantID][sessionsPath(id)] = true
		allowed[discoveredTenantID][pluginsPath(id)] = true
	}
	graphRequests := 0
	for _, r := range sim.Requests() {
		if !strings.HasPrefix(r.Path, "/beta") || r.Path == "/beta/$batch" {
			continue // Entra ID, and the envelope of batched requests
		}
		graphRequests++
		if !allowed[r.Tenant][r.Path] {
			t.Errorf("Graph was asked for %s by tenant %s", r.Path, r.Tenant)
		}
	}
	if graphRequests < 2*len(want) {
		t.Fatalf("only %d Graph requests were logged: the test saw nothing", graphRequests)
	}
}

func TestTenantNamesAndIDsCannotCarryPaths(t *testing.T) {
	for _, bad := range []string{"a/b", "..", "a b", "a?b", "a#b", "a%2Fb", "."} {
		for _, key := range []string{"name", "tenant_id"} {
			yaml := fmt.Sprintf("tenants:\n  - name: ok\n    tenant_id: contoso.onmicrosoft.com\n    auth: azure_cli\n    %s: %q\n", key, bad)
			yaml = strings.Replace(yaml, "    "+key+": "+map[string]string{"name": "ok", "tenant_id": "contoso.onmicrosoft.com"}[key]+"\n", "", 1)
			if _, err := config.Parse([]byte(yaml), "t.yml"); err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("%s %q: err = %v, want it refused", key, bad, err)
			}
		}
	}
	for _, bad := range append([]string{".", ".."}, hostileWorkspaces...) {
		yaml := fmt.Sprintf("tenants:\n  - name: ok\n    tenant_id: contoso.onmicrosoft.com\n    auth: azure_cli\n    workspaces: [%q]\n", bad)
		if _, err := config.Parse([]byte(yaml), "t.yml"); err == nil {
			t.Errorf("workspace %q accepted", bad)
		}
	}
}
