#!/usr/bin/env bash
# Builds the container image of securitycopilot_exporter for linux/amd64 and
# linux/arm64, with podman (or buildah's engine behind it), without
# emulation and without pulling a base image:
#
#   tools/image.sh            # the images and the manifest list, see below
#   tools/image.sh context    # only the build context (.build/, .image/), for `docker build`
#
# It leaves in podman's local store one image per platform,
# securitycopilot_exporter:<VERSION>-amd64 and -arm64, and
# securitycopilot_exporter:<VERSION> for the host's platform; the manifest
# list of both goes to the OCI layout .image/oci (tag <VERSION>), from where
# `skopeo copy --all oci:.image/oci:<VERSION> docker://REGISTRY/...` pushes
# it. The list is not kept in the local store: podman 4.3 (Debian 12) then
# fails every `podman images` with "fetching target platform image selected
# from image index ... file does not exist".
#
# First the static binaries are cross-compiled with promu (tools/release.sh),
# and the CA bundle of the host (Debian's ca-certificates package) is copied
# beside them; the Dockerfile only copies those files into an empty image.
# IMAGE overrides the name, CA_BUNDLE the CA bundle.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version="$(cat VERSION)"
image="${IMAGE:-securitycopilot_exporter:$version}"
ca_bundle="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
platforms=(linux/amd64 linux/arm64)

tools/release.sh "${platforms[@]}"
if [ ! -s "$ca_bundle" ]; then
  echo "no CA bundle at $ca_bundle: install the ca-certificates package or set CA_BUNDLE" >&2
  exit 1
fi
# Beside .build/, whose folders are platforms only (promu crossbuild tarballs).
mkdir -p .image
install -m 0644 "$ca_bundle" .image/ca-certificates.crt
if [ "${1:-}" = context ]; then
  exit 0
fi

# A list left in the store by an earlier version of this script breaks
# `podman images`: remove it (the images it names stay).
if podman manifest exists "$image" 2>/dev/null; then
  podman manifest rm "$image" >/dev/null
fi
revision="$(git rev-parse HEAD)"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
for platform in "${platforms[@]}"; do
  podman build \
    --platform "$platform" \
    --tag "$image-${platform#*/}" \
    --build-arg VERSION="$version" \
    --build-arg REVISION="$revision" \
    --build-arg CREATED="$created" \
    .
done
podman tag "$image-$(go env GOARCH)" "$image"

# The list lives in the store only while it is copied to .image/oci.
list="$image-list-$$"
trap 'podman manifest rm "$list" >/dev/null 2>&1 || true' EXIT
podman manifest create "$list" >/dev/null
for platform in "${platforms[@]}"; do
  # By id: a short name would resolve to a registry's.
  id="$(podman image inspect --format '{{.Id}}' "$image-${platform#*/}")"
  podman manifest add "$list" "containers-storage:$id" >/dev/null
done
rm -rf .image/oci
podman manifest push --all "$list" "oci:$root/.image/oci:$version"
podman manifest rm "$list" >/dev/null
echo "built $image-amd64, $image-arm64 and $image ($(go env GOARCH)); the manifest list is .image/oci:$version"
