#!/bin/sh
# tests/fuzz/run-one.sh [--fresh] SECONDS FUZZER WORKDIR ARTIFACT_PREFIX DICT DIR...
# Runs one libFuzzer binary for SECONDS. New inputs go to WORKDIR (emptied
# first with --fresh); the DIRs (seed corpus, regressions) are only read and
# skipped when missing; crash files are written as ARTIFACT_PREFIX<kind>-<sha>.
# Exits with the fuzzer's status (non-zero when it found a failure).
set -eu
fresh=0
if [ "${1:-}" = --fresh ]; then
  fresh=1
  shift
fi
if [ $# -lt 6 ]; then
  echo "usage: $0 [--fresh] SECONDS FUZZER WORKDIR ARTIFACT_PREFIX DICT DIR..." >&2
  exit 2
fi
secs=$1 bin=$2 work=$3 prefix=$4 dict=$5
shift 5
[ $fresh = 1 ] && rm -rf "$work"
mkdir -p "$work" "$(dirname "$prefix")"
dirs=""
for d in "$@"; do
  [ -d "$d" ] && dirs="$dirs
$d"
done
# one directory per line, so paths with spaces survive
IFS='
'
set -- $dirs
unset IFS
exec "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$dict" -artifact_prefix="$prefix" "$work" "$@"
