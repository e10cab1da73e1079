package grafana

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	names "github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Recording rules of deploy/prometheus/rules/recording.yml that panels
// read, so that they show the numbers the alerts see.
const (
	newSessionsHour        = "tenant_workspace:" + names.SessionsCreated + "_1h:max"
	newSessionsDay         = "tenant_workspace:" + names.SessionsCreated + "_1d:max"
	newSessionsHourUsual   = "tenant_workspace:" + names.SessionsCreated + "_1h:avg7d"
	tenantSessions         = "tenant:" + names.Sessions + ":sum"
	tenantNewSessionsHour  = "tenant:" + names.SessionsCreated + "_1h:sum"
	tenantNewSessionsDay   = "tenant:" + names.SessionsCreated + "_1d:sum"
	capacityExceeded       = "tenant_workspace:securitycopilot_evaluations_capacity_exceeded:max"
	throttledRequestsRatio = "job:securitycopilot_graph_requests_throttled:ratio_rate5m"
)

// capacityExceededResult is the evaluation result type Graph reports when
// the tenant's Security Compute Units ran out.
const capacityExceededResult = "capacityExceeded"

// Legends of series per workspace and per tenant.
const (
	byWorkspace = "{{tenant}} / {{workspace}}"
	byTenant    = "{{tenant}}"
)

// inWorkspaces selects a per-workspace series of the workspaces chosen in
// the dashboard's tenant and workspace variables.
func inWorkspaces(metric string) string {
	return fmt.Sprintf(`%s{%s=~"$tenant", %s=~"$workspace"}`, metric, names.Tenant, names.Workspace)
}

// inTenants selects a per-tenant series of the chosen tenants.
func inTenants(metric string) string {
	return fmt.Sprintf(`%s{%s=~"$tenant"}`, metric, names.Tenant)
}

// quantile is the q-quantile of a histogram's selected buckets over the
// rate interval.
func quantile(q string, buckets string) string {
	return fmt.Sprintf("histogram_quantile(%s, sum by (le) (rate(%s[$__rate_interval])))", q, buckets)
}

// rangeQuery is a range query, each series named by legend. Its refId is given
// when the panel is laid out.
func rangeQuery(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Datasource(datasource).EditorMode(prometheus.QueryEditorModeCode).
		Expr(expr).LegendFormat(legend).Range().Format(prometheus.PromQueryFormatTimeSeries)
}

// tableQuery is an instant query for a table, one row per series.
func tableQuery(expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Datasource(datasource).EditorMode(prometheus.QueryEditorModeCode).
		Expr(expr).LegendFormat("").Instant().Format(prometheus.PromQueryFormatTable)
}
