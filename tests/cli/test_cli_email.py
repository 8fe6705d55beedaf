#!/usr/bin/env python3
"""`kensaku index` on email as delivered (issue 13, point 3): a folder
holding an ISO-2022-JP .eml, an mbox (one of its three messages unreadable)
and a Maildir (cur/, new/, and tmp/ which is not read); `kensaku search`
then finds an item of each, the Japanese of the ISO-2022-JP message
included, with the number and date the headers gave.

usage: test_cli_email.py --bin BUILD/bin --src REPO
Prints 'N passed, M failed' last; exits 1 on failure."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from kstest import args, check, patience, run, tmpdir  # noqa: E402

A = args()
FORMATS = os.path.join(A.src, "tests", "data", "formats")


def ks(*argv):
    r = subprocess.run([A.cli] + list(argv), capture_output=True, timeout=patience(120))
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def hits(db, query):
    rc, out, err = ks("search", "--db", db, "--json", "--limit", "10", query)
    check(rc == 0, "search %s: exit 0 (%d) %s" % (query, rc, err[-200:]))
    return json.loads(out)["hits"] if rc == 0 else []


def archive(d):
    """The folder an admin points kensaku at: an .eml, an mbox, a Maildir."""
    a = os.path.join(d, "archive")
    os.makedirs(a)
    shutil.copy(os.path.join(FORMATS, "email-issue-36.eml"), a)
    shutil.copy(os.path.join(FORMATS, "newsletters.mbox"), a)
    shutil.copytree(os.path.join(FORMATS, "maildir"), os.path.join(a, "Maildir"))
    return a


def test_index_and_search(d):
    db = os.path.join(d, "k.db")
    a = archive(d)
    rc, _, err = ks("index", "--quiet", "--db", db, a)
    # the mbox's second message is reported and skipped; the run says so
    check(rc == 1, "index: exit 1 for the skipped message (%d) %s" % (rc, err[-300:]))
    check("newsletters.mbox:14: message 2 skipped: not an email message" in err,
          "the unreadable message is named with its file and line: %s" % err[-300:])
    check("1697929200" not in err and "1698534000" not in err, "the Maildir's messages read: %s" % err[-300:])
    want = [("旅行会社", 36, "2023-09-03", "大手旅行会社の予約サイトで顧客情報が流出"),
            ("①管理画面", 36, "2023-09-03", "ルーター製品に認証回避の脆弱性、修正版を公開"),
            ("標的型メール", 41, "2023-10-01", "大学の研究室を狙った標的型メールが増加"),
            ("プラグイン", 42, "2023-10-15", "CMSのプラグインに不正ログインの脆弱性"),
            ("サイバー人材", 43, "2023-10-22", "政府がサイバー人材育成の新計画を公表"),
            ("カード情報", 44, "2023-10-29", "オンラインストアでカード情報が盗まれる")]
    for query, issue, date, title in want:
        h = hits(db, query)
        check(len(h) == 1 and h[0]["issue"] == issue and h[0]["date"] == date and h[0]["title"] == title,
              "search %s: issue %d's item %r dated %s: %r" % (query, issue, title, date,
                                                             [(x["issue"], x["title"]) for x in h]))
    h = hits(db, "プラグイン")
    check(h and h[0].get("url") == "https://news.example.jp/2023/10/13/cms-plugin",
          "the HTML message's item keeps its link: %r" % (h[0].get("url") if h else None))
    check(hits(db, "配信途中") == [], "Maildir tmp/ (still being delivered) is not read")
    rc, _, err = ks("index", "--quiet", "--db", db, a)
    check("newsletters.mbox" not in err or "message 2" not in err,
          "a second run skips the unchanged files: %s" % err[-200:])


def test_format_flag(d):
    db = os.path.join(d, "f.db")
    eml = os.path.join(FORMATS, "email-issue-39-alt.eml")
    rc, _, err = ks("index", "--quiet", "--db", db, "--format", "mbox", eml)
    check(rc == 0, "--format mbox reads one message too (%d) %s" % (rc, err[-200:]))
    h = hits(db, "パスキー")
    check(len(h) == 1 and h[0]["issue"] == 39, "the forced message is searchable: %r" % h)
    txt = os.path.join(d, "issue-70.txt")
    with open(txt, "w", encoding="utf-8") as f:
        f.write("View profile\n\nニュース - Issue #70\n\n脆弱性\nルーターに脆弱性\n")
    rc, _, err = ks("index", "--quiet", "--db", db, "--format", "email", txt)
    check(rc == 1 and "issue-70.txt:1: not an email message" in err,
          "--format email on the plain-text layout: refused with file and line (%d) %s" % (rc, err[-200:]))
    rc, _, err = ks("index", "--quiet", "--db", db, txt)
    check(rc == 0, "the same file detected as text (%d) %s" % (rc, err[-200:]))


def main():
    d = tmpdir("cli-email")
    test_index_and_search(d)
    test_format_flag(d)


run(main)
