package grafana

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	names "github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Panels of the row Usage (audit log), which the audit usage reader feeds:
// who used Security Copilot, from where and with which plugins, over the
// last complete day of audit data.

// auditDay selects the one-day window of an audit series of the chosen
// tenants; replicas reading the same tenant are deduplicated by max.
func auditDay(metric string) string {
	return fmt.Sprintf(`%s{%s=~"$tenant", %s="1d"}`, metric, names.Tenant, names.Window)
}

const auditNote = " From the Microsoft Purview audit log, over the day ending at the audit data time (records arrive 1 to 2 hours late); only for tenants with an audit section."

func auditStat(title, what, metric string) cog.Builder[dashboard.Panel] {
	return statPanel(title, what+" ("+metric+`{window="1d"}`+", summed over the selected tenants)."+auditNote).
		Height(8).Span(4).Decimals(0).
		WithTarget(rangeQuery("sum(max by (tenant) ("+auditDay(metric)+"))", ""))
}

func auditUsers() cog.Builder[dashboard.Panel] {
	return auditStat("Users per day", "Distinct accounts that used Security Copilot, agents included", names.AuditUsers)
}

func auditSessions() cog.Builder[dashboard.Panel] {
	return auditStat("Sessions per day", "Distinct Security Copilot sessions with an interaction", names.AuditSessions)
}

func auditAgents() cog.Builder[dashboard.Panel] {
	return auditStat("Agent interactions per day", "Interactions of autonomous Security Copilot agents", names.AuditAgentInteractions)
}

func auditBySurface() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Interactions per day by surface", "Security Copilot interactions by surface (app_host: standalone, Copilot in Defender, Logic App, …; the rarest counted as other), "+
		names.AuditInteractions+`{window="1d"}.`+auditNote).
		Decimals(0).
		WithTarget(rangeQuery("sum by (app_host) (max by (tenant, app_host) ("+auditDay(names.AuditInteractions)+"))", "{{app_host}}"))
}

func auditByPlugin() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Interactions per day by plugin", "Security Copilot interactions that used each plugin ("+names.AuditPluginInteractions+
		`{window="1d"}; an interaction with two plugins counts for each).`+auditNote).
		Span(8).Decimals(0).
		WithTarget(rangeQuery("sum by (plugin) (max by (tenant, plugin) ("+auditDay(names.AuditPluginInteractions)+"))", "{{plugin}}"))
}

func auditAdminEvents() cog.Builder[dashboard.Panel] {
	return tablePanel("Admin events per day", "Security Copilot admin events (plugins enabled or disabled, settings changed, …) by tenant and operation ("+
		names.AuditAdminEvents+`{window="1d"}).`+auditNote).
		Height(8).Span(8).Decimals(0).
		WithTarget(tableQuery("max by (tenant, operation) (" + auditDay(names.AuditAdminEvents) + ") > 0")).
		WithTransformation(organize(map[string]bool{"Time": true}, []string{"tenant", "operation", "Value"}, map[string]string{"Value": "events"}))
}

func auditDataAge() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Audit data age", "Time since the end of the newest hour of audit data: time() - "+names.AuditDataTime+
		". The reader queries whole hours audit.delay (default 2h) after they end, every audit.interval (default 1h), so it moves between about 2 and 3 hours; SecurityCopilotAuditDataStale fires above 6 hours.").
		Span(8).Unit("s").Legend(legend(common.LegendDisplayModeTable, true, "lastNotNull")).
		WithTarget(rangeQuery("time() - max by (tenant) ("+inTenants(names.AuditDataTime)+")", byTenant))
}
