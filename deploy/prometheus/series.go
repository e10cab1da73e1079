package prometheus

import (
	"maps"
	"strings"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

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
		metricnames.Up:                          Workspace,
		metricnames.Sessions:                    Workspace,
		metricnames.SessionsCreated:             Workspace,
		metricnames.SessionsActive:              Workspace,
		metricnames.SessionsNewestCreatedTime:   Workspace,
		metricnames.SessionsOldestCreatedTime:   Workspace,
		metricnames.SessionsLastModifiedTime:    Workspace,
		metricnames.ScrapeDurationSeconds:       Workspace,
		metricnames.LastSuccessTime:             Workspace,
		metricnames.WorkspaceDiscoverySuccess:   Tenant,
		metricnames.WorkspaceInfo:               Workspace,
		metricnames.TenantAccessInfo:            Tenant,
		metricnames.SignInRequired:              Tenant,
		metricnames.TokenRequestsTotal:          Tenant,
		metricnames.GraphRequestsTotal:          Process,
		metricnames.GraphHTTPRequestsTotal:      Process,
		metricnames.GraphRequestDurationSeconds: Process,
		metricnames.GraphRetriesTotal:           Process,
		metricnames.BuildInfo:                   Process,
		metricnames.ConfigLastReloadSuccessful:  Process,
		metricnames.ConfigLastReloadSuccessTime: Process,
		// The activity collector's: only for tenants with activity enabled.
		metricnames.ActivitySuccess:           Workspace,
		metricnames.ActivitySessionsCovered:   Workspace,
		metricnames.ActivitySessionsSkipped:   Workspace,
		metricnames.PromptsCreated:            Workspace,
		metricnames.Evaluations:               Workspace,
		metricnames.EvaluationsResult:         Workspace,
		metricnames.EvaluationDurationSeconds: Workspace,
		// The capacity collector's: only for tenants with a capacity section.
		metricnames.CapacityUp:              Tenant,
		metricnames.CapacityLastSuccessTime: Tenant,
		metricnames.CapacityUnits:           Tenant,
		metricnames.CapacityOverageUnits:    Tenant,
		metricnames.CapacityInfo:            Tenant,
		// The plugin read's: PluginEnabled and PluginInfo only for tenants
		// with plugins.per_plugin.
		metricnames.PluginsSuccess:         Workspace,
		metricnames.PluginsLastSuccessTime: Workspace,
		metricnames.Plugins:                Workspace,
		metricnames.PluginEnabled:          Workspace,
		metricnames.PluginInfo:             Workspace,
		// The audit usage reader's: only for tenants with an audit section.
		metricnames.AuditWindowComplete:      Tenant,
		metricnames.AuditInteractions:        Tenant,
		metricnames.AuditPrompts:             Tenant,
		metricnames.AuditUsers:               Tenant,
		metricnames.AuditSessions:            Tenant,
		metricnames.AuditPluginInteractions:  Tenant,
		metricnames.AuditAgentInteractions:   Tenant,
		metricnames.AuditAdminEvents:         Tenant,
		metricnames.AuditDataTime:            Tenant,
		metricnames.AuditLastSuccessTime:     Tenant,
		metricnames.AuditLastCycleSuccess:    Tenant,
		metricnames.AuditQuerySubmissions:    Tenant,
		metricnames.AuditQuerySubmittedTotal: Tenant,
		metricnames.AuditQueryFailuresTotal:  Tenant,
	}
}

// histograms are exposed as _bucket, _sum and _count series, never under
// their own name.
var histograms = map[string]bool{
	metricnames.GraphRequestDurationSeconds: true,
	metricnames.EvaluationDurationSeconds:   true,
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

// ExporterSeries returns the name of every series the exporter exposes,
// with its scope: a histogram's _bucket, _sum and _count series in place of
// its own name.
func ExporterSeries() map[string]Scope {
	series := map[string]Scope{}
	for name, scope := range ExporterMetrics() {
		if !histograms[name] {
			series[name] = scope
			continue
		}
		for _, suffix := range histogramSuffixes {
			series[name+suffix] = scope
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
	maps.Copy(series, ExporterSeries())
	return series, nil
}
