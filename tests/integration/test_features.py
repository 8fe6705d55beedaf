#!/usr/bin/env python3
"""Issue 7 against a real kensakud over a real index built from
tests/data/features/archive.jsonl: bilingual and variant expansion (both
directions, exact=1, "expanded", every group of terms.tsv, every spelling of
entities.tsv), cve/entity facets, /api/entities and /api/entities/{name},
/api/trend, /feed.atom (RELAX NG of RFC 4287 with xmllint, content, ids
stable across `kensaku reindex`), /api/analyze against what the index
matches, explain=1, /api/search.csv (every match once across cursor pages,
also while `kensaku index` adds a file, quoting, formula guard, bad
cursors), errors, HEAD/OPTIONS/CORS and the per-query deadline."""
import csv
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import (Server, args, check, check_no_sanitizer_report, cleanup, cli, get, get_json, is_error_shape,  # noqa: E402
                    jsonl, raw, request, run, status_of, tmpdir)
import kstest  # noqa: E402

A = args()
csv.field_size_limit(1 << 30)  # the page-cap test has 19 KB fields
DATA = os.path.join(A.src, "tests", "data", "features")
RNG = os.path.join(DATA, "atom.rng")
ATOM = "{http://www.w3.org/2005/Atom}"
ITEMS = [json.loads(line) for line in open(os.path.join(DATA, "archive.jsonl"), encoding="utf-8")]


def ids_of(items):
    """Item ids (ISSUE-POSITION) of the archive's items, in file order."""
    pos, out = {}, []
    for it in items:
        pos[it["issue"]] = pos.get(it["issue"], 0) + 1
        out.append("%d-%d" % (it["issue"], pos[it["issue"]]))
    return out


BY_ID = dict(zip(ids_of(ITEMS), ITEMS))


def url(path, params):
    return path + "?" + urllib.parse.urlencode(params)


def search(srv, **params):
    params.setdefault("limit", 100)
    st, _, b = get_json(srv, url("/api/search", params))
    assert st == 200, (params, st, b)
    return b


def hit_ids(srv, **params):
    return [h["id"] for h in search(srv, **params)["hits"]]


# ---- bilingual and variant terms ------------------------------------------

def test_terms(srv):
    # (query, an item only the other language or spelling finds)
    pairs = [("ransomware", "301-2"), ("ランサムウェア", "301-1"), ("Emotet", "302-1"),
             ("エモテット", "301-3"), ("phishing", "302-2"), ("フィッシング", "307-3"),
             ("vulnerability", "302-3"), ("脆弱性", "303-2"), ("サーバー", "304-2"),
             ("サーバ", "303-2"), ("ウイルス", "304-4"), ("ウィルス", "304-3"),
             ("インターフェース", "305-2"), ("インタフェース", "305-1"),
             ("ＲＡＮＳＯＭＷＡＲＥ", "301-2"), ("ﾗﾝｻﾑｳｪｱ", "301-1"), ("ｴﾓﾃｯﾄ", "301-3")]
    for text, other in pairs:
        expanded = hit_ids(srv, q=text)
        exact = hit_ids(srv, q=text, exact=1)
        check(other in expanded, "%s finds %s through expansion: %r" % (text, other, expanded))
        check(other not in exact, "%s exact=1 does not find %s: %r" % (text, other, exact))
        check(set(exact) <= set(expanded), "%s: exact hits are a subset" % text)
    # the literal hits stay
    check("301-1" in hit_ids(srv, q="ransomware", exact=1), "ransomware exact finds the English item")
    check(hit_ids(srv, q="ﾗﾝｻﾑｳｪｱ", exact=1) == ["301-2"], "half-width katakana folds to ランサムウェア")
    # "expanded" in the body
    b = search(srv, q="ransomware QNAP")
    exp = {e["term"]: e["variants"] for e in b["expanded"]}
    check("ransomware" in exp and "ランサムウェア" in exp["ransomware"] and "ransomware" in exp["ransomware"],
          "expanded lists ransomware's variants: %r" % b["expanded"])
    check("QNAP" in exp and "キューナップ" in exp["QNAP"], "gazetteer spellings expand too: %r" % b["expanded"])
    check(search(srv, q="ransomware", exact=1)["expanded"] == [], "exact=1: expanded is empty")
    check(search(srv, q='"ransomware"')["expanded"] == [], "a quoted phrase is not expanded")
    check(search(srv, q="ransom*")["expanded"] == [], "a prefix is not expanded")
    check(search(srv, q="nothingtoexpand")["expanded"] == [], "a term without a group")
    # an excluded term excludes every variant
    ids = hit_ids(srv, q="-ransomware")
    check(not {"301-1", "301-2", "306-1"} & set(ids) and len(ids) == len(ITEMS) - 3,
          "-ransomware excludes both languages: %r" % ids)
    # exact must be a flag
    st, _, b = get(srv, url("/api/search", {"q": "x", "exact": "2"}))
    check(st == 400 and is_error_shape(b, "bad_request"), "exact=2 is a 400")


def tsv(name):
    path = os.path.join(A.src, "indexer", "data", name)
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


JP = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def test_data_files(srv):
    """Every group of terms.tsv expands, every spelling of entities.tsv
    resolves, and the files hold what issue 7 asks for."""
    groups = tsv("terms.tsv")
    bilingual = [g for g in groups if any(JP.search(v) for v in g) and
                 any(re.search("[A-Za-z]", v) and not JP.search(v) for v in g)]
    check(len(bilingual) >= 150, "terms.tsv: %d bilingual groups, want >= 150" % len(bilingual))
    seen, bad = {}, []
    for g in groups:
        for v in g:
            k = unicodedata.normalize("NFKC", v).casefold()
            if k in seen:
                bad.append(v)
            seen[k] = g
    check(not bad, "terms.tsv: variants in two groups: %r" % bad[:10])
    missing = []
    for g in groups:
        for v in g:
            if " " in v or v.startswith("-") or '"' in v:
                continue  # multi-word variants are phrases, not one typed term
            st, _, b = get_json(srv, url("/api/analyze", {"text": v, "mode": "query"}))
            query = b.get("query") or "" if st == 200 else ""
            want = ['"%s"' % w.replace('"', '""') for w in g]
            if not all(w in query or w.casefold() in query.casefold() for w in want):
                missing.append((v, query))
    check(not missing, "terms that do not expand to their whole group: %r" % missing[:5])

    ents = tsv("entities.tsv")
    kinds = {"vendor", "product", "actor", "malware", "vuln", "org"}
    check(len(ents) >= 300, "entities.tsv: %d names, want >= 300" % len(ents))
    check(all(e[0] in kinds and len(e) >= 2 for e in ents), "entities.tsv: bad kinds")
    with_jp = sum(1 for e in ents if any(JP.search(s) for s in e[1:]))
    check(with_jp >= 200, "entities.tsv: %d entities with a Japanese spelling" % with_jp)
    wrong = []
    for e in ents:
        for sp in e[1:]:
            st, _, b = get_json(srv, "/api/entities/" + urllib.parse.quote(sp, safe=""))
            if st != 200 or b.get("name") != e[1] or b.get("kind") != e[0]:
                wrong.append((sp, st, b and b.get("name")))
    check(not wrong, "spellings that do not resolve to their entity: %r" % wrong[:5])


