#!/usr/bin/env python3
"""Index changes under a running kensakud: `kensaku reindex` run again and
again while client threads query without pause (zero failed requests, the
new generation served and the old one gone after each rename; how long the
switch took is printed, not asserted), `kensaku index` of an added file
visible on the very next request, SIGHUP reopening."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import Server, args, check, check_no_sanitizer_report, cleanup, get, get_json, jsonl, patience, poll, run, tmpdir  # noqa: E402

A = args()
ROUNDS = 6


def gen_file(d, k):
    path = os.path.join(d, "gen.jsonl")  # same path each round, new content
    jsonl(path, [{"issue": 500, "date": "2024-01-%02d" % (1 + k), "section": "その他",
                  "title": "genmarker%d 世代 %d の記事" % (k, k), "quote": "generation %d" % k}])
    return path


def total(srv, text):
    st, _, b = get_json(srv, "/api/search?" + urllib.parse.urlencode({"q": text}))
    return b["total"] if st == 200 and b else -1


class Hammer:
    """Client threads that query without pause and record every failure."""

    def __init__(self, srv, n):
        self.srv = srv
        self.stop = threading.Event()
        self.failures = []
        self.count = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.loop, args=(i,)) for i in range(n)]
        for t in self.threads:
            t.start()

    def loop(self, i):
        paths = ["/api/search?q=%E3%83%A9%E3%83%B3%E3%82%B5%E3%83%A0%E3%82%A6%E3%82%A7%E3%82%A2",
                 "/api/search?q=LAPSUS%24&sort=newest", "/api/search?limit=100",
                 "/api/items/12-1", "/api/issues/11", "/healthz", "/api/search?q=genmarker"]
        n = 0
        while not self.stop.is_set():
            p = paths[(i + n) % len(paths)]
            n += 1
            try:
                st, _, b = get(self.srv, p)
                ok = st == 200 and len(b) > 0
            except Exception as e:  # noqa: BLE001
                ok, st = False, repr(e)
            with self.lock:
                self.count += 1
                if not ok:
                    self.failures.append((p, st))

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join()


def main():
    d = tmpdir("switch")
    db = os.path.join(d, "k.db")
    base = os.path.join(A.data, "base.jsonl")
    subprocess.run([A.cli, "reindex", "--db", db, base, gen_file(d, 0)], check=True, capture_output=True)
    srv = Server(A, db, ["--threads", "4", "--quiet"], patient=True)
    try:
        check(total(srv, "genmarker0") == 1, "generation 0 visible")
        hammer = Hammer(srv, 6)
        worst = 0.0
        for k in range(1, ROUNDS + 1):
            r = subprocess.run([A.cli, "reindex", "--quiet", "--db", db, base, gen_file(d, k)], capture_output=True)
            check(r.returncode == 0, "reindex %d: %s" % (k, r.stderr.decode(errors="replace")[-300:]))
            t0 = time.monotonic()
            count0 = hammer.count
            seen = poll(lambda: total(srv, "genmarker%d" % k) == 1, patience(60))
            took = time.monotonic() - t0
            worst = max(worst, took)
            check(seen, "generation %d never visible (waited %.1f s)" % (k, took))
            check(total(srv, "genmarker%d" % (k - 1)) == 0, "generation %d gone after the switch" % (k - 1))
            # the clients were querying across this switch
            poll(lambda: hammer.count > count0, patience(60))
            check(hammer.count > count0, "round %d: the clients made requests around the switch" % k)
        hammer.finish()
        # reindex stamps what it checked; the server trusts the stamp
        # instead of checking the same bytes again
        with open(db + ".verified") as f:
            stamp = f.read().split()
        check(len(stamp) == 4 and stamp[:2] == ["kensaku-verified", "1"] and
              int(stamp[2]) == os.path.getsize(db), "reindex leaves DB.verified: %r" % stamp)
        check(srv.wait_line("reindex's verification stamp", 30), "the switch used the stamp")
        check(not hammer.failures, "%d of %d requests failed across %d reindexes, first %r" % (
            len(hammer.failures), hammer.count, ROUNDS, hammer.failures[:3]))
        check(hammer.count >= ROUNDS, "the hammer ran (%d requests)" % hammer.count)
        print("switch: %d requests during %d reindexes, 0 failed expected, worst visibility %.0f ms" % (
            hammer.count, ROUNDS, worst * 1000))
        st, _, text = get(srv, "/metrics")
        m = re.search(rb"^kensaku_index_generation (\d+)$", text, re.M)
        check(m and int(m.group(1)) >= 1 + ROUNDS, "index generation counted %r" % (m and m.group(1)))

        # `kensaku index` of an added file: visible on the next request
        added = os.path.join(d, "added.jsonl")
        jsonl(added, [{"issue": 600, "date": "2024-02-01", "section": "脆弱性", "title": "addedmarker 追加された記事"}])
        hammer = Hammer(srv, 3)
        r = subprocess.run([A.cli, "index", "--quiet", "--db", db, added], capture_output=True)
        check(r.returncode == 0, "index added file: %s" % r.stderr.decode(errors="replace")[-300:])
        check(total(srv, "addedmarker") == 1, "added item visible on the next request")
        st, _, b = get_json(srv, "/api/items/600-1")
        check(st == 200 and b["title"].startswith("addedmarker"), "added item by id: %d" % st)
        st, _, b = get_json(srv, "/healthz")
        check(st == 200 and b["items"] == 13, "healthz counts the added item: %r" % b)
        # SIGHUP: a new generation at once, no failed request
        gen_before = int(re.search(rb"^kensaku_index_generation (\d+)$", get(srv, "/metrics")[2], re.M).group(1))
        srv.signal(signal.SIGHUP)
        check(srv.wait_line("(reload)", 30) or srv.wait_line("SIGHUP", 1), "SIGHUP logged")
        # the reload happens on the next request
        check(total(srv, "addedmarker") == 1, "query after SIGHUP")
        gen_after = int(re.search(rb"^kensaku_index_generation (\d+)$", get(srv, "/metrics")[2], re.M).group(1))
        check(gen_after == gen_before + 1, "SIGHUP bumps the generation %d -> %d" % (gen_before, gen_after))
        hammer.finish()
        check(not hammer.failures, "failures around index/SIGHUP: %r" % hammer.failures[:3])

        # the index file vanishes: open connections keep answering; a thread
        # without one says 503 unavailable, never anything worse
        os.rename(db, db + ".away")
        for _ in range(10):
            st, _, b = get(srv, "/api/search?q=LAPSUS%24")
            check(st == 200 or (st == 503 and b"unavailable" in b), "while the file is moved away: %d" % st)
        os.rename(db + ".away", db)
        check(total(srv, "addedmarker") == 1, "served after the file is back")
    finally:
        rc = srv.stop()
        check(rc == 0, "kensakud exit status %r" % rc)
        check_no_sanitizer_report(srv)
    cleanup(d)


run(main)
