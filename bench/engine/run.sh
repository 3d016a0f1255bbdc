#!/bin/bash
# The engine benchmark: plan, apply and rollback of N independent fs.file steps through the
# `upgrade` binary (time and peak memory), the same files written directly by one process (to
# get the overhead per change), and the same DAG size in terraform with terraform_data
# resources (plan, apply, and destroy for the rollback).
#
#   bench/engine/run.sh UPGRADE_BINARY [N...]      (default N: 1000 10000)
#   TERRAFORM_MAX=1000 limits terraform to N <= 1000 (it grows about as N^2).
#   RUNS=5 runs each measurement that many times (fresh directories) and keeps the median;
#   the runs of upgrade and of terraform for one measurement take turns.
#   SETTLE=360 seconds to wait before the first runs that create files (see below).
#   BENCH_DIR=DIR works in DIR (default $TMPDIR or /tmp), e.g. on a freshly made file system.
# Nothing is deleted until the rollback rows at the end: on ext4 without a journal (these
# machines), the kernel does not reuse an inode freed less than 60 seconds ago (fs/ext4/
# ialloc.c, recently_deleted; 360 seconds while its inode table block is not yet written back),
# and creating files right after deleting thousands makes it search past them, which would
# charge one run for the cleanup of the one before. Deletions made before this starts (the
# cleanup of an earlier run of it, a test suite, a build) do the same: hence the wait before the
# first runs that create files (65 s was too short after an earlier run's cleanup: its apply
# took 0.33-0.41 s instead of 0.22-0.25), and run this several minutes after such work.
# Prints one Markdown table row per measurement: the median run, and the fastest run's wall time;
# then how many times faster than terraform upgrade was, by the medians and by the fastest runs.
set -euo pipefail

