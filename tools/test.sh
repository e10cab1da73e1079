#!/usr/bin/env bash
# Runs the whole test suite: builds the pinned tools (promtool is needed by the
# end-to-end test), then every Go test with the race detector.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/install.sh"
cd "$root"
PROMTOOL="$root/tools/bin/promtool" go test -race -count=1 "$@" ./...
