#!/usr/bin/env python3
"""worst_request.py - the CPU time of the most expensive requests we can
craft against every endpoint that runs a query or a scan, as a ratio to a
typical query (issue 10, point 3). A program that prints figures, never a
pass/fail test.

It starts a real kensakud (response cache off, one worker thread, the
deadline off unless --deadline-ms is given, so the figures are the true
cost) on an index of about 60k items, sends each request --repeat times on
its own, and reads the server's CPU time around each one from the
scheduler (/proc/PID/task/*/schedstat: nanoseconds actually run, every
thread summed). The figure of a request is its smallest run (other load on
the machine only adds to it). "typical" is the median of a few ordinary
queries; every other row shows its ratio to that.

usage: worst_request.py --bin build/bin [--db FILE | --items 60000]
       [--repeat 3] [--deadline-ms 0] [--only REGEX] [--json OUT]

Without --db it builds /tmp/ks-worst-ITEMS/k.db once (gen_corpus.py and
`kensaku reindex`) and reuses it afterwards.

Before/after: build the commit before the bounds in another folder (e.g.
`git worktree add /tmp/ks-before 98457c4` and a normal CMake build there)
and run this script once with each --bin on the same --db; --only REGEX
limits the crafted rows (the typical ones always run). Figures of issue
10 on 60k items (2 cores, --repeat 3): before, the costliest request was
the 32-prefix storm sorted by date (16.1 s CPU, per-hit re-evaluation of
the MATCH) and the storm by relevance cost 417 ms; after, the costliest is
4 wide prefixes + 12 single kana by relevance, limit 100 (about 52 ms,
about 55x a typical query's 0.9 ms).
"""
import argparse
import glob
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))

# single Latin letters and digits as prefixes: the 32 of the report
STORM = " OR ".join(c + "*" for c in "82hsaectpmirdnolbfgwuvkyjxzq1345")
LETTERS = " OR ".join("abcdefghijklmnopqrstuvwxyz012345")
KANA = " OR ".join("のにはをたがでてとしれさあいうえおかきくけこすせそなぬねま")
COMMON = " OR ".join("the of and to in a is for that on with by as from at an be this are "
                     "was has it or not have which its been can will more new".split())
SPELLINGS = " OR ".join(["ransomware", "lapsus$", "microsoft", "exchange", "qnap", "cisco",
                         "fortinet", "phishing", "malware", "vulnerability", "google", "apple",
                         "vmware", "citrix", "log4j", "zoom", "okta", "windows", "chrome",
                         "emotet", "conti", "lockbit", "lazarus", "apt29", "oracle", "sap",
                         "adobe", "intel", "amd", "nvidia", "apache", "gitlab"])
JA_LONG = "脆弱性が悪用される可能性があるとして注意を呼びかけています" * 3
PHRASE = '"' + " ".join(["the", "of", "and", "to", "in"] * 30) + '"'
EXCL = "a* -" + " -".join(c + "*" for c in "bcdefghijklmnopqrstuvwxyz")
# within the bounds: the 16 terms that match the most items, and the widest
# prefixes that are allowed, beside them
KANA16 = " OR ".join("のにはをたがでてとしれさあいうえ")
KANA16_AND = " ".join("のにはをたがでてとしれさあいうえ")
WIDE = " OR ".join(["con*", "pro*", "sec*", "att*"] + list("のにはをたがでてとしれ"))
ANDS = " ".join(c + "*" for c in "aeiostnrlc")


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


