#!/usr/bin/env python3
"""bench.py - measure kensaku against Groonga (and FTS5 unicode61, nginx) on one
corpus and query set, and print one markdown table (also OUT/results.md, with
the raw figures in OUT/results.json).

usage: bench.py --corpus DIR --bin DIR --out DIR [--wrk-seconds N]
                [--latency-passes N] [--skip-http]

CORPUS holds gen_corpus.py's issues/, items.jsonl, corpus-meta.json and
make_queries.py's queries.tsv and truth.jsonl. BIN holds kensaku, kensakud,
bench_query and fts5_load. Every server listens on 127.0.0.1 only and is
stopped on exit; every wait is bounded.
"""
import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rank_groonga as RG  # noqa: E402  (reading groonga's output)

CLASSES = ["ja1", "ja2", "ja3-4", "ja5-6", "en_word", "en_multi", "symbol", "cve", "width_variant"]
JA_CLASSES = CLASSES[:4]
GROONGA_OUT = ("_key,_score,issue,position,date,section,title,quote,"
               "highlight_html(title),snippet_html(quote)")
PROCS = []


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def cleanup(*_):
    for p in PROCS:
        if p.poll() is None:
            try:
                p.terminate()
                p.wait(timeout=5)
            except Exception:
                p.kill()
    PROCS.clear()


# ---- measuring a process ---------------------------------------------------

def timed(cmd, stdin_path=None, timeout=3600, cwd=None):
    """Runs cmd under /usr/bin/time -v; returns wall, user, sys, maxrss_kb, rc."""
    tf = os.path.join(ARGS.work, "time.txt")
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", tf] + cmd, stdin=stdin,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, cwd=cwd)
    wall = time.monotonic() - t0
    if stdin_path:
        stdin.close()
    txt = open(tf).read()

    def field(name):
        m = re.search(re.escape(name) + r":\s*([0-9.]+)", txt)
        return float(m.group(1)) if m else 0.0
    if p.returncode != 0:
        log("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr.decode()[-2000:]))
    return {"wall": wall, "user": field("User time (seconds)"), "sys": field("System time (seconds)"),
            "rss_kb": field("Maximum resident set size (kbytes)"), "rc": p.returncode}


def files_size(prefix):
    d, base = os.path.split(prefix)
    total = 0
    for f in os.listdir(d):
        if f == base or f.startswith(base + "."):
            st = os.stat(os.path.join(d, f))
            total += st.st_blocks * 512  # allocated on disk (Groonga's files are sparse)
    return total


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))  # nearest rank
    return v[k]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- Groonga -----------------------------------------------------------------

def gq_literal(q):
    """User text -> a Groonga query of literal terms: every whitespace-separated
    term quoted (\\ and \" escaped), terms ANDed."""
    terms = q.replace("\u3000", " ").split()
    return " ".join('"%s"' % t.replace("\\", "\\\\").replace('"', '\\"') for t in terms)


def g_select_path(q, limit=20, full=True):
    params = [("table", "Items"), ("match_columns", "title*10||quote"), ("query", gq_literal(q)),
              ("match_escalation_threshold", "-1")]
    if full:
        params += [("output_columns", GROONGA_OUT), ("sort_keys", "-_score,-date"),
                   ("drilldown", "section,year"), ("limit", str(limit))]
    else:
        params += [("output_columns", "_key"), ("limit", "-1")]
    return "/d/select?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


SCHEMA = """table_create Items TABLE_HASH_KEY ShortText
column_create Items issue COLUMN_SCALAR UInt32
column_create Items position COLUMN_SCALAR UInt32
column_create Items date COLUMN_SCALAR ShortText
column_create Items year COLUMN_SCALAR ShortText
column_create Items section COLUMN_SCALAR ShortText
column_create Items title COLUMN_SCALAR Text
column_create Items quote COLUMN_SCALAR Text
table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram --normalizer NormalizerAuto
"""
INDEX = "column_create Terms items_text COLUMN_INDEX|WITH_POSITION|WITH_SECTION Items title,quote\n"


