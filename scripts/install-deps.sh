#!/usr/bin/env bash
# Installs every Debian and npm package that building upgrade, its demo and its tests need, on
# a fresh Debian 12 machine. Idempotent; runs as root, or through sudo otherwise. Quiet unless
# something fails, and then it prints what the failing step said.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Build toolchain and libraries (FACTS.md), the test services and their independent clients,
# and the fuzzing toolchain.
packages=(
  g++ cmake ninja-build pkg-config ccache git ca-certificates curl python3 procps util-linux
  tao-pegtl-dev libpqxx-dev libyaml-cpp-dev nlohmann-json3-dev libboost-graph-dev libspdlog-dev
  libgtest-dev libgmock-dev libcli11-dev libcurl4-openssl-dev libssl-dev nettle-dev
  postgresql-15 docker.io docker-registry busybox-static docker-compose awscli
  clang libclang-rt-14-dev
  nodejs
)

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  else
    sudo "$@"
  fi
}

# Runs a step with its output kept aside; prints that output only when the step fails.
quietly() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    echo "install-deps: failed: $*" >&2
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

missing_packages() {
  local package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then
      echo "$package"
    fi
  done
}

# A nodejs build that ships its own npm (and conflicts with Debian's) may already be there.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi

mapfile -t missing < <(missing_packages "${packages[@]}")
if ((${#missing[@]} > 0)); then
  export DEBIAN_FRONTEND=noninteractive
  quietly as_root apt-get update
  quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
    "${missing[@]}"
fi

# s3rver, pinned by package-lock.json; skipped when node_modules already matches the lock file.
if [[ ! -x "$repo/node_modules/.bin/s3rver" ]] ||
   ! cmp -s "$repo/package-lock.json" "$repo/node_modules/.package-lock.json.installed"; then
  quietly bash -c "cd '$repo' && npm ci --no-audit --no-fund --loglevel=error"
  cp "$repo/package-lock.json" "$repo/node_modules/.package-lock.json.installed"
fi
