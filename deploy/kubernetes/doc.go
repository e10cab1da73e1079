// Package kubernetes holds the Kustomize base that deploys securitycopilot_exporter
// on Kubernetes, with its ServiceMonitor and PrometheusRule; its tests render the
// base with Kustomize, and the Helm chart of deploy/helm with helm template and
// each of the chart's ci/ values files, and decode every object strictly into
// its Kubernetes or prometheus-operator type.
package kubernetes
