#!/usr/bin/env bash
# tests/fuzz/run-long.sh [SECONDS] [TARGET...] - fuzz each target for SECONDS
# (default 600) with libFuzzer, ASan and UBSan, one after the other.
#
# Builds into $KS_FUZZ_BUILD (default build-fuzz-long, beside build/) with
# CC=clang and -DKS_FUZZ=ON. The corpus grows in that build folder
# (fuzz-long/<target>/) and is kept for the next run; the seed corpus and the
# regressions in the repo are only read. Crashes are written to
# <build>/fuzz-artifacts/<target>-crash-*; to keep one as a regression test,
# copy it to tests/fuzz/regressions/<target>/ (or tests/fuzz/pending/<target>/
# while the bug is open). Exits 1 when any target found a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
secs=${1:-600}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_query fuzz_tokenizer fuzz_ingest_text fuzz_ingest_jsonl fuzz_search fuzz_http)
build=${KS_FUZZ_BUILD:-$root/build-fuzz-long}
jobs=$(nproc 2>/dev/null || echo 2)

CC=clang cmake -S "$root" -B "$build" -DKS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
  exit 1
cmake --build "$build" -j"$jobs" --target "${targets[@]}" || exit 1
mkdir -p "$build/fuzz-artifacts"
status=0
for t in "${targets[@]}"; do
  printf '\n=== %s: %s s\n' "$t" "$secs"
  mkdir -p "$build/fuzz-long"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    sh "$root/tests/fuzz/run-one.sh" "$secs" "$build/fuzz/$t" "$build/fuzz-long/$t" \
    "$build/fuzz-artifacts/$t-" "$root/tests/fuzz/dict/$t.dict" \
    "$root/tests/fuzz/corpus/$t" "$root/tests/fuzz/regressions/$t" 2>"$build/fuzz-long/$t.log"
  rc=$?
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::|Done|INFO: a leak|==[0-9]+==ERROR|SUMMARY)' \
    "$build/fuzz-long/$t.log" | tail -n 12
  if [ $rc != 0 ]; then
    status=1
    echo "$t FAILED (exit $rc): log $build/fuzz-long/$t.log"
    ls -1 "$build/fuzz-artifacts/$t-"* 2>/dev/null
  fi
done
printf '\n=== %s\n' "$([ $status = 0 ] && echo 'no failures' || echo 'FAILURES (see above)')"
exit $status
