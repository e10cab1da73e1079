package grafana

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"

	names "github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Panels of the rows Age and Exporter health.

// sinceTime is the time since a per-workspace point in time.
func sinceTime(metric string) string {
	return "time() - " + inWorkspaces(metric)
}

// ageStat shows, per workspace, the time since a point in time of its
// sessions.
func ageStat(title, description, metric string) *stat.PanelBuilder {
	return statPanel(title, description).Height(6).Span(8).Unit("s").
		WithTarget(rangeQuery(sinceTime(metric), byWorkspace))
}

// quietForADay turns yellow after a day without anything new and red after
// a week.
func quietForADay() *dashboard.ThresholdsConfigBuilder {
	return thresholds("green", from(86400, "yellow"), from(604800, "red"))
}

func newestSessionAge() cog.Builder[dashboard.Panel] {
	return ageStat("Age of newest session", "Time since the newest session of each selected workspace was created: time() - "+
		names.SessionsNewestCreatedTime+". Absent for an empty workspace.", names.SessionsNewestCreatedTime).
		Thresholds(quietForADay())
}

func oldestSessionAge() cog.Builder[dashboard.Panel] {
	return ageStat("Age of oldest session", "Time since the oldest session of each selected workspace was created: time() - "+
		names.SessionsOldestCreatedTime+". Graph's retention decides how far back it goes.", names.SessionsOldestCreatedTime).
		ColorScheme(colour(dashboard.FieldColorModeIdFixed))
}

func lastActivity() cog.Builder[dashboard.Panel] {
	return ageStat("Last activity", "Time since the latest lastModifiedDateTime of any session of each selected workspace (creation or rename): time() - "+
		names.SessionsLastModifiedTime+".", names.SessionsLastModifiedTime).
		Thresholds(quietForADay())
}

func sessionAges() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Session ages over time", "Age of the newest and oldest session and time since the last modification, per selected workspace.").
		Span(24).Unit("s").
		WithTarget(rangeQuery(sinceTime(names.SessionsNewestCreatedTime), "newest "+byWorkspace)).
		WithTarget(rangeQuery(sinceTime(names.SessionsOldestCreatedTime), "oldest "+byWorkspace)).
		WithTarget(rangeQuery(sinceTime(names.SessionsLastModifiedTime), "last modified "+byWorkspace))
}

func workspaceReads() cog.Builder[dashboard.Panel] {
	return stateTimelinePanel("Workspace reads", "Whether each scrape read the workspace completely ("+names.Up+
		" 1) or a request for it failed (0). The exporter's log names Graph's error and request-id.").
		WithTarget(rangeQuery(withDisplayName("max by (tenant, workspace) ("+inWorkspaces(names.Up)+")"), byWorkspace+" {{display_name}}"))
}

func dataAge() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Data age", "Time since each selected workspace was last read successfully: time() - "+names.LastSuccessTime+
		". The exporter may serve cached results for collection.cache_ttl; the alert SecurityCopilotDataStale fires above 30 minutes.").
		Span(6).Unit("s").Legend(legend(common.LegendDisplayModeTable, true, "lastNotNull")).
		WithTarget(rangeQuery("time() - max by (tenant, workspace) ("+inWorkspaces(names.LastSuccessTime)+")", byWorkspace))
}

func workspaceDiscovery() cog.Builder[dashboard.Panel] {
	return statPanel("Workspace discovery", "Whether listing each selected tenant's workspaces works ("+names.WorkspaceDiscoverySuccess+
		"); only for tenants whose workspaces are discovered, not listed in the configuration.").
		Height(8).Span(6).Mappings(okOrFailed).Thresholds(failedBelowOne()).
		WithTarget(rangeQuery("max by (tenant) ("+inTenants(names.WorkspaceDiscoverySuccess)+")", byTenant))
}

func scrapeDuration() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Scrape duration per workspace", "Time each scrape spent reading each selected workspace from Graph, retries included ("+
		names.ScrapeDurationSeconds+"). Close to scrape_timeout means the workspace is at risk of failing.").
		Unit("s").
		WithTarget(rangeQuery("max by (tenant, workspace) ("+inWorkspaces(names.ScrapeDurationSeconds)+")", byWorkspace))
}

