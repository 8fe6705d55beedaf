#!/usr/bin/env python3
"""rank_judged.py - the judged ranking set of issue 12: nDCG@10 and P@10 per
query class for kensaku, Groonga TokenBigram and Groonga TokenMecab, in one
run on the same items, with judgments from a tool that is not kensaku (MeCab).

usage: rank_judged.py [--size small|medium] [--seed N] [--query-seed N]
                      [--per-class N] [--queries FILE] [--out DIR]
                      [--bin DIR] [--bin-b DIR] [--engines LIST]
                      [--skip-recall] [--jobs N]

Items: the bench corpus (gen_corpus.py, issue numbers + 1000 so they never
meet the sample's) loaded from JSON Lines, plus the sample archive (sample/,
as `kensaku index` splits it). Every engine gets the same items, same ids.

Judge: MeCab (`mecab -Owakati`, run once over every title and quote, cached)
gives word boundaries of the NFKC-casefolded text. An occurrence of the
(NFKC-casefolded) query is aligned when it starts and ends on MeCab token
boundaries; for a query of Latin letters/digits, when no letter or digit
stands right before or after it. Grade: 3 aligned in the title, 2 aligned in
the quote only, 1 only inside longer words, 0 absent; +1 with 2 or more
aligned mentions in title+quote. bilingual: the best grade over the spellings
of the query's terms.tsv group, a match only through another spelling getting
that grade - 1 (minimum 1).

Classes (drawn by --query-seed from the items, --per-class each, default 40
for medium and 15 for small; queries with fewer than 3 relevant items, grade
>= 2, are skipped): ja2, ja3-4 (Japanese MeCab words of 2 / 3-4 kanji or
katakana, no hiragana, that also occur inside longer words in 2+ items), en (English words, half of them with
longer forms such as -s/-ed/-er in the items), bilingual (terms.tsv spellings
whose group has another spelling in the items). --queries FILE adds
`class<TAB>query` lines (class bilingual: judged by group).

Engines (--engines, comma-separated, default all): kensaku (the CLI of --bin,
default build-rankbench/bin: `search --json --limit 10`, default relevance
sort; its own index in OUT), kensaku-b (--bin-b, column "kensaku B"),
groonga-bigram, groonga-mecab. Also, for kensaku, recall and precision of
`search --exact` (every match, no expansion) against the substring
ground truth (items whose NFKC-casefolded text holds every query term;
Japanese terms as substrings, others as whole words), unless --skip-recall:
every match of `search --json --exact`, paged 100 at a time.

Writes OUT/rank-results.md (printed), OUT/rank-results.json and
OUT/rank-per-query.json (every engine's top 10 with grades, per query).
OUT (default build-rankbench/rank-SIZE) caches the corpus, MeCab's output,
the judgments, the Groonga databases and results, and kensaku's index (kept
while the kensaku binary and the items are unchanged): a rerun after a
ranking change only re-indexes and re-queries kensaku.
"""
import argparse
import bisect
import concurrent.futures
import hashlib
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import rank_groonga as RG  # noqa: E402

# Bump when the items, the judge or the drawing of queries change: it keys the caches in OUT.
JUDGE_VERSION = "rank-judge-1"
CLASSES = ["ja2", "ja3-4", "en", "bilingual"]
ENGINES = ["kensaku", "kensaku-b", "groonga-bigram", "groonga-mecab"]
LABELS = {"kensaku": "kensaku", "kensaku-b": "kensaku B", **RG.LABELS}
ISSUE_OFFSET = 1000  # bench corpus issue N is issue N + 1000 (the sample's are < 1000)

