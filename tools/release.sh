#!/usr/bin/env bash
# Release builds with the pinned promu (tools/promu): checks .promu.yml and
# the CHANGELOG.md entry of VERSION, then builds the binary for each platform
# given as os/arch into .build/<os>-<arch>/, with version, revision, branch,
# user and date stamped. Without arguments it builds every platform of
# .promu.yml's crossbuild list and packs them with their checksums into
# .tarballs/, as `promu crossbuild tarballs` does for Prometheus.
#
#   tools/release.sh                          # a release: all platforms
#   tools/release.sh linux/amd64 linux/arm64  # what tools/image.sh needs
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
(cd tools/promu && GOBIN="$root/tools/bin" go install tool)
promu="$root/tools/bin/promu"

# promu reads .promu.yml strictly: an unknown key fails here.
"$promu" info >/dev/null
"$promu" check changelog

platforms=("$@")
release=false
if [ ${#platforms[@]} -eq 0 ]; then
  release=true
  mapfile -t platforms < <(sed -n '/^crossbuild:/,$ s|^ *- *\([a-z0-9]*/[a-z0-9]*\) *$|\1|p' .promu.yml)
fi
if "$release"; then
  rm -rf .build .tarballs
fi
for platform in "${platforms[@]}"; do
  os="${platform%/*}" arch="${platform#*/}"
  echo ">> building $os/$arch into .build/$os-$arch"
  # The same as what `promu crossbuild` runs inside its builder images.
  GOOS="$os" GOARCH="$arch" "$promu" build --prefix ".build/$os-$arch"
done

if "$release"; then
  # Named after the git remote's repository, as promu does.
  "$promu" crossbuild tarballs
  "$promu" checksum .tarballs
fi
