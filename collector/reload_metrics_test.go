package collector

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// tenantLabels returns the tenant label values of the registered series.
func tenantLabels(t *testing.T, reg *prometheus.Registry) []string {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fam := range fams {
		for _, m := range fam.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "tenant" && !slices.Contains(out, lp.GetValue()) {
					out = append(out, lp.GetValue())
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// A reload that removes one tenant and renames another leaves no series of
// either old name among the registered metrics.
func TestReloadDropsTheSeriesOfRemovedTenants(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{
		simTenant(0, "s3cret-value-for-tests", map[string]int{"lab": 2}),
		simTenant(1, "s3cret-value-for-tests", map[string]int{"lab": 1}),
	}}
	f := newFixture(t, opts, 1000)
	reg := prometheus.NewRegistry()
	f.exp = New(Options{Logger: f.exp.opts.Logger, Metrics: graphclient.NewMetrics(reg), Transport: &http.Client{Transport: f.sim.Transport()},
		RetryDelay: time.Millisecond, Now: f.exp.opts.Now})
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	f.scrape()
	if got := tenantLabels(t, reg); !slices.Equal(got, []string{"tenant0", "tenant1"}) {
		t.Fatalf("before the reload, series of tenants %q", got)
	}

	next := *f.cfg
	renamed := f.cfg.Tenants[0]
	renamed.Name = "renamed"
	next.Tenants = []config.Tenant{renamed}
	if err := f.exp.Apply(&next); err != nil {
		t.Fatal(err)
	}
	if got := tenantLabels(t, reg); !slices.Equal(got, []string{"renamed"}) {
		t.Errorf("after the reload, series of tenants %q, want only \"renamed\"", got)
	}

	// A failed reload keeps the running tenants' series, and leaves none
	// of a tenant it built before it failed.
	fresh := f.cfg.Tenants[1]
	fresh.Name = "fresh"
	broken := next
	broken.Tenants = append(slices.Clone(next.Tenants), fresh,
		config.Tenant{Name: "broken", TenantID: "x.example", Auth: config.AuthClientCertificate, ClientCertificateFile: "/nonexistent"})
	if err := f.exp.Apply(&broken); err == nil {
		t.Fatal("a tenant without its certificate was applied")
	}
	if got := tenantLabels(t, reg); !slices.Equal(got, []string{"renamed"}) {
		t.Errorf("after a failed reload, series of tenants %q, want only \"renamed\"", got)
	}
}
