#!/usr/bin/env bash
# Sets a machine up to build upgrade and builds it: installs the dependencies
# (scripts/install-deps.sh), configures with CMake and Ninja, and builds everything into
# ${UPGRADE_BUILD_DIR:-build}. With CI=true, compiler warnings are errors.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${UPGRADE_BUILD_DIR:-$repo/build}"

bash "$repo/scripts/install-deps.sh"

# RelWithDebInfo by default; scripts/test.sh asks for the quicker-to-build Testing type.
options=(-G Ninja -DCMAKE_BUILD_TYPE="${UPGRADE_BUILD_TYPE:-RelWithDebInfo}")
if [[ "${CI:-}" == true ]]; then
  options+=(-DUPGRADE_WERROR=ON)
fi
if command -v ccache >/dev/null 2>&1; then
  options+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

cmake -S "$repo" -B "$build_dir" "${options[@]}" >/dev/null
# The machines have 2 cores; more jobs only add memory pressure.
ninja -C "$build_dir" -j "${UPGRADE_BUILD_JOBS:-2}"
