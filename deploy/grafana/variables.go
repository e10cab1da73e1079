package grafana

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	names "github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// grafanaDatasource is Grafana's own, which holds annotations and alerts.
var grafanaDatasource = common.DataSourceRef{Type: ptr("grafana"), Uid: ptr("-- Grafana --")}

// variables are the datasource, then the tenants and workspaces every
// query filters by. Tenant and workspace take several values, and their
// "All" is the regular expression .*, since queries match them with =~.
func variables() []cog.Builder[dashboard.VariableModel] {
	return []cog.Builder[dashboard.VariableModel]{
		dashboard.NewDatasourceVariableBuilder("datasource").Label("Data source").Type("prometheus").
			Current(dashboard.VariableOption{Selected: ptr(false), Text: text("Prometheus"), Value: text("prometheus")}).
			Hide(dashboard.VariableHideDontHide).Multi(false).IncludeAll(false).Regex(""),
		labelVariable("tenant", "Tenant", fmt.Sprintf("label_values(%s, %s)", names.Up, names.Tenant)),
		labelVariable("workspace", "Workspace", fmt.Sprintf("label_values(%s, %s)", inTenants(names.Up), names.Workspace)),
	}
}

func labelVariable(name, label, query string) *dashboard.QueryVariableBuilder {
	all := dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}}
	return dashboard.NewQueryVariableBuilder(name).Label(label).Datasource(datasource).
		Query(dashboard.StringOrMap{String: &query}).Definition(query).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).Regex("").Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).IncludeAll(true).AllValue(".*").
		Current(dashboard.VariableOption{Selected: ptr(true), Text: all, Value: dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}}}).
		Hide(dashboard.VariableHideDontHide)
}

func text(s string) dashboard.StringOrArrayOfString {
	return dashboard.StringOrArrayOfString{String: &s}
}
