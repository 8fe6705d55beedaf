#!/usr/bin/env python3
"""`kensaku index` / `reindex` on archives that used to hang or explode the
indexer (issue 10 point 4):

- a FIFO in the archive folder (or named on the command line) is reported
  as `path: skipped: not a regular file (fifo)` and the run completes; every
  run here is bounded by a deadline, so a regression fails instead of
  hanging (the FIFO used to block `open` while the writer lock was held);
- `ln -s . loop` and a second symlink to a file: each file is read once
  (`already indexed as ...`), not 32 times over;
- items past each limit of include/kensaku/item.h are reported as
  `file:line: reason` and skipped, the rest of the file is indexed, the
  run exits 1 (the convention for skipped input) and what was indexed
  before is untouched; a file over 64 MB is skipped unread.

usage: test_cli_bounds.py --bin BUILD/bin --src REPO
Prints 'N passed, M failed' last; exits 1 on failure."""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from kstest import args, check, jsonl, patience, run, tmpdir  # noqa: E402

A = args()
SAMPLE = os.path.join(A.src, "sample", "issues")
TWO = ["issue-093.txt", "issue-101.txt"]


def ks(*argv):
    """Runs the CLI with a deadline; (rc, stderr). A run past the deadline
    is killed and reported as rc None: a hang is a failure, not a stall."""
    try:
        r = subprocess.run([A.cli] + list(argv), capture_output=True, timeout=patience(60),
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, "(killed: no answer within the deadline)"
    return r.returncode, r.stderr.decode(errors="replace")


def items(db):
    r = subprocess.run([A.cli, "stats", "--json", "--db", db], capture_output=True,
                       timeout=patience(60))
    return json.loads(r.stdout)["items"] if r.returncode == 0 else -1


def ids(db, query):
    r = subprocess.run([A.cli, "search", "--json", "--limit", "100", "--db", db, query],
                       capture_output=True, timeout=patience(60))
    return sorted(h["id"] for h in json.loads(r.stdout)["hits"]) if r.returncode == 0 else None


def folder_of_two(d):
    os.makedirs(d)
    for name in TWO:
        with open(os.path.join(SAMPLE, name), "rb") as f, open(os.path.join(d, name), "wb") as g:
            g.write(f.read())
    return d


N093 = [0]  # items of sample issue-093.txt alone


def reference_items(d):
    db = os.path.join(d, "ref.db")
    rc, err = ks("index", "--db", db, os.path.join(SAMPLE, TWO[0]))
    assert rc == 0, err
    N093[0] = items(db)
    rc, err = ks("index", "--db", db, os.path.join(SAMPLE, TWO[1]))
    assert rc == 0, err
    return items(db)


def test_fifo(d, want):
    arch = folder_of_two(os.path.join(d, "fifo"))
    fifo = os.path.join(arch, "pipe.txt")
    os.mkfifo(fifo)
    for cmd in ("index", "reindex"):
        db = os.path.join(d, "fifo-%s.db" % cmd)
        rc, err = ks(cmd, "--db", db, arch)
        check(rc == 0, "%s with a FIFO in the folder completes, exit 0 (%r): %s" % (cmd, rc, err))
        check("%s: skipped: not a regular file (fifo)" % fifo in err,
              "%s reports the FIFO: %s" % (cmd, err))
        check(items(db) == want, "%s indexed the two files around the FIFO" % cmd)
    # named on the command line, the FIFO is skipped too
    db = os.path.join(d, "fifo-arg.db")
    rc, err = ks("index", "--db", db, fifo, os.path.join(arch, TWO[0]))
    check(rc == 0 and "%s: skipped: not a regular file (fifo)" % fifo in err,
          "a FIFO given as an argument is skipped (%r): %s" % (rc, err))


def test_loops(d, want):
    arch = folder_of_two(os.path.join(d, "loop"))
    os.symlink(".", os.path.join(arch, "loop"))
    os.makedirs(os.path.join(arch, "sub"))
    os.symlink("..", os.path.join(arch, "sub", "up"))
    os.symlink(TWO[0], os.path.join(arch, "zz-again.txt"))
    for cmd in ("index", "reindex"):
        db = os.path.join(d, "loop-%s.db" % cmd)
        rc, err = ks(cmd, "--db", db, arch)
        check(rc == 0, "%s through symlink loops exits 0 (%r): %s" % (cmd, rc, err))
        check(re.search(r"\b2 files read, 2 indexed", err) is not None,
              "%s reads each file once: %s" % (cmd, err[-600:]))
        check("zz-again.txt: skipped: already indexed as %s" % os.path.join(arch, TWO[0]) in err,
              "%s names the file a second link leads to: %s" % (cmd, err[-600:]))
        check(os.path.join(arch, "loop") + ": skipped:" in err,
              "%s reports the loop: %s" % (cmd, err[-600:]))
        check(items(db) == want, "%s indexed the items once" % cmd)


def over_limit_archive(path):
    """A JSON Lines file with good items around one past each limit; returns
    {line: reason substring} of the lines that must be reported."""
    rows, bad = [], {}

    def add(obj, why=None, raw=None):
        rows.append(raw if raw is not None else json.dumps(obj, ensure_ascii=False))
        if why:
            bad[len(rows)] = why

    add({"issue": 7, "title": "good one 善", "quote": "fine"})
    add({"issue": 7, "title": "長" * 1001}, "title of 1001 characters")
    add({"issue": 7, "title": "long quote", "quote": "x" * 20001}, "quote of 20001 characters")
    add({"issue": 7, "title": "long section", "section": "節" * 201}, "section of 201 characters")
    add({"issue": 7, "title": "long url", "url": "https://e.example/" + "a" * 2100},
        "url of 2118 bytes")
    add(None, "nested deeper than 8", raw=json.dumps({"issue": 7, "title": "deep", "x": [[[[[[[[[]]]]]]]]]}))
    add({"issue": 7, "title": "huge line", "quote": "y" * 19000, "pad": "z" * (4 << 20)},
        "line skipped: ")
    add({"issue": 7, "title": "good two 善"})
    add({"issue": 8, "items": [{"title": "many %d" % i} for i in range(1003)]},
        "issue 8 has more than 1000 items")
    add({"issue": 9, "items": [{"title": "text %d" % i, "quote": "q" * 19000} for i in range(12)]},
        "issue 9 has more than 200000 characters")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    return bad


def test_limits(d):
    db = os.path.join(d, "limits.db")
    good = os.path.join(d, "good.jsonl")
    jsonl(good, [{"issue": 1, "title": "before 善", "quote": "kept"}])
    rc, err = ks("index", "--db", db, good)
    assert rc == 0, err
    src = os.path.join(d, "limits.jsonl")
    bad = over_limit_archive(src)
    rc, err = ks("index", "--db", db, src)
    check(rc == 1, "items past the limits make the run exit 1 (%r): %s" % (rc, err[-800:]))
    for line, why in sorted(bad.items()):
        check(re.search(r"^%s:%d: .*%s" % (re.escape(src), line, re.escape(why)), err, re.M),
              "reported as %s:%d: ... %s: %s" % (src, line, why, err[-1500:]))
    # what is left: good one, good two, 1000 items of issue 8, 10 of issue 9, and the
    # item indexed before
    check(ids(db, "good") == ["7-1", "7-2"], "the good items around them are indexed: %r" %
          ids(db, "good"))
    check(ids(db, "before") == ["1-1"], "what was indexed before is untouched")
    check(items(db) == 1 + 2 + 1000 + 10, "1013 items in all, not %r" % items(db))
    check(ids(db, "long") == [] and ids(db, "deep") == [] and ids(db, "huge") == [],
          "no item past a limit is indexed")

    # the plain-text layout: a headline past the limit, on its line
    txt = os.path.join(d, "issue-5.txt")
    with open(os.path.join(SAMPLE, TWO[0]), encoding="utf-8") as f:
        lines = f.read().split("\n")
    at = next(i for i, l in enumerate(lines) if l.strip() == "脆弱性") + 1
    lines.insert(at, "長い見出し" * 201)
    with open(txt, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    rc, err = ks("index", "--db", db, txt)
    check(rc == 1 and re.search(r"^%s:%d: item skipped: title of 1005 characters" % (
        re.escape(txt), at + 1), err, re.M), "text layout: the headline's line reported (%r): %s" %
        (rc, err[-600:]))

    # a file over 64 MB is skipped without being read (a sparse file)
    big = os.path.join(d, "big.jsonl")
    with open(big, "wb") as f:
        f.truncate((64 << 20) + 1)
    rc, err = ks("index", "--db", db, big)
    check(rc == 1 and "%s:1: skipped: 67108865 bytes (at most 67108864)" % big in err,
          "a file over 64 MB is reported and skipped (%r): %s" % (rc, err[-400:]))
    check(items(db) == 1013 + N093[0], "the text file's other %d items were indexed (%r)" % (
        N093[0], items(db)))


def main():
    d = tmpdir("bounds")
    want = reference_items(d)
    check(want > 0, "the reference index has items")
    test_fifo(d, want)
    test_loops(d, want)
    test_limits(d)


run(main)
