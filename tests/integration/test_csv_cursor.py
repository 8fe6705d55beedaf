#!/usr/bin/env python3
"""integration.csv_cursor - /api/search.csv cursors are bound by a keyed MAC
to a secret kept in the index, and a cursor whose numbers are out of range
is refused before any use (issue 10, point 5).

- paging works: page 2 from page 1's cursor;
- a copy of the index with another secret (same generation, same rows)
  refuses the cursor: the check is not computable from public inputs;
- a cursor MACed correctly (the test reads the secret from the file) but
  carrying rowid INT64_MAX, 0, a watermark past the sequence range is a 400
  with the error object, and the server (ASan+UBSan build too) keeps serving;
- an index without a secret (made before it existed) still pages, keyed by
  the server's own random key, and the next `kensaku index` gives it one."""
import hashlib
import hmac
import os
import shutil
import sqlite3
import struct
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kstest  # noqa: E402
from kstest import check  # noqa: E402

INT64_MAX = (1 << 63) - 1
SEQ_MAX = (1 << 37) - 1


def url(params):
    return "/api/search.csv?" + urllib.parse.urlencode(params)


def page(srv, params):
    st, h, b = kstest.get(srv, url(params))
    return st, h.get("x-next-cursor", ""), b


def meta(db, key):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def set_meta(db, key, value):
    con = sqlite3.connect(db)
    try:
        if value is None:
            con.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
        con.commit()
    finally:
        con.close()


def mac_cursor(db, q, sort, wm, rowid, score=0.0):
    """A cursor as kensaku makes one (csv.c check_of), signed with db's key."""
    key = bytes.fromhex(meta(db, "mac_key"))
    bits = struct.unpack("<Q", struct.pack("<d", score))[0] if sort == "r" else 0
    msg = "\x1f".join(["kensaku-csv-2", meta(db, "generation"), q, "", "", "", "",
                       "1", sort, str(wm), str(rowid), "%016x" % bits])
    chk = hmac.new(key, msg.encode(), hashlib.sha256).hexdigest()[:32]
    if sort == "r":
        return "1.r.%d.%016x.%d.%s" % (wm, bits, rowid, chk)
    return "1.%s.%d.%d.%s" % (sort, wm, rowid, chk)


def test_paging_and_secret(a, d, db):
    srv = kstest.Server(a, db)
    try:
        st, nxt, b = page(srv, {"limit": 2})
        check(st == 200 and nxt, "page 1: 200 with a next cursor (%d, %r)" % (st, nxt))
        st2, _, b2 = page(srv, {"limit": 2, "cursor": nxt})
        check(st2 == 200 and b2 and not b2.startswith(b"id,"), "page 2 from page 1's cursor: %d" % st2)
        # a forged check (every digit of the MAC part changed) is refused
        forged = nxt[:-32] + "".join("0" if c != "0" else "1" for c in nxt[-32:])
        st3, h3, b3 = kstest.get(srv, url({"limit": 2, "cursor": forged}))
        check(st3 == 400 and kstest.is_error_shape(b3), "forged check: 400 + error object (%d)" % st3)
        check(len(nxt.rsplit(".", 1)[1]) == 32, "the check is 128 bits: %r" % nxt)
        # our own MAC computation agrees with the server's (so the range
        # tests below are valid cursors but for their numbers)
        parts = nxt.split(".")
        mine = mac_cursor(db, "", parts[1], int(parts[2]), int(parts[3]))
        check(mine == nxt, "test's MAC = server's: %r vs %r" % (mine, nxt))
        # in-range numbers, correctly signed: accepted
        st4, _, _ = kstest.get(srv, url({"limit": 2, "cursor": mac_cursor(db, "", "n", int(parts[2]), 5)}))
        check(st4 == 200, "a signed in-range cursor is accepted (%d)" % st4)
        for sort, wm, rowid in (("o", int(parts[2]), INT64_MAX), ("n", int(parts[2]), 0),
                                ("n", SEQ_MAX + 2, 5), ("o", int(parts[2]), INT64_MAX - 1)):
            c = mac_cursor(db, "", sort, wm, rowid)
            st5, _, b5 = kstest.get(srv, url({"limit": 2, "cursor": c, "sort": "oldest" if sort == "o" else "newest"}))
            want = 200 if rowid == INT64_MAX - 1 else 400
            check(st5 == want and (want == 200 or kstest.is_error_shape(b5)),
                  "signed cursor sort %s wm %d rowid %d: %d (want %d)" % (sort, wm, rowid, st5, want))
        check(kstest.get(srv, "/healthz")[0] == 200, "still serving after the out-of-range cursors")
    finally:
        srv.stop()

    # the same file with another secret: same generation and rows, the
    # cursor no longer verifies (an unkeyed hash would still match)
    other = os.path.join(d, "other.db")
    shutil.copy(db, other)
    set_meta(other, "mac_key", "ab" * 32)
    srv = kstest.Server(a, other)
    try:
        st, _, b = kstest.get(srv, url({"limit": 2, "cursor": nxt}))
        check(st == 400 and kstest.is_error_shape(b), "cursor refused by an index with another secret (%d)" % st)
    finally:
        srv.stop()


def test_no_secret(a, d, src):
    old = os.path.join(d, "old.db")
    kstest.build_index(a, old, [src])
    set_meta(old, "mac_key", None)
    srv = kstest.Server(a, old)
    try:
        st, nxt, _ = page(srv, {"limit": 2})
        st2, _, _ = page(srv, {"limit": 2, "cursor": nxt})
        check(st == 200 and nxt and st2 == 200, "an index without a secret still pages (%d, %d)" % (st, st2))
    finally:
        srv.stop()
    check(meta(old, "mac_key") is None, "the server (read-only) wrote no secret")
    kstest.build_index(a, old, [src])
    k = meta(old, "mac_key")
    check(k is not None and len(k) == 64, "kensaku index gave the old index a secret: %r" % k)


def main():
    a = kstest.args()
    d = kstest.tmpdir("csvcur")
    try:
        src = os.path.join(a.data, "base.jsonl")
        db = os.path.join(d, "k.db")
        kstest.build_index(a, db, [src])
        k = meta(db, "mac_key")
        check(k is not None and len(k) == 64 and k != "0" * 64, "a new index has a 256-bit secret")
        db2 = os.path.join(d, "k2.db")
        kstest.build_index(a, db2, [src])
        check(meta(db2, "mac_key") != k, "two indexes get different secrets")
        test_paging_and_secret(a, d, db)
        test_no_secret(a, d, src)
    finally:
        kstest.cleanup(d)


if __name__ == "__main__":
    kstest.run(main)
