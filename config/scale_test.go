package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An MSSP's 10,000 tenants in the documented layout, each with its
// activity and plugins overrides, load from one file: about 4 MiB, above
// the 1 MiB every other file the exporter reads is held to.
func TestTenThousandTenantsLoad(t *testing.T) {
	const n = 10000
	var b strings.Builder
	b.WriteString("tenants:\n")
	for i := range n {
		fmt.Fprintf(&b, `  - name: customer-%05d                                # value of the tenant label
    tenant_id: 00000000-0000-0000-0000-%012d   # GUID or domain
    client_id: 00000000-0000-0000-0001-%012d
    client_secret_file: /run/secrets/customer-%05d/graph-client-secret
    workspaces: [default]
    activity:
      enabled: true
      max_sessions: 50
    plugins:
      per_plugin: true
      interval: 30m
`, i, i, i, i)
	}
	if b.Len() <= MaxFileSize {
		t.Fatalf("the file is %d bytes, not above the 1 MiB cap of other files", b.Len())
	}
	path := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("%d bytes: %v", b.Len(), err)
	}
	if len(cfg.Tenants) != n || cfg.Tenants[n-1].Name != "customer-09999" {
		t.Fatalf("loaded %d tenants", len(cfg.Tenants))
	}
}

// Two entries of one tenant_id, far apart among thousands, are still
// found to overlap.
func TestOverlapFoundAmongManyTenants(t *testing.T) {
	var ts []Tenant
	for i := range 3000 {
		ts = append(ts, Tenant{Name: fmt.Sprintf("t%d", i), TenantID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), Workspaces: []string{"default"}})
	}
	ts[2999].TenantID = strings.ToUpper("00000000-0000-0000-0000-00000000000a")
	ts[10].TenantID = "00000000-0000-0000-0000-00000000000a"
	errs := overlappingTenants(ts)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "tenants[2999]") || !strings.Contains(errs[0].Error(), "tenants[10]") {
		t.Fatalf("got %v", errs)
	}
}
