// Package mixin holds the monitoring mixin of securitycopilot_exporter:
// mixin.libsonnet, which offers the Grafana dashboard and the Prometheus
// rules to jsonnet users, and copies of those files. Its tests keep the
// copies equal to the shipped files and evaluate the mixin with go-jsonnet,
// comparing what it yields with the shipped dashboard and rule files.
package mixin
