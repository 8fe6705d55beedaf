#!/usr/bin/env python3
"""`kensaku index URL` and `kensaku reindex URL` (issue 13 point 4) against
a local HTTP server (fetch_server.py beside this file, 127.0.0.1, port 0)
serving a feed and issue pages written into a temp folder:

- a first run reads the feed's full entry from the feed and its summary
  entries from their pages (relative links resolved, each page once): the
  items of all three are found by `kensaku search`, the summary's own
  headline is not;
- a second run makes only conditional requests, all answered 304: no body
  byte is sent, the report says "unchanged" and the index file is byte for
  byte what it was;
- a changed page is read again alone (the feed still 304) with the same
  ids; a changed feed adds its new page, and a page without items is
  reported once as a skipped entry, then answers 304 like the others;
- a server without validators (200 of the same bytes) or with
  Last-Modified only changes nothing either;
- failures: 6 redirects (5 are followed), a server that never answers
  (--timeout 1), a body past the size cap (announced or not), 404, 500, a
  refused connection, file:// and ftp:// URLs, a feed whose page fails:
  each reported "URL: reason", exit 1, and the index file unchanged; a good
  URL beside a bad one is indexed;
- `kensaku reindex` with URLs downloads everything again and swaps; with
  a failing URL it aborts and leaves the index as it was; `--prune` keeps
  what came from URLs.

usage: test_fetch.py --bin BUILD/bin --src REPO"""
import hashlib
import json
import os
import shutil
import socket
import subprocess

from fetch_server import Server as HttpServer
from kstest import args, check, patience, run, tmpdir

A = args()
CAP = 64 * 1024 * 1024  # KS_MAX_FILE_BYTES

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Patch Tuesday Digest</title>
  <link>/</link>
  <description>A weekly digest.</description>
%s</channel>
</rss>
"""
FULL_71 = """  <item>
    <title>Patch Tuesday Digest #71</title>
    <link>issues/71.html</link>
    <content:encoded><![CDATA[<h2>Incidents</h2>
      <h3>Ferry operator's booking system down after intrusion</h3>
      <blockquote><p>Passengers bought tickets at the harbour.</p></blockquote>]]></content:encoded>
  </item>
"""
SUMMARY = """  <item>
    <title>Patch Tuesday Digest #%d</title>
    <link>%s</link>
    <description>%s</description>
  </item>
