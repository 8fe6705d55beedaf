#!/usr/bin/env python3
"""The JSON API of a real kensakud over a real index: every endpoint and
parameter, facets, filters, sorting, paging, every error shape and status,
HEAD/OPTIONS/CORS, invalid UTF-8, absurd parameters, /healthz, /metrics,
concurrent queries."""
import json
import os
import re
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import (Server, args, build_index, check, check_no_sanitizer_report, cleanup, get, get_json, is_error_shape,  # noqa: E402
                    jsonl, raw, request, run, status_of, tmpdir)

A = args()
BASE_ITEMS = 11
BULK = 120  # generated items carrying the word "pagetoken"


def q(params):
    return "/api/search?" + urllib.parse.urlencode(params)


def bulk_items():
    out = []
    for i in range(BULK):
        issue = 200 + i // 10
        out.append({"issue": issue, "date": "2023-%02d-01" % (1 + i // 10 % 12),
                    "section": ["脆弱性", "その他"][i % 2],
                    "title": "pagetoken item %d ページ送り試験 %d" % (i, i),
                    "quote": "bulk quote number %d" % i})
    return out


def test_search_basic(srv):
    st, h, b = get_json(srv, q({"q": "LAPSUS$"}))
    check(st == 200, "search LAPSUS$ status %d" % st)
    check(h.get("content-type") == "application/json; charset=utf-8", "search content-type %r" % h.get("content-type"))
    check(h.get("access-control-allow-origin") == "*", "search lacks CORS header")
    check(b and {"query", "total", "offset", "limit", "took_ms", "hits", "facets"} <= set(b), "search keys %r" % (b and sorted(b)))
    check(b["query"] == "LAPSUS$" and b["total"] == 1 and b["limit"] == 20 and b["offset"] == 0, "search header fields %r" % {k: b[k] for k in ("query", "total", "limit", "offset")})
    hit = b["hits"][0]
    check({"id", "issue", "date", "section", "title", "quote", "title_html", "snippet_html", "url", "score"} <= set(hit), "hit keys %r" % sorted(hit))
    check(hit["id"] == "12-1" and hit["issue"] == 12 and hit["date"] == "2022-01-09", "LAPSUS$ hit %r" % hit["id"])
    check("<mark>" in hit["title_html"], "no <mark> in title_html")
    check(isinstance(hit["score"], (int, float)), "score not a number")
    check(isinstance(b["took_ms"], (int, float)), "took_ms not a number")
    check(b["facets"]["section"] == {"攻撃、脅威": 1} and b["facets"]["year"] == {"2022": 1}, "facets %r" % b["facets"])

    # Japanese substring, full-width, half-width katakana
    for text, want in [("ランサムウェア", {"10-1", "12-3", "12-2"}), ("ＬＡＰＳＵＳ", {"12-1"}),
                       ("ﾗﾝｻﾑｳｪｱ", {"10-1"}), ("CVE-2021-44228", {"11-1"}), ("弱性", {"10-2"})]:
        st, _, b = get_json(srv, q({"q": text}))
        ids = {x["id"] for x in b["hits"]} if b else set()
        check(st == 200 and want & ids, "search %r got %r" % (text, ids))
    # HTML in stored text comes back escaped in *_html, raw in title
    st, _, b = get_json(srv, q({"q": "script"}))
    hit = b["hits"][0]
    check("<script>" in hit["title"], "title is not plain text")
    check("<script>" not in hit["title_html"] and "&lt;" in hit["title_html"], "title_html not escaped: %r" % hit["title_html"])
    check("<b>" not in hit["snippet_html"], "snippet_html not escaped")
    # stray syntax is a valid query
    for text in ['NEAR( "', '"', "AND", "*", ":", "C++", "OR OR", "-", "a\"b", "((", "title:x", "^x"]:
        st, _, b = get_json(srv, q({"q": text}))
        check(st == 200 and b is not None and "hits" in b, "query %r status %d" % (text, st))
    # exclusion and OR
    st, _, b = get_json(srv, q({"q": "ランサムウェア -QNAP"}))
    ids = {x["id"] for x in b["hits"]}
    check("12-2" not in ids and "10-1" in ids, "exclusion: %r" % ids)
    st, _, b = get_json(srv, q({"q": "Emotet OR Confluence"}))
    ids = {x["id"] for x in b["hits"]}
    check({"11-2", "13-1"} <= ids, "OR: %r" % ids)


def test_browse_filters_sort_paging(srv):
    total_all = BASE_ITEMS + BULK
    st, _, b = get_json(srv, "/api/search")
    check(st == 200 and b["total"] == total_all, "browse total %r" % (b and b["total"]))
    st, _, b = get_json(srv, "/api/search?q=")
    check(st == 200 and b["total"] == total_all, "empty q browses")

    # section filter; the section facet ignores the section filter
    st, _, b = get_json(srv, q({"q": "脆弱性", "section": "脆弱性"}))
    check(st == 200 and b["hits"] and all(x["section"] == "脆弱性" for x in b["hits"]), "section filter")
    st, _, b = get_json(srv, q({"section": "事件、事故"}))
    check(st == 200 and b["total"] == 2, "section browse total %r" % b["total"])
    check(b["facets"]["section"].get("脆弱性", 0) > 0, "section facet ignores the filter: %r" % b["facets"]["section"])
    st, _, b = get_json(srv, q({"section": "存在しない"}))
    check(st == 200 and b["total"] == 0 and b["hits"] == [], "unknown section: no hits")

    # date filters
    st, _, b = get_json(srv, q({"from": "2022-01-01", "to": "2022-12-31"}))
    check(st == 200 and b["total"] == 5, "from/to 2022 total %r" % b["total"])
    check(all("2022-01-01" <= x["date"] <= "2022-12-31" for x in b["hits"]), "from/to dates")
    check(b["facets"]["year"] == {"2022": 5}, "year facet with filter %r" % b["facets"]["year"])
    st, _, b = get_json(srv, q({"to": "2021-03-07"}))
    check(st == 200 and b["total"] == 3, "to inclusive total %r" % b["total"])
    st, _, b = get_json(srv, q({"from": "2021-12-12", "to": "2021-12-12"}))
    check(st == 200 and b["total"] == 3, "single day total %r" % b["total"])

    # sorting
    st, _, b = get_json(srv, q({"q": "脆弱性", "sort": "newest", "limit": 100}))
    dates = [x["date"] for x in b["hits"]]
    check(st == 200 and dates == sorted(dates, reverse=True) and len(dates) >= 3, "sort=newest %r" % dates)
    st, _, b = get_json(srv, q({"q": "脆弱性", "sort": "oldest", "limit": 100}))
    dates = [x["date"] for x in b["hits"]]
    check(st == 200 and dates == sorted(dates), "sort=oldest %r" % dates)
    st, _, b = get_json(srv, q({"q": "脆弱性", "sort": "relevance"}))
    check(st == 200, "sort=relevance")

    # paging through all pagetoken items: disjoint pages, stable total
    seen = []
    for off in range(0, BULK + 40, 40):
        st, _, b = get_json(srv, q({"q": "pagetoken", "limit": 40, "offset": off}))
        check(st == 200 and b["total"] == BULK and b["offset"] == off and b["limit"] == 40, "page offset %d" % off)
        seen += [x["id"] for x in b["hits"]]
    check(len(seen) == BULK and len(set(seen)) == BULK, "paging saw %d ids, %d distinct" % (len(seen), len(set(seen))))
    st, _, b = get_json(srv, q({"q": "pagetoken", "limit": 100}))
    check(st == 200 and len(b["hits"]) == 100, "limit=100 gives 100 hits")
    st, _, b = get_json(srv, q({"q": "pagetoken", "limit": 1}))
    check(st == 200 and len(b["hits"]) == 1, "limit=1")
    st, _, b = get_json(srv, q({"q": "pagetoken", "offset": 100000}))
    check(st == 200 and b["hits"] == [] and b["total"] == BULK, "offset=100000 past the end")
    # duplicate parameters: the first one wins
    st, _, b = get_json(srv, "/api/search?q=pagetoken&limit=3&limit=50&q=LAPSUS")
    check(st == 200 and b["limit"] == 3 and b["query"] == "pagetoken" and len(b["hits"]) == 3, "duplicate params: first wins")
    # unknown parameters are ignored; '+' is a space
    st, _, b = get_json(srv, "/api/search?q=pagetoken+item&_=12345&foo=bar")
    check(st == 200 and b["query"] == "pagetoken item" and b["total"] == BULK, "unknown params ignored / plus as space")
    # the same body as `kensaku search --json`
    r = A.cli_run("search", "--json", "--limit", "5", "LAPSUS$")
    st, _, raw = get(srv, q({"q": "LAPSUS$", "limit": 5}))
    cli_body = json.loads(r.stdout)
    api_body = json.loads(raw)
    cli_body.pop("took_ms", None)
    api_body.pop("took_ms", None)
    check(cli_body == api_body, "kensaku search --json differs from the API body")


def test_bad_params(srv):
    bad = [
        {"limit": "0"}, {"limit": "101"}, {"limit": "-1"}, {"limit": "abc"}, {"limit": "1.5"},
        {"limit": "1e3"}, {"limit": " 5"}, {"limit": "5 "}, {"limit": "+5"}, {"limit": "0x10"},
        {"limit": "99999999999999999999"}, {"limit": "2147483648"}, {"limit": "-2147483649"},
        {"offset": "-1"}, {"offset": "100001"}, {"offset": "1e9"}, {"offset": "x"},
        {"offset": "9223372036854775808"},
        {"sort": "bogus"}, {"sort": "NEWEST "}, {"sort": "relevance;drop"},
        {"from": "2021-13-01"}, {"from": "2021-02-30"}, {"from": "20210101"}, {"to": "yesterday"},
        {"to": "2021-1-1"}, {"from": "2021-01-01T00:00:00"}, {"from": "0000-00-00"},
        {"q": "x" * 1100}, {"q": "ア" * 400},
    ]
    for p in bad:
        st, h, b = get(srv, q(dict({"q": "x"}, **p) if "q" not in p else p))
        check(st == 400 and is_error_shape(b, "bad_request"), "bad %r: status %d body %r" % (
            {k: v[:20] for k, v in p.items()}, st, b[:120]))
        check(h.get("content-type") == "application/json; charset=utf-8", "error content-type")
        check(h.get("access-control-allow-origin") == "*", "error lacks CORS")
    # the largest valid values
    st, _, b = get_json(srv, q({"q": "x" * 1000, "limit": 100, "offset": 100000}))
    check(st == 200, "q of 1000 bytes, limit 100, offset 100000: %d" % st)


def test_invalid_bytes(srv):
    for path in ["/api/search?q=%FF", "/api/search?q=%C0%AF", "/api/search?q=%ED%A0%80",
                 "/api/search?q=%F4%90%80%80", "/api/search?q=abc%E3%81", "/api/search?section=%FE",
                 "/api/search?q=a%00b", "/api/search?%FF=1", "/api/search?q=x&from=%00",
                 "/api/items/%FF", "/api/issues/%C3", "/api/search%00", "/healthz%00x"]:
        st, _, b = get(srv, path)
        check(st == 400 and is_error_shape(b, "bad_request"), "%s: status %d %r" % (path, st, b[:100]))
    # raw (unencoded) high bytes in the request line
    for target in [b"/api/search?q=\xff\xfe", b"/\xff\xfe.html", b"/api/items/\xc0\xaf"]:
        resp = raw(srv, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(status_of(resp) == 400, "raw invalid UTF-8 in %r: %r" % (target, resp[:60]))
    # valid UTF-8 of every width passes
    st, _, b = get_json(srv, q({"q": "é ア 𠮷 x"}))
    check(st == 200, "valid multi-byte UTF-8: %d" % st)


def test_items_issues(srv):
    st, h, b = get_json(srv, "/api/items/12-1")
    check(st == 200 and b["id"] == "12-1" and b["title"].startswith("攻撃者グループ LAPSUS$"), "item 12-1")
    check(b and {"id", "issue", "date", "section", "title", "quote", "url"} <= set(b), "item keys %r" % (b and sorted(b)))
    check(h.get("access-control-allow-origin") == "*", "item lacks CORS")
    st, _, b = get_json(srv, "/api/items/10-1")
    check(st == 200 and b["url"] == "https://example.org/news/hospital", "item url")
    for path in ["/api/items/999-1", "/api/items/12-99", "/api/items/", "/api/items/abc",
                 "/api/items/12-1/x", "/api/items/" + "9" * 60, "/api/items/..%2f..%2fetc",
                 "/api/items/12-1'--", "/api/items/%20"]:
        st, _, b = get(srv, path)
        check(st == 404 and is_error_shape(b, "not_found"), "%s: %d %r" % (path, st, b[:100]))

    st, _, b = get_json(srv, "/api/issues/11")
    check(st == 200 and b["issue"] == 11 and b["date"] == "2021-12-12", "issue 11 header")
    ids = [x["id"] for x in b["items"]]
    check(ids == ["11-1", "11-2", "11-3"], "issue 11 items in order %r" % ids)
    st, _, b = get_json(srv, "/api/issues/0011")
    check(st == 200 and b["issue"] == 11, "issue with leading zeros")
    for path, want in [("/api/issues/abc", 400), ("/api/issues/-1", 400), ("/api/issues/1.5", 400),
                       ("/api/issues/11x", 400), ("/api/issues/%2011", 400),
                       ("/api/issues/99999", 404), ("/api/issues/0", 404),
                       ("/api/issues/" + "9" * 40, 404), ("/api/issues/", 404),
                       ("/api/issues/11/items", 404)]:
        st, _, b = get(srv, path)
        check(st == want and is_error_shape(b), "%s: %d (want %d) %r" % (path, st, want, b[:100]))
    for path in ["/api", "/api/", "/api/nothing", "/api/search/", "/api/searchx", "/api/items"]:
        st, h, b = get(srv, path)
        check(st == 404 and is_error_shape(b, "not_found") and h.get("access-control-allow-origin") == "*",
              "%s: %d" % (path, st))


def test_methods(srv):
    for path in ["/api/search?q=x", "/healthz", "/api/items/12-1", "/api/issues/11", "/metrics"]:
        st, h, b = request(srv, "HEAD", path)
        check(st == 200 and b == b"", "HEAD %s: %d, %d body bytes" % (path, st, len(b)))
        st2, h2, b2 = get(srv, path)
        if path not in ("/metrics", "/api/search?q=x"):  # took_ms varies in length
            check(h.get("content-length") == h2.get("content-length"), "HEAD %s content-length %r vs GET %r" % (
                path, h.get("content-length"), h2.get("content-length")))
        st, h, b = request(srv, "OPTIONS", path)
        check(st == 204 and "GET" in h.get("allow", "") and "HEAD" in h.get("allow", ""), "OPTIONS %s: %d allow %r" % (path, st, h.get("allow")))
        if path != "/metrics":
            check(h.get("access-control-allow-origin") == "*" and "GET" in h.get("access-control-allow-methods", ""),
                  "OPTIONS %s CORS headers %r" % (path, h))
    for m in ["POST", "PUT", "DELETE", "PATCH", "TRACE", "BREW", "PROPFIND"]:
        for path in ["/api/search?q=x", "/", "/healthz"]:
            st, h, b = request(srv, m, path, body=b"x=1" if m in ("POST", "PUT") else None)
            check(st == 405 and "GET" in h.get("allow", "") and is_error_shape(b, "method_not_allowed"),
                  "%s %s: %d %r" % (m, path, st, b[:80]))
    st, _, b = request(srv, "HEAD", "/api/search?limit=0")
    check(st == 400 and b == b"", "HEAD with a bad parameter: %d" % st)


def test_health_metrics(srv):
    st, h, b = get_json(srv, "/healthz")
    check(st == 200 and b["status"] == "ok" and b["items"] == BASE_ITEMS + BULK, "healthz %r" % b)
    check(h.get("access-control-allow-origin") == "*", "healthz lacks CORS")
    # some traffic for the counters
    get(srv, q({"q": "LAPSUS$"}))
    get(srv, q({"limit": "0"}))
    st, h, raw = get(srv, "/metrics")
    text = raw.decode()
    check(st == 200 and h.get("content-type", "").startswith("text/plain"), "metrics content-type %r" % h.get("content-type"))
    sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})? [-+0-9.eEInfa]+$')
    for line in text.splitlines():
        if line.startswith("#"):
            check(re.match(r"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$", line) is not None, "metrics comment %r" % line)
        else:
            check(sample.match(line) is not None, "metrics line %r" % line)
    for name, kind in [("kensaku_requests_total", "counter"), ("kensaku_request_duration_seconds", "histogram"),
                       ("kensaku_items", "gauge"), ("kensaku_index_generation", "gauge")]:
        check("# TYPE %s %s" % (name, kind) in text, "no TYPE line for %s" % name)
        check("# HELP %s " % name in text, "no HELP line for %s" % name)
    m = re.search(r'^kensaku_requests_total\{route="search",status="200"\} (\d+)$', text, re.M)
    check(m and int(m.group(1)) >= 1, "search 200 counter")
    m = re.search(r'^kensaku_requests_total\{route="search",status="400"\} (\d+)$', text, re.M)
    check(m and int(m.group(1)) >= 1, "search 400 counter")
    m = re.search(r"^kensaku_items (\d+)$", text, re.M)
    check(m and int(m.group(1)) == BASE_ITEMS + BULK, "kensaku_items")
    check(re.search(r"^kensaku_index_generation \d+$", text, re.M) is not None, "kensaku_index_generation")
    buckets = [(le, int(v)) for le, v in re.findall(
        r'^kensaku_request_duration_seconds_bucket\{route="search",le="([^"]+)"\} (\d+)$', text, re.M)]
    counts = [v for _, v in buckets]
    check(len(buckets) >= 5 and buckets[-1][0] == "+Inf" and counts == sorted(counts), "histogram buckets %r" % buckets)
    m = re.search(r'^kensaku_request_duration_seconds_count\{route="search"\} (\d+)$', text, re.M)
    check(m and counts and int(m.group(1)) == counts[-1], "histogram _count equals +Inf bucket")
    check(re.search(r'^kensaku_request_duration_seconds_sum\{route="search"\} [0-9.]+$', text, re.M) is not None, "histogram _sum")
    # every route is counted under its own label
    routes = {"csv": "/api/search.csv?q=x", "trend": "/api/trend?q=x", "entities": "/api/entities?prefix=e",
              "entity": "/api/entities/Emotet", "analyze": "/api/analyze?text=x", "feed": "/feed.atom?q=x",
              "items": "/api/items/12-1", "issues": "/api/issues/11", "static": "/"}
    for label, path in routes.items():
        get(srv, path)
    text = get(srv, "/metrics")[2].decode()
    for label, path in routes.items():
        m = re.search(r'^kensaku_requests_total\{route="%s",status="\d+"\} (\d+)$' % label, text, re.M)
        check(m and int(m.group(1)) >= 1, "%s is counted under route=%s" % (path, label))