# ---- facets and entities ----------------------------------------------------

def test_facets(srv):
    b = search(srv)
    check(b["facets"]["cve"] == {"CVE-2021-44228": 2, "CVE-2021-45046": 1, "CVE-2022-41040": 1},
          "cve facet over every item (full-width id normalized): %r" % b["facets"]["cve"])
    ent = b["facets"]["entity"]
    check(ent.get("Emotet") == 2 and ent.get("LAPSUS$") == 2 and ent.get("Microsoft") == 2 and
          ent.get("QNAP") == 1 and ent.get("Log4j") == 1, "entity facet: %r" % ent)
    b = search(srv, q="Log4j")
    check(b["facets"]["cve"] == {"CVE-2021-44228": 1, "CVE-2021-45046": 1}, "cve facet follows the query: %r" % b["facets"]["cve"])
    b = search(srv, entity="エモテット")
    check(b["total"] == 2 and {h["id"] for h in b["hits"]} == {"301-3", "302-1"}, "entity filter by a Japanese spelling")
    b = search(srv, entity="ＣＶＥ－２０２１－４４２２８")
    check({h["id"] for h in b["hits"]} == {"302-3", "303-2"}, "entity filter by a full-width CVE id: %r" % b["hits"])
    b = search(srv, q="脆弱性", entity="Microsoft", exact=1)
    check({h["id"] for h in b["hits"]} == {"307-1", "307-2"}, "entity filter with a query")


def entities(srv, **params):
    st, h, b = get_json(srv, url("/api/entities", params))
    return st, h, b


def test_entities(srv):
    st, h, b = entities(srv, prefix="emo")
    check(st == 200 and b["prefix"] == "emo" and b["entities"] and b["entities"][0]["name"] == "Emotet",
          "prefix emo: %r" % b)
    check(h.get("access-control-allow-origin") == "*", "entities: CORS")
    e = b["entities"][0]
    check(e == {"name": "Emotet", "kind": "malware", "count": 2, "spellings": e["spellings"]} and
          "エモテット" in e["spellings"], "entity object shape %r" % e)
    for prefix, want in [("エモ", "Emotet"), ("ＥＭＯ", "Emotet"), ("ラプ", "LAPSUS$"), ("lap", "LAPSUS$"),
                         ("マイクロ", "Microsoft"), ("ｷｭｰﾅｯﾌﾟ", "QNAP"), (" qnap ", "QNAP")]:
        st, _, b = entities(srv, prefix=prefix)
        names = [x["name"] for x in b["entities"]] if st == 200 else []
        check(names[:1] == [want], "prefix %r: %r" % (prefix, names))
    st, _, b = entities(srv, prefix="ＣＶＥ－２０２１")
    check(st == 200 and [x["name"] for x in b["entities"]] == ["CVE-2021-44228", "CVE-2021-45046"],
          "full-width CVE prefix, most tagged first: %r" % b)
    check(all(x["kind"] == "cve" and x["spellings"] == [x["name"]] for x in b["entities"]), "cve objects")
    st, _, b = entities(srv, prefix="cve", limit=2)
    check(st == 200 and [x["name"] for x in b["entities"]] == ["CVE-2021-44228", "CVE-2021-45046"],
          "limit keeps the most tagged, ties by name: %r" % b)
    st, _, b = entities(srv, prefix="cve-2022-4")
    check(st == 200 and [x["name"] for x in b["entities"]] == ["CVE-2022-41040"], "cve prefix: %r" % b)
    st, _, b = entities(srv, limit=50)
    names = [x["name"] for x in b["entities"]]
    counts = [x["count"] for x in b["entities"]]
    check(st == 200 and len(names) == 11 and counts == sorted(counts, reverse=True) and min(counts) >= 1,
          "empty prefix lists every tagged entity, most first: %r" % list(zip(names, counts)))
    # the counts are the entity filter's totals
    for x in b["entities"]:
        t = search(srv, entity=x["name"], limit=1)["total"]
        check(t == x["count"], "count of %s %d = entity filter total %d" % (x["name"], x["count"], t))
    for kind, want in [("cve", {"CVE-2021-44228", "CVE-2021-45046", "CVE-2022-41040"}),
                       ("vendor", {"Microsoft", "QNAP", "Telegram"}), ("actor", {"LAPSUS$"}),
                       ("malware", {"Emotet"}), ("org", set())]:
        st, _, b = entities(srv, kind=kind, limit=50)
        got = {x["name"] for x in b["entities"]} if st == 200 else None
        check(got == want and all(x["kind"] == kind for x in b["entities"]), "kind=%s: %r" % (kind, got))
    st, _, b = entities(srv, kind="malware", prefix="エ")
    check(st == 200 and [x["name"] for x in b["entities"]] == ["Emotet"], "kind and prefix together")
    st, _, b = entities(srv, limit=1)
    check(st == 200 and len(b["entities"]) == 1, "limit=1")
    st, _, b = entities(srv, prefix="zzzz")
    check(st == 200 and b["entities"] == [], "no match: empty list")
    for params in [{"limit": "0"}, {"limit": "51"}, {"limit": "abc"}, {"limit": "-1"}, {"limit": "1.5"},
                   {"kind": "bogus"}, {"kind": "CVE"}, {"prefix": "x" * 201}]:
        st, _, b = get(srv, url("/api/entities", params))
        check(st == 400 and is_error_shape(b, "bad_request"), "entities %r: %d" % ({k: v[:10] for k, v in params.items()}, st))

    for name, want in [("エモテット", ("Emotet", "malware", 2)), ("EMOTET", ("Emotet", "malware", 2)),
                       ("ＣＶＥ－２０２１－４４２２８", ("CVE-2021-44228", "cve", 2)),
                       ("cve-2021-45046", ("CVE-2021-45046", "cve", 1)),
                       ("LAPSUS$", ("LAPSUS$", "actor", 2)), ("STOP/Djvu", ("STOP/Djvu", "malware", 0)),
                       ("CVE-1999-0001", ("CVE-1999-0001", "cve", 0))]:
        st, h, b = get_json(srv, "/api/entities/" + urllib.parse.quote(name, safe=""))
        check(st == 200 and (b["name"], b["kind"], b["count"]) == want and isinstance(b["spellings"], list),
              "/api/entities/%s: %d %r" % (name, st, b))
    for path in ["/api/entities/nothing-like-this", "/api/entities/", "/api/entities/%20"]:
        st, _, b = get(srv, path)
        check(st == 404 and is_error_shape(b, "not_found"), "%s: %d %r" % (path, st, b[:80]))
    st, _, b = get(srv, "/api/entities/" + "x" * 201)
    check(st == 400 and is_error_shape(b, "bad_request"), "over-long entity name: %d" % st)


