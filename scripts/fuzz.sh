#!/usr/bin/env bash
# Builds the language's libFuzzer target with clang (address and undefined-behaviour
# sanitizers) in its own build folder, seeds it with every plan under tests/lang, and runs it
# for FUZZ_SECONDS (default 60). Fails on any crash, leak, sanitizer report or hang; the input
# that caused it is left in $BUILD/artifacts and printed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$repo/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_BUILD_JOBS:-2}

sanitizers="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$repo" -B "$build" -G Ninja -DUPGRADE_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$sanitizers -fsanitize=fuzzer-no-link" \
  -DCMAKE_EXE_LINKER_FLAGS="$sanitizers" "${launcher[@]}" >/dev/null
ninja -C "$build" -j"$jobs" lang_parser_fuzzer

corpus="$build/corpus"
artifacts="$build/artifacts"
mkdir -p "$corpus" "$artifacts"
find "$repo/tests/lang" "$repo/examples" "$repo/stdlib-plans" -type f \
  \( -name '*.upg' -o -name '*.inc' \) -exec cp {} "$corpus/" \; 2>/dev/null || true

echo "fuzzing the parser and checker for ${seconds}s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if ! "$build/lang/fuzz/lang_parser_fuzzer" "$corpus" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    2>"$build/fuzz.log"; then
  tail -60 "$build/fuzz.log"
  echo "fuzz: FAILED; the input is in $artifacts:" >&2
  ls -1 "$artifacts" >&2
  exit 1
fi
grep -E '^stat::number_of_executed_units|^Done' "$build/fuzz.log" || true
echo "fuzz: no crash, leak or hang in ${seconds}s"
