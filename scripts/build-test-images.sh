#!/usr/bin/env bash
# Builds the busybox images the tests upgrade between, without any registry or network:
#   upgrade-test/web:v1, upgrade-test/web:v2   serve /version (their tag) and /health ("ok")
#   upgrade-test/web:v3-unhealthy               serves /version only, so /health is 404
# Each runs `httpd -f -p 127.0.0.1:${PORT:-8080} -h /www` through sh; run them with
# --network host and --init. With a registry given, v1 and v2 are pushed there as
# REGISTRY/upgrade-test/web:TAG and the local REGISTRY/... names are removed again, so that a
# pull really fetches them.
#
# Usage: build-test-images.sh DOCKER_HOST [REGISTRY]   (e.g. unix:///tmp/x/docker.sock 127.0.0.1:5000)
set -euo pipefail

docker_host="${1:?usage: build-test-images.sh DOCKER_HOST [REGISTRY]}"
registry="${2:-}"
docker=(/usr/bin/docker -H "$docker_host")
busybox=/bin/busybox

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Imports one rootfs as upgrade-test/web:TAG; `healthy` decides whether /www/health exists.
build_image() {
  local tag="$1" healthy="$2" rootfs="$work/$1"
  mkdir -p "$rootfs/bin" "$rootfs/www" "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  local tool
  for tool in sh sleep echo httpd cat ls wget; do
    ln -s busybox "$rootfs/bin/$tool"
  done
  printf '%s\n' "$tag" >"$rootfs/www/version"
  if [[ "$healthy" == yes ]]; then
    printf 'ok\n' >"$rootfs/www/health"
  fi
  tar -C "$rootfs" -c . | "${docker[@]}" import \
    -c 'CMD ["/bin/sh", "-c", "exec httpd -f -p 127.0.0.1:${PORT:-8080} -h /www"]' \
    -m "upgrade test image $tag" - "upgrade-test/web:$tag" >/dev/null
}

build_image v1 yes
build_image v2 yes
build_image v3-unhealthy no

if [[ -n "$registry" ]]; then
  for tag in v1 v2; do
    "${docker[@]}" tag "upgrade-test/web:$tag" "$registry/upgrade-test/web:$tag"
    "${docker[@]}" push --quiet "$registry/upgrade-test/web:$tag" >/dev/null
    "${docker[@]}" rmi "$registry/upgrade-test/web:$tag" >/dev/null
  done
fi
