#!/usr/bin/env python3
"""Issue 10, what readers trip over (points 8 and 12), against a real
kensakud over a real index: bidi controls (U+202E and the rest) stay as they
are in the API's plain title/quote, become visible marker elements in the
*_html fields and marker text in the Atom feed; feed entries carry the
item's source url as <link rel="related"> (http and https only, spaces and
bidi controls percent-encoded) and a summary even without a quote (the
title). The feed stays valid against RFC 4287's RELAX NG schema (xmllint),
and newsboat, a real feed reader, run headless (`-x reload`,
`-x print-unread`, its cache read back), shows every entry with a body and
the markers; that part is skipped, saying so, when newsboat is not
installed."""
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import Server, args, check, cleanup, cli, get, get_json, jsonl, run, tmpdir  # noqa: E402
import kstest  # noqa: E402

A = args()
RNG = os.path.join(A.src, "tests", "data", "features", "atom.rng")
ATOM = "{http://www.w3.org/2005/Atom}"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
MARKERS = ["[U+061C ALM]", "[U+200E LRM]", "[U+200F RLM]", "[U+202A LRE]", "[U+202B RLE]",
           "[U+202C PDF]", "[U+202D LRO]", "[U+202E RLO]", "[U+2066 LRI]", "[U+2067 RLI]",
           "[U+2068 FSI]", "[U+2069 PDI]"]
NAMES = ["ARABIC LETTER MARK", "LEFT-TO-RIGHT MARK", "RIGHT-TO-LEFT MARK", "LEFT-TO-RIGHT EMBEDDING",
         "RIGHT-TO-LEFT EMBEDDING", "POP DIRECTIONAL FORMATTING", "LEFT-TO-RIGHT OVERRIDE",
         "RIGHT-TO-LEFT OVERRIDE", "LEFT-TO-RIGHT ISOLATE", "RIGHT-TO-LEFT ISOLATE",
         "FIRST STRONG ISOLATE", "POP DIRECTIONAL ISOLATE"]

# issues 7-11, one item each, all matching READERPROBE.
ITEMS = [
    {"issue": 7, "date": "2024-05-01", "section": "攻撃、脅威",
     "title": "添付ファイル evil\u202eexe.txt に注意 READERPROBE",
     "quote": "Every control: " + " ".join("x%sy" % c for c in BIDI) + ".",
     "url": "https://example.com/advisory/1"},
    {"issue": 8, "date": "2024-05-02", "section": "その他",
     "title": "引用のない記事 READERPROBE nosummary",
     "url": "https://example.org/a b/\u202egpj.exe?q=1"},
    {"issue": 9, "date": "2024-05-03", "section": "その他",
     "title": "スクリプトの URL を持つ記事 READERPROBE", "url": "javascript:alert(1)"},
    {"issue": 10, "date": "2024-05-04", "section": "脆弱性",
     "title": "URL も引用もない記事 READERPROBE <b>bare</b>"},
    {"issue": 11, "date": "2024-05-05", "section": "脆弱性",
     "title": "HTTP の出典 READERPROBE", "quote": "Plain quote.", "url": "HTTP://Example.NET/x"},
]
IDS = ["%d-1" % it["issue"] for it in ITEMS]


def marked(text):
    """text with each bidi control as the feed's marker text."""
    for c, m in zip(BIDI, MARKERS):
        text = text.replace(c, m)
    return text


def test_api(srv):
    """Plain fields faithful; *_html with marker elements, no raw control."""
    st, _, b = get_json(srv, "/api/search?q=READERPROBE&limit=10")
    check(st == 200 and b["total"] >= 1, "search READERPROBE: %d" % st)
    hit = next(h for h in b["hits"] if h["id"] == IDS[0])
    check(hit["title"] == ITEMS[0]["title"], "API title keeps U+202E as it is: %r" % hit["title"])
    check(hit["quote"] == ITEMS[0]["quote"], "API quote keeps every control as it is")
    want = ('evil<span class="bidi-ctl" title="U+202E RIGHT-TO-LEFT OVERRIDE">[U+202E RLO]</span>'
            'exe.txt')
    check(want in hit["title_html"], "title_html marks U+202E: %r" % hit["title_html"])
    check(not any(c in hit["title_html"] + hit["snippet_html"] for c in BIDI),
          "no raw bidi control in title_html/snippet_html")
    for m, name in zip(MARKERS, NAMES):
        cp = m[1:7]
        check('<span class="bidi-ctl" title="%s %s">%s</span>' % (cp, name, m) in hit["snippet_html"],
              "snippet_html marks %s" % m)
    st, _, it = get_json(srv, "/api/items/" + IDS[0])
    check(st == 200 and it["title"] == ITEMS[0]["title"], "/api/items keeps the plain title")


def xmllint(path):
    r = subprocess.run(["xmllint", "--noout", "--relaxng", RNG, path], capture_output=True,
                       timeout=kstest.patience(60))
    return r.returncode == 0, r.stderr.decode(errors="replace")[-400:]