# ---- trends ------------------------------------------------------------------

def expected_months(items):
    counts = {}
    for it in items:
        if it.get("date"):
            counts[it["date"][:7]] = counts.get(it["date"][:7], 0) + 1
    keys = sorted(counts)
    out, (y, m) = [], map(int, keys[0].split("-"))
    while True:
        k = "%04d-%02d" % (y, m)
        out.append({"key": k, "count": counts.get(k, 0)})
        if k == keys[-1]:
            return out
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def trend(srv, **params):
    st, h, b = get_json(srv, url("/api/trend", params))
    return st, h, b


def test_trend(srv):
    st, h, b = trend(srv)
    want = expected_months(ITEMS)
    check(st == 200 and b["interval"] == "month" and b["query"] == "", "trend of every item: %d" % st)
    check(h.get("access-control-allow-origin") == "*", "trend: CORS")
    check(b["buckets"] == want, "month buckets, zero-filled: %r" % b["buckets"])
    check(any(x["count"] == 0 for x in b["buckets"]), "the archive has empty months inside its range")
    check(b["total"] == len(ITEMS) and b["undated"] == sum(1 for i in ITEMS if not i.get("date")),
          "total %r undated %r" % (b["total"], b["undated"]))
    check(sum(x["count"] for x in b["buckets"]) + b["undated"] == b["total"], "buckets + undated = total")
    st, _, b = trend(srv, interval="year")
    years = {}
    for it in ITEMS:
        if it.get("date"):
            years[it["date"][:4]] = years.get(it["date"][:4], 0) + 1
    check(st == 200 and b["interval"] == "year" and
          b["buckets"] == [{"key": k, "count": years[k]} for k in sorted(years)], "year buckets %r" % b["buckets"])
    st, _, b = trend(srv, q="ransomware")
    check(st == 200 and b["total"] == 3 and b["undated"] == 1 and b["buckets"] == [{"key": "2021-11", "count": 2}],
          "ransomware trend %r" % b)
    check(b["expanded"] and b["expanded"][0]["term"] == "ransomware", "trend shows the expansion")
    st, _, b = trend(srv, q="ransomware", exact=1)
    check(st == 200 and b["total"] == 2 and b["expanded"] == [], "exact=1 trend %r" % b)
    # total = the search total, for any filters
    for p in [{"q": "脆弱性"}, {"q": "脆弱性", "exact": "1"}, {"section": "脆弱性"}, {"from": "2022-01-01"},
              {"to": "2021-12-31"}, {"from": "2022-03-20", "to": "2022-03-27"}, {"entity": "Microsoft"},
              {"entity": "CVE-2021-44228", "q": "Confluence"}, {"q": "-ransomware"}, {"q": "*"},
              {"q": "サーバー OR ウイルス"}, {"section": "存在しない"}, {"q": "ransomware", "interval": "year"}]:
        st, _, b = trend(srv, **p)
        s = search(srv, limit=1, **{k: v for k, v in p.items() if k != "interval"})
        check(st == 200 and b["total"] == s["total"], "trend total %r = search total %r for %r" % (b and b["total"], s["total"], p))
        check(sum(x["count"] for x in b["buckets"]) + b["undated"] == b["total"], "buckets add up for %r" % p)
        keys = [x["key"] for x in b["buckets"]]
        check(keys == sorted(keys) and (not keys or (b["buckets"][0]["count"] and b["buckets"][-1]["count"])),
              "buckets ascend and start/end non-empty for %r" % p)
        if "from" in p or "to" in p:
            check(b["undated"] == 0, "a date filter leaves undated items out")
    st, _, b = trend(srv, q="zzznothing")
    check(st == 200 and b["total"] == 0 and b["buckets"] == [] and b["undated"] == 0, "no match: no buckets")
    for p in [{"interval": "week"}, {"interval": "Month"}, {"interval": "month "}, {"from": "2022-02-30"},
              {"to": "x"}, {"q": "x" * 1100}, {"exact": "yes"}, {"from": "2022-02-01", "to": "2022-01-01"}]:
        st, _, b = get(srv, url("/api/trend", p))
        check(st == 400 and is_error_shape(b, "bad_request"), "trend %r: %d" % ({k: v[:12] for k, v in p.items()}, st))


# ---- feeds -----------------------------------------------------------------------

def xmllint(body, d, name):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(body)
    r = subprocess.run(["xmllint", "--noout", "--relaxng", RNG, path], capture_output=True,
                       timeout=kstest.patience(60))
    return r.returncode == 0, r.stderr.decode(errors="replace")[-400:]


