#!/usr/bin/env bash
# Builds the pinned tools of tools/go.mod into tools/bin (a no-op when they are
# up to date: the Go build cache makes the second run fast).
set -euo pipefail
cd "$(dirname "$0")"
GOBIN="$PWD/bin" go install tool