def groonga_load_file(items_path, out_path, with_schema, with_index):
    with open(out_path, "w", encoding="utf-8") as out, open(items_path, encoding="utf-8") as f:
        if with_schema:
            out.write(SCHEMA)
        if with_index:
            out.write(INDEX)
        out.write("load --table Items\n[\n")
        first = True
        for line in f:
            o = json.loads(line)
            rec = {"_key": o["id"], "issue": o["issue"], "position": o["position"],
                   "date": o["date"] or "", "year": (o["date"] or "")[:4],
                   "section": o["section"] or "", "title": o["title"], "quote": o["quote"] or ""}
            out.write(("" if first else ",\n") + json.dumps(rec, ensure_ascii=False))
            first = False
        out.write("\n]\n")


def groonga_run(db, cmd_path, out_path, timeout=3600):
    with open(cmd_path, "rb") as fi, open(out_path, "wb") as fo:
        p = subprocess.run(["groonga", db], stdin=fi, stdout=fo, stderr=subprocess.PIPE,
                           timeout=timeout)
    if p.returncode != 0:
        log("groonga failed:", p.stderr.decode()[-1000:])


# ---- the measurements -------------------------------------------------------

def read_queries(corpus):
    qs = []
    with open(os.path.join(corpus, "queries.tsv"), encoding="utf-8") as f:
        for line in f:
            qid, cls, q = line.rstrip("\n").split("\t", 2)
            qs.append((qid, cls, q))
    truth = {}
    with open(os.path.join(corpus, "truth.jsonl"), encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            truth[str(o["qid"])] = set(o["truth"])
    return qs, truth


def indexing(R, corpus, bin_dir, work, meta):
    n, mb = meta["items"], meta["text_bytes"] / 1e6
    res = {}

    def rates(t, size):
        return {"wall": t["wall"], "cpu": t["user"] + t["sys"], "items_s": n / t["wall"],
                "mb_s": mb / t["wall"], "size": size, "rss_mb": t["rss_kb"] / 1024}

    kdb = os.path.join(work, "kensaku.db")
    for f in os.listdir(work):
        if f.startswith("kensaku.db"):
            os.remove(os.path.join(work, f))
    log("indexing: kensaku reindex")
    t = timed([os.path.join(bin_dir, "kensaku"), "reindex", "--db", kdb, "--quiet",
               os.path.join(corpus, "issues")])
    if t["rc"] != 0:
        raise SystemExit("kensaku reindex failed")
    res["kensaku"] = rates(t, files_size(kdb))

    log("indexing: FTS5 unicode61")
    fdb = os.path.join(work, "fts5.db")
    t = timed([os.path.join(bin_dir, "fts5_load"), fdb, os.path.join(corpus, "items.jsonl")])
    res["fts5"] = rates(t, files_size(fdb))

    log("indexing: Groonga, index built during load")
    gdir = os.path.join(work, "groonga-during")
    shutil.rmtree(gdir, ignore_errors=True)
    os.makedirs(gdir)
    lf = os.path.join(work, "load-during.grn")
    groonga_load_file(os.path.join(corpus, "items.jsonl"), lf, True, True)
    t = timed(["groonga", "-n", os.path.join(gdir, "db")], stdin_path=lf)
    res["groonga_during"] = rates(t, files_size(os.path.join(gdir, "db")))

    log("indexing: Groonga, index built after load")
    gdir = os.path.join(work, "groonga-after")
    shutil.rmtree(gdir, ignore_errors=True)
    os.makedirs(gdir)
    lf = os.path.join(work, "load-after.grn")
    groonga_load_file(os.path.join(corpus, "items.jsonl"), lf, True, False)
    ixf = os.path.join(work, "index-after.grn")
    with open(ixf, "w") as f:
        f.write(INDEX)
    gdb = os.path.join(gdir, "db")
    t1 = timed(["groonga", "-n", gdb], stdin_path=lf)
    t2 = timed(["groonga", gdb], stdin_path=ixf)
    t = {k: t1[k] + t2[k] for k in ("wall", "user", "sys")}
    t["rss_kb"] = max(t1["rss_kb"], t2["rss_kb"])
    res["groonga_after"] = rates(t, files_size(gdb))
    res["groonga_after"]["index_only_wall"] = t2["wall"]
    for f in ("load-during.grn", "load-after.grn"):
        os.remove(os.path.join(work, f))
    R["indexing"] = res
    R["groonga_db"] = gdb
    R["kensaku_db"] = kdb


def parse_agreement(R, corpus, kdb):
    """Checks that kensaku split the text issues into exactly the generated items."""
    exp = {}
    with open(os.path.join(corpus, "items.jsonl"), encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            exp[o["id"]] = (o["section"], o["title"], o["quote"], o["date"])
    db = sqlite3.connect("file:%s?mode=ro" % kdb, uri=True)
    same = 0
    for issue, pos, sec, title, quote, date in db.execute(
            "SELECT issue, position, section, title, quote, date FROM items"):
        if exp.get("%d-%d" % (issue, pos)) == (sec, title, quote, date):
            same += 1
    db.close()
    R["parse_agreement"] = {"same": same, "expected": len(exp)}


def latency(R, bin_dir, corpus, work, qs, passes):
    log("latency: kensaku (bench_query, limit 20, one warm-up pass)")
    out = os.path.join(work, "kensaku-latency.tsv")
    with open(out, "w") as fo:
        t0 = time.monotonic()
        p = subprocess.run([os.path.join(bin_dir, "bench_query"), "latency", R["kensaku_db"],
                            os.path.join(corpus, "queries.tsv"), "--passes", str(passes)],
                           stdout=fo, stderr=subprocess.PIPE, timeout=7200)
        kwall = time.monotonic() - t0
    if p.returncode != 0:
        raise SystemExit("bench_query latency failed: " + p.stderr.decode()[-2000:])
    k = {c: [] for c in CLASSES}
    kcpu_q = []
    sizes = []
    for line in open(out):
        f = line.rstrip("\n").split("\t")
        k[f[1]].append(float(f[3]))
        sizes.append(int(f[5]))
        if len(f) > 6:
            kcpu_q.append(float(f[6]))
    kcpu = [float(x) for x in re.findall(r"cpu ([0-9.]+) s", p.stderr.decode())]

    log("latency: Groonga (select in one groonga process, warm-up pass)")
    cmds = os.path.join(work, "groonga-latency.grn")
    with open(cmds, "w", encoding="utf-8") as f:
        f.write("cache_limit --max 0\n")  # no result cache: every select runs
        for _ in range(passes + 1):
            for qid, cls, q in qs:
                f.write(g_select_path(q) + "\n")
    gout = os.path.join(work, "groonga-latency.out")
    t0 = time.monotonic()
    groonga_run(R["groonga_db"], cmds, gout)
    gwall = time.monotonic() - t0
    g = {c: [] for c in CLASSES}
    resp = list(RG.responses(gout))[1:]
    for i, r in enumerate(resp[len(qs):]):
        g[qs[i % len(qs)][1]].append(r[0][2] * 1000.0)
    R["latency"] = {"kensaku": k, "groonga": g, "kensaku_cpu_s": kcpu, "kensaku_cpu_ms": kcpu_q, "kensaku_wall_s": kwall,
                    "groonga_wall_s": gwall, "avg_body_bytes": sum(sizes) / max(1, len(sizes))}


def recall(R, bin_dir, corpus, work, qs, truth):
    log("recall: every hit of every query, kensaku and Groonga")
    out = os.path.join(work, "kensaku-all.tsv")
    with open(out, "w") as fo:
        p = subprocess.run([os.path.join(bin_dir, "bench_query"), "all", R["kensaku_db"],
                            os.path.join(corpus, "queries.tsv")], stdout=fo,
                           stderr=subprocess.PIPE, timeout=7200)
    if p.returncode != 0:
        log("bench_query all:", p.stderr.decode()[-2000:])
    khits = {}
    for line in open(out):
        qid, total, ids = line.rstrip("\n").split("\t")
        khits[qid] = set(ids.split(",")) if ids else set()
    cmds = os.path.join(work, "groonga-all.grn")
    with open(cmds, "w", encoding="utf-8") as f:
        for qid, cls, q in qs:
            f.write(g_select_path(q, full=False) + "\n")
    gout = os.path.join(work, "groonga-all.out")
    groonga_run(R["groonga_db"], cmds, gout)
    ghits = {}
    for (qid, cls, q), r in zip(qs, RG.responses(gout)):
        rows = r[1][0][2:] if len(r) > 1 and r[0][0] == 0 else []
        ghits[qid] = set(row[0] for row in rows)
    res = {}
    misses = []
    for eng, hits in (("kensaku", khits), ("groonga", ghits)):
        res[eng] = {}
        for cls in CLASSES:
            rs, ps = [], []
            for qid, c, q in qs:
                if c != cls:
                    continue
                t, h = truth[qid], hits.get(qid, set())
                tp = len(t & h)
                rs.append(tp / len(t) if t else 1.0)
                ps.append(tp / len(h) if h else 1.0)
                if (t - h or h - t) and len(misses) < 400:
                    misses.append({"engine": eng, "class": cls, "q": q, "truth": len(t),
                                   "hits": len(h), "missed": len(t - h), "extra": len(h - t),
                                   "missed_ex": sorted(t - h)[:3], "extra_ex": sorted(h - t)[:3]})
            res[eng][cls] = {"recall": sum(rs) / len(rs) if rs else float("nan"),
                             "precision": sum(ps) / len(ps) if ps else float("nan"),
                             "n": len(rs), "perfect": sum(1 for a, b in zip(rs, ps) if a == 1 and b == 1)}
    R["recall"] = res
    with open(os.path.join(ARGS.out, "recall-misses.json"), "w") as f:
        json.dump(misses, f, ensure_ascii=False, indent=1)


def wait_http(url, deadline):
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return True
        except Exception:
            time.sleep(0.2)
    return False


def rss_sampler(pid, stop, out):
    """Samples VmRSS, RssAnon and RssFile (kB) of pid every 0.25 s."""
    while not stop.is_set():
        try:
            v = {}
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    k = line.split(":")[0]
                    if k in ("VmRSS", "RssAnon", "RssFile"):
                        v[k] = int(line.split()[1])
            out.append(v)
        except OSError:
            return
        stop.wait(0.25)


def run_wrk(base, paths_file, conns, seconds, pid=None):
    threads = 1 if conns == 1 else 2
    rss, stop = [], threading.Event()
    th = None
    if pid:
        th = threading.Thread(target=rss_sampler, args=(pid, stop, rss), daemon=True)
        th.start()
    p = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--timeout", "5s",
                        "-s", os.path.join(HERE, "wrk_rotate.lua"), base, "--", paths_file],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=seconds + 60)
    stop.set()
    if th:
        th.join(2)
    m = re.search(r"WRKJSON (\{.*\})", p.stdout.decode())
    if not m:
        log("wrk failed:", p.stdout.decode()[-500:], p.stderr.decode()[-500:])
        return None
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["rss_max_mb"] = max(x.get("VmRSS", 0) for x in rss) / 1024 if rss else None
    r["rss_anon_max_mb"] = max(x.get("RssAnon", 0) for x in rss) / 1024 if rss else None
    r["rss_file_max_mb"] = max(x.get("RssFile", 0) for x in rss) / 1024 if rss else None
    return r