def test_concurrent(srv):
    errors = []
    queries = ["LAPSUS$", "ランサムウェア", "pagetoken", "脆弱性", "", "Emotet OR Log4j", "\"Log4j\""]
    expect = {}
    for text in queries:
        expect[text] = get_json(srv, q({"q": text}))[2]["total"]

    def worker(n):
        for i in range(40):
            text = queries[(n + i) % len(queries)]
            try:
                st, _, b = get_json(srv, q({"q": text}))
                if st != 200 or b["total"] != expect[text]:
                    errors.append((text, st))
            except Exception as e:  # noqa: BLE001
                errors.append((text, repr(e)))
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, "concurrent queries: %d errors, first %r" % (len(errors), errors[:3]))


def main():
    d = tmpdir("api")
    db = os.path.join(d, "k.db")
    bulk = os.path.join(d, "bulk.jsonl")
    jsonl(bulk, bulk_items())
    build_index(A, db, [os.path.join(A.data, "base.jsonl"), bulk])
    A.cli_run = lambda *argv: __import__("subprocess").run([A.cli, *argv[:1], "--db", db, *argv[1:]], capture_output=True)
    srv = Server(A, db, ["--threads", "4", "--web", d], patient=True)
    try:
        test_search_basic(srv)
        test_browse_filters_sort_paging(srv)
        test_bad_params(srv)
        test_invalid_bytes(srv)
        test_items_issues(srv)
        test_methods(srv)
        test_health_metrics(srv)
        test_concurrent(srv)
        st, _, b = get_json(srv, "/healthz")
        check(st == 200, "server alive at the end")
    finally:
        rc = srv.stop()
        check(rc == 0, "kensakud exit status %r after SIGTERM" % rc)
        check_no_sanitizer_report(srv)
        errs = srv.stderr_text()
        check(re.search(r"^GET /api/search 200 [0-9.]+ms hits=\d+$", errs, re.M) is not None, "request log line format")
    cleanup(d)


run(main)
