#!/usr/bin/env bash
# Builds the pinned tools into tools/bin, each once (a no-op when they are up
# to date: the Go build cache makes the second run fast).
#
#   tools/install.sh            # what the tests run: promtool, prometheus, helm
#   tools/install.sh prometheus # promtool and prometheus only
#   tools/install.sh helm       # helm only
#   tools/install.sh lint       # staticcheck, for .ci/run
#
# promtool and prometheus come from one go command, so the packages they
# share compile once, with Prometheus' own build tag remove_all_sd: it leaves
# out every service discovery but file and http (AWS, Azure, GCE, Kubernetes
# and the others, most of the build), which no shipped configuration uses
# (deploy/prometheus checks that they use static_configs only). helm comes
# from tools/helm/go.mod, a module of its own because its Kubernetes
# dependencies clash with Prometheus'. govulncheck is built by
# tools/vulncheck.sh with the toolchain it checks, promu by tools/release.sh.
set -euo pipefail
cd "$(dirname "$0")"
bin="$PWD/bin"
prometheus() {
  GOBIN="$bin" go install -tags remove_all_sd \
    github.com/prometheus/prometheus/cmd/prometheus \
    github.com/prometheus/prometheus/cmd/promtool
}
helm() { (cd helm && GOBIN="$bin" go install helm.sh/helm/v3/cmd/helm); }
case "${1:-test}" in
test) prometheus && helm ;;
prometheus) prometheus ;;
helm) helm ;;
lint) GOBIN="$bin" go install honnef.co/go/tools/cmd/staticcheck ;;
*)
  echo "usage: $0 [test|prometheus|helm|lint]" >&2
  exit 2
  ;;
esac