def feed(srv, params, headers=None):
    """GET /feed.atom; a Host in headers replaces http.client's own."""
    if not headers or "Host" not in headers:
        return get(srv, url("/feed.atom", params), headers)
    c = http.client.HTTPConnection(srv.host, srv.port, timeout=kstest.patience(60))
    try:
        c.putrequest("GET", url("/feed.atom", params), skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def entries(root):
    return root.findall(ATOM + "entry")


def test_feed(srv, d):
    st, h, body = feed(srv, {"q": "ransomware"})
    check(st == 200 and h.get("content-type") == "application/atom+xml; charset=utf-8", "feed: %d %r" % (st, h.get("content-type")))
    check(h.get("access-control-allow-origin") == "*", "feed: CORS")
    for i, params in enumerate([{"q": "ransomware"}, {"limit": 100}, {"q": "script"}, {"q": "zzznothing"},
                                {"section": "脆弱性"}, {"entity": "Emotet", "exact": "1"},
                                {"q": "\"patch now\" OR 脆弱性", "from": "2021-01-01", "to": "2022-12-31"}]):
        st, _, b = feed(srv, params)
        ok, err = xmllint(b, d, "feed%d.xml" % i)
        check(st == 200 and ok, "feed %r valid against RFC 4287's RELAX NG schema: %s" % (params, err))
        root = ET.fromstring(b)
        check(root.tag == ATOM + "feed", "root is atom:feed")
        # the RFC's Schematron rules, which RELAX NG does not check
        check(root.find(ATOM + "author/" + ATOM + "name") is not None, "feed has an author")
        check(all(any(l.get("rel", "alternate") == "alternate" for l in e.findall(ATOM + "link")) for e in entries(root)),
              "every entry has an alternate link")

    st, _, b = feed(srv, {"limit": 100})
    root = ET.fromstring(b)
    got = [e.find(ATOM + "id").text.rsplit(":", 1)[1] for e in entries(root)]
    check(got == hit_ids(srv, sort="newest"), "entries newest first, undated last, as sort=newest: %r" % got)
    ups = [e.find(ATOM + "updated").text for e in entries(root)]
    dated = [u for u, i in zip(ups, got) if BY_ID[i].get("date")]
    check(dated == sorted(dated, reverse=True), "updated descends")
    check(root.find(ATOM + "updated").text == max(ups), "feed updated = the newest entry's")
    for e, i in zip(entries(root), got):
        it = BY_ID[i]
        issue, pos = i.split("-")
        link = e.find(ATOM + "link").get("href")
        check(re.fullmatch(r"http://127\.0\.0\.1:%d/issue\.html\?n=%s#item-%s" % (srv.port, issue, pos), link) is not None,
              "entry link %r" % link)
        check(e.find(ATOM + "title").text == it["title"], "entry title is the item's plain text")
        s = e.find(ATOM + "summary")
        check((s.text if s is not None else None) == (it.get("quote") or None), "summary = quote for %s" % i)
        c = e.find(ATOM + "category")
        check(c is not None and c.get("term") == it["section"], "category = section for %s" % i)
        want = it["date"] + "T00:00:00Z" if it.get("date") else None
        check(want is None or e.find(ATOM + "updated").text == want, "entry updated from the date")
    st, _, b = feed(srv, {"q": "script"})
    check(b"&lt;script&gt;alert(1)" in b and b"&lt;script&gt;alert(2)" in b and b"<script>" not in b,
          "<script> in a title and a quote comes out escaped")
    root = ET.fromstring(b)
    check(entries(root)[0].find(ATOM + "title").text == BY_ID["303-3"]["title"], "escaped title parses back")
    check(entries(root)[0].find(ATOM + "summary").text == BY_ID["303-3"]["quote"], "quote with CR LF round-trips")
    check("script" in root.find(ATOM + "title").text, "feed title names the query")

    # feed-level elements, Host handling, ETag
    st, _, b = feed(srv, {"q": "ransomware", "section": "事件、事故"}, {"Host": "feeds.example.org:8443"})
    root = ET.fromstring(b)
    links = {l.get("rel"): l.get("href") for l in root.findall(ATOM + "link")}
    check(links.get("self", "").startswith("http://feeds.example.org:8443/feed.atom?q=ransomware&section=") and
          links.get("alternate", "").startswith("http://feeds.example.org:8443/?q=ransomware"),
          "links from the Host header: %r" % links)
    check(all(e.find(ATOM + "link").get("href").startswith("http://feeds.example.org:8443/issue.html?n=")
              for e in entries(root)), "entry links from the Host header")
    fid = root.find(ATOM + "id").text
    check(fid.startswith("tag:kensaku.invalid,2024:feed?") and "ransomware" in fid, "feed id from the query: %r" % fid)
    for bad_host in ["bad host", "x/y", "a@b", "[::1", "h:99999", ""]:
        st, _, b = feed(srv, {"q": "ransomware"}, {"Host": bad_host})
        self_link = [l.get("href") for l in ET.fromstring(b).findall(ATOM + "link") if l.get("rel") == "self"]
        check(st == 200 and self_link and self_link[0].startswith("http://127.0.0.1:%d/feed.atom" % srv.port),
              "invalid Host %r falls back to the listen address: %r" % (bad_host, self_link))
    st1, h1, b1 = feed(srv, {"q": "ransomware"})
    st2, h2, b2 = feed(srv, {"q": "ransomware"})
    check(b1 == b2 and h1.get("etag") and h1.get("etag") == h2.get("etag"), "two fetches: same bytes and ETag")
    st, h, b = feed(srv, {"q": "ransomware"}, {"If-None-Match": h1.get("etag", "x")})
    check(st == 304 and b == b"", "If-None-Match -> 304: %d" % st)
    st, _, b = feed(srv, {"q": "ransomware", "exact": "1"})
    check(ET.fromstring(b).find(ATOM + "id").text != fid, "exact=1 is another feed id")
    st, _, b = feed(srv, {"limit": 2})
    check(st == 200 and len(entries(ET.fromstring(b))) == 2, "limit=2")
    st, _, b = feed(srv, {"q": "zzznothing"})
    root = ET.fromstring(b)
    check(not entries(root) and root.find(ATOM + "updated").text.endswith("Z"), "empty feed: build time")
    for p in [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"from": "2022-13-01"}, {"q": "x" * 1100},
              {"exact": "maybe"}]:
        st, _, b = feed(srv, p)
        check(st == 400 and is_error_shape(b, "bad_request"), "feed %r: %d" % ({k: v[:10] for k, v in p.items()}, st))
    return b1


