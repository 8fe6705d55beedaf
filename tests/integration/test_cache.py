#!/usr/bin/env python3
"""The search response cache of kensakud (--cache-mb): repeated searches
are answered from it (X-Cache: HIT, the same body but for took_ms), every
parameter that shapes the body is part of its key, and no entry outlives
an index change: after `kensaku index` commits or `kensaku reindex` swaps
the file, every request that starts afterwards sees the new items, also
while other clients keep the cached query hot. --cache-mb 0 turns it off."""
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.parse

import kstest
from kstest import Server, check, cli, get, jsonl


def item(issue, pos, title, quote="", date="2022-03-01", section="脆弱性"):
    return {"issue": issue, "date": date, "section": section, "title": title, "quote": quote}


def search(srv, **params):
    st, h, b = get(srv, "/api/search?" + urllib.parse.urlencode(params))
    body = json.loads(b) if b else None
    return st, h, body, b


def without_took(raw):
    return re.sub(rb'"took_ms":[0-9.eE+-]+', b'"took_ms":X', raw, count=1)


def until_hit(srv, tries=12, **params):
    """Repeats a search until the cache answers it (each worker thread's
    first check of its connection after a change counts as a change, so the
    first requests after start or after a commit may all miss). Returns the
    last (status, headers, body, raw)."""
    for _ in range(tries):
        r = search(srv, **params)
        if r[1].get("x-cache") == "HIT":
            break
    return r


def metric(srv, name):
    st, _, b = get(srv, "/metrics")
    m = re.search(r"^%s (\d+)" % re.escape(name), b.decode(), re.M)
    return int(m.group(1)) if m else None


