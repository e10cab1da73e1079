// The dashboard is a classic one (schemaVersion 39), the kind Grafana's file
// provisioning loads; dashboardv2, which the SDK suggests instead, is the
// schema of Grafana 12's dynamic dashboards.
//lint:file-ignore SA1019 dashboard.Dashboard is the schema of this file

package grafana

import (
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

func variable(t *testing.T, d dashboard.Dashboard, name string) dashboard.VariableModel {
	t.Helper()
	for _, v := range d.Templating.List {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("dashboard has no variable %s", name)
	return dashboard.VariableModel{}
}

// datasourceDefault returns the datasource uid the dashboard opens with.
func datasourceDefault(t *testing.T, d dashboard.Dashboard) string {
	t.Helper()
	return deref(deref(variable(t, d, "datasource").Current).Value.String)
}

func TestDatasourceVariable(t *testing.T) {
	d := loadDashboard(t)
	v := variable(t, d, "datasource")
	if v.Type != dashboard.VariableTypeDatasource || deref(deref(v.Query).String) != "prometheus" {
		t.Errorf("variable datasource: type %q query %+v, want a datasource variable of type prometheus", v.Type, v.Query)
	}
	if datasourceDefault(t, d) == "" {
		t.Error("variable datasource has no default value")
	}
}

// TestTenantAndWorkspaceVariables checks the variables that every query
// filters by. Their "All" value must be a regular expression, since the
// queries match them with =~.
func TestTenantAndWorkspaceVariables(t *testing.T) {
	d := loadDashboard(t)
	for name, query := range map[string]string{
		"tenant":    "label_values(securitycopilot_up, tenant)",
		"workspace": `label_values(securitycopilot_up{tenant=~"$tenant"}, workspace)`,
	} {
		v := variable(t, d, name)
		if v.Type != dashboard.VariableTypeQuery || deref(deref(v.Query).String) != query {
			t.Errorf("variable %s: type %q query %+v, want query %q", name, v.Type, v.Query, query)
		}
		if !deref(v.Multi) || !deref(v.IncludeAll) || deref(v.AllValue) != ".*" {
			t.Errorf("variable %s: multi %v includeAll %v allValue %q, want true, true, .*",
				name, deref(v.Multi), deref(v.IncludeAll), deref(v.AllValue))
		}
		if uid := deref(deref(v.Datasource).Uid); uid != datasourceRef {
			t.Errorf("variable %s: datasource %q, want %s", name, uid, datasourceRef)
		}
	}
}