def test_reindex_stability(srv, d, arch, db, feed_before, cursor_before):
    old = get_json(srv, "/healthz")[2]["generation"]
    cli(A, "reindex", "--quiet", "--db", db, arch)
    kstest.poll(lambda: get_json(srv, "/healthz")[2]["generation"] != old, kstest.patience(60))
    check(get_json(srv, "/healthz")[2]["generation"] != old, "reindex became visible")
    st, _, after = feed(srv, {"q": "ransomware"})
    ids = lambda b: [e.find(ATOM + "id").text for e in entries(ET.fromstring(b))]  # noqa: E731
    check(ids(after) == ids(feed_before) and ET.fromstring(after).find(ATOM + "id").text ==
          ET.fromstring(feed_before).find(ATOM + "id").text, "feed and entry ids survive kensaku reindex")
    st, _, b = get(srv, url("/api/search.csv", {"limit": 3, "cursor": cursor_before}))
    check(st == 400 and is_error_shape(b, "bad_request"), "a cursor from before a reindex is a 400: %d" % st)


# ---- analyze and explain ----------------------------------------------------------

def analyze(srv, text, **params):
    params["text"] = text
    st, _, b = get_json(srv, url("/api/analyze", params))
    assert st == 200, (text, st, b)
    return b


def doc_tokens(text):
    """The document tokens of a run of kana/kanji: unigrams, each with the
    bigram it starts colocated."""
    out, at = [], 0
    for i, ch in enumerate(text):
        n = len(ch.encode())
        out.append({"token": ch, "start": at, "end": at + n, "position": i, "colocated": False})
        if i + 1 < len(text):
            out.append({"token": ch + text[i + 1], "start": at, "end": at + n + len(text[i + 1].encode()),
                        "position": i, "colocated": True})
        at += n
    return out


def binary_versions():
    """(tokenizer, ICU) as `kensaku --version` reports them."""
    out = subprocess.run([A.cli, "--version"], capture_output=True, timeout=kstest.patience(60)).stdout.decode()
    m = re.search(r"tokenizer ([^,]+), ICU ([^,)]+)", out)
    return m.group(1), m.group(2)


def nfkc_slice_ok(text, toks):
    """Every token is the NFKC case folding of the bytes its offsets cut."""
    raw_text = text.encode()
    return all(unicodedata.normalize("NFKC", raw_text[t["start"]:t["end"]].decode()).casefold() == t["token"]
               for t in toks)


def test_analyze(srv):
    tokver, icu = binary_versions()
    b = analyze(srv, "ランサムウェア")
    check(b["tokens"] == doc_tokens("ランサムウェア"), "document tokens of ランサムウェア: %r" % b["tokens"])
    check(b["mode"] == "document" and b["tokenizer"] == tokver and b["icu"] == icu,
          "analyze names this binary's tokenizer and ICU: %r" % {k: b[k] for k in ("mode", "tokenizer", "icu")})
    b = analyze(srv, "ランサムウェア", mode="query")
    want = [{"token": "ランサムウェア"[i:i + 2], "start": 3 * i, "end": 3 * i + 6, "position": i, "colocated": False}
            for i in range(6)]
    check(b["tokens"] == want and b["mode"] == "query", "query tokens of ランサムウェア: %r" % b["tokens"])
    # ＬＡＰＳＵＳ$: the word lapsus over the 18 bytes of the six full-width
    # letters, at position 0 (a tokenizer may add a colocated token that
    # keeps the $, over 19 bytes)
    toks = analyze(srv, "ＬＡＰＳＵＳ$")["tokens"]
    check(toks[:1] == [{"token": "lapsus", "start": 0, "end": 18, "position": 0, "colocated": False}] and
          all(t["position"] == 0 and t["colocated"] for t in toks[1:]) and nfkc_slice_ok("ＬＡＰＳＵＳ$", toks),
          "document tokens of ＬＡＰＳＵＳ$: %r" % toks)
    toks = analyze(srv, "ＬＡＰＳＵＳ$", mode="query")["tokens"]
    check(len(toks) == 1 and toks[0]["token"].startswith("lapsus") and toks[0]["start"] == 0 and
          toks[0]["end"] in (18, 19) and toks[0]["position"] == 0 and nfkc_slice_ok("ＬＡＰＳＵＳ$", toks),
          "query tokens of ＬＡＰＳＵＳ$: %r" % toks)
    # offsets cut the original text; tokens are its NFKC case folding
    for text in ["ＬＡＰＳＵＳ$ が QNAP製 NAS を狙う", "CVE-2022-0609 の悪用", "ﾗﾝｻﾑｳｪｱ 攻撃", "C++ と Ｃ＃", "a\tb\nc"]:
        for mode in ("document", "query"):
            toks = analyze(srv, text, mode=mode)["tokens"]
            pos = [t["position"] for t in toks if not t["colocated"]]
            check(toks and nfkc_slice_ok(text, toks) and pos == list(range(len(pos))),
                  "%s offsets/positions of %r: %r" % (mode, text, toks))
    # what the index matches: the highlight of a match covers exactly the
    # bytes of the analyzed document token that the query's token equals
    h = search(srv, q="ＬＡＰＳＵＳ", exact=1)["hits"]
    item = [x for x in h if x["id"] == "307-2"]
    quote = BY_ID["307-2"]["quote"]
    qtok = analyze(srv, "ＬＡＰＳＵＳ", mode="query")["tokens"][0]["token"]
    hit = [t for t in analyze(srv, quote)["tokens"] if t["token"] == qtok]
    marked = quote.encode()[hit[0]["start"]:hit[0]["end"]].decode() if hit else None
    check(qtok == "lapsus" and marked == "ＬＡＰＳＵＳ" and item and
          item[0]["snippet_html"].startswith("<mark>" + marked + "</mark>"),
          "the index highlights exactly the analyzed token's bytes: %r %r" % (hit, item and item[0]["snippet_html"][:40]))
    # every document token of a title finds its item when searched
    title = BY_ID["301-2"]["title"]
    misses = [t["token"] for t in analyze(srv, title)["tokens"] if "301-2" not in hit_ids(srv, q=t["token"], exact=1)]
    check(not misses, "document tokens that do not find their item: %r" % misses)
    # the expression equals the one a search runs (explain=1)
    for text in ["ransomware", "ランサムウェア -QNAP", '"patch now"', "ran*", "LAPSUS$ OR Emotet",
                 "-ransomware", "サーバー ウイルス", "C++", "*"]:
        for exact in ("0", "1"):
            a = analyze(srv, text, exact=exact)["query"]
            s = search(srv, q=text, exact=exact, explain=1, limit=1)
            check("fts" in s and a == s["fts"], "analyze query = search fts for %r exact=%s: %r vs %r" % (text, exact, a, s.get("fts")))
    check(analyze(srv, "")["tokens"] == [] and analyze(srv, "")["query"] is None, "empty text: no tokens, no expression")
    check(analyze(srv, "x" * 1024)["tokens"], "1024 bytes is allowed")
    for p in [{"text": "x", "mode": "bogus"}, {"text": "x" * 1025}, {"text": "a\x01b"}, {"text": "x", "exact": "2"}]:
        st, _, b = get(srv, url("/api/analyze", p))
        check(st == 400 and is_error_shape(b, "bad_request"), "analyze %r: %d" % ({k: v[:10] for k, v in p.items()}, st))


