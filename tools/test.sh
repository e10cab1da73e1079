#!/usr/bin/env bash
# Runs the whole test suite: builds the pinned tools (promtool and prometheus
# are needed by the end-to-end tests), then every Go test of every module with
# the race detector: the exporter, deploy/ (dashboard, rules, compose and the
# end-to-end test against a real Prometheus) and deploy/kubernetes/ (the
# Kustomize base and, with helm, the Helm chart).
set -euo pipefail
# The toolchain the go.mod files name: Go 1.26.8's standard library has
# known vulnerabilities that 1.27.3 fixes (see tools/vulncheck.sh).
export GOTOOLCHAIN=go1.27.3
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/install.sh"
export PROMTOOL="$root/tools/bin/promtool" PROMETHEUS="$root/tools/bin/prometheus" HELM="$root/tools/bin/helm"
for module in . deploy deploy/kubernetes; do
  (cd "$root/$module" && go test -race -count=1 -timeout 30m "$@" ./...)
done
