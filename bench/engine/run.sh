#!/bin/bash
# The engine benchmark: plan and apply of N independent fs.file steps through the `upgrade`
# binary (time and peak memory), the same files written directly by the shell (to get the
# overhead per change), and the same DAG size in terraform with terraform_data resources.
#
#   bench/engine/run.sh UPGRADE_BINARY [N...]      (default N: 1000 10000)
#   TERRAFORM_MAX=1000 limits terraform to N <= 1000 (it grows about as N^2).
# Prints one Markdown table row per measurement.
set -euo pipefail

UPGRADE=${1:?usage: run.sh UPGRADE_BINARY [N...]}
shift
SIZES=("${@:-1000 10000}")
[ $# -eq 0 ] && SIZES=(1000 10000)
TERRAFORM=${TERRAFORM:-/usr/local/bin/terraform}
TERRAFORM_MAX=${TERRAFORM_MAX:-1000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Runs a command, prints "wall_seconds cpu_seconds peak_kib"; fails loudly if the command fails.
measure() {
  local out="$WORK/time.$$"
  local code=0
  /usr/bin/time -f "%e %U %S %M" -o "$out" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || code=$?
  # --detailed-exitcode 2 means "changes": not a failure here.
  if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then
    echo "failed ($code): $*" >&2
    tail -20 "$WORK/last.err" >&2
    exit 1
  fi
  # The last line: time writes "Command exited with non-zero status N" first when it did.
  tail -1 "$out" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }'
}

# Runs a command through measure and sets s (wall), c (CPU) and m (peak KiB).
timed() {
  measure "$@" >"$WORK/measured"
  read -r s c m <"$WORK/measured"
}

generate_upg() {  # N DIR
  local n=$1 dir=$2
  {
    echo 'plan "bench" {}'
    echo 'input root {}'
    for ((i = 0; i < n; i++)); do
      echo "resource fs.file f$i { path = \"\${input.root}/f$i\" }"
      echo "step s$i { set f$i { content = \"file $i\\n\" } }"
    done
  } >"$dir/bench.upg"
}

generate_tf() {  # N DIR
  local n=$1 dir=$2
  {
    for ((i = 0; i < n; i++)); do
      echo "resource \"terraform_data\" \"d$i\" { input = \"file $i\" }"
    done
  } >"$dir/main.tf"
}

row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$(($5 / 1024))"; }

echo "| what | N | wall s | CPU s | peak memory (MiB) |"
echo "|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  dir="$WORK/upg-$n"
  mkdir -p "$dir/root"
  generate_upg "$n" "$dir"
  timed "$UPGRADE" plan "$dir/bench.upg" --var "root=$dir/root" --no-color
  row "upgrade plan (all new)" "$n" "$s" "$c" "$m"
  timed "$UPGRADE" apply "$dir/bench.upg" --var "root=$dir/root" \
    --auto-approve --no-color
  row "upgrade apply" "$n" "$s" "$c" "$m"
  count=$(find "$dir/root" -type f | wc -l)
  [ "$count" -eq "$n" ] || { echo "apply wrote $count files, not $n" >&2; exit 1; }
  timed "$UPGRADE" plan "$dir/bench.upg" --var "root=$dir/root" --no-color \
    --detailed-exitcode
  grep -q "No changes." "$WORK/last.out" || { echo "second plan is not empty" >&2; exit 1; }
  row "upgrade plan (no changes)" "$n" "$s" "$c" "$m"

  direct="$WORK/direct-$n"
  mkdir -p "$direct"
  timed bash -c 'for ((i = 0; i < '"$n"'; i++)); do
      printf "file %d\n" $i > "'"$direct"'/f$i.tmp" && sync -d "'"$direct"'/f$i.tmp" &&
      mv "'"$direct"'/f$i.tmp" "'"$direct"'/f$i"; done'
  row "shell: write, fsync, rename each file" "$n" "$s" "$c" "$m"

  if [ "$n" -le "$TERRAFORM_MAX" ] && [ -x "$TERRAFORM" ]; then
    tf="$WORK/tf-$n"
    mkdir -p "$tf"
    generate_tf "$n" "$tf"
    (cd "$tf" && "$TERRAFORM" init -input=false >/dev/null)
    cd "$tf" && timed "$TERRAFORM" plan -input=false -no-color
    row "terraform plan (all new)" "$n" "$s" "$c" "$m"
    cd "$tf" && timed "$TERRAFORM" apply -input=false -auto-approve -no-color
    row "terraform apply" "$n" "$s" "$c" "$m"
    cd "$tf" && timed "$TERRAFORM" plan -input=false -no-color \
      -detailed-exitcode
    row "terraform plan (no changes)" "$n" "$s" "$c" "$m"
    cd "$WORK"
  fi
done