CJK_CH = "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005"
CJK_ANY = re.compile("[%s]" % CJK_CH)
CJK_WORD = re.compile("^[%s]+$" % CJK_CH)
HIRAGANA = re.compile("[\u3041-\u309f]")  # okurigana, particles: 受け, 示す, です are not query words
WORDCH = re.compile(r"[0-9a-z_\u00c0-\u024f]")  # a letter or digit of Latin text
EN_WORD = re.compile(r"(?<![0-9a-z_\u00c0-\u024f])[a-z]{3,}(?![0-9a-z_\u00c0-\u024f])")
CTRL = re.compile("[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029]")
STOP = set("the and for with that this was were are has have had from its their been which "
           "into than then them they those these also such not but can could should would "
           "may will all any one two our out who whose what when where how more most some "
           "other only very over after before about being both each few his her him she "
           "you your yes via per".split())


def log(*a):
    print("[rank]", *a, file=sys.stderr, flush=True)


def norm(s):
    return unicodedata.normalize("NFKC", s or "").casefold()


def sha(data):
    return hashlib.sha1(data if isinstance(data, bytes) else data.encode()).hexdigest()


def file_sha(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for blk in iter(lambda: f.read(1 << 20), b""):
            h.update(blk)
    return h.hexdigest()


def read_stamp(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def write_stamp(path, stamp):
    with open(path, "w") as f:
        f.write(stamp + "\n")


# ---- items ------------------------------------------------------------------

def sample_items(kensaku, work):
    """The sample archive as `kensaku index` splits it (read from a sample-only
    index): [{id, issue, position, title, quote}]."""
    db = os.path.join(work, "sample.db")
    for f in os.listdir(work):
        if f.startswith("sample.db"):
            os.remove(os.path.join(work, f))
    p = subprocess.run([kensaku, "reindex", "--db", db, "--quiet", os.path.join(ROOT, "sample", "issues"),
                        os.path.join(ROOT, "sample", "jsonl")], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        raise SystemExit("kensaku reindex of sample/ failed: " + p.stderr.decode()[-1000:])
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("SELECT issue, position, title, quote FROM items ORDER BY issue, position").fetchall()
    con.close()
    return [{"id": "%d-%d" % (i, pos), "issue": i, "position": pos, "title": t, "quote": q, "src": "sample"}
            for i, pos, t, q in rows]


def prepare_items(a):
    """Generates (or reuses) the corpus; returns (items, stamp)."""
    cdir = os.path.join(a.out, "corpus")
    gen = os.path.join(HERE, "gen_corpus.py")
    sample_sum = sha("".join(file_sha(os.path.join(d, f))
                             for sub in ("issues", "jsonl")
                             for d in [os.path.join(ROOT, "sample", sub)]
                             for f in sorted(os.listdir(d))))
    stamp = sha("%s %s %s %s %s" % (a.size, a.seed, file_sha(gen), sample_sum, JUDGE_VERSION))
    items_path = os.path.join(a.out, "items.jsonl")
    kin = os.path.join(a.out, "kensaku-input")
    if read_stamp(os.path.join(a.out, "items.stamp")) == stamp and os.path.exists(items_path):
        log("reusing the items in", items_path)
        with open(items_path, encoding="utf-8") as f:
            return [json.loads(x) for x in f], stamp
    log("generating the %s corpus (seed %d)" % (a.size, a.seed))
    shutil.rmtree(cdir, ignore_errors=True)
    subprocess.run([sys.executable, gen, "--size", a.size, "--seed", str(a.seed), "--out", cdir],
                   check=True, stdout=subprocess.DEVNULL, timeout=3600)
    os.makedirs(kin, exist_ok=True)
    items = []
    with open(os.path.join(cdir, "items.jsonl"), encoding="utf-8") as f, \
            open(os.path.join(kin, "corpus.jsonl"), "w", encoding="utf-8") as out:
        for line in f:
            o = json.loads(line)
            issue = o["issue"] + ISSUE_OFFSET
            out.write(json.dumps({"issue": issue, "date": o["date"], "section": o["section"],
                                  "title": o["title"], "quote": o["quote"]}, ensure_ascii=False) + "\n")
            items.append({"id": "%d-%d" % (issue, o["position"]), "issue": issue, "position": o["position"],
                          "title": o["title"], "quote": o["quote"], "src": "corpus"})
    shutil.rmtree(os.path.join(cdir, "issues"), ignore_errors=True)  # the JSONL is what is indexed
    sample = sample_items(os.path.join(a.bin, "kensaku"), a.out)
    if any(it["issue"] >= ISSUE_OFFSET for it in sample):
        raise SystemExit("a sample issue number is >= %d: raise ISSUE_OFFSET" % ISSUE_OFFSET)
    items += sample
    with open(items_path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    write_stamp(os.path.join(a.out, "items.stamp"), stamp)
    return items, stamp


def kensaku_paths(a):
    return [os.path.join(a.out, "kensaku-input", "corpus.jsonl"),
            os.path.join(ROOT, "sample", "issues"), os.path.join(ROOT, "sample", "jsonl")]


# ---- the judge ----------------------------------------------------------------

class Judge:
    """Every item's NFKC-casefolded title + "\\n" + quote, items joined by
    "\\n" into one string (big); MeCab token boundaries as a bytearray over it."""

    def __init__(self, items, out, items_stamp):
        docs, self.starts, self.tlen = [], [], []
        pos = 0
        for it in items:
            t = CTRL.sub(" ", norm(it["title"]))
            q = CTRL.sub(" ", norm(it["quote"]))
            docs.append(t + "\n" + q)
            self.starts.append(pos)
            self.tlen.append(len(t))
            pos += len(t) + len(q) + 2
        self.big = "\n".join(docs)
        self.ids = [it["id"] for it in items]
        self.bound = bytearray(len(self.big) + 1)
        self.token_df = Counter()  # lines (titles, quote lines) holding the token
        self.token_n = Counter()  # occurrences of the token
        self._mecab(out, items_stamp)

    def _mecab(self, out, items_stamp):
        path = os.path.join(out, "mecab-wakati.txt")
        if read_stamp(path + ".stamp") != items_stamp or not os.path.exists(path):
            log("mecab -Owakati over %d items (%.1f M characters)" % (len(self.ids), len(self.big) / 1e6))
            with open(path, "wb") as fo:
                p = subprocess.run(["mecab", "-Owakati", "-b", "4194304"], input=(self.big + "\n").encode(),
                                   stdout=fo, stderr=subprocess.PIPE, timeout=3600)
            if p.returncode != 0:
                raise SystemExit("mecab failed: " + p.stderr.decode()[-1000:])
            write_stamp(path + ".stamp", items_stamp)
        with open(path, encoding="utf-8") as f:
            outs = f.read().split("\n")
        lines = self.big.split("\n")
        if len(outs) < len(lines):
            raise SystemExit("mecab gave %d lines for %d" % (len(outs), len(lines)))
        b, base, lost = self.bound, 0, 0
        for line, o in zip(lines, outs):
            pos = 0
            seen, toks = set(), []
            for tok in o.split(" "):
                if not tok:
                    continue
                if line.startswith(tok, pos):
                    i = pos
                else:
                    i = line.find(tok, pos)
                    if i < 0:
                        lost += 1
                        continue
                b[base + i] = 1
                pos = i + len(tok)
                b[base + pos] = 1
                seen.add(tok)
                toks.append(tok)
            self.token_df.update(seen)
            self.token_n.update(toks)
            base += len(line) + 1
        if lost:
            log("mecab: %d tokens not found in their line (ignored)" % lost)

    def _item(self, off):
        k = bisect.bisect_right(self.starts, off) - 1
        return k, off - self.starts[k] < self.tlen[k]

    def occurrences(self, term):
        """{item: [aligned in title, aligned in quote, unaligned]} counts."""
        res = {}
        big, b, n = self.big, self.bound, len(term)
        latin = not CJK_ANY.search(term)
        i = big.find(term)
        while i >= 0:
            e = i + n
            if latin:
                al = not (i > 0 and WORDCH.match(big[i - 1])) and not (e < len(big) and WORDCH.match(big[e]))
            else:
                al = b[i] == 1 and b[e] == 1
            k, in_title = self._item(i)
            c = res.setdefault(k, [0, 0, 0])
            c[0 if al and in_title else 1 if al else 2] += 1
            i = big.find(term, e)
        return res

    def grades(self, term):
        g = {}
        for k, (ti, qu, _) in self.occurrences(term).items():
            v = 3 if ti else 2 if qu else 1
            if ti + qu >= 2:
                v += 1
            g[k] = v
        return g

    def group_grades(self, q, spellings):
        g = self.grades(q)
        for s in spellings:
            if s == q:
                continue
            for k, v in self.grades(s).items():
                v = max(1, v - 1)
                if v > g.get(k, 0):
                    g[k] = v
        return g

    def truth(self, q):
        """Items whose text holds every term of q (CJK terms as substrings,
        others as whole words), as make_queries.py."""
        sets = []
        for t in q.split():
            hits = set()
            if CJK_ANY.search(t):
                i = self.big.find(t)
                while i >= 0:
                    k, _ = self._item(i)
                    hits.add(k)
                    nxt = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.big)
                    i = self.big.find(t, nxt)
            else:
                pre = r"(?<![0-9a-z_])" if t[:1].isalnum() else ""
                post = r"(?![0-9a-z_])" if t[-1:].isalnum() else ""
                for m in re.finditer(pre + re.escape(t) + post, self.big):
                    hits.add(self._item(m.start())[0])
            sets.append(hits)
        return set.intersection(*sets) if sets else set()


def term_groups():
    groups = []
    with open(os.path.join(ROOT, "indexer", "data", "terms.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            vs = []
            for v in line.split("\t"):
                v = " ".join(norm(v).split())
                if v and v not in vs:
                    vs.append(v)
            if len(vs) >= 2:
                groups.append(vs)
    return groups


def judge_query(J, cls, q, groups_of):
    q = " ".join(norm(q).split())
    if cls == "bilingual" and q in groups_of:
        g = J.group_grades(q, groups_of[q])
    else:
        g = J.grades(q)
    return q, g


def draw_queries(a, J, groups):
    r = random.Random(a.query_seed)
    n = a.per_class
    groups_of = {s: grp for grp in groups for s in grp}
    out = {c: [] for c in CLASSES}
    taken = set()

    def try_add(cls, q, need_inside=0, need_other=False):
        if (cls, q) in taken:
            return False
        taken.add((cls, q))
        q, g = judge_query(J, cls, q, groups_of)
        rel = sum(1 for v in g.values() if v >= 2)
        if rel < 3:
            return False
        if need_inside:
            occ = J.occurrences(q)
            if sum(1 for c in occ.values() if c[2]) < need_inside:
                return False
        if need_other:
            if not any(J.big.find(s) >= 0 for s in groups_of[q] if s != q):
                return False
        out[cls].append((q, g))
        return True

    # Japanese MeCab words that also occur inside longer words
    for cls, lo, hi in (("ja2", 2, 2), ("ja3-4", 3, 4)):
        cands = sorted(w for w, df in J.token_df.items()
                       if lo <= len(w) <= hi and df >= 3 and CJK_WORD.match(w) and not HIRAGANA.search(w))
        r.shuffle(cands)
        for w in cands:
            if len(out[cls]) >= n:
                break
            # quick necessary condition: 2+ occurrences that are not the token itself
            if J.big.count(w) - J.token_n[w] >= 2:
                try_add(cls, w, need_inside=2)
    # English words; half of them with longer forms in the items
    en = Counter(EN_WORD.findall(J.big))
    vocab = sorted(w for w, c in en.items() if c >= 3 and w not in STOP)
    vset = set(en)
    infl = [w for w in vocab if any(w + s in vset for s in ("s", "es", "ed", "d", "ing", "er", "ers", "ly"))]
    r.shuffle(infl)
    r.shuffle(vocab)
    for w in infl:
        if len(out["en"]) >= n // 2:
            break
        if J.big.count(w) > en[w]:  # some occurrence inside a longer word
            try_add("en", w, need_inside=1)
    for w in vocab:
        if len(out["en"]) >= n:
            break
        try_add("en", w)
    # bilingual: spellings (no spaces) whose group has another spelling present
    spell = sorted(s for grp in groups for s in grp if " " not in s and J.big.find(s) >= 0)
    r.shuffle(spell)
    for s in spell:
        if len(out["bilingual"]) >= n:
            break
        try_add("bilingual", s, need_other=True)
    return out, groups_of


def judgments(a, J_factory, items_stamp):
    """[{qid, class, q, src, grades{id: g}, truth[ids]}], cached in OUT."""
    qfile_text = ""
    if a.queries:
        with open(a.queries, encoding="utf-8") as f:
            qfile_text = f.read()
    terms_sum = file_sha(os.path.join(ROOT, "indexer", "data", "terms.tsv"))
    stamp = sha(json.dumps([items_stamp, a.query_seed, a.per_class, qfile_text, terms_sum, JUDGE_VERSION]))
    path = os.path.join(a.out, "judged.json")
    if read_stamp(path + ".stamp") == stamp and os.path.exists(path):
        log("reusing the judgments in", path)
        with open(path, encoding="utf-8") as f:
            return json.load(f), stamp
    J = J_factory()
    groups = term_groups()
    log("drawing queries (%d per class, seed %d)" % (a.per_class, a.query_seed))
    drawn, groups_of = draw_queries(a, J, groups)
    extra = []
    for line in qfile_text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if "\t" not in line:
            raise SystemExit("--queries: expected class<TAB>query: %r" % line)
        cls, q = line.split("\t", 1)
        qn, g = judge_query(J, cls.strip(), q.strip(), groups_of)
        if sum(1 for v in g.values() if v >= 2) < 3:
            log("--queries: skipped %s %r: fewer than 3 relevant items" % (cls, q))
            continue
        extra.append((cls.strip(), qn, g))
    qs = []
    for cls in CLASSES:
        for q, g in drawn[cls]:
            qs.append((cls, q, g, "drawn"))
    for cls, q, g in extra:
        qs.append((cls, q, g, "file"))
    res = []
    for i, (cls, q, g, src) in enumerate(qs, 1):
        res.append({"qid": i, "class": cls, "q": q, "src": src,
                    "grades": {J.ids[k]: v for k, v in sorted(g.items())},
                    "truth": [J.ids[k] for k in sorted(J.truth(q))]})
    with open(path, "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False)
    write_stamp(path + ".stamp", stamp)
    log("queries: " + ", ".join("%s %d" % (c, sum(1 for x in res if x["class"] == c))
                                for c in classes_of(res)))
    return res, stamp


def classes_of(qs):
    cs = list(CLASSES)
    for x in qs:
        if x["class"] not in cs:
            cs.append(x["class"])
    return [c for c in cs if any(x["class"] == c for x in qs)]


# ---- engines --------------------------------------------------------------------

def groonga_results(a, engine, items, qs, jstamp):
    path = os.path.join(a.out, "%s-results.json" % engine)
    stamp = sha(json.dumps([jstamp, RG.version(), file_sha(RG.__file__)]))
    if read_stamp(path + ".stamp") == stamp and os.path.exists(path):
        log("%s: cached results" % engine)
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    t0 = time.monotonic()
    log("%s: building the database" % engine)
    db = RG.build(engine, items, os.path.join(a.out, engine))
    log("%s: built in %.0f s; %d queries" % (engine, time.monotonic() - t0, len(qs)))
    res = RG.top(db, [x["q"] for x in qs], 10)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False)
    write_stamp(path + ".stamp", stamp)
    return res


def kensaku_db(a, label, bin_dir, items_stamp):
    kensaku = os.path.join(bin_dir, "kensaku")
    d = os.path.join(a.out, "kensaku-" + label)
    db = os.path.join(d, "kensaku.db")
    stamp = sha(json.dumps([items_stamp, file_sha(kensaku)]))
    if read_stamp(os.path.join(d, "stamp")) == stamp and os.path.exists(db):
        log("%s: reusing its index (same binary, same items)" % label)
        return db
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    log("%s: kensaku reindex" % label)
    t0 = time.monotonic()
    p = subprocess.run([kensaku, "reindex", "--db", db, "--quiet"] + kensaku_paths(a),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=7200)
    if p.returncode != 0:
        raise SystemExit("%s: kensaku reindex failed: %s" % (label, p.stderr.decode()[-2000:]))
    log("%s: indexed in %.0f s" % (label, time.monotonic() - t0))
    write_stamp(os.path.join(d, "stamp"), stamp)
    return db


def kensaku_json(kensaku, db, q, limit, offset=0, exact=False):
    cmd = [kensaku, "search", "--db", db, "--json", "--limit", str(limit), "--offset", str(offset)]
    cmd += (["--exact"] if exact else []) + [q]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd[1:]), p.stderr.decode()[-500:]))
    return json.loads(p.stdout)


def kensaku_run(kensaku, db, q, exact):
    """The top 10 ids, or (exact) every matching id: `--json --exact` pages of
    100 (the API's exact=1). `--csv --exact` was not used: when measured it
    returned fewer rows than the total for some queries."""
    if not exact:
        return [h["id"] for h in kensaku_json(kensaku, db, q, 10)["hits"]]
    ids, total = [], None
    while total is None or len(ids) < total:
        r = kensaku_json(kensaku, db, q, 100, len(ids), True)
        total = r["total"]
        if not r["hits"]:
            break
        ids += [h["id"] for h in r["hits"]]
    if len(set(ids)) != total:
        log("kensaku: %r: %d distinct ids over the pages, total %d" % (q, len(set(ids)), total))
    return ids


def kensaku_results(a, label, bin_dir, qs, items_stamp):
    db = kensaku_db(a, label, bin_dir, items_stamp)
    kensaku = os.path.join(bin_dir, "kensaku")
    ver = subprocess.run([kensaku, "--version"], stdout=subprocess.PIPE, timeout=20).stdout.decode().strip()
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        top = list(ex.map(lambda x: kensaku_run(kensaku, db, x["q"], False), qs))
        log("%s: %d searches in %.1f s" % (label, len(qs), time.monotonic() - t0))
        allx = None
        if not a.skip_recall:
            t0 = time.monotonic()
            allx = list(ex.map(lambda x: kensaku_run(kensaku, db, x["q"], True), qs))
            log("%s: %d exact searches (every match) in %.1f s" % (label, len(qs), time.monotonic() - t0))
    return {"top": top, "exact": allx, "version": ver, "bin": bin_dir}


# ---- figures --------------------------------------------------------------------

def dcg(gs):
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gs))


