#!/usr/bin/env python3
"""Issue 10, point 3 against a real kensakud: the work a query can ask for
is bounded (include/kensaku/query.h). The most expensive requests we could
craft (a storm of one-character prefixes, many prefixes, many terms, terms
whose spellings fan out, a huge phrase) are sent to every endpoint that
runs a query; the test asserts structural facts of what runs, never a
time: the FTS5 expression (explain=1, /api/analyze) has at most
KS_QUERY_PREFIXES_MAX prefix terms and KS_QUERY_PHRASES_MAX phrases, and
the body's "notices" says which stars were dropped and what was left out.
Ordinary queries are unchanged and carry no notices."""
import json
import os
import random
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import (Server, args, check, check_no_sanitizer_report, cleanup, cli, get, get_json, jsonl, run,  # noqa: E402
                    tmpdir)

A = args()

TERMS_MAX, PHRASES_MAX, PREFIXES_MAX, PREFIX_MIN, PHRASE_TOKENS_MAX = 16, 16, 4, 3, 32

# the issue's request: 32 one-character prefixes
STORM = " OR ".join(c + "*" for c in "82hsaectpmirdnolbfgwuvkyjxzq1345")
WORDS = ("security secure section second control contain conti protocol process protect "
         "attack attacker attach ransom random range vulnerable vulnerability microsoft "
         "exchange server phishing malware patch update chrome windows linux kernel").split()
EXPANDING = ["ransomware", "phishing", "malware", "microsoft", "vulnerability", "lapsus$",
             "qnap", "google"]


