// Package e2e runs the exporter in --demo mode under a real Prometheus server
// configured from the shipped deploy/prometheus files, and checks that the
// documented metrics, the dashboard's queries, the recording rules and
// tenant sharding through /probe work end to end.
package e2e
