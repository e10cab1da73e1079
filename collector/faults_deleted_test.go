package collector

import "testing"

// Row 11 of the fault matrix: a workspace deleted after discovery listed
// it answers 404 until the discovered list is renewed; only it reports
// up 0, and discovery itself still counts as a success.
func TestFaultMatrixWorkspaceDeletedAfterDiscovery(t *testing.T) {
	opts := matrixOptions()
	opts.Tenants[1] = simTenant(1, "s3cret-value-for-tests", map[string]int{"default": 20, "doomed": 7})
	f := newFixture(t, opts, 1000, "tenant1")
	fams := f.scrape()
	f.assertAllExact(fams, nil)
	f.assertCurrent(fams, 1, "doomed")

	if err := f.sim.DeleteWorkspace(opts.Tenants[1].ID, "doomed"); err != nil {
		t.Fatal(err)
	}
	f.sim.ResetStats()
	mark := len(f.logs.String())
	fams = f.scrape()
	f.assertAllExact(fams, nil)
	assertDown(t, fams, "tenant1", "doomed")
	assertOneErrorLine(t, errorLines(f.logs.String(), mark), "tenant1", []string{"doomed"}, "status=404 code=NotFound")
	if v, ok := value(fams, "securitycopilot_workspace_discovery_success", map[string]string{"tenant": "tenant1"}); !ok || v != 1 {
		t.Errorf("discovery success = %v (present %v), want 1", v, ok)
	}
	for _, r := range f.sim.Requests() {
		if r.Path == "/beta/security/securityCopilot/workspaces" {
			t.Errorf("the workspaces were listed again within the discovery TTL")
		}
	}
}
