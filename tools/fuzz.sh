#!/usr/bin/env bash
# Runs every fuzz target for a short, fixed time (FUZZTIME, default 10s
# each). Go runs one target per invocation, so they are listed here; a new
# target must be added to the list. A target that fails leaves its input in
# the package's testdata/fuzz/<FuzzName>/: fix the bug and commit that file,
# which then runs with every `go test` as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"

targets=(
  "./graphclient FuzzDecodePage"
  "./graphclient FuzzErrorBody"
  "./graphclient FuzzDecodeBatch"
  "./graphclient FuzzParseTimestamp"
  "./graphclient FuzzDecodeEvaluations"
  "./graphclient FuzzDecodeSessionPrompts"
  "./config FuzzParse"
  "./collector FuzzProbeQuery"
)

for target in "${targets[@]}"; do
  read -r pkg name <<<"$target"
  echo "=== fuzz $pkg $name for $fuzztime"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done
