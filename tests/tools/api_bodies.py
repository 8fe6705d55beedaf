#!/usr/bin/env python3
"""tests/tools/api_bodies.py - a refactor's guard (not a ctest): records
kensakud's response bodies for a fixed list of ~690 requests (every route,
sorts, filters, CSV pages, feeds, items, issues, errors) so two builds can be
compared byte for byte on the same index file:

  kensaku index --db /tmp/g.db sample
  python3 tests/tools/api_bodies.py --bin OLD/bin --db /tmp/g.db --out /tmp/before
  python3 tests/tools/api_bodies.py --bin NEW/bin --db /tmp/g.db --out /tmp/after
  diff -r /tmp/before /tmp/after

took_ms is zeroed and the server's origin replaced by BASE; everything else
must be identical (the re-layout of issue 11 was checked this way)."""
import argparse, json, os, re, subprocess, sys, urllib.request, urllib.parse, select

Q = ["ランサムウェア", "LAPSUS$", "C++", "ransomware", "Emotet", "脆弱性", "CVE-2021-44228",
     "\"remote code\"", "ran*", "h*", "-ランサムウェア", "Microsoft OR Apple", "攻撃 -米国",
     "ｌａｐｓｕｓ", "ﾗﾝｻﾑｳｪｱ", "京都", "情報", "a", "の", "NEAR(", "\"", "*", ":", "AND",
     "site:example.com", "zzzznothing", "ログ", "Log4j", "exchange server", "北朝鮮"]
PARAMS = [{}, {"sort": "newest"}, {"sort": "oldest"}, {"limit": "100"}, {"offset": "3", "limit": "5"},
          {"exact": "1"}, {"explain": "1"}, {"from": "2021-01-01", "to": "2022-12-31"}]

def urls():
    out = []
    for q in Q:
        for p in PARAMS:
            d = dict(p); d["q"] = q
            out.append("/api/search?" + urllib.parse.urlencode(d))
        out.append("/api/trend?" + urllib.parse.urlencode({"q": q}))
        out.append("/api/analyze?" + urllib.parse.urlencode({"text": q, "mode": "query"}))
        out.append("/api/search.csv?" + urllib.parse.urlencode({"q": q, "limit": "7"}))
        out.append("/feed.atom?" + urllib.parse.urlencode({"q": q}))
    out += ["/api/search", "/api/search?section=%E8%84%86%E5%BC%B1%E6%80%A7", "/api/entities",
            "/api/entities?prefix=%E3%82%A8", "/api/entities/Emotet", "/api/entities/LAPSUS%24",
            "/api/trend?q=&interval=year", "/api/search?limit=0", "/api/search?limit=abc",
            "/api/search?q=%FF", "/api/items/nope", "/healthz", "/feed.atom"]
    for n in range(1, 80):
        out.append("/api/issues/%d" % n)
        for k in range(1, 4):
            out.append("/api/items/%d-%d" % (n, k))
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True); ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    p = subprocess.Popen([os.path.join(a.bin, "kensakud"), "--db", a.db, "--listen", "127.0.0.1:0",
                          "--cache-mb", "0", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    base = p.stdout.readline().decode().strip().split()[-1]
    try:
        for i, u in enumerate(urls()):
            try:
                r = urllib.request.urlopen(base + u, timeout=60)
                st, body, ct = r.status, r.read(), r.headers.get("content-type", "")
            except urllib.error.HTTPError as e:
                st, body, ct = e.code, e.read(), e.headers.get("content-type", "")
            body = re.sub(rb'"took_ms": ?[0-9.e+-]+', b'"took_ms":0', body)
            body = body.replace(base.encode(), b"BASE")
            with open(os.path.join(a.out, "%04d" % i), "wb") as f:
                f.write(("%s\n%d %s\n" % (u, st, ct)).encode() + body)
    finally:
        p.terminate(); p.wait()

main()
