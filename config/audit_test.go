package config

import (
	"strings"
	"testing"
	"time"
)

func auditConfig(t *testing.T, section string) (*Config, error) {
	t.Helper()
	yml := `tenants:
  - name: contoso
    tenant_id: 00000000-0000-4000-8000-000000000001
    client_id: 00000000-0000-4000-8000-000000000002
    client_secret_env: SECRET
` + section
	return Parse([]byte(yml), "test.yml")
}

func TestAuditSectionOptsIn(t *testing.T) {
	c, err := auditConfig(t, "    audit: {}\n")
	if err != nil {
		t.Fatal(err)
	}
	a := c.Tenants[0].Audit
	if !a.On() {
		t.Fatal("an audit section does not opt in")
	}
	r := a.Resolved()
	if r.Version != "beta" || time.Duration(r.Interval) != time.Hour || r.QueriesPerDay != 48 || time.Duration(r.Delay) != 2*time.Hour {
		t.Fatalf("defaults %+v", r)
	}
	c, err = auditConfig(t, "")
	if err != nil || c.Tenants[0].Audit.On() {
		t.Fatalf("no section: on %v, err %v", c.Tenants[0].Audit.On(), err)
	}
	c, err = auditConfig(t, "    audit: {enabled: false}\n")
	if err != nil || c.Tenants[0].Audit.On() {
		t.Fatalf("enabled false: on %v, err %v", c.Tenants[0].Audit.On(), err)
	}
}

func TestAuditSectionErrors(t *testing.T) {
	for section, want := range map[string]string{
		"    audit: {version: v2}\n":              `tenants[0].audit.version: "v2" is neither beta nor v1.0`,
		"    audit: {interval: 10m}\n":            "tenants[0].audit.interval: 10m is out of range 1h..1d",
		"    audit: {queries_per_day: 500}\n":     "tenants[0].audit.queries_per_day: 500 is out of range 1..200",
		"    audit: {query_timeout: 10s}\n":       "tenants[0].audit.query_timeout: 10s is out of range 1m..6h",
		"    audit: {max_surfaces: 1000}\n":       "tenants[0].audit.max_surfaces: 1000 is out of range 1..100",
		"    audit: {admin_operations: [\"\"]}\n": "tenants[0].audit.admin_operations: entry 0 is empty",
		"    audit: {bogus: 1}\n":                 "bogus",
	} {
		_, err := auditConfig(t, section)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", strings.TrimSpace(section), err, want)
		}
	}
}

func TestAuditWindowsWithinRetention(t *testing.T) {
	_, err := Parse([]byte(`windows: ["1d", "200d"]
tenants:
  - name: contoso
    tenant_id: 00000000-0000-4000-8000-000000000001
    client_id: 00000000-0000-4000-8000-000000000002
    client_secret_env: SECRET
    audit: {}
`), "test.yml")
	if err == nil || !strings.Contains(err.Error(), `window "200d" is longer than the audit log's retention`) {
		t.Fatalf("err = %v", err)
	}
}
