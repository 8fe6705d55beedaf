#!/usr/bin/env python3
"""Every response that shows items is bounded by the ingest limits, and
kensakud's start-up check does not copy the index into memory (issue 10
point 4), against a real kensakud on port 0:

- an archive with items at the limits and past them (a 200,000-character
  title, 40 long quotes in one issue, 1,005 items in one issue): every hit
  of a search page (limit 100), every item and every issue page stay under
  the worst-case sizes the limits give (README: "Limits"); the items past
  them are not served;
- an index made before the limits (an issue with 1,005 items, a url of
  6,000 bytes, written with SQLite directly): /api/issues/N answers 200
  with the first 1,000 items and "truncated": true instead of reading them
  all, /api/items/ID cuts the url to 2,048 bytes and says "truncated";
- an index padded to ~160 MB without a verification stamp (so kensakud
  gives it the full check): kensakud's peak RSS (VmHWM) after start is
  under half the file's size (a structural bound: before, the check read
  the whole file into anonymous memory, VmHWM > the file's size).

usage: test_ingest_bounds.py --bin BUILD/bin --src REPO"""
import json
import os
import sqlite3

from kstest import Server, args, check, cli, get, get_json, is_error_shape, jsonl, run, tmpdir

A = args()

# worst cases of the limits (include/kensaku/item.h): JSON writes at most 6
# bytes a character (\u00XX for a control character); a character of the
# *_html fields at most 101 (a bidi control as its own marked run:
# <mark><span class=\"bidi-ctl\" title=\"U+202C POP DIRECTIONAL
# FORMATTING\">[U+202C PDF]</span></mark>, JSON-escaped)
TITLE, QUOTE, SECTION, URL, SNIPPET = 1000, 20000, 200, 2048, 160
ISSUE_ITEMS, ISSUE_CHARS = 1000, 200000
KEYS = 512  # member names, id, issue, position, date, score
ITEM_MAX = 6 * (TITLE + QUOTE + SECTION + URL) + KEYS               # 140,000 B
HIT_MAX = ITEM_MAX + 101 * (TITLE + SNIPPET)                         # 257,160 B
ISSUE_MAX = 6 * ISSUE_CHARS + ISSUE_ITEMS * KEYS + 6 * TITLE + KEYS  # 1,718,512 B


def archive(path):
    rows = [{"issue": 1, "title": "限界 edge " + "長" * (TITLE - 8), "quote": "語" * QUOTE,
             "section": "節" * SECTION, "url": "https://e.example/" + "a" * (URL - 18)},
            {"issue": 1, "title": "限界 past " + "長" * 200000},
            {"issue": 1, "title": "限界 ok"}]
    rows += [{"issue": 2, "title": "限界 quote %d" % i, "quote": "語" * 19000} for i in range(40)]
    rows += [{"issue": 3, "title": "限界 many %d" % i} for i in range(ISSUE_ITEMS + 5)]
    jsonl(path, rows)


def test_response_bounds(d):
    src = os.path.join(d, "limits.jsonl")
    archive(src)
    db = os.path.join(d, "k.db")
    r = cli(A, "index", "--db", db, src, ok=False)
    check(r.returncode == 1, "items past the limits: index exits 1 (%d)" % r.returncode)
    srv = Server(A, db)
    try:
        for off in range(0, 1100, 100):
            st, _, body = get(srv, "/api/search?q=%E9%99%90%E7%95%8C&limit=100&offset=" + str(off))
            page = json.loads(body) if st == 200 else {}
            sizes = [len(json.dumps(h, ensure_ascii=False, separators=(",", ":")).encode())
                     for h in page.get("hits", [])]
            check(st == 200 and all(s <= HIT_MAX for s in sizes),
                  "search page at %d: every hit <= %d B (largest %d)" % (
                      off, HIT_MAX, max(sizes or [0])))
            check(len(body) <= 100 * HIT_MAX + 1023 * (6 * SECTION + 16) + 64 * 1024,
                  "search page at %d: %d B <= the page bound" % (off, len(body)))
            check(not any("past" in h["title"] for h in page.get("hits", [])),
                  "the item past the title limit is not served")
        st, _, body = get(srv, "/api/items/1-1")
        check(st == 200 and len(body) <= ITEM_MAX, "item at every limit: %d B <= %d" % (
            len(body), ITEM_MAX))
        for n, want in ((1, 2), (2, None), (3, ISSUE_ITEMS)):
            st, _, body = get(srv, "/api/issues/%d" % n)
            j = json.loads(body) if st == 200 else {}
            check(st == 200 and len(body) <= ISSUE_MAX, "issue %d: %d B <= %d" % (
                n, len(body), ISSUE_MAX))
            got = len(j.get("items", []))
            check(got <= ISSUE_ITEMS and (want is None or got == want),
                  "issue %d holds %d items (want %s)" % (n, got, want))
    finally:
        srv.stop()


