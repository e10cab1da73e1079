package graphclient

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Metrics are the client's own counters, shared by every tenant's client.
type Metrics struct {
	requests      *prometheus.CounterVec
	httpRequests  *prometheus.CounterVec
	duration      prometheus.Histogram
	retries       prometheus.Counter
	tokenRequests *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricnames.GraphRequestsTotal,
			Help: "Requests sent to Microsoft Graph, each retry counted, whether alone or inside a $batch, by the HTTP status code of the request's own answer (\"error\" when no answer came).",
		}, []string{metricnames.Code}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricnames.GraphHTTPRequestsTotal,
			Help: "HTTP round trips to Microsoft Graph, each retry counted and a $batch of up to 20 requests counted once, by HTTP status code (\"error\" when no answer came).",
		}, []string{metricnames.Code}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    metricnames.GraphRequestDurationSeconds,
			Help:    "Time from sending an HTTP request to Microsoft Graph (a $batch counting once) until its answer's headers arrived, each retry timed alone.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metricnames.GraphRetriesTotal,
			Help: "Requests to Microsoft Graph sent again: after a 429, 500, 502, 503 or 504 (or a 424 inside a $batch), a transport error, or a 401 that a new token may mend.",
		}),
		tokenRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricnames.TokenRequestsTotal,
			Help: "Access tokens asked of Entra ID through azidentity, by tenant and result; a cached token is reused until shortly before it expires and is not counted again.",
		}, []string{metricnames.Tenant, metricnames.Result}),
	}
	reg.MustRegister(m.requests, m.httpRequests, m.duration, m.retries, m.tokenRequests)
	return m
}

// initTenant makes the tenant's token series exist at 0 before the first
// token, so that rate() and alerts see the first failure.
func (m *Metrics) initTenant(tenant string) {
	m.tokenRequests.WithLabelValues(tenant, "success")
	m.tokenRequests.WithLabelValues(tenant, "error")
}
