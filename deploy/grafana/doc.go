// Package grafana holds the Grafana dashboard of securitycopilot_exporter
// and the provisioning files that load it with its Prometheus datasource.
// Its tests decode the dashboard strictly against the Grafana schema, parse
// every panel query as PromQL and check that each selects only series the
// exporter or the recording rules of deploy/prometheus make.
package grafana
