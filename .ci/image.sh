#!/usr/bin/env bash
# CI step: builds the container image exactly as the README tells users to
# (tools/image.sh), then runs it (tools/image_test.sh). Installs Debian's
# podman and runc, and configures them for this kind of machine only through
# podman's configuration files, so the build command stays the users' one:
# vfs storage in a scratch directory, cgroupfs, runc (crun fails on the
# rlimits here), no journald.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if ! command -v podman >/dev/null || ! command -v runc >/dev/null ||
  ! command -v jq >/dev/null || ! command -v curl >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends podman runc ca-certificates curl jq >/dev/null
fi

scratch="$(mktemp -d)"
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT
cat >"$scratch/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$scratch/storage"
runroot = "$scratch/run"
CONF
cat >"$scratch/containers.conf" <<CONF
[containers]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "none"
CONF
export CONTAINERS_STORAGE_CONF="$scratch/storage.conf" CONTAINERS_CONF="$scratch/containers.conf"

tools/image.sh
tools/image_test.sh