func tokenRequests() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Token requests", "Access tokens asked of Entra ID per hour, by tenant and result ("+names.TokenRequestsTotal+
		"). Tokens are cached, so about one success per tenant per hour is normal; errors usually mean an expired secret or certificate.").
		Decimals(0).DrawStyle(common.GraphDrawStyleBars).FillOpacity(60).
		OverrideByRegexp(".* error$", red()).
		WithTarget(rangeQuery("sum by (tenant, result) (increase("+inTenants(names.TokenRequestsTotal)+"[1h]))", byTenant+" {{result}}"))
}

func graphRequests() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Graph requests by status code", "Requests to Microsoft Graph per second by HTTP status of their answer ("+names.GraphRequestsTotal+
		`; "error" when no answer came), each retry counted, whether sent alone or inside a $batch; and HTTP round trips (`+names.GraphHTTPRequestsTotal+
		"), where a $batch counts once. For all exporters: these metrics have no tenant label.").
		Unit("reqps").
		WithTarget(rangeQuery("sum by (code) (rate("+names.GraphRequestsTotal+"[$__rate_interval]))", "{{code}}")).
		WithTarget(rangeQuery("sum(rate("+names.GraphHTTPRequestsTotal+"[$__rate_interval]))", "HTTP round trips"))
}

func graphRetries() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Graph retries and throttling", "Requests sent again after 429, 500, 502, 503, 504, a transport error or a refused token ("+names.GraphRetriesTotal+
		"), and answers 429 Too Many Requests, per second. For all exporters.").
		Unit("reqps").
		WithTarget(rangeQuery("sum(rate("+names.GraphRetriesTotal+"[$__rate_interval]))", "retries")).
		WithTarget(rangeQuery("sum(rate("+names.GraphRequestsTotal+`{code="429"}[$__rate_interval])) or vector(0)`, "429 answers"))
}

func throttledShare() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Throttled share of Graph requests", "Share of Graph requests answered 429 over 5 minutes, per Prometheus job (recording rule "+
		throttledRequestsRatio+"). The alert SecurityCopilotGraphThrottled fires above 10% for 15 minutes.").
		Span(8).Unit("percentunit").Max(1).
		Thresholds(thresholds("green", from(0.1, "red"))).ColorScheme(colour(dashboard.FieldColorModeIdThresholds)).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed)).
		WithTarget(rangeQuery(throttledRequestsRatio, "{{job}}"))
}

func graphLatency() cog.Builder[dashboard.Panel] {
	buckets := names.GraphRequestDurationSeconds + "_bucket"
	return timeseriesPanel("Graph request latency", "Time from sending a request to Graph until its answer's headers arrived, per HTTP round trip ("+
		names.GraphRequestDurationSeconds+"): median, 95th and 99th percentile. For all exporters.").
		Span(8).Unit("s").
		WithTarget(rangeQuery(quantile("0.5", buckets), "p50")).
		WithTarget(rangeQuery(quantile("0.95", buckets), "p95")).
		WithTarget(rangeQuery(quantile("0.99", buckets), "p99"))
}

func configReload() cog.Builder[dashboard.Panel] {
	return statPanel("Configuration reload", "Whether the last configuration reload of every exporter worked ("+names.ConfigLastReloadSuccessful+
		"; a failed reload keeps the previous configuration), and the time since the oldest of the exporters' last successful reloads ("+
		names.ConfigLastReloadSuccessTime+").").
		Height(4).Span(8).
		OverrideByName("last reload", []dashboard.DynamicConfigValue{
			{Id: "mappings", Value: okOrFailed},
			{Id: "thresholds", Value: dashboard.ThresholdsConfig{Mode: dashboard.ThresholdsModeAbsolute, Steps: []dashboard.Threshold{{Color: "red"}, from(1, "green")}}},
		}).
		OverrideByName("since reload", []dashboard.DynamicConfigValue{{Id: "unit", Value: "s"}}).
		WithTarget(rangeQuery("min("+names.ConfigLastReloadSuccessful+")", "last reload")).
		WithTarget(rangeQuery("time() - min("+names.ConfigLastReloadSuccessTime+")", "since reload"))
}

func exporterBuild() cog.Builder[dashboard.Panel] {
	return tablePanel("Exporter build", "Version, revision and Go version of each exporter ("+names.BuildInfo+").").
		Height(4).Span(8).
		WithTarget(tableQuery("max by (instance, version, revision, goversion) (" + names.BuildInfo + ")")).
		WithTransformation(organize(map[string]bool{"Time": true, "Value": true}, []string{"instance", "version", "revision", "goversion"}, map[string]string{}))
}
