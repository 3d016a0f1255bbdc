#!/usr/bin/env bash
# Installs what only the benchmarks need on top of scripts/install-deps.sh: the peer tools they
# run side by side with upgrade (sqitch with its PostgreSQL driver, ansible-core). Not part of
# the test run. Idempotent; as root, or through sudo otherwise; quiet unless it fails.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/scripts/install-deps.sh"

packages=(sqitch libdbd-pg-perl ansible-core)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$package")
  fi
done
((${#missing[@]} == 0)) && exit 0

as_root=()
[[ $(id -u) -eq 0 ]] || as_root=(sudo)
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { "${as_root[@]}" apt-get update &&
       "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; } \
    >"$log" 2>&1; then
  echo "install-bench-deps: failed to install ${missing[*]}:" >&2
  cat "$log" >&2
  exit 1
fi
