#!/usr/bin/env bash
# Tests the image that tools/image.sh built: podman's local store stays
# readable (`podman images`); the manifest list in .image/oci has linux/amd64
# and linux/arm64, the local images of both; each holds only its static
# binary and the CA bundle; there is no shell; the amd64 image runs with
# --demo on a read-only root filesystem as uid 65532 and answers /-/ready
# and /metrics with every workspace up; and it runs as
# deploy/docker-compose.yml runs it, scraped by a real Prometheus; the
# delegated sign-in runs in one container and the exporter serves from
# another with the same token cache volume (a Go test against the
# simulator). The
# containers are always removed; every wait is bounded.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
image="${IMAGE:-securitycopilot_exporter:$(cat VERSION)}"
container="securitycopilot-exporter-test-$$"
scratch="$(mktemp -d)"
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  podman rm --force --time 0 "$container" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# runc, host networking (the exporter listens on loopback only) and explicit
# rlimits: the defaults podman asks for exceed what this machine allows.
nofile="$(ulimit -Hn)"
nproc="$(ulimit -Hu)"
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
run=(podman run --runtime runc --network=host --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")

echo ">> podman images"
podman images >"$scratch/images.out" 2>&1 || fail "podman images fails after the build: $(cat "$scratch/images.out")"

echo ">> manifest list .image/oci:$(cat VERSION)"
layout=.image/oci
index="$(jq -r --arg t "$(cat VERSION)" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$layout/index.json")"
[ -n "$index" ] || fail "$layout has no manifest list tagged $(cat VERSION)"
cp "$layout/blobs/sha256/${index#sha256:}" "$scratch/manifest.json"
platforms="$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | sort | join(" ")' "$scratch/manifest.json")"
[ "$platforms" = "linux/amd64 linux/arm64" ] || fail "manifest list has platforms '$platforms', want linux/amd64 linux/arm64"

for arch in amd64 arm64; do
  digest="$(jq -r --arg a "$arch" '.manifests[] | select(.platform.architecture == $a) | .digest' "$scratch/manifest.json")"
  [ -s "$layout/blobs/sha256/${digest#sha256:}" ] || fail "the list's $arch manifest $digest is not in $layout"
  ref="$image-$arch"
  config="$(podman image inspect --format '{{.Os}}/{{.Architecture}} {{.Config.User}}' "$ref")"
  [ "$config" = "linux/$arch 65532:65532" ] || fail "the $arch instance has platform and user '$config', want linux/$arch 65532:65532"
  echo ">> files of the $arch image"
  # Created, never started: the arm64 image cannot run here.
  podman create --name "$container" "$ref" >/dev/null 2>&1
  files="$(podman export "$container" | tar -t | grep -v '/$' | sort | tr '\n' ' ')"
  podman cp "$container:/bin/securitycopilot_exporter" "$scratch/exporter-$arch"
  podman rm "$container" >/dev/null
  [ "$files" = "bin/securitycopilot_exporter etc/ssl/certs/ca-certificates.crt " ] ||
    fail "the $arch image holds '$files', want the binary and the CA bundle only"
  # The binary is the one cross-compiled for this architecture, static.
  buildinfo="$(go version -m "$scratch/exporter-$arch")"
  grep -qx $'\tbuild\tGOARCH='"$arch" <<<"$buildinfo" || fail "the $arch image's binary is not built for $arch"
  grep -qx $'\tbuild\tCGO_ENABLED=0' <<<"$buildinfo" || fail "the $arch image's binary is not static (CGO_ENABLED is not 0)"
done

echo ">> no shell"
if "${run[@]}" --rm --entrypoint /bin/sh "$image-amd64" -c true >"$scratch/sh.out" 2>&1; then
  fail "/bin/sh ran in the image"
fi
# It must fail for want of a shell, not for another reason.
grep -q '/bin/sh.*no such file or directory' "$scratch/sh.out" || fail "running /bin/sh failed otherwise: $(cat "$scratch/sh.out")"

echo ">> run --demo, read-only root filesystem"
started=false
for _ in 1 2 3; do
  port=$((20000 + RANDOM % 20000))
  "${run[@]}" --detach --name "$container" \
    --read-only --read-only-tmpfs=false --cap-drop ALL --security-opt no-new-privileges \
    "$image-amd64" --demo --web.listen-address="127.0.0.1:$port" >/dev/null
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null; then
      started=true
      break
    fi
    [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] || break
    sleep 0.5
  done
  "$started" && break
  podman logs "$container" >&2 || true
  podman rm --force --time 0 "$container" >/dev/null
done
"$started" || fail "the container never answered /-/ready"

[ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$container")" = true ] ||
  fail "the root filesystem is not read-only"
pid="$(podman inspect --format '{{.State.Pid}}' "$container")"
uids="$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")"
[ "$uids" = "65532 65532 65532 65532" ] || fail "the exporter runs with uids '$uids', want 65532"
gids="$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")"
[ "$gids" = "65532 65532 65532 65532" ] || fail "the exporter runs with gids '$gids', want 65532"

