#!/usr/bin/env bash
# 200 migrations up and down: upgrade through its binary (`upgrade apply` of a plan setting
# the migrations' version, then `upgrade rollback`), upgrade's provider alone (as the executor
# drives it, without plan, journal or state), sqitch deploy/revert of the same changes, and
# psql -1 -f of the same SQL in one file. Each runs REPS times on a fresh database; the median seconds are printed as a
# Markdown table for docs/performance.md.
# Needs: UPGRADE_TEST_PG_DSN (scripts/test-services.sh), sqitch and libdbd-pg-perl
# (scripts/install-bench-deps.sh), and the built bench binary.
# Usage: bench/postgres/run.sh BUILD_DIR [N=200] [REPS=3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "$1" && pwd)"
n="${2:-200}"
reps="${3:-3}"
: "${UPGRADE_TEST_PG_DSN:?start the test services: scripts/test-services.sh start}"
bench_bin="$build/bench/postgres/postgres_migrations_bench"
upgrade_bin="$build/cli/upgrade"
psql=(/usr/bin/psql -X -q -v ON_ERROR_STOP=1)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/generate.sh" "$work/changes" "$n"

server="${UPGRADE_TEST_PG_DSN%/*}"
db="bench_pg_$$"
fresh_db() {
  "${psql[@]}" -d "$UPGRADE_TEST_PG_DSN" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
    -c "CREATE DATABASE $db"
}
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN {printf "%.3f", a - b}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A up down names
run_provider() {
  local out
  out="$("$bench_bin" "$server/$db" "$work/changes/migrations" "$work/blobs")"
  up[provider]+=" $(awk '/^up/ {print $2}' <<<"$out")"
  down[provider]+=" $(awk '/^down/ {print $2}' <<<"$out")"
}
run_binary() {
  local t plan="$work/changes/plan.upg"
  cat >"$plan" <<PLAN
plan "bench" { on_failure = rollback }
input dsn { sensitive = true }
resource postgres.database db { url = input.dsn }
resource postgres.migrations schema { database = db  dir = "migrations" }
step migrate { set schema { version = "latest" } }
PLAN
  rm -rf "$work/state"
  t=$(now)
  "$upgrade_bin" apply "$plan" --var "dsn=$server/$db" --state "$work/state" --auto-approve >/dev/null
  up[binary]+=" $(since "$t")"
  t=$(now)
  "$upgrade_bin" rollback --state "$work/state" --auto-approve >/dev/null
  down[binary]+=" $(since "$t")"
}
run_sqitch() {
  local target="db:pg://${server#postgresql://}/$db" t
  export SQITCH_FULLNAME=Bench SQITCH_EMAIL=bench@example.com HOME="$work"
  t=$(now)
  sqitch --chdir "$work/changes/sqitch" deploy --target "$target" >/dev/null
  up[sqitch]+=" $(since "$t")"
  t=$(now)
  sqitch --chdir "$work/changes/sqitch" revert -y --target "$target" >/dev/null
  down[sqitch]+=" $(since "$t")"
}
run_psql() {
  local t
  t=$(now)
  "${psql[@]}" -1 -d "$server/$db" -f "$work/changes/up.sql"
  up[psql]+=" $(since "$t")"
  t=$(now)
  "${psql[@]}" -1 -d "$server/$db" -f "$work/changes/down.sql"
  down[psql]+=" $(since "$t")"
}

for ((r = 1; r <= reps; r++)); do
  for tool in binary provider sqitch psql; do
    fresh_db
    "run_$tool"
  done
done
"${psql[@]}" -d "$UPGRADE_TEST_PG_DSN" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"

echo "| $n migrations | up (s) | down (s) |"
echo "|---|---:|---:|"
names=([binary]="upgrade apply / rollback" [provider]="upgrade provider only" [sqitch]="sqitch" [psql]="psql -1 -f")
for tool in binary provider sqitch psql; do
  # shellcheck disable=SC2086
  printf '| %s | %.2f | %.2f |\n' "${names[$tool]}" "$(median ${up[$tool]})" "$(median ${down[$tool]})"
done
