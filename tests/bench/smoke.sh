#!/usr/bin/env bash
# tests/bench/smoke.sh BIN_DIR OUT_DIR - ctest's bench.smoke, two parts:
# 1. the benchmark of issue 5: the small corpus end to end once, quickly (10
#    queries per class, 2 s wrk runs), checking only that the table has every
#    row and recall figures. Never judges a timing. Skipped when groonga, wrk
#    or nginx is missing.
# 2. the judged ranking set of issue 12 (rank_judged.py --size small), checking
#    only that its table has every class and engine with numbers in [0,1].
#    Skipped without mecab; kensaku only without groonga.
# Exits 77 (ctest: skipped) when both parts are skipped, 1 when one fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 out=$2

# --- part 2 first (quick): the judged ranking set ------------------------------
rank_out=$out-rank
rank_status=skipped
rank() {
	local engines=kensaku,groonga-bigram,groonga-mecab
	for tool in mecab python3; do
		if ! command -v "$tool" >/dev/null; then
			echo "bench.smoke: judged ranking skipped: $tool is not installed (tests/run.sh installs mecab mecab-ipadic-utf8)"
			return 0
		fi
	done
	if ! command -v groonga >/dev/null; then
		echo "bench.smoke: judged ranking without Groonga: groonga is not installed (tests/run.sh installs groonga groonga-tokenizer-mecab)"
		engines=kensaku
	fi
	rm -rf "$rank_out"
	if ! timeout 900 python3 "$here/rank_judged.py" --size small --out "$rank_out" --bin "$bin" \
		--engines "$engines" >"$rank_out.log" 2>&1; then
		cat "$rank_out.log"
		echo "bench.smoke: rank_judged.py failed"
		rank_status=failed
		return 1
	fi
	cat "$rank_out/rank-results.md"
	# every class and engine, numbers in [0,1]; never a judgment on the figures
	if ! python3 - "$rank_out/rank-results.md" "$engines" <<'PY'
import re, sys
md = open(sys.argv[1], encoding="utf-8").read()
labels = {"kensaku": "kensaku", "groonga-bigram": "Groonga TokenBigram", "groonga-mecab": "Groonga TokenMecab"}
engines = [labels[e] for e in sys.argv[2].split(",")]
lines = md.splitlines()
head = next((l for l in lines if l.startswith("| class (queries) |")), None)
bad = []
if head is None:
    bad.append("no nDCG table")
else:
    for e in engines:
        for m in ("nDCG@10", "P@10"):
            if "| %s %s |" % (e, m) not in head + "|":
                bad.append("no column %s %s" % (e, m))
    ncols = 2 * len(engines)
    for cls in ("ja2", "ja3-4", "en", "bilingual", "overall"):
        row = next((l for l in lines if l.startswith("| %s (" % cls)), None)
        if row is None:
            bad.append("no row " + cls)
            continue
        cells = [c.strip() for c in row.strip("|").split("|")][1:]
        nums = [c for c in cells if re.fullmatch(r"[01]\.\d{3}", c) and 0 <= float(c) <= 1]
        if len(cells) != ncols or len(nums) != ncols:
            bad.append("row %s: not %d numbers in [0,1]: %s" % (cls, ncols, row))
    for cls in ("ja2", "ja3-4", "en", "bilingual", "overall"):
        if not re.search(r"^\| %s \| [01]\.\d{3} / [01]\.\d{3} \(" % re.escape(cls), md, re.M):
            bad.append("no recall / precision for " + cls)
for b in bad:
    print("bench.smoke: judged ranking table: " + b)
sys.exit(1 if bad else 0)
PY
	then
		rank_status=failed
		return 1
	fi
	rank_status=ok
	echo "bench.smoke: the judged ranking table has every class and engine"
}
rank

# --- part 1: the benchmark of issue 5 --------------------------------------------
for tool in groonga wrk nginx /usr/bin/time python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench.smoke: issue 5 benchmark skipped: $tool is not installed (tests/run.sh installs groonga wrk nginx-light time)"
		case $rank_status in ok) exit 0 ;; failed) exit 1 ;; *) exit 77 ;; esac
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
[ "$rank_status" = failed ] && fail=1
exit $fail