def test_explain(srv):
    b = search(srv, q="ransomware", explain=1)
    check('"ランサムウェア"' in b.get("fts", ""), "explain=1 shows the expanded expression: %r" % b.get("fts"))
    b = search(srv, q="ransomware", explain=1, exact=1)
    check(b.get("fts") == '("ransomware")' or ("ransomware" in b.get("fts", "") and "ランサム" not in b["fts"]),
          "explain=1 exact=1: %r" % b.get("fts"))
    check("fts" not in search(srv, q="ransomware"), "no fts without explain")
    check(search(srv, explain=1).get("fts", "missing") is None, "browse: fts is null")
    st, _, b = get(srv, url("/api/search", {"q": "x", "explain": "2"}))
    check(st == 400 and is_error_shape(b, "bad_request"), "explain=2 is a 400")
    # issue 12: each hit says why it scored what it did
    keys = {"title_words", "quote_words", "inside", "spellings", "words", "avg_words",
            "length_unit", "proximity", "bm25"}
    b = search(srv, q="ランサム", explain=1, exact=1)
    hits = b.get("hits", [])
    check(hits and all(set(h.get("explain", {})) == keys for h in hits), "explain=1: parts in every hit")
    check(all(h["explain"]["inside"] >= 1 and h["explain"]["length_unit"] == "words" for h in hits),
          "ランサム is inside ランサムウェア in every hit, lengths in words: %r" % [h.get("explain") for h in hits[:2]])
    check(all("explain" not in h for h in search(srv, q="ランサム").get("hits", [])), "no parts without explain")


# ---- CSV export -------------------------------------------------------------------------

CSV_HEADER = ["id", "issue", "date", "section", "title", "quote", "url", "score"]


def csv_pages(srv, params, first_only=False):
    """Follows the cursor from the first page; returns (rows without the
    header, pages (raw bytes), last cursor)."""
    pages, cursor, rows = [], None, []
    while True:
        p = dict(params)
        if cursor:
            p["cursor"] = cursor
        st, h, b = get(srv, url("/api/search.csv", p))
        assert st == 200, (p, st, b[:200])
        pages.append(b)
        text = b.decode("utf-8-sig" if not cursor else "utf-8")
        recs = list(csv.reader(io.StringIO(text, newline="")))
        if not cursor:
            assert recs[0] == CSV_HEADER, recs[:1]
            recs = recs[1:]
        rows += recs
        nxt = h.get("x-next-cursor")
        link = h.get("link")
        check((nxt is None) == (link is None), "Link and X-Next-Cursor go together")
        if nxt:
            check(link.startswith("</api/search.csv?") and link.endswith('>; rel="next"') and
                  "cursor=" + urllib.parse.quote(nxt, safe="") in link, "Link header %r" % link)
        if not nxt or first_only:
            return rows, pages, nxt
        cursor = nxt


def unguard(cell):
    return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@", "'\t", "'\r") else cell


