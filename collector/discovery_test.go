package collector

import (
	"net/http"
	"strings"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

func upSeries(t *testing.T, f *fixture) []string {
	t.Helper()
	var got []string
	for _, m := range f.scrape()["securitycopilot_up"].GetMetric() {
		for _, lp := range m.GetLabel() {
			if lp.GetName() == "workspace" {
				got = append(got, lp.GetValue())
			}
		}
	}
	return got
}

// A tenant that lists more workspaces than the cap has the first ones
// read, its listing stopped at the cap, and its discovery reported as cut.
func TestDiscoveryStopsAtTheCap(t *testing.T) {
	sizes := map[string]int{"w1": 1, "w2": 1, "w3": 1, "w4": 1, "w5": 1, "w6": 1, "w7": 1}
	opts := azuresim.Options{MaxPageSize: 2, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", sizes)}}
	f := newFixture(t, opts, 1000, "tenant0")
	f.cfg.Collection.MaxWorkspacesPerTenant = 3
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	f.sim.ResetStats()
	fams := f.scrape()
	if got := fams["securitycopilot_up"].GetMetric(); len(got) != 3 {
		t.Errorf("%d workspaces read, want the cap of 3", len(got))
	}
	if v, _ := value(fams, "securitycopilot_workspace_discovery_success", map[string]string{"tenant": "tenant0"}); v != 0 {
		t.Errorf("discovery success %v after a cut listing, want 0", v)
	}
	listings := 0
	for _, r := range f.sim.Requests() {
		if strings.HasSuffix(r.Path, "/securityCopilot/workspaces") {
			listings++
		}
	}
	if listings != 2 {
		t.Errorf("%d listing pages requested, want 2: the page holding the fourth workspace ends the listing", listings)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "Graph lists more than 3 workspaces (collection.max_workspaces_per_tenant); only the first 3 are read") {
		t.Errorf("the log does not say what was cut:\n%s", logs)
	}
	if rec := f.probe("tenant=tenant0&workspace=w7"); rec.Code != http.StatusBadRequest {
		t.Errorf("a probe for a workspace beyond the cap: HTTP %d, want 400", rec.Code)
	}
}

// Listed ids that are no workspace ids never become label values, and the
// log names them escaped and cut short.
func TestDiscoveryRefusesIDsThatAreNoWorkspaceIDs(t *testing.T) {
	long := strings.Repeat("w", 100<<10)
	sizes := map[string]int{"good": 2, long: 1, "\x1b[2Jevil": 1, "a b": 1}
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", sizes)}}
	f := newFixture(t, opts, 1000, "tenant0")
	fams := f.scrape()
	if got := upSeries(t, f); len(got) != 1 || got[0] != "good" {
		var short []string
		for _, g := range got {
			short = append(short, g[:min(len(g), 20)])
		}
		t.Errorf("workspaces read %q, want only \"good\"", short)
	}
	if v, _ := value(fams, "securitycopilot_workspace_discovery_success", map[string]string{"tenant": "tenant0"}); v != 0 {
		t.Errorf("discovery success %v with refused ids, want 0", v)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "3 listed ids are not workspace ids and are left out") {
		t.Errorf("the log does not say what was cut:\n%.2000s", logs)
	}
	if len(logs) > 64<<10 || strings.Contains(logs, "\x1b") {
		t.Errorf("the log holds %d bytes, or an escape sequence", len(logs))
	}
}
