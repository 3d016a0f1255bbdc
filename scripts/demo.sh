#!/usr/bin/env bash
# The README's demo: builds upgrade (scripts/setup.sh), then in a temporary directory plans,
# applies, plans again (`No changes.`), shows, and rolls back examples/quickstart.upg, and
# checks that the directory is empty again. Prints each command before running it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${UPGRADE_BUILD_DIR:-$repo/build}"

if [[ "${UPGRADE_DEMO_SKIP_SETUP:-}" != 1 ]]; then
  bash "$repo/scripts/setup.sh"
fi
upgrade="$build_dir/cli/upgrade"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
state="$work/state"
mkdir -p "$root"

run() {
  printf '\n$ %s\n' "$*"
  "$@"
}

plan="$repo/examples/quickstart.upg"
run "$upgrade" plan "$plan" --var "root=$root" --state "$state"
run "$upgrade" apply "$plan" --var "root=$root" --state "$state" --auto-approve
printf '\n$ %s\n' "$upgrade plan $plan --var root=$root --state $state"
again="$("$upgrade" plan "$plan" --var "root=$root" --state "$state")"
printf '%s\n' "$again"
if ! grep -q 'No changes.' <<<"$again"; then
  echo "demo: the second plan should say 'No changes.'" >&2
  exit 1
fi
run "$upgrade" show --state "$state"
run find "$root" -printf '%M %p\n'
run "$upgrade" rollback --state "$state" --auto-approve

left="$(find "$root" -mindepth 1)"
if [[ -n "$left" ]]; then
  echo "demo: rollback left files behind:" >&2
  echo "$left" >&2
  exit 1
fi
printf '\ndemo: %s is empty again\n' "$root"
