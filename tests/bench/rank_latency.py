#!/usr/bin/env python3
"""rank_latency.py - query latency of two or more builds, interleaved, per class.

    rank_latency.py --queries QUERIES.tsv --out DIR [--rounds N] [--passes N]
                    [--env KEY=VALUE ...] [--report-only]
                    today=BENCH_QUERY:DB new=BENCH_QUERY:DB [more=BENCH_QUERY:DB ...]

Runs `BENCH_QUERY latency DB QUERIES --passes N` for every build in every
round, the order reversed every other round so that a change in the
machine's load hits all builds alike, and keeps each run's output in
DIR/NAME-rR.tsv (stderr in .err). Then prints, per query class, p50 and p99
of the thread CPU time (search + JSON body) pooled over all rounds and
passes, and each build's ratio to the first one; the same for wall time;
the median per-query ratio; and the noise: for each build, its own ratio
between odd and even rounds (a class whose ratio to the first build is
within that noise is not measured apart from it). --report-only reads DIR
again without running anything. Paths are arguments: nothing here knows
the machine. QUERIES.tsv is make_queries.py's (qid, class, query); the
index of each build is its own (`kensaku reindex` with that build).
"""
import argparse
import collections
import glob
import math
import os
import statistics
import subprocess
import sys

CLASSES = ["ja1", "ja2", "ja3-4", "ja5-6", "en_word", "en_multi", "symbol", "cve",
           "width_variant"]


def pct(v, p):
    """Linearly interpolated percentile p of v."""
    v = sorted(v)
    k = (len(v) - 1) * p / 100.0
    f, c = math.floor(k), math.ceil(k)
    return v[f] if f == c else v[f] + (v[c] - v[f]) * (k - f)


def run(args, builds):
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ)
    for kv in args.env:
        k, _, v = kv.partition("=")
        env[k] = v
    names = list(builds)
    for r in range(1, args.rounds + 1):
        order = names if r % 2 else names[::-1]
        for name in order:
            exe, db = builds[name]
            base = os.path.join(args.out, "%s-r%d" % (name, r))
            with open(base + ".tsv", "w") as out, open(base + ".err", "w") as err:
                rc = subprocess.call([exe, "latency", db, args.queries, "--passes",
                                      str(args.passes)], stdout=out, stderr=err, env=env)
            load = open("/proc/loadavg").read().split()[0] if os.path.exists(
                "/proc/loadavg") else "?"
            print("round %d %s rc=%d load %s" % (r, name, rc, load), file=sys.stderr)
            if rc != 0:
                sys.exit("%s failed (see %s.err)" % (name, base))


def load(out, name):
    """{round: [(qid, class, wall_ms, cpu_ms)]} of one build."""
    rounds = {}
    for fn in glob.glob(os.path.join(out, "%s-r*.tsv" % name)):
        r = int(fn.rsplit("-r", 1)[1].split(".")[0])
        rows = []
        for line in open(fn):
            f = line.rstrip("\n").split("\t")
            rows.append((f[0], f[1], float(f[3]), float(f[6])))
        rounds[r] = rows
    return rounds


def by_class(rounds, col, pick=lambda r: True):
    d = collections.defaultdict(list)
    for r, rows in rounds.items():
        if not pick(r):
            continue
        for row in rows:
            d[row[1]].append(row[col])
            d["all"].append(row[col])
    return d


def table(names, data, col, title):
    first = names[0]
    print("\n%s (ms)\n" % title)
    head = "| class | queries | %s p50 | %s p99 |" % (first, first)
    for n in names[1:]:
        head += " %s p50 | %s p99 | p50 %s/%s | p99 %s/%s |" % (n, n, n, first, n, first)
    print(head)
    print("|" + "---|" * (4 + 4 * (len(names) - 1)))
    per = {n: by_class(data[n], col) for n in names}
    cls = {row[0]: row[1] for row in next(iter(data[first].values()))}
    queries = collections.Counter(cls.values())
    queries["all"] = len(cls)
    for c in [c for c in CLASSES if c in per[first]] + ["all"]:
        b50, b99 = pct(per[first][c], 50), pct(per[first][c], 99)
        line = "| %s | %d | %.3f | %.3f |" % (c, queries[c], b50, b99)
        for n in names[1:]:
            n50, n99 = pct(per[n][c], 50), pct(per[n][c], 99)
            line += " %.3f | %.3f | %.2f | %.2f |" % (n50, n99, n50 / b50, n99 / b99)
        print(line)


def per_query(names, data):
    first = names[0]
    med = {}
    for n in names:
        q = collections.defaultdict(list)
        cls = {}
        for rows in data[n].values():
            for row in rows:
                q[row[0]].append(row[3])
                cls[row[0]] = row[1]
        med[n] = {k: statistics.median(v) for k, v in q.items()}
    print("\nmedian per-query CPU ratio to %s\n" % first)
    print("| class | " + " | ".join(names[1:]) + " |")
    print("|" + "---|" * len(names))
    for c in [c for c in CLASSES if c in cls.values()]:
        ks = [k for k in cls if cls[k] == c]
        print("| %s | " % c + " | ".join(
            "%.2f" % statistics.median(med[n][k] / med[first][k] for k in ks)
            for n in names[1:]) + " |")


def noise(names, data):
    print("\nnoise: each build's CPU p50 / p99, odd rounds over even rounds\n")
    print("| class | " + " | ".join("%s p50 | %s p99" % (n, n) for n in names) + " |")
    print("|" + "---|" * (1 + 2 * len(names)))
    odd = {n: by_class(data[n], 3, lambda r: r % 2 == 1) for n in names}
    even = {n: by_class(data[n], 3, lambda r: r % 2 == 0) for n in names}
    for c in [c for c in CLASSES if c in odd[names[0]]] + ["all"]:
        cells = []
        for n in names:
            o, e = odd[n][c], even[n][c]
            cells.append("%.2f | %.2f" % (pct(o, 50) / pct(e, 50), pct(o, 99) / pct(e, 99))
                         if o and e else "- | -")
        print("| %s | " % c + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--env", action="append", default=[],
                    help="KEY=VALUE set for every run (e.g. a bench_query switch)")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("build", nargs="+", help="NAME=BENCH_QUERY:DB; the first is the reference")
    args = ap.parse_args()
    builds = {}
    for b in args.build:
        name, _, rest = b.partition("=")
        exe, _, db = rest.partition(":")
        if not name or not exe or not db:
            ap.error("build %r: want NAME=BENCH_QUERY:DB" % b)
        builds[name] = (exe, db)
    if not args.report_only:
        run(args, builds)
    names = list(builds)
    data = {n: load(args.out, n) for n in names}
    for n in names:
        if not data[n]:
            sys.exit("no runs of %s in %s" % (n, args.out))
    print("%d rounds x %d passes per build" % (len(data[names[0]]), args.passes))
    table(names, data, 3, "CPU (thread), search + JSON body")
    table(names, data, 2, "wall, search + JSON body")
    per_query(names, data)
    noise(names, data)


if __name__ == "__main__":
    main()
