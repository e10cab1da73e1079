#!/usr/bin/env bash
# Builds the pinned tools into tools/bin (a no-op when they are up to date:
# the Go build cache makes the second run fast): promtool, prometheus,
# govulncheck and staticcheck of tools/go.mod, and helm of tools/helm/go.mod,
# a module of its own because its Kubernetes dependencies clash with
# Prometheus'. promu (tools/promu) is built by tools/release.sh.
set -euo pipefail
cd "$(dirname "$0")"
bin="$PWD/bin"
for module in . helm; do
  (cd "$module" && GOBIN="$bin" go install tool)
done
