package prometheus

import "strings"

// Scope says which labels tell where a series comes from, and so which of
// the dashboard's tenant and workspace variables must filter it.
type Scope int

const (
	// Process series describe an exporter process as a whole.
	Process Scope = iota
	// Tenant series carry the tenant label.
	Tenant
	// Workspace series carry the tenant and workspace labels.
	Workspace
)

// ExporterMetrics returns the metric families that securitycopilot_exporter
// exposes besides the standard go_* and process_* ones, with their scope.
func ExporterMetrics() map[string]Scope {
	return map[string]Scope{
		"securitycopilot_up":                                                    Workspace,
		"securitycopilot_sessions":                                              Workspace,
		"securitycopilot_sessions_created":                                      Workspace,
		"securitycopilot_sessions_active":                                       Workspace,
		"securitycopilot_sessions_newest_created_timestamp_seconds":             Workspace,
		"securitycopilot_sessions_oldest_created_timestamp_seconds":             Workspace,
		"securitycopilot_sessions_last_modified_timestamp_seconds":              Workspace,
		"securitycopilot_scrape_duration_seconds":                               Workspace,
		"securitycopilot_last_success_timestamp_seconds":                        Workspace,
		"securitycopilot_workspace_discovery_success":                           Tenant,
		"securitycopilot_token_requests_total":                                  Tenant,
		"securitycopilot_graph_requests_total":                                  Process,
		"securitycopilot_graph_http_requests_total":                             Process,
		"securitycopilot_graph_request_duration_seconds":                        Process,
		"securitycopilot_graph_retries_total":                                   Process,
		"securitycopilot_exporter_build_info":                                   Process,
		"securitycopilot_exporter_config_last_reload_successful":                Process,
		"securitycopilot_exporter_config_last_reload_success_timestamp_seconds": Process,
		// The activity collector's: only for tenants with activity enabled.
		"securitycopilot_activity_success":            Workspace,
		"securitycopilot_activity_sessions_covered":   Workspace,
		"securitycopilot_activity_sessions_skipped":   Workspace,
		"securitycopilot_prompts_created":             Workspace,
		"securitycopilot_evaluations":                 Workspace,
		"securitycopilot_evaluations_result":          Workspace,
		"securitycopilot_evaluation_duration_seconds": Workspace,
		// The capacity collector's: only for tenants with a capacity section.
		"securitycopilot_capacity_up":                             Tenant,
		"securitycopilot_capacity_last_success_timestamp_seconds": Tenant,
		"securitycopilot_capacity_units":                          Tenant,
		"securitycopilot_capacity_overage_units":                  Tenant,
		"securitycopilot_capacity_info":                           Tenant,
	}
}

// histograms are exposed as _bucket, _sum and _count series, never under
// their own name.
var histograms = map[string]bool{
	"securitycopilot_graph_request_duration_seconds": true,
	"securitycopilot_evaluation_duration_seconds":    true,
}

var histogramSuffixes = []string{"_bucket", "_sum", "_count"}

// Family returns the metric family a series belongs to: the histogram for
// one of its _bucket, _sum and _count series, else the series' own name.
func Family(series string) string {
	for _, suffix := range histogramSuffixes {
		if name, ok := strings.CutSuffix(series, suffix); ok && histograms[name] {
			return name
		}
	}
	return series
}

// Queryable returns every series name that a dashboard or rule may select:
// the exporter's series and the recording rules' results, with their scope.
func Queryable() (map[string]Scope, error) {
	series, err := RecordingRules()
	if err != nil {
		return nil, err
	}
	for name, scope := range ExporterMetrics() {
		if !histograms[name] {
			series[name] = scope
			continue
		}
		for _, suffix := range histogramSuffixes {
			series[name+suffix] = scope
		}
	}
	return series, nil
}
