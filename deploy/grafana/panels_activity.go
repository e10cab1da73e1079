package grafana

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	names "github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Panels of the row Prompts and evaluations, which the activity collector
// feeds.

func promptsCreated() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Prompts created per window", "Prompts created within each trailing window ("+names.PromptsCreated+
		"), in the sessions the activity collector covers: created or modified within its lookback, at most max_sessions per workspace (see Sessions covered by activity). Only for tenants with activity enabled.").
		Span(8).Decimals(0).
		WithTarget(rangeQuery("sum by (window) ("+inWorkspaces(names.PromptsCreated)+")", "{{window}}"))
}

func evaluationResults() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Evaluation results", "Evaluations of the covered sessions' prompts by result ("+names.EvaluationsResult+
		"), stacked. "+capacityExceededResult+", in red, means the tenant's Security Compute Units (SCU) ran out; the counts fall as sessions leave the activity lookback.").
		Span(10).Decimals(0).Stacking(stacking(common.StackingModeNormal)).
		OverrideByName(capacityExceededResult, red()).
		WithTarget(rangeQuery("sum by (result) ("+inWorkspaces(names.EvaluationsResult)+")", "{{result}}"))
}

func capacityExceededStat() cog.Builder[dashboard.Panel] {
	return statPanel("Capacity-exceeded evaluations", "Evaluations of the covered sessions that ended with "+capacityExceededResult+
		" because the tenant's Security Compute Units (SCU) ran out (recording rule "+capacityExceeded+
		"). Red from 1; SecurityCopilotCapacityExceeded alerts when the count rises.").
		Height(8).Span(6).Decimals(0).Thresholds(thresholds("green", from(1, "red"))).ColorMode(common.BigValueColorModeBackground).
		WithTarget(rangeQuery("sum("+inWorkspaces(capacityExceeded)+")", capacityExceededResult))
}

func evaluationsByState() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Evaluations by state", "Evaluations of the covered sessions' prompts by state ("+names.Evaluations+
		"), stacked: running, pending or waitingForInput ones are still in progress.").
		Decimals(0).Stacking(stacking(common.StackingModeNormal)).
		WithTarget(rangeQuery("sum by (state) ("+inWorkspaces(names.Evaluations)+")", "{{state}}"))
}

func evaluationDuration() cog.Builder[dashboard.Panel] {
	buckets := inWorkspaces(names.EvaluationDurationSeconds + "_bucket")
	return timeseriesPanel("Evaluation duration", "Time from the start of an evaluation's run to its completion ("+names.EvaluationDurationSeconds+
		"): median, 90th and 99th percentile of the evaluations that completed in each interval, each counted once, when the exporter first saw it completed. Empty while none completed; the largest bucket is 600 s, so longer runs show as 600 s.").
		Unit("s").
		WithTarget(rangeQuery(quantile("0.5", buckets), "p50")).
		WithTarget(rangeQuery(quantile("0.9", buckets), "p90")).
		WithTarget(rangeQuery(quantile("0.99", buckets), "p99"))
}

func sessionsCovered() cog.Builder[dashboard.Panel] {
	return timeseriesPanel("Sessions covered by activity", "Sessions whose prompts the activity collector read ("+names.ActivitySessionsCovered+
		"): created or modified within its lookback, newest first, at most max_sessions; and, dashed, those within the lookback left out by max_sessions ("+
		names.ActivitySessionsSkipped+"). Raise max_sessions if sessions are skipped.").
		Decimals(0).OverrideByRegexp(".* skipped$", dashedUnfilled()).
		WithTarget(rangeQuery("sum by (tenant, workspace) ("+inWorkspaces(names.ActivitySessionsCovered)+")", byWorkspace+" covered")).
		WithTarget(rangeQuery("sum by (tenant, workspace) ("+inWorkspaces(names.ActivitySessionsSkipped)+")", byWorkspace+" skipped"))
}

func activityReads() cog.Builder[dashboard.Panel] {
	return stateTimelinePanel("Activity reads", "Whether the workspace's prompts and evaluations were read completely, in this scrape or from the cache ("+
		names.ActivitySuccess+" 1), or not (0); while 0 the other activity metrics of the workspace are absent. The exporter's log names Graph's error and request-id.").
		WithTarget(rangeQuery("max by (tenant, workspace) ("+inWorkspaces(names.ActivitySuccess)+")", byWorkspace))
}
