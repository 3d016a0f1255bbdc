#!/usr/bin/env bash
# Writes the same N chained changes three ways into OUT_DIR:
#   migrations/NNNN_change_N.up.sql / .down.sql   for upgrade's postgres.migrations
#   sqitch/ (sqitch.conf, sqitch.plan, deploy/, revert/)  for sqitch, each change requiring the last
#   up.sql / down.sql                              for psql -1 -f
# Each change creates a table referencing the previous one, fills it, and indexes it.
# Usage: generate.sh OUT_DIR [N=200]
set -euo pipefail
out="$1"
n="${2:-200}"
rm -rf "$out"
mkdir -p "$out/migrations" "$out/sqitch/deploy" "$out/sqitch/revert"
printf '%%syntax-version=1.0.0\n%%project=bench\n\n' >"$out/sqitch/sqitch.plan"
printf '[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n' >"$out/sqitch/sqitch.conf"
: >"$out/up.sql"
: >"$out/down.sql"
for ((i = 1; i <= n; i++)); do
  v=$(printf '%04d' "$i")
  ref=""
  ((i > 1)) && ref=", parent int REFERENCES t$((i - 1)) (id)"
  up="CREATE TABLE t$i (id int PRIMARY KEY, name text NOT NULL$ref);
INSERT INTO t$i (id, name) SELECT g, 'row ' || g FROM generate_series(1, 20) g;
CREATE INDEX t${i}_name ON t$i (name);"
  down="DROP TABLE t$i;"
  printf '%s\n' "$up" >"$out/migrations/${v}_change_$i.up.sql"
  printf '%s\n' "$down" >"$out/migrations/${v}_change_$i.down.sql"
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$up" >"$out/sqitch/deploy/change_$i.sql"
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$down" >"$out/sqitch/revert/change_$i.sql"
  requires=""
  ((i > 1)) && requires="[change_$((i - 1))] "
  printf 'change_%d %s2026-01-01T00:00:00Z Bench <bench@example.com> # change %d\n' \
    "$i" "$requires" "$i" >>"$out/sqitch/sqitch.plan"
  printf '%s\n' "$up" >>"$out/up.sql"
  down_all="$down
$(cat "$out/down.sql")"
  printf '%s\n' "$down_all" >"$out/down.sql"
done
