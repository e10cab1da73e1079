#!/usr/bin/env bash
# Runs the whole test suite: every Go test of every module with the race
# detector: the exporter, deploy/ (dashboard, rules, compose and the
# end-to-end test against a real Prometheus) and deploy/kubernetes/ (the
# Helm chart and the Kustomize base built from it). Arguments go to each
# go test, for example -run or -v.
#
# The tests need promtool, prometheus and helm (tools/install.sh), which
# build from source on the first run while the test binaries compile
# beside them. A module's failing test does not stop the others: every
# module runs, and the script fails if any did.
set -euo pipefail
# The toolchain the go.mod files name: Go 1.26.8's standard library has
# known vulnerabilities that 1.27.3 fixes (see tools/vulncheck.sh).
export GOTOOLCHAIN=go1.27.3
root="$(cd "$(dirname "$0")/.." && pwd)"
modules=(. deploy deploy/kubernetes)
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

echo ">> building promtool, prometheus and helm into tools/bin, and the test binaries"
"$root/tools/install.sh" test >"$log" 2>&1 &
install=$!
for module in "${modules[@]}"; do
  # -run '^$' compiles every test binary and runs none of its tests.
  (cd "$root/$module" && go test -race -count=1 -run '^$' ./... >/dev/null)
done
if ! wait "$install"; then
  cat "$log" >&2
  echo "tools/install.sh failed" >&2
  exit 1
fi

export PROMTOOL="$root/tools/bin/promtool" PROMETHEUS="$root/tools/bin/prometheus" HELM="$root/tools/bin/helm"
failed=()
for module in "${modules[@]}"; do
  echo ">> go test -race ./... in $module"
  (cd "$root/$module" && go test -race -count=1 -timeout 30m "$@" ./...) || failed+=("$module")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAIL: the tests of ${failed[*]}" >&2
  exit 1
fi
