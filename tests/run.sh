#!/usr/bin/env bash
# tests/run.sh - install what is missing, build a normal and an
# AddressSanitizer+UBSan build, run every test through ctest in both, run
# the fuzzers briefly, and check the contract. Exits non-zero on any failure.
# .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

say() { printf '\n=== %s\n' "$*"; }

# --- dependencies (Debian) ---------------------------------------------------
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev
      libsqlite3-dev libicu-dev libmicrohttpd-dev libjansson-dev libxxhash-dev libxml2-dev libssl-dev stress-ng
      python3 curl chromium nodejs npm
      groonga wrk nginx-light manpages-ja time libxml2-utils
      sqlite3 strace openssl systemd fonts-noto-cjk)
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

status=0
run_suite() { # name builddir cmake-args...
  local name=$1 dir=$2; shift 2
  say "build: $name"
  cmake -S "$root" -B "$dir" -DKS_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  say "test: $name"
  if ! ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 900; then
    status=1
  fi
}

run_suite normal build -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite "asan+ubsan" build-asan -DCMAKE_BUILD_TYPE=Debug -DKS_SANITIZE=ON

if [ -f tests/fuzz/CMakeLists.txt ]; then
  say "fuzz (libFuzzer, clang, short runs)"
  CC=clang cmake -S "$root" -B build-fuzz -DKS_FUZZ=ON -DKS_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-fuzz -j"$jobs"
  if ! ctest --test-dir build-fuzz -L fuzz --output-on-failure; then status=1; fi
fi

if [ -f ../shared/contract-check.py ]; then
  say "contract check (../shared/contract-check.py)"
  if ! python3 ../shared/contract-check.py; then status=1; fi
fi

say "done: $([ $status = 0 ] && echo all passed || echo FAILURES)"
exit $status
