package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

var workspaceLabels = []string{metricnames.Tenant, metricnames.Workspace}

// descs are the per-scrape metric descriptions. HELP texts say where each
// number comes from, because lastModifiedDateTime in particular is easy to
// misread.
type descs struct {
	up, sessions, created, active           *prometheus.Desc
	newest, oldest, lastModified            *prometheus.Desc
	duration, lastSuccess, discoverySuccess *prometheus.Desc
	workspaceInfo, tenantAccess, signIn     *prometheus.Desc
	activity                                activityDescs
	capacity                                capacityDescs
	plugins                                 pluginDescs
	audit                                   auditDescs
}

func newDescs() descs {
	windowLabels := append(append([]string{}, workspaceLabels...), metricnames.Window)
	return descs{
		up: prometheus.NewDesc(metricnames.Up,
			"1 if the workspace's sessions were read from Microsoft Graph completely, in this scrape or within collection.cache_ttl before it (see securitycopilot_last_success_timestamp_seconds); 0 if any request for it failed, and then its other session metrics are absent.",
			workspaceLabels, nil),
		sessions: prometheus.NewDesc(metricnames.Sessions,
			"Security Copilot sessions in the workspace, as counted by Microsoft Graph (@odata.count) or by listing them; possibly cached for collection.cache_ttl.",
			workspaceLabels, nil),
		created: prometheus.NewDesc(metricnames.SessionsCreated,
			"Sessions whose createdDateTime lies within the trailing window before the scrape, i.e. sessions younger than the window.",
			windowLabels, nil),
		active: prometheus.NewDesc(metricnames.SessionsActive,
			"Sessions whose lastModifiedDateTime lies within the trailing window before the scrape. Graph updates lastModifiedDateTime when a session is created or renamed (its displayName changes), not on every prompt, so this undercounts use.",
			windowLabels, nil),
		newest: prometheus.NewDesc(metricnames.SessionsNewestCreatedTime,
			"Unix time of the newest session's createdDateTime; time() minus this is the age of the newest session. Absent for an empty workspace.",
			workspaceLabels, nil),
		oldest: prometheus.NewDesc(metricnames.SessionsOldestCreatedTime,
			"Unix time of the oldest session's createdDateTime; time() minus this is the age of the oldest session. Absent for an empty workspace.",
			workspaceLabels, nil),
		lastModified: prometheus.NewDesc(metricnames.SessionsLastModifiedTime,
			"Unix time of the latest lastModifiedDateTime of any session in the workspace (creation or rename). Absent for an empty workspace.",
			workspaceLabels, nil),
		duration: prometheus.NewDesc(metricnames.ScrapeDurationSeconds,
			"Seconds spent reading the workspace from Microsoft Graph, retries included, by the fetch whose numbers this scrape shows (a cached fetch keeps its duration).",
			workspaceLabels, nil),
		lastSuccess: prometheus.NewDesc(metricnames.LastSuccessTime,
			"Unix time at which the workspace was last read from Microsoft Graph successfully by this exporter process. Absent until the first success.",
			workspaceLabels, nil),
		discoverySuccess: prometheus.NewDesc(metricnames.WorkspaceDiscoverySuccess,
			"1 if listing the tenant's workspaces (GET /security/securityCopilot/workspaces) succeeded in this scrape or is cached from a recent success, else 0; also 0 while the listing had workspaces left out, beyond collection.max_workspaces_per_tenant or with ids that are not workspace ids (the log says which), the others being read. Only for tenants without a configured workspace list.",
			[]string{metricnames.Tenant}, nil),
		workspaceInfo: prometheus.NewDesc(metricnames.WorkspaceInfo,
			"Always 1, for each workspace read, with its displayName as Microsoft Graph lists it (GET /security/securityCopilot/workspaces, read at most every 5 minutes), so that dashboards can show names instead of ids; join on tenant and workspace. Absent while Graph has not told the name.",
			[]string{metricnames.Tenant, metricnames.Workspace, metricnames.DisplayName}, nil),
		tenantAccess: newTenantAccessDesc(),
		signIn:       newSignInDesc(),
		activity:     newActivityDescs(),
		capacity:     newCapacityDescs(),
		plugins:      newPluginDescs(),
		audit:        newAuditDescs(),
	}
}

func (d descs) describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{d.up, d.sessions, d.created, d.active, d.newest, d.oldest,
		d.lastModified, d.duration, d.lastSuccess, d.discoverySuccess, d.workspaceInfo, d.tenantAccess, d.signIn} {
		ch <- desc
	}
	d.activity.describe(ch)
	d.capacity.describe(ch)
	d.plugins.describe(ch)
	d.audit.describe(ch)
}
