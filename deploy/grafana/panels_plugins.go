package grafana

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	names "github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Panels of the row Plugins, which the plugin read feeds.

// thirdPartyEnabled is the recording rule of the enabled plugins outside
// Microsoft's categories, which SecurityCopilotThirdPartyPluginEnabled
// watches.
const thirdPartyEnabled = "tenant_workspace:" + names.Plugins + "_third_party_enabled:sum"

func pluginsByCategory() cog.Builder[dashboard.Panel] {
	return tablePanel("Plugins by category and state",
		"The plugins each selected workspace knows, as Microsoft Graph lists them ("+names.Plugins+
			", read every plugins.interval, default 15m), one row per category and state (enabled true or false); categories without plugins are left out.").
		Height(8).Span(12).Decimals(0).
		WithTarget(tableQuery("max by (tenant, workspace, category, enabled) (" + inWorkspaces(names.Plugins) + ") > 0")).
		WithTransformation(organize(map[string]bool{"Time": true}, []string{"tenant", "workspace", "category", "enabled", "Value"}, map[string]string{"Value": "plugins"}))
}

func thirdPartyPlugins() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Enabled non-Microsoft plugins", "Enabled plugins outside the microsoft and microsoftConnectors categories in each selected workspace (recording rule "+
		thirdPartyEnabled+"); SecurityCopilotThirdPartyPluginEnabled alerts when it rises. A step means a plugin was enabled, added or removed.").
		Span(12).Decimals(0).
		WithTarget(rangeQuery("sum by (tenant, workspace) ("+inWorkspaces(thirdPartyEnabled)+")", byWorkspace))
}

func pluginTable() cog.Builder[dashboard.Panel] {
	enabled := "max by (tenant, workspace, plugin, category, catalog_scope, preview_state) (" + inWorkspaces(names.PluginEnabled) + ")"
	info := "max by (tenant, workspace, plugin, display_name) (" + inWorkspaces(names.PluginInfo) + ")"
	return tablePanel("Plugins", "Every plugin of each selected workspace ("+names.PluginEnabled+" and "+names.PluginInfo+
		"), enabled 1 or 0, with its name, display name, category, catalog scope and preview state. Only for tenants with plugins.per_plugin; empty otherwise.").
		Height(10).Span(24).Decimals(0).
		WithTarget(tableQuery(enabled + " * on (tenant, workspace, plugin) group_left (display_name) " + info)).
		WithTransformation(organize(map[string]bool{"Time": true},
			[]string{"tenant", "workspace", "plugin", "display_name", "category", "catalog_scope", "preview_state", "Value"},
			map[string]string{"Value": "enabled", "display_name": "display name", "catalog_scope": "catalog scope", "preview_state": "preview state"}))
}

func pluginReads() cog.Builder[dashboard.Panel] {
	return stateTimelinePanel("Plugin reads", "Whether the workspace's plugins were listed completely, now or within plugins.interval ("+
		names.PluginsSuccess+" 1), or the last listing failed (0); while 0 the other plugin metrics of the workspace are absent. The sessions are read apart: see Workspace reads.").
		WithTarget(rangeQuery("max by (tenant, workspace) ("+inWorkspaces(names.PluginsSuccess)+")", byWorkspace))
}

func pluginListAge() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Plugin list age", "Time since the plugins of each selected workspace were last listed successfully: time() - "+
		names.PluginsLastSuccessTime+". It climbs to plugins.interval (default 15m) and drops at each listing.").
		Unit("s").Legend(legend(common.LegendDisplayModeTable, true, "lastNotNull")).
		WithTarget(rangeQuery("time() - max by (tenant, workspace) ("+inWorkspaces(names.PluginsLastSuccessTime)+")", byWorkspace))
}
