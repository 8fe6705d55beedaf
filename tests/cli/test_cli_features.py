#!/usr/bin/env python3
"""`kensaku search --csv`, `kensaku analyze` and `--explain` against a real
kensakud on the same index: the CLI's CSV is the API's pages concatenated,
`analyze --json` is the body of /api/analyze, usage errors exit 2.

usage: test_cli_features.py --bin BUILD/bin --src REPO
Prints 'N passed, M failed' last; exits 1 on failure."""
import json
import os
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from kstest import Server, args, check, cleanup, cli, get, run, tmpdir  # noqa: E402

A = args()
ARCHIVE = os.path.join(A.src, "tests", "data", "features", "archive.jsonl")


def ks(*argv):
    r = subprocess.run([A.cli] + list(argv), capture_output=True, timeout=120)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def api_pages(srv, params):
    """The bodies of every page of /api/search.csv, concatenated."""
    out, cursor = b"", None
    while True:
        p = dict(params)
        if cursor:
            p["cursor"] = cursor
        st, h, b = get(srv, "/api/search.csv?" + urllib.parse.urlencode(p))
        assert st == 200, (p, st, b[:200])
        out += b
        cursor = h.get("x-next-cursor")
        if not cursor:
            return out


def test_csv(srv, db):
    cases = [
        ([], {}),
        (["--limit", "3"], {"limit": 3}),
        (["--limit", "1", "--sort", "oldest"], {"limit": 1, "sort": "oldest"}),
        (["--limit", "2", "--sort", "relevance", "脆弱性"], {"limit": 2, "sort": "relevance", "q": "脆弱性"}),
        (["--exact", "--limit", "2", "ransomware"], {"limit": 2, "q": "ransomware", "exact": 1}),
        (["--section", "脆弱性", "--from", "2022-01-01", "--limit", "2"],
         {"limit": 2, "section": "脆弱性", "from": "2022-01-01"}),
        (["--entity", "エモテット"], {"entity": "エモテット"}),
        (["--bom", "--limit", "4"], {"limit": 4, "bom": 1}),
        (["--", "-ransomware"], {"q": "-ransomware"}),
        (["zzznothing"], {"q": "zzznothing"}),
    ]
    for argv, params in cases:
        rc, out, err = ks("search", "--db", db, "--csv", *argv)
        want = api_pages(srv, params)
        check(rc == 0 and out == want, "search --csv %s = the API's pages %r (rc %d, %d vs %d bytes) %s" % (
            " ".join(argv), params, rc, len(out), len(want), err[-200:]))
    rc, out, _ = ks("search", "--db", db, "--csv")
    check(out.count(b"\r\n") >= 20 and out.startswith(b"id,issue,date,section,title,quote,url,score\r\n"),
          "--csv prints the header once and every row")
    for argv in [["--csv", "--json", "x"], ["--csv", "--offset", "1", "x"], ["--csv", "--limit", "0", "x"],
                 ["--csv", "--limit", "10001", "x"], ["--bom", "x"], ["--limit", "101", "x"]]:
        rc, _, err = ks("search", "--db", db, *argv)
        check(rc == 2, "search %s: exit 2 (%d) %s" % (" ".join(argv), rc, err.strip()[:80]))
    rc, out, _ = ks("search", "--db", db, "--csv", "--limit", "10000", "x")
    check(rc == 0, "--csv --limit 10000 is a page size")
    rc, out, err = ks("search", "--db", os.path.join(os.path.dirname(db), "missing.db"), "--csv", "x")
    check(rc == 1 and out == b"", "--csv on a missing index: exit 1, no output")


def test_analyze(srv):
    for argv, params in [(["ランサムウェア"], {"text": "ランサムウェア"}),
                         (["--mode", "query", "ランサムウェア"], {"text": "ランサムウェア", "mode": "query"}),
                         (["ＬＡＰＳＵＳ$"], {"text": "ＬＡＰＳＵＳ$"}),
                         (["--exact", "ransomware", "-QNAP"], {"text": "ransomware -QNAP", "exact": 1}),
                         (["ransomware", "-QNAP"], {"text": "ransomware -QNAP"}),
                         (["--mode", "document", "CVE-2022-0609", "の", "悪用"], {"text": "CVE-2022-0609 の 悪用"}),
                         (["--", "-x"], {"text": "-x"}), (["*"], {"text": "*"})]:
        rc, out, err = ks("analyze", "--json", *argv)
        st, _, body = get(srv, "/api/analyze?" + urllib.parse.urlencode(params))
        check(rc == 0 and st == 200 and out.rstrip(b"\n") == body,
              "analyze --json %s = /api/analyze body (rc %d): %r vs %r" % (" ".join(argv), rc, out[:120], body[:120]))
    rc, out, _ = ks("analyze", "ＬＡＰＳＵＳ$", "ランサム")
    text = out.decode()
    check(rc == 0 and "lapsus" in text and "0-18" in text and "ラン" in text and "query:" in text,
          "analyze prints a token table: %r" % text[:300])
    for argv in [[], ["--mode", "bogus", "x"], ["--bogus", "x"], ["x" * 1025], ["a\x01b"]]:
        rc, _, err = ks("analyze", *argv)
        check(rc == 2, "analyze %r: exit 2 (%d)" % ([a[:10] for a in argv], rc))
    rc, out, _ = ks("analyze", "--help")
    check(rc == 0 and b"analyze" in out, "analyze --help")
    rc, out, _ = ks("--help")
    check(rc == 0 and b"analyze" in out and b"--csv" in out, "--help lists analyze and --csv")


def test_explain(srv, db):
    rc, out, _ = ks("search", "--db", db, "--explain", "ransomware")
    line = [l for l in out.decode().splitlines() if l.startswith("fts: ")]
    check(rc == 0 and line and "ランサムウェア" in line[0], "--explain prints the expanded expression: %r" % line)
    rc, out, _ = ks("search", "--db", db, "--explain", "--exact", "ransomware")
    line = [l for l in out.decode().splitlines() if l.startswith("fts: ")]
    check(rc == 0 and line and "ランサムウェア" not in line[0], "--explain --exact: %r" % line)
    rc, out, _ = ks("search", "--db", db, "--json", "--explain", "ransomware")
    st, _, body = get(srv, "/api/search?q=ransomware&explain=1")
    a, b = json.loads(out), json.loads(body)
    check(rc == 0 and a.get("fts") and a["fts"] == b.get("fts"), "search --json --explain: fts as the API's")


def main():
    d = tmpdir("cli-features")
    db = os.path.join(d, "k.db")
    cli(A, "index", "--quiet", "--db", db, ARCHIVE)
    srv = Server(A, db, ["--quiet"])
    try:
        test_csv(srv, db)
        test_analyze(srv)
        test_explain(srv, db)
    finally:
        check(srv.stop() == 0, "kensakud exits 0")
    cleanup(d)


run(main)
