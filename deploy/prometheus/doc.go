// Package prometheus holds the example Prometheus configuration of
// securitycopilot_exporter: scrape configurations for one exporter and for
// tenants sharded over replicas, recording and alerting rules, and promtool
// unit tests of the rules. Its code names the series that the dashboard and
// the rules may query; its tests check the files with promtool and the
// PromQL parser.
package prometheus
