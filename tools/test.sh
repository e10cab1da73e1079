#!/usr/bin/env bash
# Runs the whole test suite: every Go test of every module with the race
# detector: the exporter, deploy/ (dashboard, rules, compose and the
# end-to-end test against a real Prometheus) and deploy/kubernetes/ (the
# Helm chart and the Kustomize base generated from it). Arguments go to
# each go test, for example -run or -v.
#
# The tests need promtool and prometheus (the exporter's and deploy/'s) and
# helm (deploy/kubernetes/'s), which tools/install.sh builds from source on
# the first run. Each builds while something else goes on: promtool and
# prometheus while the test binaries compile, helm while the tests of the
# exporter and of deploy/ run. A module's failing test does not stop the
# others: every module runs, and the script fails if any did.
set -euo pipefail
# The toolchain the go.mod files name: Go 1.26.8's standard library has
# known vulnerabilities that 1.27.3 fixes (see tools/vulncheck.sh).
export GOTOOLCHAIN=go1.27.3
root="$(cd "$(dirname "$0")/.." && pwd)"
modules=(. deploy deploy/kubernetes)
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
export PROMTOOL="$root/tools/bin/promtool" PROMETHEUS="$root/tools/bin/prometheus" HELM="$root/tools/bin/helm"

# waitfor waits for a background build and shows its log if it failed.
waitfor() {
  if ! wait "$1"; then
    cat "$logs/$2.log" >&2
    echo "tools/install.sh $2 failed" >&2
    exit 1
  fi
}

echo ">> building promtool and prometheus into tools/bin, and the test binaries"
"$root/tools/install.sh" prometheus >"$logs/prometheus.log" 2>&1 &
prometheus=$!
for module in "${modules[@]}"; do
  # -run '^$' compiles every test binary and runs none of its tests.
  (cd "$root/$module" && go test -race -count=1 -run '^$' ./... >/dev/null)
done
waitfor "$prometheus" prometheus

echo ">> building helm into tools/bin while the other modules' tests run"
"$root/tools/install.sh" helm >"$logs/helm.log" 2>&1 &
helm=$!
failed=()
for module in "${modules[@]}"; do
  if [ "$module" = deploy/kubernetes ]; then
    waitfor "$helm" helm
  fi
  echo ">> go test -race ./... in $module"
  (cd "$root/$module" && go test -race -count=1 -timeout 30m "$@" ./...) || failed+=("$module")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAIL: the tests of ${failed[*]}" >&2
  exit 1
fi
