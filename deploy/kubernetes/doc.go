// Package kubernetes holds the Kustomize base that deploys securitycopilot_exporter
// on Kubernetes, with its ServiceMonitor and PrometheusRule; its tests render the
// base with Kustomize and decode every object strictly into its Kubernetes type.
package kubernetes