def score_query(x, ids):
    g = x["grades"]
    got = [g.get(i, 0) for i in ids[:10]]
    ideal = sorted(g.values(), reverse=True)[:10]
    idcg = dcg(ideal)
    nrel = sum(1 for v in g.values() if v >= 2)
    return {"ndcg": dcg(got) / idcg if idcg else 0.0,
            "p10": sum(1 for v in got if v >= 2) / min(10, nrel) if nrel else 0.0,
            "top": [[i, g.get(i, 0)] for i in ids[:10]]}


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def figures(qs, runs):
    cls_list = classes_of(qs)
    per_query = []
    F = {e: {} for e in runs}
    for qi, x in enumerate(qs):
        row = {"qid": x["qid"], "class": x["class"], "q": x["q"], "src": x["src"],
               "judged": len(x["grades"]), "relevant": sum(1 for v in x["grades"].values() if v >= 2),
               "ideal": sorted(x["grades"].values(), reverse=True)[:10], "truth": len(x["truth"]),
               "engines": {}}
        for e, r in runs.items():
            s = score_query(x, r["top"][qi])
            if r.get("exact") is not None:
                t, h = set(x["truth"]), set(r["exact"][qi])
                tp = len(t & h)
                s["recall"] = tp / len(t) if t else 1.0
                s["precision"] = tp / len(h) if h else 1.0
                s["missed"], s["extra"] = sorted(t - h)[:5], sorted(h - t)[:5]
            row["engines"][e] = s
        per_query.append(row)
    for e in runs:
        for c in cls_list + ["overall"]:
            rows = [p["engines"][e] for p in per_query if c == "overall" or p["class"] == c]
            f = {"n": len(rows), "ndcg": mean([s["ndcg"] for s in rows]), "p10": mean([s["p10"] for s in rows])}
            if rows and "recall" in rows[0]:
                f["recall"] = mean([s["recall"] for s in rows])
                f["precision"] = mean([s["precision"] for s in rows])
                f["exact_all"] = sum(1 for s in rows if s["recall"] == 1 and s["precision"] == 1)
            F[e][c] = f
    return F, per_query, cls_list


