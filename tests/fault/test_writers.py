#!/usr/bin/env python3
"""Two writers at once while kensakud serves under load: `kensaku index`
and `kensaku reindex` started together (both orders, at the same instant
and with a 50 ms head start), and two `index` runs together. Exactly one
wins (exit 0), the other exits 1 at once with the "another kensaku
index/reindex is writing" message; the index is intact afterwards and
served; every client answer is a correct 200.

Then writers one after the other with no gap: `kensaku index` starts the
moment `kensaku reindex` has renamed its file in, and writes WAL frames for
the new file (the -wal/-shm belong to the path) while kensakud may still
read the old one; clients must still only ever see complete, unmixed
generations (before pool.c waited for the switch in that case, this gave
503s and hits with id "?").

$KS_FAULT_SCALE scales the corpus (default 1.0 = 5000 + 2000 items)."""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksfault as F  # noqa: E402
from ksfault import kstest  # noqa: E402,F401
from kstest import Server, args, check, cleanup, run, tmpdir  # noqa: E402

A = args()
ROUNDS = 4
BACK_TO_BACK = 8


def write_extra(d, m, rnd):
    """m items of issues 9000+ tagged gtagx; rnd changes an ignored field so
    the files' hashes change and `kensaku index` really writes them."""
    F.write_corpus(d, m, "gtagx", first_issue=9000)
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        with open(p, encoding="utf-8") as f:
            lines = [json.loads(x) for x in f]
        with open(p, "w", encoding="utf-8") as f:
            for it in lines:
                it["note"] = "round %d" % rnd  # ignored by the parser
                f.write(json.dumps(it, ensure_ascii=False) + "\n")
    return d


def race(first, second, gap):
    """Starts both argvs, gap seconds apart; returns [(rc, stderr, seconds)]."""
    t0 = time.monotonic()
    ps = [subprocess.Popen(first, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)]
    if gap:
        time.sleep(gap)
    ps.append(subprocess.Popen(second, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    out = []
    for p in ps:
        _, err = p.communicate(timeout=300)
        out.append((p.returncode, err.decode(errors="replace"), time.monotonic() - t0))
    return out


def main():
    d = tmpdir("writers")
    db = os.path.join(d, "k.db")
    n = F.scaled(5000, 500)
    m = F.scaled(2000, 250)
    c0 = F.write_corpus(os.path.join(d, "c0"), n, "gtag0")
    subprocess.run(F.reindex_argv(A, db, c0), check=True, capture_output=True)
    srv = Server(A, db, ["--threads", "4", "--quiet"], patient=True)
    ids = ["%d-%d" % (1000 + i // F.ITEMS_PER_FILE, 1 + i % F.ITEMS_PER_FILE)
           for i in range(0, n, max(1, n // 100))]
    state = F.State({n, n + m, n + F.ITEMS_PER_FILE, n + m + F.ITEMS_PER_FILE}, 0)
    hammer = F.Hammer(srv, 2, state, ids, max_s=300)
    wins = {}
    try:
        for k in range(1, ROUNDS + 2):
            ck = F.write_corpus(os.path.join(d, "c%d" % k), n, "gtag%d" % k)
            extra = write_extra(os.path.join(d, "extra"), m, k)
            state.set(max_gen=k)
            idx = [A.cli, "index", "--quiet", "--db", db, extra]
            rei = F.reindex_argv(A, db, ck)
            if k == ROUNDS + 1:
                names, pair = ("index", "index"), (idx, idx)
            elif k % 2:
                names, pair = ("index", "reindex"), (idx, rei)
            else:
                names, pair = ("reindex", "index"), (rei, idx)
            # rounds 1-2 start both at the same instant (either may win);
            # rounds 3-4 give the first a 50 ms head start, so each kind of
            # writer is seen refused
            gap = 0.05 if k in (3, 4) else 0.0
            res = race(pair[0], pair[1], gap)
            ok = [i for i, r in enumerate(res) if r[0] == 0]
            lost = [i for i, r in enumerate(res) if r[0] != 0]
            desc = ", ".join("%s exit %d in %.2f s" % (names[i], res[i][0], res[i][2]) for i in range(2))
            print("  round %d: %s" % (k, desc))
            check(len(ok) == 1 and len(lost) == 1, "round %d: exactly one writer wins: %s" % (k, desc))
            for i in lost:
                rc, err, secs = res[i]
                check(rc == 1 and "another kensaku" in err,
                      "round %d: the loser (%s) exits 1 with the message: %r" % (k, names[i], err[-300:]))
                print("    loser: %s" % err.strip().splitlines()[-1][:200])
            for i in ok:
                wins[names[i]] = wins.get(names[i], 0) + 1
            st = F.stats(A, db)
            check(st is not None and st["items"] in (n, n + m), "round %d: stats %r" % (k, st))
            check(F.quick_check(db) == "ok", "round %d: quick_check" % k)
            check(not F.temp_files(db), "round %d: no temp file" % k)
            # the server serves the file as it is now (generation and items)
            deadline = time.monotonic() + kstest.patience(60)
            while time.monotonic() < deadline:
                b = F.get_json(srv, "/healthz")[2] or {}
                if st and b.get("generation") == st["generation"] and b.get("items") == st["items"]:
                    break
                time.sleep(0.02)
            check(st and b.get("generation") == st["generation"] and b.get("items") == st["items"],
                  "round %d: served %r, file %r" % (k, b, st))
        print("writers: wins %r" % wins)
        # back to back: `kensaku index` starts the moment `kensaku reindex`
        # has renamed its file, before kensakud has checked and switched to
        # it, so the index run writes WAL frames for the new file while
        # kensakud still reads the old one (the -wal and -shm at the path
        # are shared): the clients must still only see complete, unmixed
        # generations
        few = os.path.join(d, "few")
        for j in range(BACK_TO_BACK):
            k = ROUNDS + 2 + j
            ck = F.write_corpus(os.path.join(d, "c%d" % k), n, "gtag%d" % k)
            write_extra(few, F.ITEMS_PER_FILE, k)
            state.set(max_gen=k)
            r1 = subprocess.run(F.reindex_argv(A, db, ck), capture_output=True, timeout=300)
            r2 = subprocess.run([A.cli, "index", "--quiet", "--db", db, few], capture_output=True,
                                timeout=300)
            check(r1.returncode == 0 and r2.returncode == 0, "back to back %d: %s %s" % (
                j + 1, r1.stderr[-200:], r2.stderr[-200:]))
            st = F.stats(A, db)
            check(F.quick_check(db) == "ok", "back to back %d: quick_check" % (j + 1))
            deadline = time.monotonic() + kstest.patience(60)
            b = {}
            while time.monotonic() < deadline:
                b = F.get_json(srv, "/healthz")[2] or {}
                if st and b.get("generation") == st["generation"] and b.get("items") == st["items"]:
                    break
                time.sleep(0.02)
            check(st and b.get("generation") == st["generation"] and b.get("items") == st["items"],
                  "back to back %d: served %r, file %r" % (j + 1, b, st))
            shutil.rmtree(ck, ignore_errors=True)
        print("writers: %d back-to-back reindex + index runs" % BACK_TO_BACK)
        hammer.finish()
        check(not hammer.failures, "clients: %s; first failures %r" % (hammer.summary(), hammer.failures[:5]))
        check(hammer.count > 50, "the clients ran (%d requests)" % hammer.count)
        print("writers: clients: %s" % hammer.summary())
    finally:
        hammer.finish()
        rc = srv.stop()
        check(rc == 0, "kensakud exit code %r" % rc)
        F.sanitizer_clean(srv)
        cleanup(d)


run(main)