def test_feed(srv, d):
    """The Atom XML: valid, related links, summaries, markers."""
    st, h, body = get(srv, "/feed.atom?q=READERPROBE")
    check(st == 200 and h.get("content-type", "").startswith("application/atom+xml"), "feed: %d" % st)
    path = os.path.join(d, "reader.xml")
    with open(path, "wb") as f:
        f.write(body)
    if shutil.which("xmllint"):
        ok, err = xmllint(path)
        check(ok, "feed valid against RFC 4287's RELAX NG schema: %s" % err)
    else:
        print("# xmllint not installed (libxml2-utils): schema check skipped")
    text = body.decode("utf-8")
    check(not any(c in text for c in BIDI), "no raw bidi control anywhere in the feed")
    root = ET.fromstring(body)
    by_id = {}
    for e in root.findall(ATOM + "entry"):
        by_id[e.find(ATOM + "id").text.rsplit(":", 1)[1]] = e
    check(sorted(by_id) == sorted(IDS), "every item is an entry: %r" % sorted(by_id))
    for iid, it in zip(IDS, ITEMS):
        e = by_id.get(iid)
        if e is None:
            continue
        links = e.findall(ATOM + "link")
        check(links and links[0].get("rel") == "alternate" and
              links[0].get("href").endswith("/issue.html?n=%d#item-1" % it["issue"]),
              "%s: the first link is the item on its issue page" % iid)
        summary = e.find(ATOM + "summary")
        want = marked(it.get("quote") or it["title"])
        check(summary is not None and summary.text == want,
              "%s: summary is %s: %r" % (iid, "the quote" if it.get("quote") else "the title",
                                         summary.text if summary is not None else None))
        check(e.find(ATOM + "title").text == marked(it["title"]), "%s: title with markers" % iid)
        related = [x.get("href") for x in links if x.get("rel") == "related"]
        check_related(iid, related)



def check_related(iid, related):
    want = {
        "7-1": ["https://example.com/advisory/1"],
        # the space and U+202E percent-encoded: the link can't hide its target
        "8-1": ["https://example.org/a%20b/%E2%80%AEgpj.exe?q=1"],
        "9-1": [],  # javascript: is never offered
        "10-1": [],  # no url
        "11-1": ["HTTP://Example.NET/x"],
    }[iid]
    check(related == want, "%s: rel=related %r, want %r" % (iid, related, want))
    if related:
        check(urllib.parse.unquote(related[0]) == ITEMS[IDS.index(iid)]["url"],
              "%s: related href decodes to the item's url" % iid)


def test_newsboat(srv, d):
    """newsboat fetches the feed headless; its cache holds every entry with
    a non-empty body and the markers, no raw control."""
    nb = shutil.which("newsboat")
    if not nb:
        print("# newsboat not installed (apt-get install newsboat): reader check skipped")
        return
    home = os.path.join(d, "nb")
    os.makedirs(home)
    feed_url = srv.url.rstrip("/") + "/feed.atom?q=READERPROBE"
    with open(os.path.join(home, "urls"), "w") as f:
        f.write(feed_url + "\n")
    open(os.path.join(home, "config"), "w").close()
    env = dict(os.environ, HOME=home, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    base = [nb, "-u", "urls", "-c", "cache.db", "-C", "config"]
    r = subprocess.run(base + ["-x", "reload"], cwd=home, env=env, capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=kstest.patience(120))
    check(r.returncode == 0, "newsboat -x reload: %d %r" % (r.returncode, r.stderr[-300:]))
    r = subprocess.run(base + ["-x", "print-unread"], cwd=home, env=env, capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=kstest.patience(60))
    out = r.stdout.decode(errors="replace").strip()
    check(out.startswith("%d unread" % len(ITEMS)), "newsboat print-unread: %r" % out)
    db = sqlite3.connect(os.path.join(home, "cache.db"))
    try:
        rows = db.execute("SELECT title, url, content FROM rss_item").fetchall()
    finally:
        db.close()
    check(len(rows) == len(ITEMS), "newsboat cached %d items" % len(rows))
    for title, link, content in rows:
        check(bool(content and content.strip()), "newsboat: %r has a body" % title)
        check(not any(c in title + content for c in BIDI), "newsboat: no raw bidi control in %r" % title)
    titles = [t for t, _, _ in rows]
    check(marked(ITEMS[0]["title"]) in titles, "newsboat shows the U+202E marker: %r" % titles)
    check(all("/issue.html?n=" in u and u.endswith("#item-1") for _, u, _ in rows),
          "newsboat links to the issue page")


def main():
    d = tmpdir("reader")
    srv = None
    try:
        arch = os.path.join(d, "reader.jsonl")
        jsonl(arch, ITEMS)
        db = os.path.join(d, "reader.db")
        cli(A, "index", "--db", db, arch)
        srv = Server(A, db)
        test_api(srv)
        test_feed(srv, d)
        test_newsboat(srv, d)
    finally:
        if srv:
            srv.stop()
        cleanup(d)


run(main)
