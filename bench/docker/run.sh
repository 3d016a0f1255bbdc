#!/usr/bin/env bash
# Runs the docker benchmark against the test daemon of scripts/test-services.sh and prints the
# table that docs/performance.md quotes. Usage: bench/docker/run.sh [BUILD_DIR] [CONTAINERS] [PARALLEL]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$repo/build}"
: "${UPGRADE_TEST_DOCKER_HOST:?start the services: scripts/test-services.sh start && source <(scripts/test-services.sh env)}"
ninja -C "$build" docker_bench >/dev/null
"$build/bench/docker/docker_bench" --containers "${2:-20}" --parallel "${3:-4}"
