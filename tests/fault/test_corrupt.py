#!/usr/bin/env python3
"""A corrupted or truncated index file.

(a) kensakud started on a broken file exits 1 with one clear line naming
    the file and the problem, and nothing listens: an empty file, a bare
    header, random bytes, a text file, a truncated index (at a page and
    mid-page), zeroed pages in the middle, a garbage header, SQLite files
    that are not an index, FTS5 shadow rows overwritten (a segment leaf,
    the averages, the structure record, a term-index entry), an item's text
    changed under its index, a missing path, a folder.
(b) While kensakud serves under load, each of those damaged copies of a
    good index is renamed over the served path (as a reindex or a deploy
    does): kensakud logs one "can't be served" line naming the problem and
    keeps serving the previous generation: every client answer is a 200
    with that generation's correct content (no 503 at all), /healthz
    answers 200 with its generation. A good file renamed over it afterwards
    is served again.
(c) The served file damaged in place (not something a tool of this project
    does): truncated to half, then zeroed in the middle. kensakud never
    crashes and never serves garbage: every answer is a 200 with correct
    content or a 503 with the JSON error; a good file renamed over it is
    served again.

$KS_FAULT_SCALE scales the corpus (default 1.0 = 4000 items)."""
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksfault as F  # noqa: E402
from ksfault import kstest  # noqa: E402,F401
from kstest import Server, args, check, cleanup, get_json, run, tmpdir  # noqa: E402

A = args()
rnd = random.Random(int(os.environ.get("KS_FAULT_SEED", "6")))


def start_refused(db, what):
    """kensakud on db must exit 1 with a message naming the file."""
    try:
        p = subprocess.run([A.srv, "--db", db, "--listen", "127.0.0.1:0", "--quiet"],
                           capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        check(False, "%s: kensakud did not exit (it served the file)" % what)
        return
    err = p.stderr.decode(errors="replace").strip()
    check(p.returncode == 1, "%s: exit %d (want 1); stderr %r" % (what, p.returncode, err[-300:]))
    check(b"listening" not in p.stdout, "%s: nothing listens" % what)
    check(err.startswith("kensakud: ") and os.path.basename(db) in err and len(err) < 600 and
          "\n" not in err, "%s: one clear line naming the file: %r" % (what, err[-300:]))
    print("  %-30s exit %d: %s" % (what, p.returncode, err[:150]))


def page_size(db):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return c.execute("PRAGMA page_size").fetchone()[0]
    finally:
        c.close()


def pages_of(db, name, types):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return [r[0] for r in c.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype IN (%s)" %
            ",".join("?" * len(types)), (name,) + tuple(types))]
    finally:
        c.close()


def sql_edit(path, sql, params=()):
    """Runs one statement on the copy at path with Python's sqlite3 (the
    shadow tables are plain tables: no tokenizer needed) and folds the WAL
    back into the file."""
    c = sqlite3.connect(path)
    try:
        cur = c.execute(sql, params)
        check(cur.rowcount == 1, "%s changed one row (%d)" % (sql[:60], cur.rowcount))
        c.commit()
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        c.close()
    for side in ("-wal", "-shm"):
        if os.path.exists(path + side):
            os.remove(path + side)


# damage that SQLite's own checks see, and damage only the FTS5 check sees
FILE_DAMAGE = ["truncated to half", "truncated mid-page", "middle zeroed", "garbage header",
               "btree page headers"]
FTS_DAMAGE = ["fts leaf row overwritten", "fts averages overwritten", "fts structure overwritten",
              "fts term index entry moved", "item text changed"]


