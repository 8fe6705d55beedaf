#!/usr/bin/env python3
"""integration.links - every link of an item, end to end (issue 13 point 6).

- an HTML page, a JSON Lines file and a plain-text issue, indexed by the
  CLI: every hit of /api/search, /api/items/{id} and /api/issues/{n} carries
  "links" (an array, [] when none, the url first), only http(s) ones;
- site:host keeps the items linking to that host or a subdomain, several
  are OR-ed, -site: leaves them out, totals and facets count what is kept,
  and a host that only ends like it does not match;
- strings around site: (site:, site:::, site:"x", -site:, a lone "site:" in
  a phrase) are queries like any other: 200, never 4xx/5xx;
- the Atom feed names every link of an entry as rel="related";
- a schema 4 index (before links) is served as it is, each item's url its
  only link, and the first `kensaku index` migrates it in place."""
import os
import sqlite3
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kstest  # noqa: E402
from kstest import check  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Weekly Issue #1</title></head>
<body><h1>Weekly Issue #1</h1><p><time datetime="2024-05-05">May 5, 2024</time></p>
<h2>Attacks</h2>
<h3><a href="https://www.bleepingcomputer.com/news/lockbit">LockBit hits a hospital</a></h3>
<p>The gang <a href="https://therecord.media/lockbit">claimed</a> the attack;
<a href="javascript:alert(1)">see</a> <a href="https://www.bleepingcomputer.com/news/lockbit">again</a>.</p>
<h3>Phishing wave</h3>
<p>Mails <a href="https://bleepingcomputer.com.evil.example/x">look</a> real.</p>
<h3>No links at all</h3><p>Nothing to follow.</p>
</body></html>
"""

TEXT = """Issue #3
2024-05-19

