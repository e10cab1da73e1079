// Package metricnames names the metrics that securitycopilot_exporter
// exposes and their labels. The collectors create their metrics under these
// names; the dashboard, the rules and their tests in deploy/ query them by
// these names, so that a renamed metric cannot leave a panel or an alert
// behind.
package metricnames

// Labels of the exporter's metrics.
const (
	Tenant    = "tenant"
	Workspace = "workspace"
	// Window is the trailing window of a windowed count, e.g. "1h".
	Window = "window"
	// State is an evaluation's state as Microsoft Graph reports it.
	State = "state"
	// Result is an evaluation's result type, or a token request's outcome.
	Result = "result"
	// Code is the HTTP status code of an answer from Microsoft Graph.
	Code = "code"
	// DisplayName is a workspace's displayName as Microsoft Graph lists it.
	DisplayName = "display_name"
	// Auth is a tenant's configured auth method, e.g. "device_code".
	Auth = "auth"
	// TokenKind is "delegated" (a signed-in user's token) or
	// "application" (an app-only token).
	TokenKind = "token_kind"
)

// Metrics of the sessions collector: per workspace, except
// WorkspaceDiscoverySuccess, which is per tenant.
const (
	Up                        = "securitycopilot_up"
	Sessions                  = "securitycopilot_sessions"
	SessionsCreated           = "securitycopilot_sessions_created"
	SessionsActive            = "securitycopilot_sessions_active"
	SessionsNewestCreatedTime = "securitycopilot_sessions_newest_created_timestamp_seconds"
	SessionsOldestCreatedTime = "securitycopilot_sessions_oldest_created_timestamp_seconds"
	SessionsLastModifiedTime  = "securitycopilot_sessions_last_modified_timestamp_seconds"
	ScrapeDurationSeconds     = "securitycopilot_scrape_duration_seconds"
	LastSuccessTime           = "securitycopilot_last_success_timestamp_seconds"
	WorkspaceDiscoverySuccess = "securitycopilot_workspace_discovery_success"
	// WorkspaceInfo is 1 per workspace, with its display name.
	WorkspaceInfo = "securitycopilot_workspace_info"
	// TenantAccessInfo is 1 per tenant, with its auth method and token
	// kind: a delegated count may cover only the signed-in account's
	// sessions.
	TenantAccessInfo = "securitycopilot_tenant_access_info"
	// SignInRequired is 1 while a delegated tenant's sign-in has ended
	// and only --auth.login can restore access; only for auth device_code.
	SignInRequired = "securitycopilot_sign_in_required"
)

// Metrics of the activity collector, per workspace with activity enabled.
const (
	ActivitySuccess         = "securitycopilot_activity_success"
	ActivitySessionsCovered = "securitycopilot_activity_sessions_covered"
	ActivitySessionsSkipped = "securitycopilot_activity_sessions_skipped"
	PromptsCreated          = "securitycopilot_prompts_created"
	Evaluations             = "securitycopilot_evaluations"
	EvaluationsResult       = "securitycopilot_evaluations_result"
	// EvaluationDurationSeconds is a histogram.
	EvaluationDurationSeconds = "securitycopilot_evaluation_duration_seconds"
)

// Metrics of the capacity collector, per tenant with a capacity section:
// CapacityUp and CapacityLastSuccessTime per configured scope, the others
// per capacity read from Azure Resource Manager.
const (
	CapacityUp              = "securitycopilot_capacity_up"
	CapacityLastSuccessTime = "securitycopilot_capacity_last_success_timestamp_seconds"
	CapacityUnits           = "securitycopilot_capacity_units"
	CapacityOverageUnits    = "securitycopilot_capacity_overage_units"
	CapacityInfo            = "securitycopilot_capacity_info"
)

// Labels of the capacity metrics.
const (
	// Scope is a configured subscription (/subscriptions/{id}) or
	// capacity resource id.
	Scope = "scope"
	// Capacity is the capacity's resource name.
	Capacity        = "capacity"
	SubscriptionID  = "subscription_id"
	ResourceGroup   = "resource_group"
	Geo             = "geo"
	CrossGeoCompute = "cross_geo_compute"
	OverageState    = "overage_state"
)

// Metrics of the plugin read, per workspace: PluginsSuccess,
// PluginsLastSuccessTime and Plugins always, PluginEnabled and PluginInfo
// per plugin for tenants with plugins.per_plugin.
const (
	PluginsSuccess         = "securitycopilot_plugins_success"
	PluginsLastSuccessTime = "securitycopilot_plugins_last_success_timestamp_seconds"
	Plugins                = "securitycopilot_plugins"
	PluginEnabled          = "securitycopilot_plugin_enabled"
	PluginInfo             = "securitycopilot_plugin_info"
)

// Labels of the plugin metrics.
const (
	// Category is a plugin's category as Microsoft Graph reports it.
	Category = "category"
	// Enabled is "true" or "false": the plugin's isEnabled.
	Enabled = "enabled"
	// Plugin is a plugin's name, its key in Graph.
	Plugin       = "plugin"
	CatalogScope = "catalog_scope"
	PreviewState = "preview_state"
)

// Metrics of the Graph client, for the whole process except
// TokenRequestsTotal, which is per tenant.
const (
	GraphRequestsTotal     = "securitycopilot_graph_requests_total"
	GraphHTTPRequestsTotal = "securitycopilot_graph_http_requests_total"
	// GraphRequestDurationSeconds is a histogram.
	GraphRequestDurationSeconds = "securitycopilot_graph_request_duration_seconds"
	GraphRetriesTotal           = "securitycopilot_graph_retries_total"
	TokenRequestsTotal          = "securitycopilot_token_requests_total"
)

// Metrics of the exporter process.
const (
	ConfigLastReloadSuccessful  = "securitycopilot_exporter_config_last_reload_successful"
	ConfigLastReloadSuccessTime = "securitycopilot_exporter_config_last_reload_success_timestamp_seconds"
	// BuildInfo is made by prometheus/common's version collector, which
	// names it after the program, securitycopilot_exporter.
	BuildInfo = "securitycopilot_exporter_build_info"
)
