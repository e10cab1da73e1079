#!/usr/bin/env bash
# Runs govulncheck on the exporter's module against a vulnerability
# database built locally, so that the check needs nothing but the Go module
# proxy. It fails (exit 3) when the code can reach a known vulnerability,
# in a dependency or in the standard library of the Go toolchain in use:
# run it with the toolchain the exporter is built with (GOTOOLCHAIN).
#
# The database is the OSV data of the golang.org/x/vulndb module, pinned
# below, indexed with that module's own indexdb command. Findings are as of
# that snapshot: move the pin forward to learn of newer vulnerabilities.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vulndb_version="v0.0.0-20261105234957-e22db6528018"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "=== govulncheck (tools/go.mod) built with $(go env GOVERSION)"
# Built by the toolchain that checks the code: its type checker reads the
# standard library and the modules' files for that Go version.
(cd "$root/tools" && go build -o "$work/govulncheck" golang.org/x/vuln/cmd/govulncheck)
"$work/govulncheck" -version

echo "=== vulnerability database from golang.org/x/vulndb@$vulndb_version"
vulndb_dir="$(cd "$work" && go mod download -json "golang.org/x/vulndb@$vulndb_version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ ! -d "$vulndb_dir/data/osv" ]; then
  echo "no OSV data in the vulndb module (Dir: '$vulndb_dir')" >&2
  exit 1
fi
(cd "$work" && go run "golang.org/x/vulndb/cmd/indexdb@$vulndb_version" -vulns "$vulndb_dir/data/osv" -out "$work/db")
echo "$(find "$work/db/ID" -name '*.json' | wc -l) entries"

echo "=== govulncheck ./..."
cd "$root"
"$work/govulncheck" -db "file://$work/db" ./...
