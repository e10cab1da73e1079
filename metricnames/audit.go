package metricnames

// Metrics of the audit usage reader, per tenant with an audit section:
// Security Copilot usage from the Microsoft Purview audit log. The counts
// are per trailing window ending at AuditDataTime, and present only for a
// window AuditWindowComplete says is complete.
const (
	AuditWindowComplete      = "securitycopilot_audit_window_complete"
	AuditInteractions        = "securitycopilot_audit_interactions"
	AuditPrompts             = "securitycopilot_audit_prompts"
	AuditUsers               = "securitycopilot_audit_users"
	AuditSessions            = "securitycopilot_audit_sessions"
	AuditPluginInteractions  = "securitycopilot_audit_plugin_interactions"
	AuditAgentInteractions   = "securitycopilot_audit_agent_interactions"
	AuditAdminEvents         = "securitycopilot_audit_admin_events"
	AuditDataTime            = "securitycopilot_audit_data_timestamp_seconds"
	AuditLastSuccessTime     = "securitycopilot_audit_last_success_timestamp_seconds"
	AuditLastCycleSuccess    = "securitycopilot_audit_last_cycle_success"
	AuditQuerySubmissions    = "securitycopilot_audit_query_submissions"
	AuditQuerySubmittedTotal = "securitycopilot_audit_query_submissions_total"
	AuditQueryFailuresTotal  = "securitycopilot_audit_query_failures_total"
)

// Labels of the audit metrics.
const (
	// AppHost is the surface Security Copilot was used from
	// (CopilotEventData.AppHost), capped; the rest is "other".
	AppHost = "app_host"
	// Operation is an admin event's operation, capped likewise.
	Operation = "operation"
	// Reason is why an audit query failed.
	Reason = "reason"
)