# The first scrape reads the simulated Graph; allow it a bounded time to
# report every workspace up.
metrics=""
for _ in $(seq 1 60); do
  metrics="$(curl -fsS --max-time 30 "http://127.0.0.1:$port/metrics")" || fail "GET /metrics failed"
  if grep -q '^securitycopilot_up{' <<<"$metrics" && ! grep -q '^securitycopilot_up{.*} 0$' <<<"$metrics"; then
    break
  fi
  sleep 1
done
up="$(grep -c '^securitycopilot_up{.*} 1$' <<<"$metrics" || true)"
down="$(grep -c '^securitycopilot_up{.*} 0$' <<<"$metrics" || true)"
[ "$up" -ge 4 ] && [ "$down" -eq 0 ] || fail "/metrics has $up workspaces up and $down down, want the demo's 4 up"
grep -q '^securitycopilot_sessions{' <<<"$metrics" || fail "/metrics has no securitycopilot_sessions"
grep -q '^securitycopilot_exporter_build_info{.*version="'"$(cat VERSION)"'"' <<<"$metrics" ||
  fail "/metrics has no build_info with version $(cat VERSION)"
podman rm --force --time 0 "$container" >/dev/null

echo ">> delegated sign-in in a one-off container, then serving with the same cache volume"
SECURITYCOPILOT_IMAGE="$image" go test -count=1 -run '^TestImageSignsInThenServes$' . ||
  fail "the image's sign-in and serving with its token cache failed"
echo "image test passed: $image"

echo ">> deploy/docker-compose.yml's demo: the image's defaults and --demo, a published port, a real Prometheus"
# As Compose runs it: the container's own network, port 9929 published on
# loopback, nothing but --demo on the command line. Prometheus runs the
# shipped prometheus.yml with the exporter's address instead of
# exporter-0:9929 and short intervals, and must see up 1.
prometheus="${PROMETHEUS:-$root/tools/bin/prometheus}"
[ -x "$prometheus" ] || fail "no Prometheus at $prometheus: run tools/install.sh or set PROMETHEUS"
podman rm --force --time 0 "$container" >/dev/null 2>&1 || true
published=""
for _ in 1 2 3; do
  port=$((20000 + RANDOM % 20000))
  if podman run --runtime runc --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" \
    --detach --name "$container" --publish "127.0.0.1:$port:9929" \
    --read-only --read-only-tmpfs=false --cap-drop ALL --security-opt no-new-privileges \
    "$image-amd64" --demo >/dev/null 2>"$scratch/run.err"; then
    published="127.0.0.1:$port"
    break
  fi
  podman rm --force --time 0 "$container" >/dev/null 2>&1 || true
done
[ -n "$published" ] || fail "the demo container did not start: $(cat "$scratch/run.err")"
mkdir -p "$scratch/prometheus/rules"
cp deploy/prometheus/rules/*.yml "$scratch/prometheus/rules/"
sed -e "s/exporter-0:9929/$published/" \
  -e 's/^\( *\)scrape_interval: .*/\1scrape_interval: 5s/' \
  -e 's/^\( *\)scrape_timeout: .*/\1scrape_timeout: 5s/' \
  deploy/prometheus/prometheus.yml >"$scratch/prometheus/prometheus.yml"
grep -q "$published" "$scratch/prometheus/prometheus.yml" || fail "prometheus.yml names no exporter-0:9929 to replace"
prom_pid=""
for _ in 1 2 3; do
  prom_addr="127.0.0.1:$((20000 + RANDOM % 20000))"
  "$prometheus" --config.file="$scratch/prometheus/prometheus.yml" --storage.tsdb.path="$scratch/prometheus/data" \
    --web.listen-address="$prom_addr" >"$scratch/prometheus.log" 2>&1 &
  prom_pid=$!
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "http://$prom_addr/-/ready" 2>/dev/null && break
    kill -0 "$prom_pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$prom_pid" 2>/dev/null && break
  prom_pid=""
done
[ -n "$prom_pid" ] || fail "Prometheus did not start: $(tail -5 "$scratch/prometheus.log")"
trap 'kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; cleanup' EXIT
# Bounded: 10 minutes of 5 s scrapes; it ends at the first up 1.
up=""
for _ in $(seq 1 300); do
  up="$(curl -fsS "http://$prom_addr/api/v1/query" --data-urlencode 'query=up{job="securitycopilot"}' | jq -r '.data.result[0].value[1] // empty')" || true
  [ "$up" = 1 ] && break
  sleep 2
done
if [ "$up" != 1 ]; then
  podman logs "$container" 2>&1 | tail -20 >&2 || true
  curl -fsS "http://$prom_addr/api/v1/targets" >&2 || true
  fail "Prometheus scraping the demo container at $published gets up '$up', want 1"
fi
echo "compose demo: Prometheus scrapes the container at $published, up 1"
