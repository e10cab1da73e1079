#!/usr/bin/env bash
# CI step: the release build of one snapshot, linux/amd64 and linux/arm64
# (what the image needs), with the checks of tools/release.sh (.promu.yml
# read strictly, the CHANGELOG.md entry of VERSION); then checks that each
# binary is built for its platform, static, and stamped with the version,
# revision and date.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3
tools/release.sh linux/amd64 linux/arm64

fail() { echo "FAIL: $*" >&2; exit 1; }
version="$(cat VERSION)"
revision="$(git rev-parse HEAD)"
for arch in amd64 arm64; do
  binary=".build/linux-$arch/securitycopilot_exporter"
  info="$(go version -m "$binary")"
  grep -qx $'\tbuild\tGOOS=linux' <<<"$info" || fail "$binary is not built for linux"
  grep -qx $'\tbuild\tGOARCH='"$arch" <<<"$info" || fail "$binary is not built for $arch"
  grep -qx $'\tbuild\tCGO_ENABLED=0' <<<"$info" || fail "$binary is not static"
  # -trimpath keeps -ldflags out of the build info; the stamped string is
  # in the binary's data.
  grep -qaF "$revision" "$binary" || fail "$binary has no revision $revision stamped"
done
stamped="$(.build/linux-amd64/securitycopilot_exporter --version 2>&1)"
echo "$stamped"
grep -q "version $version " <<<"$stamped" || fail "--version does not say version $version"
grep -q "revision: $revision" <<<"$stamped" || fail "--version does not say revision $revision"
grep -Eq 'build date: +[0-9]{8}-[0-9]{2}:[0-9]{2}:[0-9]{2}' <<<"$stamped" || fail "--version has no build date"
echo "release build checked: $version ($revision)"

# The archives are named after the project whatever the clone's remote: here
# a clone of a folder called main, whose name promu would take.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
git clone -q --bare . "$scratch/main"
git clone -q "$scratch/main" "$scratch/clone"
(cd "$scratch/clone" && tools/release.sh --tarballs linux/amd64)
archive="securitycopilot_exporter-$version.linux-amd64"
listing="$(ls "$scratch/clone/.tarballs")"
[ "$listing" = "$archive.tar.gz"$'\n'"sha256sums.txt" ] || fail ".tarballs holds '$listing', want $archive.tar.gz and sha256sums.txt"
files="$(tar -tzf "$scratch/clone/.tarballs/$archive.tar.gz" | sort | tr '\n' ' ')"
[ "$files" = "$archive/ $archive/CHANGELOG.md $archive/LICENSE $archive/securitycopilot_exporter " ] ||
  fail "$archive.tar.gz holds '$files'"
echo "release archive named after the project: $archive.tar.gz"