def main():
    a = kstest.args()
    d = kstest.tmpdir("cache")
    db = os.path.join(d, "k.db")
    arch = os.path.join(d, "arch")
    os.makedirs(arch)
    jsonl(os.path.join(arch, "a.jsonl"),
          [item(1, 1, "ランサムウェア被害 first", "quote one"),
           item(1, 2, "QNAP 脆弱性", "ransomware \"quoted\" <b>x</b>", section="攻撃、脅威"),
           item(2, 1, "ランサムウェア second", "", date="2021-05-02")])
    cli(a, "index", "--db", db, arch)
    srv = Server(a, db, ["--quiet", "--threads", "2"], patient=True)
    try:
        # hits and misses, same body but took_ms
        until_hit(srv, q="warm up every worker's connection")
        st1, h1, b1, r1 = search(srv, q="ランサムウェア")
        st2, h2, b2, r2 = search(srv, q="ランサムウェア")
        check(st1 == 200 and h1.get("x-cache") == "MISS", "first search is a miss: %r" % h1.get("x-cache"))
        check(st2 == 200 and h2.get("x-cache") == "HIT", "repeated search is a hit: %r" % h2.get("x-cache"))
        check(without_took(r1) == without_took(r2), "a hit has the same body but took_ms")
        check(isinstance(b2["took_ms"], float) and b2["took_ms"] >= 0, "a hit's took_ms is a number")
        check(b1["total"] == 3, "three items match (ransomware expands) before the change: %r" % b1["total"])
        check(metric(srv, "kensaku_search_cache_hits_total") >= 1, "metrics count cache hits")
        check(metric(srv, "kensaku_search_cache_entries") >= 1, "metrics count cache entries")

        # every parameter that shapes the body is in the key
        variants = [dict(q="ランサムウェア", limit=1), dict(q="ランサムウェア", offset=1),
                    dict(q="ランサムウェア", sort="oldest"), dict(q="ランサムウェア", section="脆弱性"),
                    dict(q="ランサムウェア", exact=1), dict(q="ランサムウェア", explain=1),
                    dict(q="ランサムウェア", **{"from": "2022-01-01"}), dict(q="ランサムウェア", to="2021-12-31"),
                    dict(q="ransomware"), dict(q="")]
        for v in variants:
            st, h, b, raw = search(srv, **v)
            _, _, direct, _ = search(srv, **v)  # now from the cache
            ok = st == 200 and h.get("x-cache") == "MISS" and direct is not None
            if ok:
                b.pop("took_ms"), direct.pop("took_ms")
            check(ok and b == direct, "variant %r is its own entry with its own body" % v)
        _, _, lim, _ = search(srv, q="ランサムウェア", limit=1)
        check(len(lim["hits"]) == 1 and lim["limit"] == 1, "limit=1 from the cache has one hit")
        _, _, old, _ = search(srv, q="ランサムウェア", sort="oldest")
        check(old["hits"][0]["date"] == "2021-05-02", "sort=oldest from the cache is oldest first")
        st, h, _, _ = search(srv, q="ランサムウェア", limit=0)
        check(st == 400 and "x-cache" not in h, "a 400 is never cached")

        # `kensaku index` commits into the same file: the next request sees them
        for k in range(3):
            _, h, b, _ = until_hit(srv, q="ランサムウェア")
            check(h.get("x-cache") == "HIT", "round %d: the query is cached before the commit" % k)
            before = b["total"]
            jsonl(os.path.join(arch, "add%d.jsonl" % k), [item(10 + k, 1, "ランサムウェア added %d" % k)])
            cli(a, "index", "--db", db, arch)
            _, h, b, _ = search(srv, q="ランサムウェア")
            check(b["total"] == before + 1, "round %d: a commit of kensaku index is visible at once "
                  "(total %d -> %d)" % (k, before, b["total"]))
            check(any(x["title"] == "ランサムウェア added %d" % k for x in b["hits"]),
                  "round %d: the added item is in the hits" % k)

        # concurrent clients keep the query hot while commits happen; every
        # request that starts after `kensaku index` returned sees its item
        stop = threading.Event()
        errors = []

        def hammer():
            while not stop.is_set():
                st, _, _, _ = search(srv, q="ランサムウェア")
                if st != 200:
                    errors.append(st)

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        stale = 0
        try:
            for k in range(5):
                _, _, b, _ = search(srv, q="ランサムウェア")
                before = b["total"]
                jsonl(os.path.join(arch, "hot%d.jsonl" % k), [item(20 + k, 1, "ランサムウェア hot %d" % k)])
                cli(a, "index", "--db", db, arch)
                for _ in range(6):
                    _, _, b, _ = search(srv, q="ランサムウェア")
                    stale += b["total"] != before + 1
        finally:
            stop.set()
            for t in threads:
                t.join()
        check(not errors, "no failed request under concurrent load: %r" % errors[:5])
        check(stale == 0, "no stale cached answer after a commit under load (%d stale)" % stale)

        # `kensaku reindex` swaps the file: a new generation, new answers
        shutil.rmtree(arch)
        os.makedirs(arch)
        jsonl(os.path.join(arch, "new.jsonl"), [item(5, 1, "ランサムウェア only one now")])
        gen_before = metric(srv, "kensaku_index_generation")
        cli(a, "reindex", "--db", db, arch)
        seen = None
        deadline = time.monotonic() + kstest.patience(60)  # a deadline, not the switch's speed
        while seen is None and time.monotonic() < deadline:
            _, _, b, _ = search(srv, q="ランサムウェア")
            if b["total"] == 1:
                seen = b
            else:
                time.sleep(0.02)  # poll interval
        check(seen is not None and seen["hits"][0]["title"] == "ランサムウェア only one now",
              "after reindex the cached query answers from the new file: total %r; server log:\n%s"
              % (b["total"], srv.stderr_text()[-3000:]))
        check(metric(srv, "kensaku_index_generation") > gen_before, "reindex made a new generation")
        _, h, b, _ = until_hit(srv, q="ランサムウェア")
        check(h.get("x-cache") == "HIT" and b["total"] == 1, "the new generation is cached in turn")
    finally:
        check(srv.stop() == 0, "kensakud exits 0")

    # --cache-mb 0: no cache at all
    srv = Server(a, db, ["--quiet", "--cache-mb", "0"])
    try:
        _, h1, _, _ = search(srv, q="ランサムウェア")
        _, h2, _, _ = search(srv, q="ランサムウェア")
        check("x-cache" not in h1 and "x-cache" not in h2, "--cache-mb 0 answers without the cache")
        check(metric(srv, "kensaku_search_cache_max_bytes") == 0, "metrics show the cache is off")
    finally:
        srv.stop()
    for bad in ("-1", "x", "70000"):
        p = subprocess.run([a.srv, "--db", db, "--cache-mb", bad], capture_output=True,
                           timeout=kstest.patience(60))
        check(p.returncode == 2, "--cache-mb %s is a usage error (exit %d)" % (bad, p.returncode))
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    kstest.run(main)
