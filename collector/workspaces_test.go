package collector

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

const onboardedGUID = "17aafe23-ab95-3b37-8c4d-5e6f7a8b9c0d"

// aliasTenant has the workspace created at onboarding, under a GUID that
// "default" also reaches, and a second one, as Graph has them.
func aliasTenant() azuresim.Tenant {
	t := simTenant(0, "s3cret-value-for-tests", map[string]int{onboardedGUID: 40, "0b5a1d2e-0000-4000-8000-000000000002": 7})
	for i := range t.Workspaces {
		t.Workspaces[i].Default = t.Workspaces[i].ID == onboardedGUID
		t.Workspaces[i].DisplayName = map[bool]string{true: "SecurityCopilot_Workspace", false: "SOC EMEA"}[t.Workspaces[i].Default]
	}
	return t
}

// workspacesExported lists the workspace label values of securitycopilot_up.
func workspacesExported(fams map[string]*dto.MetricFamily) []string {
	var out []string
	for _, m := range fams["securitycopilot_up"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "workspace" {
				out = append(out, l.GetValue())
			}
		}
	}
	return out
}

func (f *fixture) configure(workspaces ...string) {
	f.t.Helper()
	f.cfg.Tenants[0].Workspaces = workspaces
	if err := f.cfg.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.exp.Apply(f.cfg); err != nil {
		f.t.Fatal(err)
	}
}

func TestDefaultIsExportedOnceUnderItsID(t *testing.T) {
	tenant := aliasTenant()
	for _, tc := range []struct {
		name       string
		configured []string // nil: discovered
		want       []string
	}{
		{"default alone", []string{"default"}, []string{onboardedGUID}},
		{"default and its id", []string{"default", onboardedGUID}, []string{onboardedGUID}},
		{"its id and default", []string{onboardedGUID, "default"}, []string{onboardedGUID}},
		{"discovered", nil, []string{"0b5a1d2e-0000-4000-8000-000000000002", onboardedGUID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f *fixture
			if tc.configured == nil {
				f = newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000, "tenant0")
			} else {
				f = newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
				f.configure(tc.configured...)
			}
			f.sim.ResetStats()
			fams := f.scrape()
			got := workspacesExported(fams)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") && !(len(got) == 2 && len(tc.want) == 2 && got[0] == tc.want[1] && got[1] == tc.want[0]) {
				t.Fatalf("workspaces exported %v, want %v; logs:\n%s", got, tc.want, f.logs.String())
			}
			for _, ws := range tenant.Workspaces {
				if slices.Contains(got, ws.ID) {
					f.assertExact(fams, "tenant0", ws)
				}
			}
			// Listing the workspaces (discovery, or names of a configured
			// list) and resolving default cost at most two requests.
			first := f.sim.Stats().ByPath[azuresim.PathWorkspaces]
			if first > 2 {
				t.Errorf("%d workspace requests in the first scrape", first)
			}
			f.sim.ResetStats()
			f.scrape()
			if n := f.sim.Stats().ByPath[azuresim.PathWorkspaces]; n != 0 {
				t.Errorf("%d workspace requests in the second scrape, want 0: they are cached", n)
			}
		})
	}
}

func TestWorkspaceInfoCarriesGraphsDisplayName(t *testing.T) {
	tenant := aliasTenant()
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.configure("default", "0b5a1d2e-0000-4000-8000-000000000002")
	fams := f.scrape()
	for ws, name := range map[string]string{onboardedGUID: "SecurityCopilot_Workspace", "0b5a1d2e-0000-4000-8000-000000000002": "SOC EMEA"} {
		if v, ok := value(fams, "securitycopilot_workspace_info", map[string]string{"tenant": "tenant0", "workspace": ws, "display_name": name}); !ok || v != 1 {
			t.Errorf("workspace_info for %s = %v (present %v); got %v", ws, v, ok, fams["securitycopilot_workspace_info"])
		}
	}
	if n := len(fams["securitycopilot_workspace_info"].GetMetric()); n != 2 {
		t.Errorf("%d workspace_info series, want 2", n)
	}
}

func TestProbeOfDefaultIsTheWorkspaceByItsID(t *testing.T) {
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{aliasTenant()}}, 1000, "tenant0")
	rec := f.probe("tenant=tenant0&workspace=default")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `securitycopilot_up{tenant="tenant0",workspace="`+onboardedGUID+`"} 1`) ||
		strings.Contains(body, `workspace="default"`) || strings.Contains(body, "0b5a1d2e") {
		t.Errorf("probe of default: %d\n%s", rec.Code, body)
	}
}

// When "default" cannot be resolved, it is reported as failed rather than
// read under the alias: it may be the other configured workspace, which
// would then be exported twice.
func TestUnresolvedDefaultFailsWithoutDoubleCounting(t *testing.T) {
	tenant := aliasTenant()
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	f.configure("default", onboardedGUID)
	f.sim.SetFaults(azuresim.Faults{StatusFor: map[string]int{"default": http.StatusInternalServerError}})
	fams := f.scrape()
	assertDown(t, fams, "tenant0", "default")
	for _, ws := range tenant.Workspaces {
		if ws.ID == onboardedGUID {
			f.assertExact(fams, "tenant0", ws)
		}
	}
	if !strings.Contains(f.logs.String(), `resolving the workspace alias \"default\"`) {
		t.Errorf("no log line names the cause:\n%s", f.logs.String())
	}
	// Once resolved, a later failure keeps the id known before.
	f.sim.SetFaults(azuresim.Faults{})
	f.scrape()
	f.sim.SetFaults(azuresim.Faults{StatusFor: map[string]int{"default": http.StatusInternalServerError}})
	if got := workspacesExported(f.scrape()); len(got) != 1 || got[0] != onboardedGUID {
		t.Errorf("after resolution, exported %v", got)
	}
}