UPGRADE=$(realpath "${1:?usage: run.sh UPGRADE_BINARY [N...]}")
shift
SIZES=("${@:-1000 10000}")
[ $# -eq 0 ] && SIZES=(1000 10000)
TERRAFORM=${TERRAFORM:-/usr/local/bin/terraform}
TERRAFORM_MAX=${TERRAFORM_MAX:-1000}
RUNS=${RUNS:-5}
SETTLE=${SETTLE:-360}
WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/bench-engine.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# An empty CLI configuration: terraform warns on every command when it has none.
: >"$WORK/terraformrc"
export TF_CLI_CONFIG_FILE="$WORK/terraformrc"

# Runs a command, prints "wall_seconds cpu_seconds peak_kib"; fails loudly if the command fails.
# Timed from inside a Python parent around posix_spawn and wait4 of the command alone: timing it
# from the shell with `date` before and after `/usr/bin/time` added about 2.5 ms of the shell's
# own forks to every run, a sixth of a plan that takes 16 ms. CPU (user + system) and peak
# memory are the command's (and its children's), from wait4, as /usr/bin/time reports them.
measure() {
  local code=0
  python3 - "$WORK/measured.raw" "$@" >"$WORK/last.out" 2>"$WORK/last.err" <<'PYTHON' || code=$?
import os, sys, time
began = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - began
with open(sys.argv[1], "w") as out:
    out.write(f"{wall:.3f} {usage.ru_utime + usage.ru_stime:.2f} {usage.ru_maxrss}\n")
sys.exit(os.waitstatus_to_exitcode(status))
PYTHON
  # --detailed-exitcode 2 means "changes": not a failure here.
  if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then
    echo "failed ($code): $*" >&2
    tail -20 "$WORK/last.err" >&2
    exit 1
  fi
  cat "$WORK/measured.raw"
}

# Runs a command through measure and sets s (wall), c (CPU) and m (peak KiB).
timed() {
  measure "$@" >"$WORK/measured"
  read -r s c m <"$WORK/measured"
}

# Prints the run in file $1 ("wall cpu kib" lines) with the median wall time, then the fastest
# wall time: what the machine's passing slowdowns (they only add) left of the command's own.
median_and_fastest() {
  echo "$(sort -n "$1" | sed -n "$(((RUNS + 1) / 2))p") $(sort -n "$1" | head -1 | cut -d' ' -f1)"
}

# Runs `$1 RUN_INDEX` RUNS times (it must call `timed` last) and sets s, c and m to the run
# with the median wall time, f to the fastest wall time.
median_of_runs() {
  local i
  : >"$WORK/runs"
  for ((i = 0; i < RUNS; i++)); do
    "$1" "$i"
    echo "$s $c $m" >>"$WORK/runs"
  done
  read -r s c m f < <(median_and_fastest "$WORK/runs")
}

# Runs `$1 RUN_INDEX` and `$2 RUN_INDEX` by turns, RUNS times each (each must call `timed`
# last), and sets s1 c1 m1 f1 and s2 c2 m2 f2 as median_of_runs sets s c m f. Taking turns
# puts both tools in the same minutes of a machine whose speed drifts by the minute.
median_of_paired_runs() {
  local i
  : >"$WORK/runs1"
  : >"$WORK/runs2"
  for ((i = 0; i < RUNS; i++)); do
    "$1" "$i"
    echo "$s $c $m" >>"$WORK/runs1"
    "$2" "$i"
    echo "$s $c $m" >>"$WORK/runs2"
  done
  read -r s1 c1 m1 f1 < <(median_and_fastest "$WORK/runs1")
  read -r s2 c2 m2 f2 < <(median_and_fastest "$WORK/runs2")
}

generate_upg() {  # N DIR
  local n=$1 dir=$2 i
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
  local n=$1 dir=$2 i
  {
    for ((i = 0; i < n; i++)); do
      echo "resource \"terraform_data\" \"d$i\" { input = \"file $i\" }"
    done
  } >"$dir/main.tf"
}

row() {  # LABEL N WALL FASTEST CPU KIB
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$(($6 / 1024))"
}

# One process writing the files as durably as upgrade's fs provider does (temp file, fsync,
# rename, fsync of the directory), on 10 threads: the floor for the same work.
cat >"$WORK/direct.py" <<'PYTHON'
import os, sys, threading
n, root = int(sys.argv[1]), sys.argv[2]
def write(start):
    for i in range(start, n, 10):
        temp, path = f"{root}/.f{i}.tmp", f"{root}/f{i}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, f"file {i}\n".encode())
        os.fsync(fd)
        os.close(fd)
        os.rename(temp, path)
        dirfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        os.fsync(dirfd)
        os.close(dirfd)
threads = [threading.Thread(target=write, args=(t,)) for t in range(10)]
for t in threads: t.start()
for t in threads: t.join()
PYTHON

run_upgrade() {  # RUN_INDEX; uses n; leaves the run's directory in $dir
  dir="$WORK/upg-$n-$1"
  mkdir -p "$dir/root"
  generate_upg "$n" "$dir"
  case "$what" in
    plan) timed "$UPGRADE" plan "$dir/bench.upg" --var "root=$dir/root" --no-color ;;
    apply)
      timed "$UPGRADE" apply "$dir/bench.upg" --var "root=$dir/root" --auto-approve --no-color
      count=$(find "$dir/root" -type f | wc -l)
      [ "$count" -eq "$n" ] || { echo "apply wrote $count files, not $n" >&2; exit 1; }
      ;;
    replan)
      "$UPGRADE" apply "$dir/bench.upg" --var "root=$dir/root" --auto-approve --no-color \
        >/dev/null
      timed "$UPGRADE" plan "$dir/bench.upg" --var "root=$dir/root" --no-color \
        --detailed-exitcode
      grep -q "No changes." "$WORK/last.out" || { echo "second plan is not empty" >&2; exit 1; }
      ;;
    undo)
      "$UPGRADE" apply "$dir/bench.upg" --var "root=$dir/root" --auto-approve --no-color \
        >/dev/null
      timed "$UPGRADE" rollback --state "$dir/.upgrade" --auto-approve --no-color
      count=$(find "$dir/root" -type f | wc -l)
      [ "$count" -eq 0 ] || { echo "rollback left $count files" >&2; exit 1; }
      ;;
  esac
}

