// The dashboard is a classic one (schemaVersion 39), the kind Grafana's file
// provisioning loads; dashboardv2, which the SDK suggests instead, is the
// schema of Grafana 12's dynamic dashboards.
//lint:file-ignore SA1019 dashboard.Dashboard is the schema of the provisioned file

package grafana

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// DashboardFile is the generated dashboard, relative to this directory;
// Grafana's provisioning loads it from there.
const DashboardFile = "dashboards/securitycopilot.json"

// schemaVersion 39 is understood by Grafana 10.4 and later; the SDK would
// write 42, the version of its own, newer Grafana.
const schemaVersion = 39

// rows are the dashboard's rows from top to bottom. To add a panel, write
// a function returning its builder and put it into a line of a row.
func rows() []row {
	return []row{
		{"Adoption", []line{
			{{sessionsStat()}, {
				newSessionsStat(newSessionsHour, "hour", `{window="1h"}`),
				newSessionsStat(newSessionsDay, "day", `{window="1d"} or {window="24h"}`),
			}, {sessionsCreatedBars()}, {sessionsCreatedTable()}},
			{{sessionsPerWorkspace()}, {sessionsPerTenant()}},
			{{tenantAccess()}},
		}},
		{"New and active sessions", []line{
			{{newSessionsPerHour()}, {newSessionsPerDay()}},
			{{newSessionsPerTenant()}, {activeSessionsBars()}, {activeSessionsOverTime()}},
		}},
		{"Prompts and evaluations", []line{
			{{promptsCreated()}, {evaluationResults()}, {capacityExceededStat()}},
			{{provisionedUnits()}},
			{{evaluationsByState()}, {evaluationDuration()}},
			{{sessionsCovered()}, {activityReads()}},
		}},
		{"Plugins", []line{
			{{pluginsByCategory()}, {thirdPartyPlugins()}},
			{{pluginTable()}},
			{{pluginReads()}, {pluginListAge()}},
		}},
		{"Usage (audit log)", []line{
			{{auditUsers()}, {auditSessions()}, {auditAgents()}, {auditBySurface()}},
			{{auditByPlugin()}, {auditAdminEvents()}, {auditDataAge()}},
		}},
		{"Age", []line{
			{{newestSessionAge()}, {oldestSessionAge()}, {lastActivity()}},
			{{sessionAges()}},
		}},
		{"Exporter health", []line{
			{{workspaceReads()}, {dataAge()}, {workspaceDiscovery()}},
			{{scrapeDuration()}, {tokenRequests()}},
			{{graphRequests()}, {graphRetries()}},
			{{throttledShare()}, {graphLatency()}, {configReload(), exporterBuild()}},
		}},
	}
}

// Dashboard builds the dashboard.
func Dashboard() (dashboard.Dashboard, error) {
	b := dashboard.NewDashboardBuilder("Security Copilot sessions").
		Uid("securitycopilot-exporter").
		Description("Microsoft Security Copilot sessions per tenant and workspace, read from Microsoft Graph by securitycopilot_exporter. "+
			"Needs the recording rules of deploy/prometheus/rules/recording.yml. "+
			"The Prompts and evaluations row needs the exporter's activity collector, enabled per tenant. "+
			"A tenant read with delegated access (a signed-in account) may count only that account's sessions: see How each tenant reads Graph.").
		Tags([]string{"security-copilot", "microsoft-graph", "prometheus"}).
		Editable().Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Time("now-7d", "now").Timezone("browser").Refresh("1m").
		FiscalYearStartMonth(0).LiveNow(false).WeekStart("").Version(1).
		Annotation(dashboard.NewAnnotationQueryBuilder().Name("Annotations & Alerts").BuiltIn(1).
			Datasource(grafanaDatasource).Enable(true).Hide(true).IconColor("rgba(0, 211, 255, 1)").Type("dashboard"))
	for _, v := range variables() {
		b.WithVariable(v)
	}
	if err := layOut(b, rows()); err != nil {
		return dashboard.Dashboard{}, err
	}
	d, err := b.Build()
	if err != nil {
		return dashboard.Dashboard{}, fmt.Errorf("build dashboard: %w", err)
	}
	d.SchemaVersion = schemaVersion
	return d, nil
}

// DashboardJSON is the dashboard as Grafana's provisioning reads it.
func DashboardJSON() ([]byte, error) {
	d, err := Dashboard()
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode dashboard: %w", err)
	}
	return append(data, '\n'), nil
}