def table(F, cls_list, engines, info):
    h = ["## Judged ranking (issue 12): %s" % info["title"], "",
         "| class (queries) | " + " | ".join("%s nDCG@10 | %s P@10" % (LABELS[e], LABELS[e]) for e in engines) + " |",
         "|---|" + "---|---|" * len(engines)]
    for c in cls_list + ["overall"]:
        n = F[engines[0]][c]["n"]
        h.append("| %s (%d) | " % (c, n) + " | ".join("%.3f | %.3f" % (F[e][c]["ndcg"], F[e][c]["p10"])
                                                       for e in engines) + " |")
    rec = [e for e in engines if "recall" in F[e]["overall"]]
    if rec:
        h += ["", "Substring ground truth, `--exact` (every match, no expansion, paged `--json`): recall / precision "
              "(queries with both 1.000)", "",
              "| class | " + " | ".join(LABELS[e] for e in rec) + " |", "|---|" + "---|" * len(rec)]
        for c in cls_list + ["overall"]:
            h.append("| %s | " % c + " | ".join("%.3f / %.3f (%d of %d)" % (
                F[e][c]["recall"], F[e][c]["precision"], F[e][c]["exact_all"], F[e][c]["n"]) for e in rec) + " |")
    h += ["", "- Judge: %s (`mecab -Owakati`, its default dictionary) word boundaries of the NFKC-casefolded text; grades 3 aligned in the title, "
          "2 in the quote only, 1 inside longer words only, +1 for 2+ aligned mentions; bilingual: another "
          "spelling of the terms.tsv group counts 1 less. nDCG@10 with gains 2^g-1 and the ideal from every "
          "judged item; P@10 = top-10 items of grade >= 2 / min(10, relevant items)." % info["mecab"],
          "- Groonga (%s): match_columns title * 10 || quote, NormalizerAuto, quoted literal terms, "
          "-_score, limit 10. kensaku: `kensaku search --json --limit 10` (default relevance sort)."
          % info["groonga"]]
    for e in engines:
        if e.startswith("kensaku"):
            h.append("- %s: %s, %s" % (LABELS[e], info["versions"].get(e, "?"), info["commits"].get(e, "?")))
    return "\n".join(h) + "\n"


