#!/usr/bin/env bash
# tests/bench/run.sh - the benchmark of issue 5, one command:
#
#   tests/bench/run.sh [--size small|medium|large] [--seed N] [--out DIR]
#                      [--queries-per-class N] [--wrk-seconds N] [--passes N]
#                      [--bin DIR] [--skip-http] [--no-install]
#
# Installs what is missing (groonga, wrk, nginx-light, manpages-ja, time),
# builds kensaku and the bench helpers into build-bench/ (unless --bin names a
# folder that has kensaku, kensakud, bench_query and fts5_load), generates the
# corpus (gen_corpus.py) and the query set with ground truth
# (make_queries.py), then measures kensaku, Groonga, FTS5 unicode61 and nginx
# (bench.py) and prints one markdown table, also written to OUT/results.md.
# The corpus is reused when OUT/corpus already holds the same size and seed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

size=small seed=1 out="" per_class="" wrk_seconds=10 passes=1 bin="" skip_http="" install=1
while (($#)); do
	case $1 in
	--size) size=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--queries-per-class) per_class=$2; shift 2 ;;
	--wrk-seconds) wrk_seconds=$2; shift 2 ;;
	--passes) passes=$2; shift 2 ;;
	--bin) bin=$2; shift 2 ;;
	--skip-http) skip_http=--skip-http; shift ;;
	--no-install) install=0; shift ;;
	-h | --help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
case $size in small | medium | large) ;; *) echo "run.sh: --size small|medium|large" >&2; exit 2 ;; esac
out=${out:-$root/build-bench/bench-$size}
if [ -z "$per_class" ]; then
	if [ "$size" = small ]; then per_class=30; else per_class=60; fi
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

say() { printf '[run.sh] %s\n' "$*" >&2; }

# --- dependencies (Debian) ---------------------------------------------------
if [ "$install" = 1 ]; then
	pkgs=(groonga wrk nginx-light manpages-ja time python3)
	missing=()
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	# any nginx flavour will do
	if command -v nginx >/dev/null; then missing=("${missing[@]/nginx-light}"); fi
	read -r -a missing <<<"${missing[*]:-}"
	if ((${#missing[@]})); then
		say "installing: ${missing[*]}"
		sudo_=""
		[ "$(id -u)" = 0 ] || sudo_=sudo
		$sudo_ apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
fi
for tool in groonga wrk nginx python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || { say "missing $tool"; exit 1; }
done
# Debian's nginx package starts a system nginx on :80; the benchmark runs its own
# on a free loopback port and leaves the system one alone.

# --- build -------------------------------------------------------------------
if [ -z "$bin" ]; then
	say "building into $root/build-bench"
	cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$root/build-bench" -j"$(nproc)" --target kensaku kensakud bench_query fts5_load >/dev/null
	bin=$root/build-bench/bin
fi
for b in kensaku kensakud bench_query fts5_load; do
	[ -x "$bin/$b" ] || { say "no $bin/$b"; exit 1; }
done

# --- corpus and queries ------------------------------------------------------
corpus=$out/corpus
stamp="$size $seed $per_class $(cat "$here/gen_corpus.py" "$here/make_queries.py" | cksum)"
if [ -f "$corpus/.stamp" ] && [ "$(cat "$corpus/.stamp")" = "$stamp" ]; then
	say "reusing corpus in $corpus"
else
	say "generating the $size corpus (seed $seed)"
	rm -rf "$corpus"
	python3 "$here/gen_corpus.py" --size "$size" --seed "$seed" --out "$corpus" >&2
	say "making queries and ground truth ($per_class per class)"
	python3 "$here/make_queries.py" "$corpus" --per-class "$per_class" >&2
	echo "$stamp" >"$corpus/.stamp"
fi

# --- measure ----------------------------------------------------------------
exec python3 "$here/bench.py" --corpus "$corpus" --bin "$bin" --out "$out" \
	--wrk-seconds "$wrk_seconds" --latency-passes "$passes" $skip_http
