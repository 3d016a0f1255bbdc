#!/usr/bin/env bash
# The whole test suite, as CI runs it: sets up and builds (scripts/setup.sh), starts the real
# test services (scripts/test-services.sh, always stopped on exit), runs every CTest label
# (unit, integration, e2e), then the fuzz smoke run if scripts/fuzz.sh exists. Fails if any
# test fails, is skipped, or if no test ran. Prints how long each phase took.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${UPGRADE_BUILD_DIR:-$repo/build}"
export UPGRADE_BUILD_DIR="$build_dir"
export UPGRADE_BUILD_TYPE="${UPGRADE_BUILD_TYPE:-Testing}"
timings=()

# Runs one phase, timing it: phase NAME COMMAND...
phase() {
  local name="$1" started=$SECONDS
  shift
  echo "==> $name"
  local rc=0
  "$@" || rc=$?
  timings+=("$(printf '%-10s %4ds' "$name" $((SECONDS - started)))")
  if ((rc != 0)); then
    echo "==> $name failed (exit $rc)" >&2
  fi
  return "$rc"
}

print_timings() {
  echo "==> time per phase"
  printf '  %s\n' "${timings[@]}"
}

start_services() {
  bash "$repo/scripts/test-services.sh" start || return 1
  # shellcheck disable=SC1090
  source <(bash "$repo/scripts/test-services.sh" env)
}

run_ctest() {
  local log="$build_dir/ctest.log" status=0
  (cd "$build_dir" && ctest --output-on-failure --no-tests=error -j "${UPGRADE_TEST_JOBS:-4}" \
    --timeout 600) 2>&1 | tee "$log" || status=$?
  # GoogleTest reports a skipped test as passed to CTest; a skip is a failure here.
  local skipped
  skipped="$(grep -c '^\[  SKIPPED \]' "$build_dir/Testing/Temporary/LastTest.log" || true)"
  if [[ "$skipped" != 0 ]]; then
    echo "error: $skipped test(s) skipped; see $build_dir/Testing/Temporary/LastTest.log" >&2
    grep '^\[  SKIPPED \]' "$build_dir/Testing/Temporary/LastTest.log" >&2
    status=1
  fi
  summary="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"
  return "$status"
}

run_fuzz() {
  if [[ -f "$repo/scripts/fuzz.sh" ]]; then
    bash "$repo/scripts/fuzz.sh"
  else
    echo "no scripts/fuzz.sh"
  fi
}

# Prints CTest's counts as the last line, in a form any reader of the log understands.
print_counts() {
  if [[ "$summary" =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    local failed="${BASH_REMATCH[1]}" total="${BASH_REMATCH[2]}"
    echo "ctest: $((total - failed)) passed, $failed failed"
  fi
}

summary=""
status=0
trap 'bash "$repo/scripts/test-services.sh" stop' EXIT
trap 'exit 130' INT TERM
phase setup bash "$repo/scripts/setup.sh" &&
  phase services start_services &&
  phase ctest run_ctest &&
  phase fuzz run_fuzz || status=$?
print_timings
print_counts
exit "$status"