"""


def summary(n, link, text="Two stories this week."):
    return SUMMARY % (n, link, text)


def feed(*entries):
    return FEED % "".join(entries)


class Site:
    """The served folder and the server; kensaku runs against it."""

    def __init__(self, d):
        self.root = os.path.join(d, "site")
        shutil.copytree(os.path.join(A.src, "tests", "data", "fetch"), self.root)
        self.srv = HttpServer(self.root).start()

    def write(self, rel, text):
        with open(os.path.join(self.root, rel), "w", encoding="utf-8") as f:
            f.write(text)

    def url(self, path):
        return self.srv.url(path)


def kensaku(*argv):
    r = subprocess.run([A.cli] + list(argv), capture_output=True, timeout=patience(300))
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def index(site, db, *urls, cmd="index", extra=()):
    """Runs kensaku CMD over urls: (exit, stderr, the server's counts)."""
    site.srv.reset()
    rc, _, err = kensaku(cmd, "--db", db, *extra, *urls)
    return rc, err, site.srv.snapshot()


def ids(db, query):
    rc, out, _ = kensaku("search", "--db", db, "--json", "--limit", "50", query)
    try:
        return sorted(h["id"] for h in json.loads(out)["hits"]) if rc == 0 else None
    except (ValueError, KeyError):
        return None


def state(db):
    """The index as bytes and as counts: equal before and after a run that
    changed nothing."""
    with open(db, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    rc, out, _ = kensaku("stats", "--db", db, "--json")
    return digest, out if rc == 0 else None, os.path.exists(db + "-wal")


def test_feed_runs(d, site):
    db = os.path.join(d, "feed.db")
    site.write("feed.xml", feed(FULL_71, summary(72, "issues/72.html"),
                                summary(73, "/issues/73.html#top",
                                        "&lt;h3&gt;Summary headline only the feed has&lt;/h3&gt;")))
    furl = site.url("feed.xml")
    rc, err, st = index(site, db, furl)
    check(rc == 0 and "3 URL(s): 3 indexed, 0 unchanged, 0 failed" in err,
          "first run: the feed and its two pages indexed: rc %d %r" % (rc, err))
    check(st["by_path"] == {"/feed.xml": 1, "/issues/72.html": 1, "/issues/73.html": 1},
          "each page asked once, the full entry's page never: %r" % st["by_path"])
    check(ids(db, "ferry") == ["71-1"], "the full entry is read from the feed")
    check(ids(db, "kiosks") == ["72-1"] and ids(db, "病院") == ["73-2"],
          "the summary entries are read from their pages")
    check(ids(db, "summary headline") == [], "a summary's own headline is not indexed")
    before = state(db)

    rc, err, st = index(site, db, furl)
    check(rc == 0 and "3 unchanged" in err and "0 indexed" in err and
          "0 bytes downloaded" in err, "second run: unchanged: %r" % err)
    check(st["requests"] == 3 and st["statuses"] == {"304": 3} and st["body_bytes"] == 0,
          "second run: 3 conditional requests, all 304, no body byte: %r" % st)
    check(state(db) == before, "second run: the index file is byte for byte the same")

    page = open(os.path.join(site.root, "issues", "73.html"), encoding="utf-8").read()
    site.write("issues/73.html", page.replace("City library catalogue",
                                              "Municipal archive catalogue"))
    rc, err, st = index(site, db, furl)
    check(rc == 0 and "1 indexed, 2 unchanged" in err, "a changed page: %r" % err)
    check(st["statuses"] == {"304": 2, "200": 1} and st["by_path"].get("/issues/73.html") == 1,
          "only the changed page is downloaded: %r" % st)
    check(ids(db, "municipal") == ["73-1"] and ids(db, "\"city library\"") == [],
          "the changed page re-indexed under the same ids")

    site.write("issues/74.html", page.replace("#73", "#74").replace("City library", "Zoo"))
    site.write("feed.xml", feed(FULL_71, summary(72, "issues/72.html"),
                                summary(73, "/issues/73.html"), summary(74, "issues/74.html"),
                                summary(75, "news/break.html", "A week off.")))
    rc, err, st = index(site, db, furl)
    check(rc == 1 and "news/break.html:1:" in err and "entry: skipped" in err and
          "3 indexed, 2 unchanged, 0 failed" in err,
          "a changed feed: its new page read, a page without items a skipped entry: %r" % err)
    check(ids(db, "zoo") == ["74-1"] and ids(db, "kiosks") == ["72-1"],
          "the new page is found, the others kept")
    before = state(db)
    rc, err, st = index(site, db, furl)
    check(rc == 0 and "5 unchanged" in err and st["statuses"] == {"304": 5} and
          st["body_bytes"] == 0 and state(db) == before,
          "then all 304, the page without items too, nothing changed: %r %r" % (err, st))
    return db


def test_validators(d, site):
    db = os.path.join(d, "validators.db")
    plain, lm = site.url("plain/issues/72.html"), site.url("lm/issues/73.html")
    rc, err, _ = index(site, db, plain, lm)
    check(rc == 0 and "2 indexed" in err, "pages without an ETag: %r" % err)
    before = state(db)
    rc, err, st = index(site, db, plain, lm)
    check(rc == 0 and "2 unchanged" in err and st["statuses"] == {"200": 1, "304": 1},
          "no validator: 200 of the same bytes; Last-Modified: 304: %r %r" % (err, st))
    check(state(db) == before, "neither changed the index")


def refused_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d/feed.xml" % port


def test_failures(d, site, db):
    cases = [
        (site.url("redirect/6/issues/72.html"), (), "more than 5 redirects"),
        (site.url("hang"), ("--timeout", "1"), "timed out"),
        (site.url("big?n=%d" % (CAP + 1)), (), "over %d bytes" % CAP),
        (site.url("declared?n=%d" % (CAP + 1)), (), "Content-Length"),
        (site.url("status/404"), (), "HTTP 404"),
        (site.url("status/500"), (), "HTTP 500"),
        (site.url("scheme"), (), "not http or https"),
        (refused_url(), (), "Failed to connect"),
        ("file:///etc/hostname", (), "only http and https URLs are fetched (not file)"),
        ("ftp://127.0.0.1/feed.xml", (), "only http and https URLs are fetched (not ftp)"),
    ]
    before = state(db)
    for url, extra, why in cases:
        rc, err, _ = index(site, db, url, extra=extra)
        check(rc == 1 and (url + ": ") in err and why in err and "1 failed" in err,
              "%s: reported with its reason (%s), exit 1: rc %d %r" % (url, why, rc, err[-400:]))
        check(state(db) == before, "%s: the index is as it was" % url)
    page = open(os.path.join(site.root, "issues", "72.html"), encoding="utf-8").read()
    site.write("issues/76.html", page.replace("#72", "#76").replace("airport", "harbour"))
    rc, err, _ = index(site, db, site.url("status/404"), site.url("issues/76.html"))
    check(rc == 1 and "1 indexed" in err and "1 failed" in err and
          ids(db, "harbour information") == ["76-1"],
          "a good URL beside a bad one is indexed: %r" % err)
    site.write("bad-page.xml", feed(summary(80, "/status/404")))
    rc, err, _ = index(site, db, site.url("bad-page.xml"))
    check(rc == 1 and "/status/404: HTTP 404" in err and "1 indexed" in err,
          "a feed whose page fails: the page reported, the feed recorded: %r" % err)
    within = os.path.join(d, "redirect.db")
    rc, err, st = index(site, within, site.url("redirect/5/issues/72.html"))
    check(rc == 0 and st["requests"] == 6 and ids(within, "kiosks") == ["72-1"],
          "5 redirects are followed: %r" % err)
    rc, _, err = kensaku("index", "--db", db, "--timeout", "0", site.url("feed.xml"))
    check(rc == 2 and "--timeout" in err, "--timeout 0 is a usage error")


def test_reindex_and_prune(d, site):
    db = os.path.join(d, "re.db")
    furl = site.url("feed.xml")
    index(site, db, furl)
    rc, err, st = index(site, db, furl, cmd="reindex")
    check(rc == 1 and "new index in place" in err and "304" not in st["statuses"],
          "reindex downloads every URL again (the break page's skipped entry: exit 1): "
          "%r %r" % (err, st))
    check(ids(db, "kiosks") == ["72-1"] and ids(db, "zoo") == ["74-1"], "reindexed from URLs")
    before = state(db)
    rc, err, _ = index(site, db, furl, site.url("status/500"), cmd="reindex")
    check(rc == 1 and "reindex aborted" in err and state(db) == before,
          "a reindex with a failing URL aborts and leaves the index: %r" % err)
    folder = os.path.join(d, "files")
    os.makedirs(folder)
    with open(os.path.join(folder, "a.jsonl"), "w", encoding="utf-8") as f:
        f.write('{"issue": 900, "title": "file item about lighthouses"}\n')
    rc, err, _ = index(site, db, folder, extra=("--prune",))
    check(rc == 0 and "pruned" not in err and ids(db, "kiosks") == ["72-1"] and
          ids(db, "lighthouses") == ["900-1"], "--prune keeps what came from URLs: %r" % err)


def main():
    d = tmpdir("fetch")
    site = Site(d)
    try:
        db = test_feed_runs(d, site)
        test_validators(d, site)
        test_failures(d, site, db)
        test_reindex_and_prune(d, site)
    finally:
        site.srv.close()


run(main)