def http(R, bin_dir, work, qs, seconds):
    res = {}
    kpaths = os.path.join(work, "paths-kensaku.txt")
    gpaths = os.path.join(work, "paths-groonga.txt")
    with open(kpaths, "w") as f:
        for qid, cls, q in qs:
            f.write("/api/search?" + urllib.parse.urlencode({"q": q, "limit": "20"},
                                                           quote_via=urllib.parse.quote) + "\n")
    with open(gpaths, "w") as f:
        for qid, cls, q in qs:
            f.write(g_select_path(q) + "\n")

    def bench_server(name, base, paths, pid):
        log("http: %s" % name)
        run_wrk(base, paths, 1, 1)  # warm-up
        r1 = run_wrk(base, paths, 1, seconds, pid)
        r32 = run_wrk(base, paths, 32, seconds, pid)
        res[name] = {"c1": r1, "c32": r32}

    # kensakud without its result cache (every request runs the search), then
    # with it (the rotation repeats queries, so after one pass all are hits)
    for name, extra in (("kensaku", ["--cache-mb", "0"]), ("kensaku_cache", [])):
        p = subprocess.Popen([os.path.join(bin_dir, "kensakud"), "--db", R["kensaku_db"], "--listen",
                              "127.0.0.1:0", "--quiet"] + extra, stdout=subprocess.PIPE,
                             stderr=open(os.path.join(work, name + ".log"), "w"))
        PROCS.append(p)
        line = ""  # "listening on http://127.0.0.1:PORT", waited for at most 20 s
        if select.select([p.stdout], [], [], 20)[0]:
            line = p.stdout.readline().decode()
        m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if m and wait_http(m.group(1) + "/healthz", time.monotonic() + 20):
            bench_server(name, m.group(1), kpaths, p.pid)
        else:
            log("kensakud did not start:", line)
        cleanup()

    # Groonga HTTP server
    port = free_port()
    p = subprocess.Popen(["groonga", "-s", "--protocol", "http", "--bind-address", "127.0.0.1",
                          "--port", str(port), R["groonga_db"]],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    PROCS.append(p)
    base = "http://127.0.0.1:%d" % port
    if wait_http(base + "/d/status", time.monotonic() + 20):
        urllib.request.urlopen(base + "/d/cache_limit?max=0", timeout=10).read()
        bench_server("groonga", base, gpaths, p.pid)
    else:
        log("groonga server did not start")
    cleanup()

    # nginx: one static body of kensaku's average response size
    if shutil.which("nginx"):
        nd = os.path.join(work, "nginx")
        os.makedirs(os.path.join(nd, "www"), exist_ok=True)
        os.makedirs(os.path.join(nd, "tmp"), exist_ok=True)
        size = int(R["latency"]["avg_body_bytes"])
        body = '{"pad":"' + "x" * max(0, size - 10) + '"}'
        with open(os.path.join(nd, "www", "resp.json"), "w") as f:
            f.write(body)
        port = free_port()
        conf = os.path.join(nd, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""daemon off; worker_processes 2; pid %(d)s/nginx.pid; error_log %(d)s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %(d)s/tmp; proxy_temp_path %(d)s/tmp; fastcgi_temp_path %(d)s/tmp;
  uwsgi_temp_path %(d)s/tmp; scgi_temp_path %(d)s/tmp;
  server {
    listen 127.0.0.1:%(port)d;
    root %(d)s/www;
    location / { default_type application/json; try_files /resp.json =404; }
  }
}
""" % {"d": nd, "port": port})
        p = subprocess.Popen(["nginx", "-c", conf, "-p", nd, "-e", os.path.join(nd, "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        PROCS.append(p)
        base = "http://127.0.0.1:%d" % port
        if wait_http(base + "/x", time.monotonic() + 20):
            bench_server("nginx", base, kpaths, None)
            res["nginx"]["body_bytes"] = len(body)
        else:
            log("nginx did not start")
        cleanup()
    R["http"] = res


# ---- the table -----------------------------------------------------------------

def f2(x, nd=2):
    if x is None or x != x:
        return "n/a"
    if abs(x) >= 1000:
        return "{:,.0f}".format(x)
    if abs(x) >= 100:
        return "%.0f" % x
    if abs(x) >= 10:
        return "%.1f" % x
    return ("%." + str(nd) + "f") % x


def ratio(a, b):
    try:
        return a / b if b else float("nan")
    except TypeError:
        return float("nan")


def mark(ok):
    return "" if ok is None else ("yes" if ok else "**no**")


def table(R, meta):
    rows = []

    def row(area, measure, k, g, r, ref, target, ok):
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (area, measure, k, g, r, ref, target, mark(ok)))

    ix = R.get("indexing")
    if ix:
        k, fts = ix["kensaku"], ix["fts5"]
        for gname, label in (("groonga_during", "index during load"), ("groonga_after", "index after load")):
            g = ix[gname]
            best = max(ix["groonga_during"]["items_s"], ix["groonga_after"]["items_s"])
            row("indexing (%s)" % label, "items/s", f2(k["items_s"]), f2(g["items_s"]),
                f2(ratio(k["items_s"], g["items_s"])), "FTS5 unicode61: " + f2(fts["items_s"]),
                "≥ 2× Groonga's better", k["items_s"] >= 2 * best if gname == "groonga_after" else None)
            row("indexing (%s)" % label, "MB/s of text", f2(k["mb_s"]), f2(g["mb_s"]),
                f2(ratio(k["mb_s"], g["mb_s"])), "FTS5 unicode61: " + f2(fts["mb_s"]), "", None)
            row("indexing (%s)" % label, "wall s (CPU s)", "%s (%s)" % (f2(k["wall"]), f2(k["cpu"])),
                "%s (%s)" % (f2(g["wall"]), f2(g["cpu"])), "%s (%s)" % (f2(ratio(k["wall"], g["wall"])), f2(ratio(k["cpu"], g["cpu"]))),
                "FTS5 unicode61: %s (%s)" % (f2(fts["wall"]), f2(fts["cpu"])), "", None)
            row("indexing (%s)" % label, "index size MB", f2(k["size"] / 1e6), f2(g["size"] / 1e6),
                f2(ratio(k["size"], g["size"])), "FTS5 unicode61: " + f2(fts["size"] / 1e6), "≤ 1.00",
                k["size"] <= g["size"])
            row("indexing (%s)" % label, "peak RSS MB", f2(k["rss_mb"]), f2(g["rss_mb"]),
                f2(ratio(k["rss_mb"], g["rss_mb"])), "FTS5 unicode61: " + f2(fts["rss_mb"]), "", None)
    lat = R.get("latency")
    if lat:
        for cls in CLASSES + ["all"]:
            kv = sum(lat["kensaku"].values(), []) if cls == "all" else lat["kensaku"][cls]
            gv = sum(lat["groonga"].values(), []) if cls == "all" else lat["groonga"][cls]
            kp = [pct(kv, p) for p in (50, 90, 99)]
            gp = [pct(gv, p) for p in (50, 90, 99)]
            rp = [ratio(a, b) for a, b in zip(kp, gp)]
            ok = rp[0] <= 0.5 and rp[2] <= 0.5 if kv and gv else None
            row("query latency in-process, ms", "%s (%d q) p50 / p90 / p99" % (cls, len(kv)),
                " / ".join(f2(x, 3) for x in kp), " / ".join(f2(x, 3) for x in gp),
                " / ".join(f2(x) for x in rp), "", "p50, p99 ≤ 0.50", ok)
        kc = lat.get("kensaku_cpu_ms") or []
        if kc:
            row("query latency in-process, ms", "all, kensaku CPU time p50 / p90 / p99",
                " / ".join(f2(pct(kc, p), 3) for p in (50, 90, 99)), "", "", "(thread CPU, less disturbed by other load)", "", None)
    h = R.get("http")
    if h is not None:
        for c in ("c1", "c32"):
            kr = (h.get("kensaku") or {}).get(c) or {}
            gr = (h.get("groonga") or {}).get(c) or {}
            nr = (h.get("nginx") or {}).get(c) or {}
            n = c[1:]
            ok = None
            if c == "c32" and kr and gr:
                ok = kr["rps"] >= 3 * gr["rps"]
            row("HTTP (wrk, %s conn)" % n, "requests/s without a result cache", f2(kr.get("rps")), f2(gr.get("rps")),
                f2(ratio(kr.get("rps"), gr.get("rps"))),
                "nginx static %s B: %s (kensaku = %s)" % (h.get("nginx", {}).get("body_bytes", "?"), f2(nr.get("rps")),
                                                           f2(ratio(kr.get("rps"), nr.get("rps")))),
                "≥ 3× Groonga (32 conn)" if c == "c32" else "", ok)
            ms = lambda r: "%s / %s" % (f2(r["p50_us"] / 1e3, 3), f2(r["p99_us"] / 1e3, 3)) if r else "n/a"
            rr = " / ".join(f2(ratio(kr.get(p), gr.get(p))) for p in ("p50_us", "p99_us")) if kr and gr else "n/a"
            row("HTTP (wrk, %s conn)" % n, "latency ms p50 / p99", ms(kr), ms(gr), rr,
                "nginx: " + ms(nr), "", None)
            kc = (h.get("kensaku_cache") or {}).get(c) or {}
            if kc:
                okc = kc["rps"] >= 0.5 * nr["rps"] if c == "c32" and nr else None
                row("HTTP (wrk, %s conn)" % n, "requests/s with the result cache", f2(kc.get("rps")), f2(gr.get("rps")),
                    f2(ratio(kc.get("rps"), gr.get("rps"))),
                    "nginx static: %s (kensaku cached = %s)" % (f2(nr.get("rps")), f2(ratio(kc.get("rps"), nr.get("rps")))),
                    "≥ 0.50 × nginx static (32 conn)" if c == "c32" else "", okc)
                row("HTTP (wrk, %s conn)" % n, "latency ms p50 / p99 with the result cache", ms(kc), ms(gr),
                    " / ".join(f2(ratio(kc.get(p), gr.get(p))) for p in ("p50_us", "p99_us")) if gr else "n/a",
                    "", "", None)
            errs = sum(kr.get(e, 0) + kc.get(e, 0) for e in ("errors_status", "errors_connect", "errors_read", "errors_timeout"))
            gerrs = sum(gr.get(e, 0) for e in ("errors_status", "errors_connect", "errors_read", "errors_timeout"))
            if errs or gerrs:
                row("HTTP (wrk, %s conn)" % n, "errors (non-2xx, socket)", str(errs), str(gerrs), "", "", "0", errs == 0)
        kr = (h.get("kensaku_cache") or h.get("kensaku") or {}).get("c32") or {}
        gr = (h.get("groonga") or {}).get("c32") or {}
        row("server RSS", "max RSS MB under 32 conn", f2(kr.get("rss_max_mb")), f2(gr.get("rss_max_mb")),
            f2(ratio(kr.get("rss_max_mb"), gr.get("rss_max_mb"))), "", "", None)
        row("server RSS", "max anonymous RSS MB (without file pages)", f2(kr.get("rss_anon_max_mb")),
            f2(gr.get("rss_anon_max_mb")), f2(ratio(kr.get("rss_anon_max_mb"), gr.get("rss_anon_max_mb"))),
            "file-backed (index pages): kensaku %s, Groonga %s" % (f2(kr.get("rss_file_max_mb")), f2(gr.get("rss_file_max_mb"))),
            "≤ 100 MB + page cache", kr["rss_anon_max_mb"] <= 100 if kr.get("rss_anon_max_mb") is not None else None)
    rc = R.get("recall")
    if rc:
        for cls in CLASSES:
            k, g = rc["kensaku"][cls], rc["groonga"][cls]
            if cls in JA_CLASSES:
                ok = k["recall"] >= 0.99995 and k["precision"] >= 0.99
                tgt = "recall 1.00, precision ≥ 0.99"
            else:
                ok = k["recall"] >= g["recall"] - 1e-9 and k["precision"] >= 0.99
                tgt = "recall ≥ Groonga, precision ≥ 0.99"
            row("recall / precision", "%s (%d q; exact: k %d, G %d)" % (cls, k["n"], k["perfect"], g["perfect"]),
                "%.3f / %.3f" % (k["recall"], k["precision"]), "%.3f / %.3f" % (g["recall"], g["precision"]),
                "%s / %s" % (f2(ratio(k["recall"], g["recall"])), f2(ratio(k["precision"], g["precision"]))),
                "", tgt, ok)
    pa = R.get("parse_agreement")
    head = ["## kensaku vs Groonga — %s corpus (seed %s): %s items, %s issues, %.1f MB of text (title+quote), %.1f MB of files"
            % (meta["size"], meta["seed"], "{:,}".format(meta["items"]), "{:,}".format(meta["issues"]),
               meta["text_bytes"] / 1e6, meta["file_bytes"] / 1e6),
            "",
            "| area | measure | kensaku | Groonga | kensaku/Groonga | reference | target | meets |",
            "|---|---|---|---|---|---|---|---|"]
    notes = ["",
             "- Machine: %d cores, load average %.1f at the start and %.1f at the end (other work on the machine "
             "makes wall times noisy; compare CPU times); groonga: %s; filler: %s."
             % (os.cpu_count(), R["loadavg_start"][0], R.get("loadavg_end", (0,))[0], R.get("groonga_version", "?"),
                meta.get("filler")),
             "- Indexing: `kensaku reindex` from %d text files vs `groonga` loading the same items as JSON "
             "(TokenBigram + NormalizerAuto, WITH_POSITION|WITH_SECTION index on title,quote); "
             "FTS5 unicode61 = same SQLite schema and bulk settings with the built-in tokenizer. "
             "Peak RSS from /usr/bin/time -v." % meta["issues"],
             "- Latency: kensaku = ks_search_run (limit 20, total + facets + highlights) + JSON body, in-process "
             "(bench_query); Groonga = the elapsed time in its response header for `select` with the same "
             "limit, sort by score, highlight_html/snippet_html and drilldown on section and year. "
             "One warm-up pass, then %d timed pass(es)." % ARGS.latency_passes,
             "- Recall/precision: macro averages over the class's queries against the NFKC-casefold "
             "ground truth (make_queries.py); every hit fetched; details of misses in recall-misses.json."]
    if pa:
        notes.append("- Parse agreement: kensaku split the text issues into %d of %d generated items exactly."
                     % (pa["same"], pa["expected"]))
    if lat:
        notes.append("- bench_query CPU time of the timed pass(es): %s s; Groonga latency run wall %.1f s."
                     % (", ".join("%.2f" % c for c in lat["kensaku_cpu_s"]), lat["groonga_wall_s"]))
    if h:
        notes.append("- HTTP: wrk for %d s per run (1 conn: 1 thread, 32 conn: 2 threads) rotating "
                     "through all %d queries; wrk shares the 2 cores with the server. kensakud runs twice: "
                     "`--cache-mb 0` (no result cache: every request searches) and with its default "
                     "32 MB result cache (after the first pass every query is a hit); Groonga's query "
                     "cache is off (`cache_limit --max 0`). Server RSS is kensakud's with the cache." % (ARGS.wrk_seconds, R["n_queries"]))
    return "\n".join(head + rows + notes) + "\n"


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--latency-passes", type=int, default=1)
    ap.add_argument("--skip-http", action="store_true")
    ARGS = ap.parse_args()
    ARGS.work = os.path.join(ARGS.out, "work")
    os.makedirs(ARGS.work, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: (cleanup(), sys.exit(1)))
    meta = json.load(open(os.path.join(ARGS.corpus, "corpus-meta.json")))
    qs, truth = read_queries(ARGS.corpus)
    R = {"meta": meta, "n_queries": len(qs), "loadavg_start": os.getloadavg()}
    try:
        R["groonga_version"] = subprocess.run(["groonga", "--version"], stdout=subprocess.PIPE,
                                              timeout=10).stdout.decode().split("\n")[0].split(" [")[0]
        indexing(R, ARGS.corpus, ARGS.bin, ARGS.work, meta)
        parse_agreement(R, ARGS.corpus, R["kensaku_db"])
        latency(R, ARGS.bin, ARGS.corpus, ARGS.work, qs, ARGS.latency_passes)
        recall(R, ARGS.bin, ARGS.corpus, ARGS.work, qs, truth)
        if not ARGS.skip_http:
            http(R, ARGS.bin, ARGS.work, qs, ARGS.wrk_seconds)
    finally:
        cleanup()
    R["loadavg_end"] = os.getloadavg()
    md = table(R, meta)
    with open(os.path.join(ARGS.out, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(ARGS.out, "results.json"), "w") as f:
        json.dump(R, f, ensure_ascii=False, indent=1, default=str)
    print(md)


if __name__ == "__main__":
    main()
