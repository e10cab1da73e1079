package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// auditDescs describe the audit usage metrics. No metric has a user label:
// user names are personal data, and only distinct counts are exported.
type auditDescs struct {
	complete, interactions, prompts, users, sessions, plugins, agent, admin *prometheus.Desc
	dataTime, lastSuccess, cycleOK, submissions, submitted, failures        *prometheus.Desc
}

const auditSource = " From the Microsoft Purview audit log through Microsoft Graph's audit log query API (POST /security/auditLog/queries, operation CopilotInteraction, records whose AppIdentity is Copilot.Security.SecurityCopilot), read in the background every audit.interval; over the trailing window ending at securitycopilot_audit_data_timestamp_seconds, not at the scrape. Absent while the window is not complete."

func newAuditDescs() auditDescs {
	tw := []string{metricnames.Tenant, metricnames.Window}
	with := func(l string) []string { return append(append([]string{}, tw...), l) }
	tenant := []string{metricnames.Tenant}
	return auditDescs{
		complete: prometheus.NewDesc(metricnames.AuditWindowComplete,
			"1 if every hour of the window was covered by a finished audit log query, so the window's audit usage metrics are exported; 0 if not (after a start, while the window is refilled, or after failed queries), and then they are absent.",
			tw, nil),
		interactions: prometheus.NewDesc(metricnames.AuditInteractions,
			"Security Copilot interactions (audit records, one per prompt and answer exchange) by surface: app_host is CopilotEventData.AppHost, the most used values up to audit.max_surfaces, the rest as \"other\", none as \"unknown\"."+auditSource,
			with(metricnames.AppHost), nil),
		prompts: prometheus.NewDesc(metricnames.AuditPrompts,
			"Prompts of Security Copilot interactions (messages with isPrompt true) by surface, app_host as in securitycopilot_audit_interactions."+auditSource,
			with(metricnames.AppHost), nil),
		users: prometheus.NewDesc(metricnames.AuditUsers,
			"Distinct accounts (autonomous agents included) that interacted with Security Copilot."+auditSource,
			tw, nil),
		sessions: prometheus.NewDesc(metricnames.AuditSessions,
			"Distinct Security Copilot sessions (CopilotEventData.ThreadId) with an interaction."+auditSource,
			tw, nil),
		plugins: prometheus.NewDesc(metricnames.AuditPluginInteractions,
			"Security Copilot interactions that used a plugin (CopilotEventData.AISystemPlugin), by plugin name, up to audit.max_plugins, the rest as \"other\"; an interaction with two plugins counts for each."+auditSource,
			with(metricnames.Plugin), nil),
		agent: prometheus.NewDesc(metricnames.AuditAgentInteractions,
			"Security Copilot interactions of autonomous agents (account SecurityCopilotAgentUser-…)."+auditSource,
			tw, nil),
		admin: prometheus.NewDesc(metricnames.AuditAdminEvents,
			"Security Copilot admin events (plugins, workspaces, promptbooks, settings changed) by operation, among audit.admin_operations."+auditSource,
			with(metricnames.Operation), nil),
		dataTime: prometheus.NewDesc(metricnames.AuditDataTime,
			"Unix time of the end of the newest hour covered by a finished audit log query: the end of every audit window. Audit records arrive 60 to 90 minutes late, so it trails now by at least audit.delay. Absent until the first query finished.",
			tenant, nil),
		lastSuccess: prometheus.NewDesc(metricnames.AuditLastSuccessTime,
			"Unix time at which the last audit read cycle ended with nothing left due and no query failed. Absent until then.",
			tenant, nil),
		cycleOK: prometheus.NewDesc(metricnames.AuditLastCycleSuccess,
			"1 if the last audit read cycle ended well, 0 if a query failed (failed, cancelled, not finished within audit.query_timeout, unreadable) or the daily budget was spent, or no cycle has ended yet.",
			tenant, nil),
		submissions: prometheus.NewDesc(metricnames.AuditQuerySubmissions,
			"Audit log queries this exporter submitted for the tenant in the trailing 24 hours, at most audit.queries_per_day; Graph allows at least 200 per tenant, shared with other tools.",
			tenant, nil),
		submitted: prometheus.NewDesc(metricnames.AuditQuerySubmittedTotal,
			"Audit log queries this exporter process submitted for the tenant to Microsoft Graph (POST /security/auditLog/queries), refused submissions included.",
			tenant, nil),
		failures: prometheus.NewDesc(metricnames.AuditQueryFailuresTotal,
			"Audit log queries or cycles that failed, by reason: create, poll, failed, cancelled, timeout, records, truncated (the window was split and queried again), budget.",
			[]string{metricnames.Tenant, metricnames.Reason}, nil),
	}
}

func (d auditDescs) describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{d.complete, d.interactions, d.prompts, d.users, d.sessions, d.plugins, d.agent, d.admin,
		d.dataTime, d.lastSuccess, d.cycleOK, d.submissions, d.submitted, d.failures} {
		ch <- desc
	}
}

// auditFailureReasons are exported from the first scrape on, zeros included.
var auditFailureReasons = []string{"budget", "cancelled", "create", "failed", "poll", "records", "timeout", "truncated"}

// emitAudit sends the tenant's latest audit snapshot; it never waits for
// a query.
func (s *scrape) emitAudit(ch chan<- prometheus.Metric, t *tenant) {
	if t.audit == nil {
		return
	}
	d, name := s.e.descs.audit, t.cfg.Name
	snap := t.audit.reader.Snapshot()
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, append([]string{name}, labels...)...)
	}
	counter := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, v, append([]string{name}, labels...)...)
	}
	if !snap.Summary.End.IsZero() {
		gauge(d.dataTime, unixSeconds(snap.Summary.End))
	}
	if !snap.LastSuccess.IsZero() {
		gauge(d.lastSuccess, unixSeconds(snap.LastSuccess))
	}
	ok := 0.0
	if snap.LastCycleOK {
		ok = 1
	}
	gauge(d.cycleOK, ok)
	gauge(d.submissions, float64(snap.Submissions))
	counter(d.submitted, float64(snap.Submitted))
	for _, r := range auditFailureReasons {
		counter(d.failures, float64(snap.Failures[r]), r)
	}
	for _, w := range snap.Summary.Windows {
		wl := w.Window.Label
		if w.Stale {
			gauge(d.complete, 0, wl)
			continue
		}
		gauge(d.complete, 1, wl)
		for host, n := range w.Interactions {
			gauge(d.interactions, float64(n), wl, host)
			gauge(d.prompts, float64(w.Prompts[host]), wl, host)
		}
		for p, n := range w.Plugins {
			gauge(d.plugins, float64(n), wl, p)
		}
		for op, n := range w.Admin {
			gauge(d.admin, float64(n), wl, op)
		}
		gauge(d.users, float64(w.Users), wl)
		gauge(d.sessions, float64(w.Sessions), wl)
		gauge(d.agent, float64(w.Agent), wl)
	}
}
