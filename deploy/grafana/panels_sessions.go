package grafana

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	names "github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Panels of the rows Adoption and New and active sessions.

func sessionsStat() cog.Builder[dashboard.Panel] {
	return statPanel("Sessions", "Security Copilot sessions in the selected workspaces: the sum of "+names.Sessions+
		", which the exporter reads from Microsoft Graph (GET /security/securityCopilot/workspaces/{id}/sessions, by @odata.count or by listing). "+
		"A tenant read with delegated access may count only the signed-in account's sessions (see How each tenant reads Graph).").
		Height(8).Span(4).Decimals(0).GraphMode(common.BigValueGraphModeArea).
		WithTarget(rangeQuery("sum("+inWorkspaces(names.Sessions)+")", "Sessions"))
}

// newSessionsStat shows a recorded count of new sessions in the last hour
// or day; windows are the exporter's windows it is recorded from.
func newSessionsStat(record, period, windows string) cog.Builder[dashboard.Panel] {
	return statPanel("New sessions, last "+period, "Sessions created in the last "+period+" in the selected workspaces (recording rule "+
		record+", from "+names.SessionsCreated+windows+").").
		Height(4).Span(4).Decimals(0).
		WithTarget(rangeQuery("sum("+inWorkspaces(record)+")", "Last "+period))
}

func sessionsCreatedBars() cog.Builder[dashboard.Panel] {
	return barGaugePanel("Sessions created per window", "Sessions created within each trailing window of the exporter's `windows` setting ("+
		names.SessionsCreated+"), summed over the selected workspaces. A session younger than a window counts in it.").
		WithTarget(rangeQuery("sum by (window) ("+inWorkspaces(names.SessionsCreated)+")", "{{window}}"))
}

func sessionsCreatedTable() cog.Builder[dashboard.Panel] {
	return tablePanel("Sessions created per window, by workspace",
		"The latest "+names.SessionsCreated+" of each selected workspace, one row per workspace and window.").
		Height(8).Span(10).Decimals(0).
		WithTarget(tableQuery("sum by (tenant, workspace, window) (" + inWorkspaces(names.SessionsCreated) + ")")).
		WithTransformation(organize(map[string]bool{"Time": true}, []string{"tenant", "workspace", "window", "Value"}, map[string]string{"Value": "sessions created"}))
}

func sessionsPerWorkspace() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Sessions per workspace", "Sessions in each selected workspace over time ("+names.Sessions+
		"). Gaps mean the workspace could not be read (see Exporter health).").Decimals(0).
		WithTarget(rangeQuery("sum by (tenant, workspace) ("+inWorkspaces(names.Sessions)+")", byWorkspace))
}

func sessionsPerTenant() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Sessions per tenant", "Sessions in all workspaces of each selected tenant (recording rule "+tenantSessions+
		"). It ignores the workspace selection.").Decimals(0).
		WithTarget(rangeQuery(inTenants(tenantSessions), byTenant))
}

func newSessionsPerHour() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("New sessions per hour", "Sessions created in the hour before each point ("+newSessionsHour+
		"), and, dashed, the usual hourly count of the past 7 days ("+newSessionsHourUsual+") that the spike alert compares it with.").
		Decimals(1).OverrideByRegexp(".* usual$", dashedUnfilled()).
		WithTarget(rangeQuery("sum by (tenant, workspace) ("+inWorkspaces(newSessionsHour)+")", byWorkspace)).
		WithTarget(rangeQuery("sum by (tenant, workspace) ("+inWorkspaces(newSessionsHourUsual)+")", byWorkspace+" usual"))
}

func newSessionsPerDay() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("New sessions per day", "Sessions created in the day before each point ("+newSessionsDay+").").Decimals(0).
		WithTarget(rangeQuery("sum by (tenant, workspace) ("+inWorkspaces(newSessionsDay)+")", byWorkspace))
}

func newSessionsPerTenant() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("New sessions per day, by tenant", "Sessions created in the day before each point in all workspaces of each selected tenant ("+
		tenantNewSessionsDay+"); the hourly sum is dashed. It ignores the workspace selection.").
		Span(8).Decimals(0).
		OverrideByRegexp(".* per hour$", dashedLine()).
		WithTarget(rangeQuery(inTenants(tenantNewSessionsDay), byTenant+" per day")).
		WithTarget(rangeQuery(inTenants(tenantNewSessionsHour), byTenant+" per hour"))
}

func activeSessionsBars() cog.Builder[dashboard.Panel] {
	return barGaugePanel("Active sessions per window", "Sessions modified within each trailing window ("+names.SessionsActive+
		"). Graph updates lastModifiedDateTime when a session is created or renamed, not on every prompt, so this undercounts use.").
		WithTarget(rangeQuery("sum by (window) ("+inWorkspaces(names.SessionsActive)+")", "{{window}}"))
}

func activeSessionsOverTime() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Active sessions over time", "Sessions modified within each trailing window ("+names.SessionsActive+
		"), summed over the selected workspaces. Undercounts use: see Active sessions per window.").
		Span(10).Decimals(0).
		WithTarget(rangeQuery("sum by (window) ("+inWorkspaces(names.SessionsActive)+")", "{{window}}"))
}

func tenantAccess() cog.Builder[dashboard.Panel] {
	return tablePanel("How each tenant reads Graph", "Each selected tenant's auth method and token kind ("+names.TenantAccessInfo+
		"). A delegated tenant reads Graph as a signed-in monitoring account, and Microsoft does not say whether a delegated listing returns every session "+
		"of a workspace or only that account's: its counts above may cover only the account's own sessions. Application (app-only) access reads every session, "+
		"but Microsoft does not let tenants grant it today.").
		Height(5).Span(24).
		WithTarget(tableQuery("max by (tenant, auth, token_kind) (" + inTenants(names.TenantAccessInfo) + ")")).
		WithTransformation(organize(map[string]bool{"Time": true, "Value": true}, []string{"tenant", "auth", "token_kind"}, map[string]string{"token_kind": "token kind"}))
}
