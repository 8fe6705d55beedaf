#!/usr/bin/env bash
# tests/run.sh - install what is missing, build a normal and an
# AddressSanitizer+UBSan build, run every test through ctest in both, run
# the fuzzers briefly, and check the contract. Exits non-zero on any failure.
# .ci/run calls exactly this. The last line it prints is always
# "N passed, M failed", counting the suites (normal, asan+ubsan, fuzz) and
# the contract check, for CI to read; any process a test left behind is
# killed at the end and named.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

say() { printf '\n=== %s\n' "$*"; }

# --- the summary, printed however the script ends ----------------------------
passed=0 failed=0 summary_done=0
results=()
record() { # name ok|FAILED detail
  results+=("$1: $2${3:+ ($3)}")
  if [ "$2" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
# Every process started from here carries KS_RUN_ID in its environment; any
# still alive at the end (a test that crashed before stopping its server,
# nginx, wrk) is killed and named. Nothing else on the machine is touched.
export KS_RUN_ID="ks-run-$$-$(date +%s%N)"
leftovers() {
  local pid pids=() me=$$
  for f in /proc/[0-9]*/environ; do
    pid=${f#/proc/}; pid=${pid%/environ}
    [ "$pid" = "$me" ] && continue
    [ "$pid" = "$BASHPID" ] && continue
    if grep -qzxF "KS_RUN_ID=$KS_RUN_ID" "$f" 2>/dev/null; then
      # not this script's own subshells
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = bash ] &&
        grep -qF "run.sh" "/proc/$pid/cmdline" 2>/dev/null && continue
      pids+=("$pid")
    fi
  done
  if ((${#pids[@]})); then
    say "processes left behind by the tests (killed):"
    for pid in "${pids[@]}"; do
      printf '  %s %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-160)"
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
}
finish() {
  local rc=$?
  [ $summary_done = 1 ] && return
  summary_done=1
  leftovers
  if [ $rc != 0 ]; then record "run.sh" FAILED "stopped early, exit $rc"; fi
  say "summary"
  for r in "${results[@]}"; do printf '  %s\n' "$r"; done
  printf '%d passed, %d failed\n' "$passed" "$failed"
}
trap finish EXIT

# --- dependencies (Debian) ---------------------------------------------------
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev
      libsqlite3-dev libicu-dev libmicrohttpd-dev libjansson-dev libxxhash-dev libxml2-dev libssl-dev stress-ng
      python3 curl chromium nodejs npm
      groonga wrk nginx-light manpages-ja time libxml2-utils
      sqlite3 strace openssl systemd fonts-noto-cjk newsboat
      libmecab-dev mecab mecab-ipadic-utf8 groonga-tokenizer-mecab libstemmer-dev
      libgmime-3.0-dev libcurl4-openssl-dev scdoc lintian fakeroot dpkg-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from another install on this machine; do not fight it
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
# any nginx flavour will do (the benchmark's ceiling, the scale-out proxy)
if command -v nginx >/dev/null; then missing=("${missing[@]/nginx-light}"); fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  say "installing: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
fi

if [ -f tests/browser/package.json ]; then
  say "browser test dependencies (npm ci)"
  (cd tests/browser && { npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; })
fi

# ctest's "N% tests passed, M tests failed out of T" line of a log, or "".
ctest_line() { grep -aE '^[0-9]+% tests passed' "$1" | tail -n 1 || true; }

run_suite() { # name builddir cmake-args...
  local name=$1 dir=$2 log; shift 2
  log=$(mktemp)
  say "build: $name"
  if ! { cmake -S "$root" -B "$dir" -DKS_WERROR=ON "$@" >/dev/null && cmake --build "$dir" -j"$jobs"; }; then
    record "$name" FAILED "build failed"
    rm -f "$log"
    return 0
  fi
  say "test: $name"
  if ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 900 2>&1 | tee "$log"; then
    record "$name" ok "$(ctest_line "$log")"
  else
    record "$name" FAILED "$(ctest_line "$log")"
  fi
  rm -f "$log"
  leftovers
}

run_suite normal build -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite "asan+ubsan" build-asan -DCMAKE_BUILD_TYPE=Debug -DKS_SANITIZE=ON

if [ -f tests/fuzz/CMakeLists.txt ]; then
  say "fuzz (libFuzzer, clang, short runs)"
  log=$(mktemp)
  if ! { CC=clang cmake -S "$root" -B build-fuzz -DKS_FUZZ=ON -DKS_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
    cmake --build build-fuzz -j"$jobs"; }; then
    record fuzz FAILED "build failed"
  elif ctest --test-dir build-fuzz -L fuzz --output-on-failure 2>&1 | tee "$log"; then
    record fuzz ok "$(ctest_line "$log")"
  else
    record fuzz FAILED "$(ctest_line "$log")"
  fi
  rm -f "$log"
  leftovers
fi

if [ -f ../shared/contract-check.py ]; then
  say "contract check (../shared/contract-check.py)"
  if python3 ../shared/contract-check.py; then
    record "contract check" ok
  else
    record "contract check" FAILED
  fi
else
  say "contract check: skipped (../shared/contract-check.py is not beside this clone)"
fi

finish
[ "$failed" = 0 ]
