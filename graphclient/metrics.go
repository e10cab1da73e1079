package graphclient

import (
	"slices"
	"sync"

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

	// live are the tenants whose token series are exported: a tenant a
	// reload removed or renamed takes its series with it, and a token its
	// last scrape still gets afterwards does not bring them back.
	mu   sync.Mutex
	live map[string]bool
}

// NewMetrics creates the metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		live: map[string]bool{},
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
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live[tenant] = true
	m.tokenRequests.WithLabelValues(tenant, "success")
	m.tokenRequests.WithLabelValues(tenant, "error")
}

// countToken counts a token request of a tenant that is still configured.
func (m *Metrics) countToken(tenant, result string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.live[tenant] {
		m.tokenRequests.WithLabelValues(tenant, result).Inc()
	}
}

// KeepTenants drops the series of every tenant not in names: the exporter
// calls it with the tenants of the configuration it runs after each
// (re)load, so that a removed or renamed tenant's series go away with it.
func (m *Metrics) KeepTenants(names []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.live {
		if !slices.Contains(names, name) {
			delete(m.live, name)
			m.tokenRequests.DeletePartialMatch(prometheus.Labels{metricnames.Tenant: name})
		}
	}
}
