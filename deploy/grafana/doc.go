// Package grafana generates the Grafana dashboard of securitycopilot_exporter
// and holds it with the provisioning files that load it with its Prometheus
// datasource.
//
// The dashboard is built with the Grafana Foundation SDK: rows() lists its
// rows and their panels, each panel a function that starts from one of the
// shared option blocks of style.go and queries metrics by the names the
// exporter's metricnames package gives them. dashboards/securitycopilot.json
// is its output; go test -run TestDashboardFileIsGenerated -update rewrites
// it. The tests decode the file strictly against the Grafana schema, parse
// every panel query as PromQL and check that each selects only series the
// exporter or the recording rules of deploy/prometheus make.
package grafana