run_direct() {  # RUN_INDEX
  local direct="$WORK/direct-$n-$1"
  mkdir -p "$direct"
  timed python3 "$WORK/direct.py" "$n" "$direct"
}

run_terraform() {  # RUN_INDEX; uses n and what
  local tf="$WORK/tf-$n-$1"
  mkdir -p "$tf"
  generate_tf "$n" "$tf"
  (cd "$tf" && "$TERRAFORM" init -input=false >/dev/null)
  cd "$tf"
  case "$what" in
    plan) timed "$TERRAFORM" plan -input=false -no-color ;;
    apply) timed "$TERRAFORM" apply -input=false -auto-approve -no-color ;;
    replan)
      "$TERRAFORM" apply -input=false -auto-approve -no-color >/dev/null
      timed "$TERRAFORM" plan -input=false -no-color -detailed-exitcode
      ;;
    undo)
      "$TERRAFORM" apply -input=false -auto-approve -no-color >/dev/null
      timed "$TERRAFORM" destroy -input=false -auto-approve -no-color
      ;;
  esac
  cd "$WORK"
}

label() {  # TOOL WHAT
  case "$2" in
    plan) echo "$1 plan (all new)" ;;
    apply) echo "$1 apply" ;;
    replan) echo "$1 plan (no changes)" ;;
    undo) [ "$1" = upgrade ] && echo "upgrade rollback of the apply" \
      || echo "$1 destroy of the apply" ;;
  esac
}

# Measures `what` for both tools (by turns) or upgrade alone; prints upgrade's row and keeps
# terraform's in terraform_rows.
measure_both() {
  if [ "$with_terraform" = 1 ]; then
    median_of_paired_runs run_upgrade run_terraform
    row "$(label upgrade "$what")" "$n" "$s1" "$f1" "$c1" "$m1"
    terraform_rows+=("$(row "$(label terraform "$what")" "$n" "$s2" "$f2" "$c2" "$m2")")
    ratio_rows+=("$(awk -v what="$(label upgrade "$what")" -v n="$n" -v s1="$s1" -v s2="$s2" \
      -v f1="$f1" -v f2="$f2" \
      'BEGIN { printf "| %s | %s | %.0fx | %.0fx |", what, n, s2 / s1, f2 / f1 }')")
  else
    median_of_runs run_upgrade
    row "$(label upgrade "$what")" "$n" "$s" "$f" "$c" "$m"
  fi
}

echo "| what | N | wall s (median) | fastest s | CPU s | peak memory (MiB) |"
echo "|---|---|---|---|---|---|"
ratio_rows=()
for n in "${SIZES[@]}"; do
  with_terraform=0
  [ "$n" -le "$TERRAFORM_MAX" ] && [ -x "$TERRAFORM" ] && with_terraform=1
  terraform_rows=()
  for what in plan apply replan; do
    [ "$what" = apply ] && sleep "$SETTLE"
    measure_both
  done
  median_of_runs run_direct
  row "direct writes, as durable (10 threads)" "$n" "$s" "$f" "$c" "$m"
  # Last: a rollback deletes what its apply made, which would slow the creations after it.
  what=undo
  measure_both
  if [ "${#terraform_rows[@]}" -gt 0 ]; then printf '%s\n' "${terraform_rows[@]}"; fi
done
# How many times faster than terraform: its median over upgrade's, its fastest over upgrade's.
if [ "${#ratio_rows[@]}" -gt 0 ]; then
  echo
  echo "| against terraform | N | median | fastest |"
  echo "|---|---|---|---|"
  printf '%s\n' "${ratio_rows[@]}"
fi
