#!/usr/bin/env bash
# tests/bench/smoke.sh BIN_DIR OUT_DIR - ctest's bench.smoke: the small corpus
# end to end once, quickly (10 queries per class, 2 s wrk runs), checking only
# that the table has every row and recall figures. Never judges a timing.
# Exits 77 (ctest: skipped) when groonga, wrk or nginx is missing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 out=$2

for tool in groonga wrk nginx /usr/bin/time python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench.smoke: skipped: $tool is not installed (tests/run.sh installs groonga wrk nginx-light time)"
		exit 77
	fi
done

# The run happens in a temp folder of mode 0755, then moves to OUT_DIR: as
# root, nginx's workers run as nobody and must read the benchmark's files,
# which they could not inside a clone made in a private (0700) folder.
rm -rf "$out"
run=$(mktemp -d "${TMPDIR:-/tmp}/ks-bench-smoke.XXXXXX")
trap 'rm -rf "$run"' EXIT
chmod 0755 "$run"
if ! timeout 1500 "$here/run.sh" --size small --seed 1 --out "$run/out" --bin "$bin" \
	--queries-per-class 10 --wrk-seconds 2 --no-install >"$out.log" 2>&1; then
	cat "$out.log"
	echo "bench.smoke: run.sh failed"
	exit 1
fi
mkdir -p "$(dirname "$out")"
mv "$run/out" "$out"
cat "$out/results.md"

fail=0
need() {
	if ! grep -qF -- "$1" "$out/results.md"; then
		echo "bench.smoke: missing row: $1"
		fail=1
	fi
}
for label in "indexing (index during load) | items/s" "indexing (index after load) | items/s" \
	"| MB/s of text |" "| index size MB |" "| peak RSS MB |" "| wall s (CPU s) |" \
	"HTTP (wrk, 1 conn) | requests/s without a result cache" "HTTP (wrk, 32 conn) | requests/s without a result cache" \
	"HTTP (wrk, 32 conn) | requests/s with the result cache" \
	"HTTP (wrk, 1 conn) | latency ms p50 / p99" "HTTP (wrk, 32 conn) | latency ms p50 / p99" \
	"| server RSS |" "Parse agreement"; do
	need "$label"
done
for cls in ja1 ja2 ja3-4 ja5-6 en_word en_multi symbol cve width_variant all; do
	need "| query latency in-process, ms | $cls ("
done
for cls in ja1 ja2 ja3-4 ja5-6 en_word en_multi symbol cve width_variant; do
	# recall and precision as numbers for both engines
	if ! grep -E "^\| recall / precision \| $cls \(.*\| [01]\.[0-9]{3} / [01]\.[0-9]{3} \| [01]\.[0-9]{3} / [01]\.[0-9]{3} \|" \
		"$out/results.md" >/dev/null; then
		echo "bench.smoke: no recall/precision figures for $cls"
		fail=1
	fi
done
# anywhere in a cell: "nginx static: n/a" was how a 0700 clone's nginx
# (workers as nobody, the files out of their reach) went unnoticed
if grep -n "n/a" "$out/results.md"; then
	echo "bench.smoke: some figure is n/a (a server or tool did not run)"
	fail=1
fi
[ $fail = 0 ] && echo "bench.smoke: the table has every row"
exit $fail
