#!/usr/bin/env bash
# Builds the container image of securitycopilot_exporter for linux/amd64 and
# linux/arm64 as one manifest list, with podman (or buildah's engine behind
# it), without emulation and without pulling a base image:
#
#   tools/image.sh            # the manifest list securitycopilot_exporter:<VERSION>
#   tools/image.sh context    # only the build context (.build/, .image/), for `docker build`
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

# --manifest adds to an existing list: start from an empty one.
if podman manifest exists "$image"; then
  podman manifest rm "$image" >/dev/null
fi
podman build \
  --platform "$(IFS=,; echo "${platforms[*]}")" \
  --manifest "$image" \
  --build-arg VERSION="$version" \
  --build-arg REVISION="$(git rev-parse HEAD)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  .
echo "built $image for ${platforms[*]}"