def old_index(d):
    """An index as a version without limits could have written: issue 8
    with 1,005 items and an item with a 6,000-byte url. Made with SQLite
    directly; the text the FTS5 index covers (title, quote) is untouched,
    so the file passes kensakud's full check."""
    src = os.path.join(d, "old.jsonl")
    jsonl(src, [{"issue": 8, "title": "old %d" % i} for i in range(ISSUE_ITEMS)] +
          [{"issue": 9, "title": "old more %d" % i} for i in range(5)])
    db = os.path.join(d, "old.db")
    cli(A, "index", "--db", db, src)
    c = sqlite3.connect(db)
    (au,) = c.execute("SELECT sql FROM sqlite_master WHERE name = 'items_au'").fetchone()
    c.execute("DROP TRIGGER items_au")  # it would run the kensaku tokenizer
    c.execute("UPDATE items SET issue = 8, position = position + ? WHERE issue = 9",
              (ISSUE_ITEMS,))
    c.execute("UPDATE items SET url = ? WHERE issue = 8 AND position = 1",
              ("https://e.example/" + "u" * 6000,))
    c.execute(au)
    c.commit()
    c.close()
    return db


def test_old_index(d):
    srv = Server(A, old_index(d))
    try:
        st, _, j = get_json(srv, "/api/issues/8")
        check(st == 200 and j and len(j["items"]) == 1000 and j.get("truncated") is True,
              "an issue past the items limit gives its first 1000 items, truncated (%d, %r)" % (
                  st, j and len(j.get("items", []))))
        st, _, j = get_json(srv, "/api/items/8-1")
        check(st == 200 and j and len(j["url"].encode()) <= URL and j.get("truncated") is True,
              "an item's url past the limit is cut (%d, %r)" % (st, j and len(j["url"])))
        st, _, j = get_json(srv, "/api/items/8-2")
        check(st == 200 and j and "truncated" not in j, "an item within the limits is whole")
    finally:
        srv.stop()


def vm_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def test_startup_memory(d):
    src = os.path.join(d, "small.jsonl")
    jsonl(src, [{"issue": 1, "title": "small %d" % i, "quote": "text"} for i in range(50)])
    db = os.path.join(d, "padded.db")
    cli(A, "index", "--db", db, src)  # index leaves no stamp: the full check runs
    c = sqlite3.connect(db)
    c.execute("CREATE TABLE pad(b BLOB)")
    for _ in range(160):
        c.execute("INSERT INTO pad VALUES (zeroblob(1048576))")
    c.commit()
    c.close()
    size = os.path.getsize(db)
    check(size > 150 << 20 and not os.path.exists(db + "-wal"), "the padded index is %d B" % size)
    srv = Server(A, db)
    try:
        hwm = vm_hwm_kb(srv.proc.pid) * 1024
        check(0 < hwm < size // 2, "kensakud's VmHWM after start %.1f MB < half the index "
              "(%.1f MB)" % (hwm / 1e6, size / 1e6))
        print("start-up VmHWM %.1f MB on a %.1f MB index" % (hwm / 1e6, size / 1e6))
        check(get(srv, "/api/items/1-1")[0] == 200, "the padded index is served")
    finally:
        srv.stop()


def main():
    d = tmpdir("ingest-bounds")
    test_response_bounds(d)
    test_old_index(d)
    test_startup_memory(d)


run(main)
