package e2e

import (
	"testing"
)

const (
	shippedConfig = "../prometheus/prometheus.yml"
	shardedConfig = "../prometheus/prometheus-sharded.yml"
	// exporterJob is the job of the exporters' /metrics in both configs.
	exporterJob = "securitycopilot"
)

// TestShippedConfigScrapesTheDemo runs the shipped prometheus.yml and its
// rules against one demo exporter.
func TestShippedConfigScrapesTheDemo(t *testing.T) {
	t.Parallel()
	promBin := prometheusBinary(t)
	queries, records := dashboardQueries(t), recordedNames(t)
	exporter := startDemoExporter(t, "exporter")
	p := measurePace(t, "http://"+exporter.addr+"/metrics")
	config := generateConfig(t, shippedConfig, map[string]string{"exporter-0:9929": exporter.addr}, p)
	prom := startPrometheus(t, promBin, config, p)

	t.Run("targets", func(t *testing.T) {
		eventually(t, prom, func(c *checker) {
			c.targetsHealthy()
			c.upIs1(exporterJob, 1)
		})
	})
	t.Run("exposed series", func(t *testing.T) {
		eventually(t, prom, (*checker).exposedSeries)
	})
	t.Run("session metrics", func(t *testing.T) {
		eventually(t, prom, (*checker).sessionMetrics)
	})
	t.Run("activity metrics", func(t *testing.T) {
		eventually(t, prom, (*checker).activityMetrics)
	})
	t.Run("dashboard queries", func(t *testing.T) {
		eventually(t, prom, func(c *checker) { c.dashboardHasData(queries, records) })
	})
	t.Run("recording rules", func(t *testing.T) {
		eventually(t, prom, func(c *checker) { c.recordingRulesHaveData(records) })
	})
}