def test_csv(srv):
    st, h, b = get(srv, "/api/search.csv")
    check(st == 200 and h.get("content-type", "").startswith("text/csv; charset=utf-8"), "csv content type %r" % h.get("content-type"))
    check(h.get("access-control-allow-origin") == "*", "csv: CORS")
    check(b.startswith(b"id,issue,date,section,title,quote,url,score\r\n"), "header row with CRLF")
    check("x-next-cursor" not in h, "one page holds 20 rows (default limit 1000)")
    # every match exactly once, in the search's order, for each sort and page size
    for params in [{"limit": 3}, {"limit": 1, "sort": "oldest"}, {"limit": 4, "sort": "oldest"},
                   {"q": "脆弱性", "sort": "relevance", "limit": 2}, {"q": "サーバー OR ウイルス", "limit": 2, "sort": "relevance"},
                   {"q": "-ransomware", "limit": 5, "sort": "relevance"}, {"section": "脆弱性", "limit": 2},
                   {"entity": "Microsoft", "limit": 1}, {"from": "2022-01-01", "limit": 2, "sort": "oldest"}]:
        rows, pages, _ = csv_pages(srv, params)
        sort = params.get("sort", "newest")
        sp = {k: v for k, v in params.items() if k != "limit"}
        sp["sort"] = sort
        want = search(srv, **sp)
        ids = [r[0] for r in rows]
        check(ids == [x["id"] for x in want["hits"]] and len(ids) == want["total"],
              "csv %r: rows %r = search order %r" % (params, ids, [x["id"] for x in want["hits"]]))
        check(len(pages) == max(1, -(-want["total"] // params["limit"])), "csv %r: %d pages" % (params, len(pages)))
        if sort == "relevance" and "q" in params and not params["q"].startswith("-"):
            scores = [float(r[7]) for r in rows]
            check(all(abs(s - x["score"]) <= 1e-5 * max(1, x["score"]) for s, x in zip(scores, want["hits"])),
                  "csv scores = search scores for %r" % params)
        check(all(p[:2] != b"id" for p in pages[1:]), "only the first page has the header")
    # quoting and the formula guard
    rows, pages, _ = csv_pages(srv, {"limit": 1000})
    by = {r[0]: r for r in rows}
    check(all(len(r) == 8 for r in rows), "8 fields per row")
    it = BY_ID["303-3"]
    r = by["303-3"]
    check(r[4] == "'" + it["title"] and unguard(r[4]) == it["title"], "title starting with = is guarded: %r" % r[4])
    check(r[5] == "'" + it["quote"] and unguard(r[5]) == it["quote"],
          "quote with =, quotes, commas, CR LF and <script> round-trips, guarded: %r" % r[5])
    check(r[6] == "https://example.org/a,b" and r[1] == "303" and r[2] == "2022-01-09" and r[3] == "その他", "other fields %r" % r)
    check(b'"\'=1+2 He said ""patch now, today"", then left.\nSecond line <script>' in pages[0],
          "quotes doubled inside a quoted field")
    for i, lead in [("304-1", "@"), ("304-2", "-"), ("305-1", "+")]:
        check(by[i][5] == "'" + BY_ID[i]["quote"] and BY_ID[i]["quote"].startswith(lead), "guard for %s (%s)" % (i, lead))
    check(by["301-1"][4] == BY_ID["301-1"]["title"] and by["301-1"][6] == BY_ID["301-1"]["url"], "plain fields unchanged")
    check(by["306-1"][2] == "" and by["302-1"][6] == "", "missing date and url are empty")
    check(all(r[7] == "0" for r in rows), "browse: score 0")
    body = pages[0].replace(b'\r\nlast line', b'')  # the one CR LF inside a quoted field
    check(body.count(b"\r\n") == len(rows) + 1, "CRLF ends every record")
    # BOM only when asked, only on the first page
    st, h, b = get(srv, url("/api/search.csv", {"bom": 1, "limit": 5}))
    check(b.startswith(b"\xef\xbb\xbfid,issue,"), "bom=1: UTF-8 BOM then the header")
    st, _, b2 = get(srv, url("/api/search.csv", {"bom": 1, "limit": 5, "cursor": h["x-next-cursor"]}))
    check(st == 200 and not b2.startswith(b"\xef\xbb\xbf") and not b2.startswith(b"id,"), "no BOM, no header after the first page")
    st, _, b3 = get(srv, url("/api/search.csv", {"limit": 7, "cursor": h["x-next-cursor"]}))
    check(st == 200 and b3.startswith(b2), "a cursor does not bind bom or limit: %d" % st)
    # bad cursors and parameters
    _, _, cur = csv_pages(srv, {"q": "脆弱性", "limit": 1}, first_only=True)
    tampered = re.sub(r"\.(\d)(\d*)\.", lambda m: ".%d%s." % ((int(m.group(1)) + 1) % 10, m.group(2)), cur, count=1)
    for p in [{"q": "脆弱性", "cursor": "garbage"}, {"q": "脆弱性", "cursor": tampered},
              {"q": "脆弱性", "cursor": cur + "0"}, {"q": "ransomware", "cursor": cur},
              {"q": "脆弱性", "exact": "1", "cursor": cur}, {"q": "脆弱性", "sort": "oldest", "cursor": cur},
              {"q": "脆弱性", "section": "脆弱性", "cursor": cur}, {"q": "脆弱性", "cursor": "1.n.1.1.0000000000000000"},
              {"q": "脆弱性", "cursor": "x" * 500},
              {"limit": "0"}, {"limit": "10001"}, {"limit": "abc"}, {"sort": "random"}, {"bom": "2"},
              {"from": "2022-02-30"}, {"q": "x" * 1100}]:
        st, _, b = get(srv, url("/api/search.csv", p))
        check(st == 400 and is_error_shape(b, "bad_request"), "csv %r: %d %r" % ({k: v[:16] for k, v in p.items()}, st, b[:100]))
    st, _, b = get(srv, url("/api/search.csv", {"q": "脆弱性", "limit": 1, "cursor": cur}))
    check(st == 200 and b.count(b"\r\n") == 1 and not b.startswith(b"id,"), "the cursor itself is fine: %d" % st)
    st, _, b = get(srv, url("/api/search.csv", {"limit": 10000}))
    check(st == 200, "limit=10000 is allowed")
    return cur


def test_csv_while_indexing(srv, d, db):
    """Pages keep their snapshot while `kensaku index` adds a file."""
    before = search(srv, sort="newest")
    want = [x["id"] for x in before["hits"]]
    rows, _, cur = csv_pages(srv, {"limit": 4}, first_only=True)
    rows_o, _, cur_o = csv_pages(srv, {"limit": 4, "sort": "oldest"}, first_only=True)
    extra = os.path.join(d, "extra")
    os.makedirs(extra)
    jsonl(os.path.join(extra, "extra.jsonl"), [
        {"issue": 400 + i, "date": date, "section": "その他", "title": "追加された記事 %d エモテット" % i,
         "quote": "added CVE-2023-%05d" % (99990 + i % 2)}
        if date else {"issue": 400 + i, "section": "その他", "title": "追加された記事 %d" % i, "quote": "added"}
        for i, date in enumerate(["2023-01-01", "2022-02-15", "2021-01-01", "2022-03-20", None, "2022-06-05"])])
    cli(A, "index", "--quiet", "--db", db, extra)
    kstest.poll(lambda: search(srv, limit=1)["total"] == len(want) + 6, kstest.patience(60))
    check(search(srv, limit=1)["total"] == len(want) + 6, "the added file is visible")
    # autocomplete counts follow the index (its counts snapshot is rebuilt)
    st, _, b = entities(srv, prefix="emo")
    check(st == 200 and b["entities"][0]["name"] == "Emotet" and b["entities"][0]["count"] == 2 + 5,
          "autocomplete counts the added items: %r" % b)
    st, _, b = entities(srv, prefix="CVE-2023")
    check(st == 200 and [(x["name"], x["count"]) for x in b["entities"]] == [("CVE-2023-99991", 3), ("CVE-2023-99990", 2)],
          "autocomplete lists the added CVE ids, most tagged first: %r" % b)
    st, _, b = get_json(srv, "/api/entities/Emotet")
    check(st == 200 and b["count"] == 7, "entity page count follows the index: %r" % b)
    for first, cursor, sort in [(rows, cur, "newest"), (rows_o, cur_o, "oldest")]:
        got = [r[0] for r in first]
        while cursor:
            st, h, b = get(srv, url("/api/search.csv", {"limit": 4, "sort": sort, "cursor": cursor}))
            check(st == 200, "next page after the index: %d" % st)
            got += [r[0] for r in csv.reader(io.StringIO(b.decode(), newline=""))]
            cursor = h.get("x-next-cursor")
        check(len(got) == len(set(got)) and set(got) == set(want),
              "%s export while indexing: every original match once, nothing added: %r" % (sort, got))
    rows, _, _ = csv_pages(srv, {"limit": 4})
    check(len(rows) == len(want) + 6, "a new export sees the added items")


# ---- errors common to every new endpoint --------------------------------------------------

def test_common(srv):
    for path in ["/api/trend", "/api/entities", "/api/entities/Emotet", "/api/analyze", "/feed.atom",
                 "/api/search.csv"]:
        st, h, b = request(srv, "OPTIONS", path)
        check(st == 204 and h.get("allow") == "GET, HEAD, OPTIONS" and h.get("access-control-allow-origin") == "*",
              "OPTIONS %s: %d %r" % (path, st, h.get("allow")))
        st, h, b = request(srv, "HEAD", path + "?text=x")
        check(st == 200 and b == b"", "HEAD %s: %d" % (path, st))
        st, h, b = request(srv, "DELETE", path)
        check(st == 405 and is_error_shape(b, "method_not_allowed"), "DELETE %s: %d" % (path, st))
        for bad in ["q=%FF", "text=%C0%AF", "prefix=%ED%A0%80", "q=a%00b"]:
            st, _, b = get(srv, path + "?" + bad)
            check(st == 400 and is_error_shape(b, "bad_request"), "%s?%s: %d" % (path, bad, st))
    st, _, b = get(srv, "/api/entities/%FF")
    check(st == 400 and is_error_shape(b, "bad_request"), "invalid UTF-8 entity name: %d" % st)
    resp = raw(srv, b"GET /api/trend?q=\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(status_of(resp) == 400, "raw invalid UTF-8 in a trend query")


def test_deadline(d):
    """The per-query deadline covers the new endpoints: 503 timeout, never a
    crash or a partial body."""
    src = os.path.join(d, "heavy.jsonl")
    jsonl(src, [{"issue": 1000 + i, "date": "20%02d-%02d-01" % (10 + i % 12, 1 + i % 12), "section": "その他",
                 "title": "heavy 重い記事 ransomware %d" % i, "quote": "heavy quote Emotet CVE-2022-%04d" % (i % 500)}
                for i in range(6000)])
    db = os.path.join(d, "heavy.db")
    cli(A, "reindex", "--quiet", "--db", db, src)
    srv = Server(A, db, ["--quiet"], env=dict(os.environ, KENSAKUD_DEADLINE_MS="1"))
    try:
        seen = {}
        for path in ["/api/search.csv?limit=10000", "/api/search.csv?q=heavy&limit=10000&sort=relevance",
                     "/api/trend?q=%E9%87%8D%E3%81%84", "/api/trend?q=heavy", "/feed.atom?q=heavy&limit=100",
                     "/api/entities?prefix="]:
            st, _, b = get(srv, path)
            seen[path] = st
            check(st == 200 or (st == 503 and is_error_shape(b, "timeout")), "deadline %s: %d %r" % (path, st, b[:80]))
        check(seen["/api/search.csv?limit=10000"] == 503, "reading 6000 rows misses a 1 ms deadline: %r" % seen)
        check(get(srv, "/healthz")[0] == 200, "healthz after timeouts")
    finally:
        check(srv.stop() == 0, "exit 0 after timeouts")


def test_csv_page_cap(d):
    """A page also ends once it passes 16 MiB, with a cursor to the rest:
    1000 rows (the default page) of ~19 KB each (quotes under the 20,000
    character item limit) pass it after ~880 rows."""
    src = os.path.join(d, "big.jsonl")
    n = 1000
    jsonl(src, [{"issue": 2000 + i, "date": "20%02d-%02d-%02d" % (10 + i // 336, 1 + i // 28 % 12, 1 + i % 28),
                 "section": "その他", "title": "big item %d" % i,
                 "quote": ("bigquote%d " % (i % 10)) * 1700} for i in range(n)])
    db = os.path.join(d, "big.db")
    cli(A, "index", "--quiet", "--db", db, src)
    srv = Server(A, db, ["--quiet"])
    try:
        ids, cursor, pages, sizes = [], None, 0, []
        while True:
            st, h, b = get(srv, url("/api/search.csv", {"cursor": cursor} if cursor else {}))
            check(st == 200, "big page: %d" % st)
            sizes.append(len(b))
            rows = list(csv.reader(io.StringIO(b.decode(), newline="")))
            ids += [r[0] for r in rows if r[0] != "id"]
            pages += 1
            cursor = h.get("x-next-cursor")
            if not cursor or pages > 5:
                break
        check(pages == 2 and len(ids) == n and len(set(ids)) == n and sizes[0] >= 16 << 20,
              "%d rows of ~19 KB: two pages (16 MiB cap), every row once: %d pages of %r bytes, %d rows" % (
                  n, pages, sizes, len(ids)))
    finally:
        check(srv.stop() == 0, "kensakud exits 0 (big rows)")


def main():
    t0 = time.monotonic()
    d = tmpdir("features")
    arch = os.path.join(d, "archive")
    os.makedirs(arch)
    shutil.copy(os.path.join(DATA, "archive.jsonl"), arch)
    db = os.path.join(d, "k.db")
    cli(A, "index", "--quiet", "--db", db, arch)
    try:
        srv = Server(A, db, ["--quiet"])
    except Exception:
        cleanup(d)
        raise
    try:
        test_terms(srv)
        test_data_files(srv)
        test_facets(srv)
        test_entities(srv)
        test_trend(srv)
        test_analyze(srv)
        test_explain(srv)
        test_common(srv)
        cur = test_csv(srv)
        f = test_feed(srv, d)
        test_reindex_stability(srv, d, arch, db, f, cur)
        test_csv_while_indexing(srv, d, db)
    except BaseException:
        srv.stop()
        cleanup(d)
        raise
    finally:
        rc = srv.stop()
        err = srv.stderr_text()
        check(rc == 0, "kensakud exits 0 (exit %r): %s" % (rc, err[-1500:]))
        check_no_sanitizer_report(srv)
    try:
        test_deadline(d)
        test_csv_page_cap(d)
    finally:
        cleanup(d)  # also when a check raised
    print("took %.1f s" % (time.monotonic() - t0))


run(main)