def url(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


def phrases(fts):
    """The quoted phrases of an FTS5 expression made by the translator."""
    return re.findall(r'"(?:[^"]|"")*"', fts or "")


def n_prefixes(fts):
    return len(re.findall(r'"(?:[^"]|"")*" \*', fts or ""))


def corpus(d):
    rnd = random.Random(10)
    items = []
    for i in range(400):
        words = rnd.sample(WORDS, 6)
        issue = 1 + i // 20
        items.append({"issue": issue, "date": "2022-%02d-%02d" % (1 + issue % 12, 1 + issue % 28),
                      "section": rnd.choice(["脆弱性", "攻撃、脅威"]),
                      "title": " ".join(words[:3]) + " ランサムウェア" * (i % 2),
                      "quote": " ".join(words[3:]) + " the of and to in a is"})
    path = os.path.join(d, "cost.jsonl")
    jsonl(path, items)
    db = os.path.join(d, "cost.db")
    cli(A, "index", "--quiet", "--db", db, path)
    return db


def search(srv, q, **params):
    params.update(q=q, explain=1)
    st, _, b = get_json(srv, url("/api/search", **params))
    check(st == 200 and isinstance(b, dict), "search %r %r: 200 (got %r)" % (q[:40], params, st))
    return b if isinstance(b, dict) else {}


def codes(body):
    return [n.get("code") for n in body.get("notices", [])]


def test_storm(srv):
    """32 one-character prefixes: no prefix runs, every endpoint answers."""
    for sort in ["relevance", "newest", "oldest"]:
        for extra in [{}, {"offset": 100000}, {"section": "脆弱性", "from": "2022-01-01"}]:
            b = search(srv, STORM, limit=100, sort=sort, **extra)
            fts = b.get("fts")
            check(n_prefixes(fts) == 0, "storm %s %r: no prefix term left: %r" % (sort, extra, fts))
            check(len(phrases(fts)) <= PHRASES_MAX, "storm: at most %d phrases: %r" % (
                PHRASES_MAX, fts))
    b = search(srv, STORM)
    c = codes(b)
    check(c.count("prefix_short") == TERMS_MAX and c.count("terms") == 1,
          "storm: a notice per dropped star and one for the ignored terms: %r" % c)
    first = b.get("notices", [{}])[0]
    check(first.get("term") == "8*" and first.get("searched") == "8" and
          "at least %d characters" % PREFIX_MIN in first.get("message", ""),
          "storm: the notice names the term and what was searched: %r" % first)
    ignored = [n for n in b.get("notices", []) if n.get("code") == "terms"]
    check(ignored and ignored[0].get("searched") is None,
          "ignored terms: searched null: %r" % ignored)
    # the other endpoints that run a query
    st, _, t = get_json(srv, url("/api/trend", q=STORM))
    check(st == 200 and "prefix_short" in codes(t or {}), "trend storm: notices %r" % (t or {}).get(
        "notices"))
    st, _, a = get_json(srv, url("/api/analyze", text=STORM, mode="query"))
    check(st == 200 and n_prefixes((a or {}).get("query")) == 0, "analyze storm: no prefix: %r" % (
        (a or {}).get("query")))
    check("prefix_short" in codes(a or {}), "analyze storm: notices %r" % (a or {}).get("notices"))
    r = cli(A, "search", "--db", srv.argv[2], STORM)
    check(b"note: a prefix needs at least 3 characters" in r.stderr,
          "kensaku search prints the notices on stderr: %r" % r.stderr[:200])
    for path in [url("/api/search.csv", q=STORM, limit=10000),
                 url("/feed.atom", q=STORM, limit=100),
                 url("/api/trend", q=STORM, interval="year")]:
        st, _, _ = get(srv, path)
        check(st == 200, "%s: 200 (got %r)" % (path[:40], st))


def test_prefixes(srv):
    """Prefixes of three characters: the first four run as prefixes."""
    q = " OR ".join(["sec*", "con*", "pro*", "att*", "ran*", "vul*"])
    b = search(srv, q)
    check(n_prefixes(b.get("fts")) == PREFIXES_MAX, "4 prefixes: %r" % b.get("fts"))
    n = [x for x in b.get("notices", []) if x.get("code") == "prefixes"]
    check([(x.get("term"), x.get("searched")) for x in n] == [("ran*", "ran"), ("vul*", "vul")],
          "the 5th and 6th prefixes are searched as terms: %r" % n)
    b = search(srv, "sec* con* pro* att*")
    check(n_prefixes(b.get("fts")) == 4 and "notices" not in b, "4 prefixes: no notice: %r" % b)
    # excluded prefixes count too
    b = search(srv, "microsoft -a* -b* -sec* -con* -pro* -att* -ran*")
    check(n_prefixes(b.get("fts")) == PREFIXES_MAX, "excluded prefixes bounded: %r" % b.get("fts"))


def test_terms(srv):
    q = " ".join("w%d" % i for i in range(40))
    b = search(srv, q)
    check(len(phrases(b.get("fts"))) == TERMS_MAX, "40 terms: 16 searched: %r" % b.get("fts"))
    check(codes(b) == ["terms"] and b["notices"][0].get("term") == "w16",
          "40 terms: one notice from w16 on: %r" % b.get("notices"))


def test_spellings(srv):
    b = search(srv, " OR ".join(EXPANDING))
    check(len(phrases(b.get("fts"))) == PHRASES_MAX, "expansion fan-out capped at %d: %r" % (
        PHRASES_MAX, b.get("fts")))
    check("spellings" in codes(b), "spellings left out are noted: %r" % b.get("notices"))
    # exact=1 does not expand: no notice
    b = search(srv, " OR ".join(EXPANDING), exact=1)
    check(len(phrases(b.get("fts"))) == len(EXPANDING) and "notices" not in b,
          "exact: one phrase per term: %r" % b)


def test_phrase(srv):
    words = ["the", "of", "and", "to", "in"] * 30
    b = search(srv, '"%s"' % " ".join(words))
    ph = phrases(b.get("fts"))
    check(len(ph) == 1 and len(ph[0].strip('"').split()) == PHRASE_TOKENS_MAX,
          "a 150-word phrase is cut to %d words: %r" % (PHRASE_TOKENS_MAX, b.get("fts")))
    check(codes(b) == ["phrase_long"], "phrase cut noted: %r" % b.get("notices"))


def test_ordinary(srv):
    """Ordinary queries run exactly as before, without notices."""
    for q, want in [("ran*", '("ran" *)'), ("security patch", '("security") AND ("patch")'),
                    ('"the of"', '("the of")'), ("ランサムウェア", None)]:
        b = search(srv, q, exact=1)
        check("notices" not in b, "%r: no notices: %r" % (q, b.get("notices")))
        check(want is None or b.get("fts") == want, "%r runs %r: %r" % (q, want, b.get("fts")))
        check(b.get("total", 0) > 0, "%r finds items" % q)
    b = search(srv, "ransomware")
    check(len(phrases(b.get("fts"))) == 3 and "notices" not in b,
          "ransomware expands as before: %r" % b)
    st, _, t = get_json(srv, url("/api/trend", q="ran*"))
    check(st == 200 and "notices" not in (t or {}), "trend: no notices for ran*")


def main():
    d = tmpdir("cost")
    try:
        db = corpus(d)
        srv = Server(A, db, ["--cache-mb", "0"])
        try:
            test_storm(srv)
            test_prefixes(srv)
            test_terms(srv)
            test_spellings(srv)
            test_phrase(srv)
            test_ordinary(srv)
        finally:
            rc = srv.stop()
            check(rc == 0, "kensakud exits 0 (exit %r)" % rc)
            check_no_sanitizer_report(srv)
    finally:
        cleanup(d)


run(main)
