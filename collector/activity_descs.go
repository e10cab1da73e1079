package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// activityDescs describe the activity metrics, exported only for tenants
// with activity enabled.
type activityDescs struct {
	success, covered, skipped, prompts *prometheus.Desc
	evaluations, results, duration     *prometheus.Desc
}

func newActivityDescs() activityDescs {
	with := func(label string) []string { return append(append([]string{}, workspaceLabels...), label) }
	return activityDescs{
		success: prometheus.NewDesc(metricnames.ActivitySuccess,
			"1 if the prompts and evaluations of the workspace's covered sessions were read from Microsoft Graph completely, in this scrape or within collection.cache_ttl before it; 0 if any request for them failed, and then the other activity gauges are absent.",
			workspaceLabels, nil),
		covered: prometheus.NewDesc(metricnames.ActivitySessionsCovered,
			"Sessions whose prompts and evaluations the activity gauges count: those Microsoft Graph lists as created or modified (createdDateTime, lastModifiedDateTime) within activity.lookback, the most recently active first, at most activity.max_sessions.",
			workspaceLabels, nil),
		skipped: prometheus.NewDesc(metricnames.ActivitySessionsSkipped,
			"Sessions Microsoft Graph lists as created or modified within activity.lookback that activity.max_sessions left out; their prompts and evaluations are not counted.",
			workspaceLabels, nil),
		prompts: prometheus.NewDesc(metricnames.PromptsCreated,
			"Prompts of the covered sessions, as listed from Microsoft Graph, whose createdDateTime lies within the trailing window before the scrape. Prompts of sessions neither created nor renamed within activity.lookback are not counted.",
			with(metricnames.Window), nil),
		evaluations: prometheus.NewDesc(metricnames.Evaluations,
			"Evaluations (prompt runs) of the covered sessions' prompts, by state as Graph reports it; a state Graph adds after this exporter was written counts as unknownFutureValue.",
			with(metricnames.State), nil),
		results: prometheus.NewDesc(metricnames.EvaluationsResult,
			"Evaluations of the covered sessions' prompts that have a result, by result.type as Microsoft Graph reports it; capacityExceeded means the tenant's Security Compute Units ran out. A type Graph adds later counts as unknownFutureValue.",
			with(metricnames.Result), nil),
		duration: prometheus.NewDesc(metricnames.EvaluationDurationSeconds,
			"completedDateTime minus runStartDateTime of completed evaluations, each observed once, when the exporter first reads it as completed within activity.lookback; evaluations already completed at the exporter's first read of the workspace are not observed. Resets when the exporter restarts.",
			workspaceLabels, nil),
	}
}

func (d activityDescs) describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{d.success, d.covered, d.skipped, d.prompts, d.evaluations, d.results, d.duration} {
		ch <- desc
	}
}

// emitActivity sends a workspace's activity metrics. Every documented state
// and result type is exported, zeros included, so that a rate or an alert
// on one of them has a series from the first scrape on.
func (s *scrape) emitActivity(ch chan<- prometheus.Metric, t *tenant, ws string, act *activityOutcome) {
	d := s.e.descs.activity
	if m, ok := s.e.durations.metric(d.duration, t.cfg.Name, ws); ok {
		ch <- m
	}
	gauge := func(desc *prometheus.Desc, v float64, extra ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, append([]string{t.cfg.Name, ws}, extra...)...)
	}
	// No activity outcome means the scrape ended before the workspace was
	// read at all.
	if act == nil || act.err != nil {
		gauge(d.success, 0)
		return
	}
	res := act.res
	gauge(d.success, 1)
	gauge(d.covered, float64(res.covered))
	gauge(d.skipped, float64(res.skipped))
	for i, w := range s.st.cfg.Activity.Windows {
		gauge(d.prompts, float64(res.prompts[i]), w.Label)
	}
	for _, state := range graphclient.EvaluationStates() {
		gauge(d.evaluations, float64(res.states[state]), string(state))
	}
	for _, result := range graphclient.ResultTypes() {
		gauge(d.results, float64(res.results[result]), string(result))
	}
}