Vulnerabilities
Chrome zero-day fixed
https://chromereleases.googleblog.com/2024/05/stable.html
Google fixed an exploited bug.
https://news.example.com/chrome
"""

JSONL = [
    {"issue": 2, "date": "2024-05-12", "section": "Attacks", "title": "Okta support breach",
     "quote": "Session tokens were stolen.",
     "links": ["https://sec.okta.com/harfiles", "data:text/html,x", "https://www.bleepingcomputer.com/news/okta"]},
    {"issue": 2, "date": "2024-05-12", "section": "Other", "title": "Report on training",
     "url": "https://example.org/report"},
]

HOSTILE = ["site:", "site:::", 'site:"x"', "-site:", "site:.", "site:a..b", '"site:x.example"',
           "site:x.example OR", "OR site:x.example", "site:" + "a" * 300 + ".example",
           "site:例え.テスト", "site:\u202eexample.com", "-site:x.example -site:y.example"]


def search(srv, q, **kw):
    kw["q"] = q
    st, _, body = kstest.get_json(srv, "/api/search?" + urllib.parse.urlencode(kw))
    check(st == 200 and body is not None, "search %r: %d" % (q, st))
    return body or {"total": -1, "hits": [], "facets": {}}


def check_links_shape(where, hit):
    links = hit.get("links")
    check(isinstance(links, list) and all(isinstance(u, str) for u in links),
          "%s %s: links is an array of strings: %r" % (where, hit.get("id"), links))
    if isinstance(links, list):
        check(all(u.lower().startswith(("http://", "https://")) for u in links),
              "%s %s: only http(s) links: %r" % (where, hit.get("id"), links))
        check(not links or hit.get("url") == links[0],
              "%s %s: url is the first link: %r %r" % (where, hit.get("id"), hit.get("url"), links))


def test_api(srv):
    every = search(srv, "", limit=100)
    check(every["total"] == 6, "6 items indexed: %d" % every["total"])
    for h in every["hits"]:
        check_links_shape("search", h)
    by_id = {h["id"]: h for h in every["hits"]}
    want = {
        "1-1": ["https://www.bleepingcomputer.com/news/lockbit", "https://therecord.media/lockbit"],
        "1-2": ["https://bleepingcomputer.com.evil.example/x"],
        "1-3": [],
        "2-1": ["https://sec.okta.com/harfiles", "https://www.bleepingcomputer.com/news/okta"],
        "2-2": ["https://example.org/report"],
        "3-1": ["https://chromereleases.googleblog.com/2024/05/stable.html",
                "https://news.example.com/chrome"],
    }
    for iid, links in want.items():
        check(by_id.get(iid, {}).get("links") == links,
              "%s links %r, want %r" % (iid, by_id.get(iid, {}).get("links"), links))
    st, _, item = kstest.get_json(srv, "/api/items/2-1")
    check(st == 200 and item and item.get("links") == want["2-1"], "/api/items/2-1 links: %r" % item)
    st, _, issue = kstest.get_json(srv, "/api/issues/1")
    items = (issue or {}).get("items", [])
    check(st == 200 and [i.get("links") for i in items] == [want["1-1"], want["1-2"], want["1-3"]],
          "/api/issues/1 items' links: %r" % [i.get("links") for i in items])


def ids(body):
    return sorted(h["id"] for h in body["hits"])


def test_site(srv):
    r = search(srv, "site:bleepingcomputer.com")
    check(ids(r) == ["1-1", "2-1"] and r["total"] == 2, "site:bleepingcomputer.com: %r" % ids(r))
    check(r["facets"].get("section") == {"Attacks": 2}, "section facet: %r" % r["facets"].get("section"))
    check(r["facets"].get("year") == {"2024": 2}, "year facet: %r" % r["facets"].get("year"))
    r = search(srv, "site:BleepingComputer.com", section="Attacks", sort="newest")
    check([h["id"] for h in r["hits"]] == ["2-1", "1-1"], "newest first: %r" % r["hits"])
    check(ids(search(srv, "site:example.com OR site:example.org")) == ["2-2", "3-1"], "two sites OR-ed")
    check(ids(search(srv, "site:evil.example")) == ["1-2"], "a look-alike host is its own site")
    check(ids(search(srv, "okta site:bleepingcomputer.com")) == ["2-1"], "text and site:")
    r = search(srv, "-site:bleepingcomputer.com")
    check(ids(r) == ["1-2", "1-3", "2-2", "3-1"], "-site: leaves them out: %r" % ids(r))
    check(search(srv, "site:nothing.example")["total"] == 0, "an unknown site: nothing")
    for q in HOSTILE:
        st, _, body = kstest.get_json(srv, "/api/search?" + urllib.parse.urlencode({"q": q}))
        check(st == 200 and isinstance((body or {}).get("hits"), list), "%r: %d" % (q, st))


def test_feed(srv):
    st, _, body = kstest.get(srv, "/feed.atom?q=" + urllib.parse.quote("site:therecord.media"))
    check(st == 200, "feed: %d" % st)
    root = ET.fromstring(body)
    entries = root.findall(ATOM + "entry")
    check(len(entries) == 1, "one entry: %d" % len(entries))
    if entries:
        rel = [x.get("href") for x in entries[0].findall(ATOM + "link") if x.get("rel") == "related"]
        check(rel == ["https://www.bleepingcomputer.com/news/lockbit", "https://therecord.media/lockbit"],
              "related links: %r" % rel)


def to_schema4(db):
    con = sqlite3.connect(db)
    try:
        con.executescript("DROP TRIGGER items_ad_links; DROP TABLE item_links;"
                          " UPDATE meta SET value = '4' WHERE key = 'schema'; PRAGMA user_version = 4;")
    finally:
        con.close()


def test_schema4(a, d, db, src):
    to_schema4(db)
    srv = kstest.Server(a, db)
    try:
        by_id = {h["id"]: h for h in search(srv, "", limit=100)["hits"]}
        check(by_id.get("1-1", {}).get("links") == ["https://www.bleepingcomputer.com/news/lockbit"],
              "schema 4 served: the url is the only link: %r" % by_id.get("1-1"))
        check(by_id.get("1-3", {}).get("links") == [], "no url, no links")
        # 2-1's url is its first link, on sec.okta.com
        check(ids(search(srv, "site:bleepingcomputer.com")) == ["1-1"], "site: on schema 4")
    finally:
        srv.stop()
    check(kstest.check_no_sanitizer_report(srv), "schema 4 server: no sanitizer report")
    kstest.cli(a, "index", "--db", db, src)
    con = sqlite3.connect(db)
    try:
        v = con.execute("PRAGMA user_version").fetchone()[0]
        n = con.execute("SELECT count(*) FROM item_links").fetchone()[0]
    finally:
        con.close()
    check(v == 5 and n == 5, "migrated in place to 5 with the 5 urls as links: %d, %d" % (v, n))


def main():
    a = kstest.args()
    d = kstest.tmpdir("links")
    src = os.path.join(d, "src")
    os.makedirs(src)
    with open(os.path.join(src, "issue-1.html"), "w", encoding="utf-8") as f:
        f.write(PAGE)
    with open(os.path.join(src, "issue-3.txt"), "w", encoding="utf-8") as f:
        f.write(TEXT)
    kstest.jsonl(os.path.join(src, "issue-2.jsonl"), JSONL)
    db = os.path.join(d, "k.db")
    kstest.build_index(a, db, [src])
    srv = kstest.Server(a, db)
    try:
        test_api(srv)
        test_site(srv)
        test_feed(srv)
    finally:
        srv.stop()
    check(kstest.check_no_sanitizer_report(srv), "no sanitizer report")
    test_schema4(a, d, db, src)


if __name__ == "__main__":
    kstest.run(main)
