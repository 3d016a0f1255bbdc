#!/usr/bin/env bash
# A directory of 5,000 small files (1 KiB) and three 50 MiB files copied to s3: upgrade's
# `s3.migrate` (verified: a HEAD reads each ETag back) against `aws s3 sync` of the same
# directory, each into a fresh bucket, REPS times; prints the median seconds as a Markdown
# table for docs/performance.md, plus upgrade's re-run of the finished migration (all skipped).
# Needs: UPGRADE_TEST_S3_ENDPOINT (scripts/test-services.sh), awscli, the built bench binary.
# Usage: bench/s3/run.sh BUILD_DIR [SMALL=5000] [BIG=3] [REPS=3]
set -euo pipefail
build="$(cd "$1" && pwd)"
small="${2:-5000}"
big="${3:-3}"
reps="${4:-3}"
: "${UPGRADE_TEST_S3_ENDPOINT:?start the test services: scripts/test-services.sh start}"
bench_bin="$build/bench/s3/s3_migrate_bench"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
aws=(/usr/bin/aws --endpoint-url "$UPGRADE_TEST_S3_ENDPOINT")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The data: small files in 50 folders, and the big ones.
python3 - "$work/data" "$small" "$big" <<'PY'
import os, sys
root, small, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(small):
    folder = os.path.join(root, "docs", "%02d" % (i % 50))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "doc-%05d.json" % i), "wb") as f:
        f.write(os.urandom(512).hex().encode())
os.makedirs(os.path.join(root, "media"), exist_ok=True)
for i in range(big):
    with open(os.path.join(root, "media", "video-%d.bin" % i), "wb") as f:
        for _ in range(50):
            f.write(os.urandom(1 << 20))
PY
bytes=$(du -sb "$work/data" | cut -f1)

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN {printf "%.3f", a - b}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bucket() { echo "bench-$1-$$-$2"; }

upgrade_times=() rerun_times=() unverified_times=() aws_times=()
for ((r = 1; r <= reps; r++)); do
  b="$(bucket up "$r")"
  "${aws[@]}" s3api create-bucket --bucket "$b" >/dev/null
  out="$("$bench_bin" "$UPGRADE_TEST_S3_ENDPOINT" "$work/data" "s3://$b/data" "$work/state-$r")"
  upgrade_times+=("$(awk '/^migrate/ {print $2}' <<<"$out")")
  rerun_times+=("$(awk '/^rerun/ {print $2}' <<<"$out")")

  b="$(bucket nv "$r")"
  "${aws[@]}" s3api create-bucket --bucket "$b" >/dev/null
  out="$("$bench_bin" "$UPGRADE_TEST_S3_ENDPOINT" "$work/data" "s3://$b/data" "$work/state-nv-$r" 8 0)"
  unverified_times+=("$(awk '/^migrate/ {print $2}' <<<"$out")")

  b="$(bucket aws "$r")"
  "${aws[@]}" s3api create-bucket --bucket "$b" >/dev/null
  t=$(now)
  "${aws[@]}" s3 sync --only-show-errors "$work/data" "s3://$b/data"
  aws_times+=("$(since "$t")")
done

echo "| tool | $small × 1 KiB + $big × 50 MiB ($((bytes / 1048576)) MiB), median of $reps |"
echo "|---|---|"
echo "| upgrade \`s3.migrate\` (verify = true, 8 workers) | $(median "${upgrade_times[@]}") s |"
echo "| upgrade \`s3.migrate\` (verify = false, 8 workers) | $(median "${unverified_times[@]}") s |"
echo "| \`aws s3 sync\` (awscli 2, default 10 threads) | $(median "${aws_times[@]}") s |"
echo "| upgrade re-run of the finished migration (all verified, skipped) | $(median "${rerun_times[@]}") s |"
