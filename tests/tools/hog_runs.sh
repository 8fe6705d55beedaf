#!/usr/bin/env bash
# tests/tools/hog_runs.sh [N] - the proof of issue 10 point 14: N (default 3)
# runs in a row of ./tests/run.sh, each in a fresh clone of this checkout's
# HEAD inside a private `mktemp -d` (0700) folder, with a read-only copy of
# ../shared beside it (as CI has) and `stress-ng --cpu 2` beside the run.
# Prints one line per run (exit code, seconds) and exits non-zero when any
# run failed. Each run's output stays in $KS_HOG_LOGS (default a temp folder).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
logs=${KS_HOG_LOGS:-$(mktemp -d)}
commit=$(git -C "$root" rev-parse HEAD)
status=0
for i in $(seq 1 "$runs"); do
  d=$(mktemp -d)
  git clone -q "$root" "$d/k" && git -C "$d/k" checkout -q "$commit"
  if [ -d "$root/../shared" ]; then cp -r "$root/../shared" "$d/shared"; chmod -R a-w "$d/shared"; fi
  stress-ng --cpu 2 --timeout 120m >/dev/null 2>&1 &
  hog=$!
  start=$(date +%s)
  (cd "$d/k" && CI=true ./tests/run.sh </dev/null) >"$logs/run-$i.log" 2>&1
  rc=$?
  kill "$hog"; wait "$hog" 2>/dev/null
  echo "run $i of $runs: commit $commit exit $rc in $(( $(date +%s) - start )) s ($(tail -1 "$logs/run-$i.log"))"
  [ "$rc" = 0 ] || status=1
  chmod -R u+w "$d"; rm -rf "$d"
done
echo "logs: $logs"
exit $status