def requests():
    """(name, path, typical) for every request measured."""
    t = []
    for word in ["ransomware", "CVE-2022-0609", "ランサムウェア", "Microsoft Exchange", "QNAP"]:
        t.append(("typical " + word, q("/api/search", q=word), True))
    worst = [("prefix storm (32 one-char prefixes)", STORM),
             ("32 one-letter terms OR", LETTERS),
             ("30 single kana OR", KANA),
             ("30 common words OR", COMMON),
             ("32 expanding terms OR", SPELLINGS),
             ("10 prefixes AND", ANDS),
             ("long Japanese phrase", JA_LONG),
             ("150-word common phrase", PHRASE),
             ("prefix with 25 excluded prefixes", EXCL),
             ("only exclusions", "-" + " -".join("abcdefghij")),
             ("16 single kana OR", KANA16),
             ("16 single kana AND", KANA16_AND),
             ("4 wide prefixes + 12 kana OR", WIDE),
             ("single letter prefix", "a*"),
             ("single kanji", "性")]
    for name, text in worst:
        for sort in ["relevance", "newest", "oldest"]:
            t.append(("search %s sort=%s limit=100" % (name, sort),
                      q("/api/search", q=text, limit=100, sort=sort), False))
    t += [("search storm offset=100000", q("/api/search", q=STORM, limit=100,
                                           offset=100000), False),
          ("search storm section+dates", q("/api/search", q=STORM, limit=100,
                                           section="脆弱性", **{"from": "2000-01-01",
                                                                  "to": "2030-01-01"}), False),
          ("search storm entity=Microsoft", q("/api/search", q=STORM, limit=100,
                                              entity="Microsoft"), False),
          ("search browse offset=100000 oldest", q("/api/search", limit=100,
                                                   offset=100000, sort="oldest"), False),
          ("csv storm limit=10000", q("/api/search.csv", q=STORM, limit=10000), False),
          ("csv common words limit=10000", q("/api/search.csv", q=COMMON, limit=10000), False),
          ("feed storm", q("/feed.atom", q=STORM, limit=100), False),
          ("feed common words", q("/feed.atom", q=COMMON, limit=100), False),
          ("trend storm", q("/api/trend", q=STORM), False),
          ("trend common words", q("/api/trend", q=COMMON, interval="year"), False),
          ("trend kana", q("/api/trend", q=KANA), False),
          ("trend 16 kana", q("/api/trend", q=KANA16), False),
          ("feed 16 kana", q("/feed.atom", q=KANA16, limit=100), False),
          ("csv 16 kana limit=10000", q("/api/search.csv", q=KANA16, limit=10000), False),
          ("entities prefix=''", q("/api/entities", prefix="", limit=50), False),
          ("entities prefix=a", q("/api/entities", prefix="a", limit=50), False),
          ("entity Microsoft", "/api/entities/Microsoft", False),
          ("analyze storm", q("/api/analyze", text=STORM), False),
          ("analyze long Japanese", q("/api/analyze", text=JA_LONG * 2), False),
          ("issue 1", "/api/issues/1", False)]
    return t


def cpu_ns(pid):
    total = 0
    for f in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            with open(f) as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def build_db(a):
    d = "/tmp/ks-worst-%d" % a.items
    db = os.path.join(d, "k.db")
    if os.path.exists(db):
        return db
    os.makedirs(d, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--items",
                    str(a.items), "--seed", "1", "--out", os.path.join(d, "corpus")], check=True)
    subprocess.run([os.path.join(a.bin, "kensaku"), "reindex", "--db", db,
                    os.path.join(d, "corpus", "issues")], check=True)
    return db


def start(a, db):
    env = dict(os.environ, KENSAKUD_DEADLINE_MS=str(a.deadline_ms))
    p = subprocess.Popen([os.path.join(a.bin, "kensakud"), "--db", db, "--listen",
                          "127.0.0.1:0", "--threads", "1", "--cache-mb", "0", "--quiet"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    line = p.stdout.readline().decode().strip()
    if not line.startswith("listening on http://"):
        p.kill()
        raise SystemExit("kensakud did not start: %r" % line)
    host, port = line[len("listening on http://"):].rsplit(":", 1)
    return p, host, int(port)


def fetch(host, port, path):
    c = http.client.HTTPConnection(host, port, timeout=120)
    try:
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        return r.status, body
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db")
    ap.add_argument("--items", type=int, default=60000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--deadline-ms", type=int, default=0)
    ap.add_argument("--only")
    ap.add_argument("--json")
    a = ap.parse_args()
    db = a.db or build_db(a)
    proc, host, port = start(a, db)
    rows = []
    try:
        for name, path, typical in requests():
            if a.only and not typical and not re.search(a.only, name):
                continue
            status, body = fetch(host, port, path)  # warm-up (pages, memo)
            best = None
            for _ in range(a.repeat):
                c0 = cpu_ns(proc.pid)
                status, body = fetch(host, port, path)
                c1 = cpu_ns(proc.pid)
                ms = (c1 - c0) / 1e6
                best = ms if best is None else min(best, ms)
            notice = ""
            if body[:1] == b"{":
                try:
                    j = json.loads(body)
                    notice = json.dumps(j.get("notices", ""), ensure_ascii=False)[:60]
                except ValueError:
                    pass
            rows.append({"name": name, "path": path, "typical": typical, "status": status,
                         "bytes": len(body), "cpu_ms": best, "notices": notice})
    finally:
        proc.terminate()
        proc.wait(15)
    typ = statistics.median(r["cpu_ms"] for r in rows if r["typical"])
    print("| request | status | bytes | CPU ms | × typical |")
    print("|---|---:|---:|---:|---:|")
    for r in sorted(rows, key=lambda r: -r["cpu_ms"]):
        print("| %s | %d | %d | %.1f | %.1f |" % (r["name"], r["status"], r["bytes"],
                                                 r["cpu_ms"], r["cpu_ms"] / typ))
    worst = max((r for r in rows if not r["typical"]), key=lambda r: r["cpu_ms"], default=None)
    print("\ntypical query (median of %d): %.2f ms CPU" % (sum(r["typical"] for r in rows), typ))
    if worst:
        print("worst request: %s: %.1f ms CPU = %.1f× typical" % (
            worst["name"], worst["cpu_ms"], worst["cpu_ms"] / typ))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"typical_ms": typ, "rows": rows}, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