def corrupt_copy(good, out, how):
    """Writes a damaged copy of good to out."""
    shutil.copyfile(good, out)
    size = os.path.getsize(out)
    ps = page_size(good)
    if how == "fts leaf row overwritten":
        c = sqlite3.connect("file:%s?mode=ro" % good, uri=True)
        ids = [r[0] for r in c.execute("SELECT id FROM items_fts_data WHERE id > 10 ORDER BY id")]
        c.close()
        sql_edit(out, "UPDATE items_fts_data SET block = randomblob(length(block)) WHERE id = ?",
                 (ids[len(ids) // 2],))
        return
    if how == "fts averages overwritten":
        sql_edit(out, "UPDATE items_fts_data SET block = randomblob(length(block)) WHERE id = 1")
        return
    if how == "fts structure overwritten":
        sql_edit(out, "UPDATE items_fts_data SET block = randomblob(length(block)) WHERE id = 10")
        return
    if how == "fts term index entry moved":
        sql_edit(out, "UPDATE items_fts_idx SET pgno = pgno + 3 WHERE (segid, term) = "
                 "(SELECT segid, term FROM items_fts_idx ORDER BY segid, term LIMIT 1 OFFSET "
                 "(SELECT count(*) / 2 FROM items_fts_idx))")
        return
    if how == "item text changed":
        # one byte of one item's title flipped in the file (a bit rot the
        # b-tree checks can't see; the FTS5 content check can)
        with open(out, "r+b") as f:
            data = f.read()
            at = data.find(b"kscommon gtag", len(data) // 3)
            check(at > 0, "a title in the file")
            f.seek(at + 5)
            f.write(b"0")
        return
    with open(out, "r+b") as f:
        if how == "truncated to half":
            f.truncate(size // 2 // ps * ps)
        elif how == "truncated mid-page":
            f.truncate(size * 3 // 4 + 1234)
        elif how == "middle zeroed":
            f.seek(size // 3 // ps * ps)
            f.write(b"\0" * (size // 3 // ps * ps))
        elif how == "garbage header":
            f.seek(0)
            f.write(bytes(rnd.randrange(256) for _ in range(100)))
        elif how == "btree page headers":
            pages = pages_of(good, "items", ("leaf",)) + pages_of(good, "items_fts_data", ("leaf",))
            for pg in rnd.sample(pages, min(len(pages), 20)):
                f.seek((pg - 1) * ps + (100 if pg == 1 else 0))
                f.write(bytes(rnd.randrange(256) for _ in range(12)))
        else:
            raise ValueError(how)


def part_a(d, good0):
    print("(a) kensakud started on a broken file:")
    bad = os.path.join(d, "bad.db")
    open(bad, "wb").close()
    start_refused(bad, "zero-length file")
    with open(bad, "wb") as f:
        f.write(b"SQLite format 3\0" + bytes(rnd.randrange(256) for _ in range(84)))
    start_refused(bad, "100-byte header only")
    with open(bad, "wb") as f:
        f.write(bytes(rnd.randrange(256) for _ in range(65536)))
    start_refused(bad, "random bytes")
    with open(bad, "wb") as f:
        f.write(b"hello " * 10000)
    start_refused(bad, "a text file")
    for how in FILE_DAMAGE + FTS_DAMAGE:
        corrupt_copy(good0, bad, how)
        start_refused(bad, how)
    os.remove(bad)
    c = sqlite3.connect(bad)
    c.execute("CREATE TABLE t(x)")
    c.commit()
    c.close()
    start_refused(bad, "another SQLite database")
    os.remove(bad)
    c = sqlite3.connect(bad)
    c.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    c.execute("INSERT INTO meta VALUES ('schema', '2')")
    c.execute("PRAGMA user_version = 2")
    c.commit()
    c.close()
    start_refused(bad, "an index without its tables")
    start_refused(os.path.join(d, "missing.db"), "a missing file")
    # not damage: an index of another tokenizer version starts, says that
    # a reindex is needed, and is served (its text is not compared with
    # tokens this binary would make)
    old = os.path.join(d, "old.db")
    corrupt_copy(good0, old, "item text changed")
    sql_edit(old, "UPDATE meta SET value = 'kensaku-bigram-0' WHERE key = 'tokenizer'")
    srv = Server(A, old, ["--quiet"], patient=True)
    try:
        st, _, b = get_json(srv, "/healthz")
        check(st == 200 and b.get("reindex_needed") is True,
              "an index of another tokenizer version is served, reindex needed: %d %r" % (st, b))
        check(srv.wait_line("reindex", 30), "the reindex warning is logged")
        print("  %-30s served: %s" % ("another tokenizer version", [
            x for x in srv.stderr_text().splitlines() if "reindex" in x][0][:120]))
    finally:
        check(srv.stop() == 0, "kensakud on the old index exits 0")
        F.sanitizer_clean(srv)
    os.makedirs(os.path.join(d, "dir.db"))
    start_refused(os.path.join(d, "dir.db"), "a folder")


def part_b(d, db, n, srv, state, ids):
    print("(b) the served file replaced by a broken one, under load:")
    hammer = F.Hammer(srv, 3, state, ids, max_s=600)
    gen = 0
    try:
        for how in FILE_DAMAGE + FTS_DAMAGE:
            good = os.path.join(d, "good%d.db" % gen)
            served = F.served_generation(srv)
            before = hammer.count, srv.stderr_text().count("can't be served")
            path = os.path.join(d, "next.db")
            corrupt_copy(good, path, how)
            os.rename(path, db)
            refused = F.wait_line_count(srv, "can't be served", before[1] + 1, 30)
            line = [x for x in srv.stderr_text().splitlines() if "can't be served" in x]
            check(refused, "%s: refused with a log line" % how)
            # the clients keep going for 1 s against the refused file
            end = time.monotonic() + 1.0
            hz = {}
            while time.monotonic() < end:
                st, _, b = get_json(srv, "/healthz")
                key = st if st != 200 or (b or {}).get("generation") == served else "wrong gen"
                hz[key] = hz.get(key, 0) + 1
                time.sleep(0.02)
            check(set(hz) == {200}, "%s: /healthz answers 200 with the previous generation: %r" % (
                how, hz))
            check(srv.proc.poll() is None, "%s: kensakud still running" % how)
            print("  %-28s %5d requests; %s" % (how, hammer.count - before[0],
                                                line[-1].split("(", 1)[-1][:110] if line else "-"))
            # a good new generation renamed over it is served again
            gen += 1
            cg = F.write_corpus(os.path.join(d, "c%d" % gen), n, "gtag%d" % gen)
            state.set(max_gen=gen)
            tmpdb = os.path.join(d, "build%d.db" % gen)
            subprocess.run(F.reindex_argv(A, tmpdb, cg), check=True, capture_output=True)
            shutil.copyfile(tmpdb, os.path.join(d, "good%d.db" % gen))
            os.rename(tmpdb, db)
            st = F.stats(A, db)
            check(F.wait_served(srv, st and st["generation"], timeout=60) is not None,
                  "%s: a good file afterwards is served again" % how)
            shutil.rmtree(cg, ignore_errors=True)
        hammer.finish()
        check(not hammer.failures, "(b) clients: %s; first failures %r" % (
            hammer.summary(), hammer.failures[:5]))
        check(hammer.n503 == 0 and hammer.count > 0, "(b) no 503, the clients ran: %s" %
              hammer.summary())
        print("(b) clients: %s" % hammer.summary())
    finally:
        hammer.finish()
    return gen


def part_c(d, db, n, srv, state, ids, gen):
    print("(c) the served file damaged in place:")
    hammer = F.Hammer(srv, 3, state, ids, max_s=600, allow_503=True)
    try:
        for how in ("truncated to half in place", "middle zeroed in place"):
            before = hammer.count, hammer.n503
            size = os.path.getsize(db)
            with open(db, "r+b") as f:
                if how.startswith("truncated"):
                    f.truncate(size // 2)
                else:
                    f.seek(size // 3)
                    f.write(b"\0" * (size // 3))
                f.flush()
                os.fsync(f.fileno())
            end = time.monotonic() + 1.5
            hz = {}
            while time.monotonic() < end:
                st, _, b = get_json(srv, "/healthz")
                hz[st] = hz.get(st, 0) + 1
                check(st in (200, 503), "%s: /healthz %d" % (how, st))
                time.sleep(0.02)
            check(srv.proc.poll() is None, "%s: kensakud still running" % how)
            print("  %-28s %5d requests, %4d x 503, healthz %r" % (
                how, hammer.count - before[0], hammer.n503 - before[1], hz))
            gen += 1
            cg = F.write_corpus(os.path.join(d, "c%d" % gen), n, "gtag%d" % gen)
            state.set(max_gen=gen)
            tmpdb = os.path.join(d, "build%d.db" % gen)
            subprocess.run(F.reindex_argv(A, tmpdb, cg), check=True, capture_output=True)
            os.rename(tmpdb, db)
            st = F.stats(A, db)
            check(F.wait_served(srv, st and st["generation"], timeout=60) is not None,
                  "%s: a good file renamed over it is served" % how)
            shutil.rmtree(cg, ignore_errors=True)
        hammer.finish()
        why = [x for x in srv.stderr_text().splitlines() if "[reply] db:" in x]
        check(not hammer.failures, "(c) clients: %s; first failures %r; kensakud said %r" % (
            hammer.summary(), hammer.failures[:5], why[:5]))
        print("(c) clients: %s" % hammer.summary())
    finally:
        hammer.finish()


def main():
    d = tmpdir("corrupt")
    db = os.path.join(d, "k.db")
    n = F.scaled(4000, 500)
    c0 = F.write_corpus(os.path.join(d, "c0"), n, "gtag0")
    subprocess.run(F.reindex_argv(A, db, c0), check=True, capture_output=True)
    good0 = os.path.join(d, "good0.db")
    shutil.copyfile(db, good0)
    srv = None
    try:
        part_a(d, good0)
        srv = Server(A, db, ["--threads", "4", "--quiet"], patient=True)
        ids = ["%d-%d" % (1000 + i // F.ITEMS_PER_FILE, 1 + i % F.ITEMS_PER_FILE)
               for i in range(0, n, max(1, n // 100))]
        state = F.State({n}, 0)
        gen = part_b(d, db, n, srv, state, ids)
        part_c(d, db, n, srv, state, ids, gen)
        st, _, b = get_json(srv, "/healthz")
        check(st == 200 and b["items"] == n, "healthy at the end: %d %r" % (st, b))
        print("corrupt: kensakud: %s" % F.switch_stats(srv))
    finally:
        if srv:
            rc = srv.stop()
            check(rc == 0, "kensakud exit code %r" % rc)
            F.sanitizer_clean(srv)
        cleanup(d)


run(main)