def git_commit(bin_dir):
    """The commit of the source tree a build directory was configured from
    (its CMakeCache's source dir), with '+dirty' when it has local changes."""
    src = ROOT
    try:
        with open(os.path.join(os.path.dirname(os.path.abspath(bin_dir)), "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_HOME_DIRECTORY:"):
                    src = line.split("=", 1)[1].strip()
    except OSError:
        pass
    try:
        c = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=20).stdout.decode().strip()
        d = subprocess.run(["git", "-C", src, "status", "--porcelain", "--untracked-files=no"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60).stdout.decode().strip()
        built = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.stat(os.path.join(bin_dir, "kensaku")).st_mtime))
        return "binary built %s; its source tree at commit %s%s when measured" % (
            built, c or "unknown", " + local changes" if d else "")
    except (OSError, subprocess.SubprocessError):
        return "commit unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=["small", "medium"], default="medium")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (gen_corpus.py)")
    ap.add_argument("--query-seed", type=int, default=12)
    ap.add_argument("--per-class", type=int)
    ap.add_argument("--queries", help="extra queries: class<TAB>query a line")
    ap.add_argument("--out")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build-rankbench", "bin"))
    ap.add_argument("--bin-b")
    ap.add_argument("--engines", default="kensaku,kensaku-b,groonga-bigram,groonga-mecab",
                    help="comma-separated subset of " + ",".join(ENGINES) + " (kensaku-b needs --bin-b)")
    ap.add_argument("--skip-recall", action="store_true", help="no exact-match recall/precision run")
    ap.add_argument("--jobs", type=int, default=2, help="kensaku searches run at once")
    a = ap.parse_args()
    a.per_class = a.per_class or (15 if a.size == "small" else 40)
    a.out = os.path.abspath(a.out or os.path.join(ROOT, "build-rankbench", "rank-" + a.size))
    os.makedirs(a.out, exist_ok=True)
    engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    for e in engines:
        if e not in ENGINES:
            ap.error("unknown engine %s (one of %s)" % (e, ", ".join(ENGINES)))
    if not a.bin_b and "kensaku-b" in engines:
        engines.remove("kensaku-b")
    if not engines:
        ap.error("no engine to run")
    for b in [a.bin] + ([a.bin_b] if "kensaku-b" in engines else []):
        if not os.access(os.path.join(b, "kensaku"), os.X_OK):
            raise SystemExit("no kensaku binary in %s (build it: cmake --build build-rankbench)" % b)
    if not shutil.which("mecab"):
        raise SystemExit("mecab is not installed (apt-get install mecab mecab-ipadic-utf8): no judge")
    if any(e.startswith("groonga") for e in engines) and not shutil.which("groonga"):
        raise SystemExit("groonga is not installed (apt-get install groonga groonga-tokenizer-mecab)")
    t_start = time.monotonic()
    items, items_stamp = prepare_items(a)
    judge = []

    def J_factory():
        if not judge:
            judge.append(Judge(items, a.out, items_stamp))
        return judge[0]

    qs, jstamp = judgments(a, J_factory, items_stamp)
    if not qs:
        raise SystemExit("no query has 3 relevant items")
    runs, info_v, info_c = {}, {}, {}
    for e in engines:
        if e in ("kensaku", "kensaku-b"):
            b = a.bin if e == "kensaku" else a.bin_b
            runs[e] = kensaku_results(a, e, b, qs, items_stamp)
            info_v[e] = runs[e]["version"]
            info_c[e] = git_commit(b)
        else:
            runs[e] = {"top": groonga_results(a, e, items, qs, jstamp)}
    F, per_query, cls_list = figures(qs, runs)
    mecab_v = subprocess.run(["mecab", "-v"], stdout=subprocess.PIPE, timeout=20).stdout.decode().strip()
    mecab_v = "MeCab " + mecab_v.split()[-1] if mecab_v else "MeCab"
    info = {"title": "%s corpus (seed %d) + sample archive: %s items, %d queries (query seed %d)"
                     % (a.size, a.seed, "{:,}".format(len(items)), len(qs), a.query_seed),
            "mecab": mecab_v or "mecab", "groonga": RG.version() or "groonga",
            "versions": info_v, "commits": info_c}
    md = table(F, cls_list, engines, info)
    with open(os.path.join(a.out, "rank-results.md"), "w", encoding="utf-8") as f:
        f.write(md)
    with open(os.path.join(a.out, "rank-results.json"), "w", encoding="utf-8") as f:
        json.dump({"figures": F, "classes": cls_list, "engines": engines, "info": info,
                   "items": len(items), "size": a.size, "seed": a.seed, "query_seed": a.query_seed,
                   "wall_s": time.monotonic() - t_start}, f, ensure_ascii=False, indent=1)
    with open(os.path.join(a.out, "rank-per-query.json"), "w", encoding="utf-8") as f:
        json.dump(per_query, f, ensure_ascii=False, indent=1)
    log("done in %.0f s; details in %s/rank-per-query.json" % (time.monotonic() - t_start, a.out))
    print(md)


if __name__ == "__main__":
    main()
