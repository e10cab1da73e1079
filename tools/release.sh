#!/usr/bin/env bash
# Release builds with the pinned promu (tools/promu): checks .promu.yml and
# the CHANGELOG.md entry of VERSION, then builds the binary for each platform
# given as os/arch into .build/<os>-<arch>/, with version, revision, branch,
# user and date stamped. Without arguments it builds every platform of
# .promu.yml's crossbuild list and packs them with their checksums into
# .tarballs/, as `promu crossbuild tarballs` does for Prometheus; --tarballs
# packs the given platforms only.
#
#   tools/release.sh                          # a release: all platforms
#   tools/release.sh linux/amd64 linux/arm64  # what tools/image.sh needs
#   tools/release.sh --tarballs linux/amd64   # one archive, as a release names it
#
# The archives are named after the project, the last element of .promu.yml's
# repository.path (securitycopilot_exporter-VERSION.OS-ARCH.tar.gz), not
# after the git remote as promu's tarball command names them: a clone of a
# folder called main would otherwise release main-VERSION.linux-amd64.tar.gz.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
(cd tools/promu && GOBIN="$root/tools/bin" go install tool)
promu="$root/tools/bin/promu"

# promu reads .promu.yml strictly: an unknown key fails here.
"$promu" info >/dev/null
"$promu" check changelog

tarballs=false
if [ "${1:-}" = --tarballs ]; then
  tarballs=true
  shift
fi
platforms=("$@")
if [ ${#platforms[@]} -eq 0 ]; then
  tarballs=true
  mapfile -t platforms < <(sed -n '/^crossbuild:/,$ s|^ *- *\([a-z0-9]*/[a-z0-9]*\) *$|\1|p' .promu.yml)
fi
if "$tarballs"; then
  rm -rf .build .tarballs
fi
for platform in "${platforms[@]}"; do
  os="${platform%/*}" arch="${platform#*/}"
  echo ">> building $os/$arch into .build/$os-$arch"
  # The same as what `promu crossbuild` runs inside its builder images.
  GOOS="$os" GOARCH="$arch" "$promu" build --prefix ".build/$os-$arch"
done

if "$tarballs"; then
  project="$(sed -n 's|^ *path: *\([^ ]*\) *$|\1|p' .promu.yml | head -n 1)"
  project="${project##*/}"
  version="$(cat VERSION)"
  mkdir -p .tarballs
  for platform in "${platforms[@]}"; do
    os="${platform%/*}" arch="${platform#*/}"
    name="$project-$version.$os-$arch"
    stage="$(mktemp -d)"
    mkdir "$stage/$name"
    # The files of .promu.yml's tarball section, and the binary (.exe on
    # windows), under one folder named like the archive.
    sed -n '/^tarball:/,/^[a-z]/ s|^ *- *\([^ ]*\) *$|\1|p' .promu.yml | xargs -I{} cp -a {} "$stage/$name/"
    cp -a ".build/$os-$arch/"* "$stage/$name/"
    tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf ".tarballs/$name.tar.gz" "$name"
    rm -rf "$stage"
    echo ">> packed .tarballs/$name.tar.gz"
  done
  "$promu" checksum .tarballs
fi
