#!/usr/bin/env python3
"""make_queries.py - a query set with ground truth, drawn from a corpus.

Reads CORPUS/truth-input.jsonl (written by gen_corpus.py) and writes
  CORPUS/queries.tsv     qid <TAB> class <TAB> query      (what the engines get)
  CORPUS/truth.jsonl     {"qid","class","q","truth":[ids]} one per query

Classes (deterministic by --seed):
  ja1, ja2, ja3-4, ja5-6  substrings of Japanese (CJK) runs, half of them whole
                          vocabulary words ("word-aligned"), half cut anywhere
  en_word                 one English word
  en_multi                2-3 English words of one item (AND)
  symbol                  names with symbols: LAPSUS$, C++, C#, .NET, AT&T ...
  cve                     CVE ids (a few lower-cased)
  width_variant           full-width Latin (ＱＮＡＰ), half-width katakana
                          (ﾗﾝｻﾑｳｪｱ), case variants (qNaP, MICROSOFT)

Truth: an item matches when its NFKC-casefolded title+quote contains every
NFKC-casefolded term of the query; a term with CJK letters matches as a plain
substring, any other term as a whole token: where the term begins (ends) with
a letter or digit, the text must not have a letter, digit or _ just before
(after) it (so "read" is not in "cap_dac_read_search", but "sudo" is in
"/etc/sudo.conf" and "net" in "ASP.NET"). Python's NFKC + casefold stands in for ICU NFKC_Casefold.

usage: make_queries.py CORPUS [--per-class N] [--seed N]
"""
import argparse
import bisect
import json
import os
import random
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_corpus as G  # noqa: E402  (vocabulary)

CLASSES = ["ja1", "ja2", "ja3-4", "ja5-6", "en_word", "en_multi", "symbol", "cve", "width_variant"]
# letters kensaku bigrams (Han, Hiragana, Katakana incl. ー and 々)
CJK_CH = "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005"
CJK_RUN = re.compile("[%s]+" % CJK_CH)
CJK_ANY = re.compile("[%s]" % CJK_CH)
EN_WORD = re.compile(r"[a-z]{3,}")
CVE = re.compile(r"cve-\d{4}-\d{4,7}")
STOP = set("the and for with that this was were are has have had from its their been which "
           "into than then them they those these also such not but can could should would "
           "may will all any one two our out who whose".split())


def norm(s):
    return unicodedata.normalize("NFKC", s).casefold()


class Corpus:
    def __init__(self, path):
        self.ids, texts, self.starts = [], [], []
        pos = 0
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                o = json.loads(line)
                t = norm(o["text"])
                self.ids.append(o["id"])
                self.starts.append(pos)
                texts.append(t)
                pos += len(t) + 1
        self.texts = texts
        self.big = "\x00".join(texts)

    def item_of(self, off):
        return bisect.bisect_right(self.starts, off) - 1

    def term_hits(self, term):
        """Set of item indexes whose text contains term (see module doc)."""
        hits = set()
        if CJK_ANY.search(term):
            i = self.big.find(term)
            while i >= 0:
                k = self.item_of(i)
                hits.add(k)
                # skip to the next item
                nxt = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.big)
                i = self.big.find(term, nxt)
            return hits
        pre = r"(?<![0-9a-z_])" if term[:1].isalnum() else ""
        post = r"(?![0-9a-z_])" if term[-1:].isalnum() else ""
        for m in re.finditer(pre + re.escape(term) + post, self.big):
            hits.add(self.item_of(m.start()))
        return hits

    def truth(self, query):
        terms = norm(query).split()
        sets = [self.term_hits(t) for t in terms]
        if not sets:
            return []
        s = set.intersection(*sets)
        return [self.ids[k] for k in sorted(s)]


def vocab_runs():
    """CJK runs of the generator's vocabulary: the 'word-aligned' pieces."""
    words = set()
    lists = [G.VENDORS, G.PRODUCTS, G.JP_MALWARE, G.VULN_KINDS, G.COUNTRIES, G.SECTORS,
             G.ORGS_JP, G.IMPACTS, G.AGENCIES, G.TOPICS, G.REPORTS, G.ADJ, G.KATAKANA_WORDS,
             G.HEADLINES]
    for lst in lists:
        for w in lst:
            for run in CJK_RUN.findall(norm(re.sub(r"\{[a-z0-9]+\}", " ", w))):
                words.add(run)
    return sorted(words)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--per-class", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    r = random.Random(a.seed)
    c = Corpus(os.path.join(a.corpus, "truth-input.jsonl"))
    n = a.per_class
    sample_items = [c.texts[r.randrange(len(c.texts))] for _ in range(4000)]
    runs = [run for t in sample_items for run in CJK_RUN.findall(t)]
    vocab = vocab_runs()
    sample_blob = "\x00".join(sample_items)
    queries = {k: [] for k in CLASSES}

    def add(cls, q):
        if q and q not in queries[cls] and "\t" not in q and "\n" not in q:
            queries[cls].append(q)
            return True
        return False

    # Japanese: half word-aligned (vocabulary runs), half cut anywhere
    for cls, lo, hi in (("ja1", 1, 1), ("ja2", 2, 2), ("ja3-4", 3, 4), ("ja5-6", 5, 6)):
        aligned = [w for w in vocab if lo <= len(w) <= hi and w in sample_blob]
        r.shuffle(aligned)
        tries = 0
        while len(queries[cls]) < n and tries < 100000:
            tries += 1
            if cls == "ja1":
                # half by frequency in the text, half uniform over characters seen
                run = r.choice(runs)
                ch = run[r.randrange(len(run))] if len(queries[cls]) % 2 == 0 else None
                if ch is None:
                    chars = sorted(set("".join(runs)))
                    ch = r.choice(chars)
                add(cls, ch)
                continue
            if len(queries[cls]) % 2 == 0 and aligned:
                add(cls, aligned.pop())
                continue
            run = r.choice(runs)
            L = r.randint(lo, hi)
            if len(run) < L + 1:
                continue
            s = r.randrange(1, len(run) - L + 1) if len(run) > L else 0
            add(cls, run[s:s + L])

    # English words and multi-word queries from English text
    en_words = []
    for t in sample_items:
        en_words.extend(w for w in EN_WORD.findall(t) if w not in STOP)
    distinct = sorted(set(en_words))
    while len(queries["en_word"]) < n:
        add("en_word", r.choice(en_words) if len(queries["en_word"]) % 2 == 0 else r.choice(distinct))
    tries = 0
    while len(queries["en_multi"]) < n and tries < 100000:
        tries += 1
        t = r.choice(sample_items)
        ws = sorted(set(w for w in EN_WORD.findall(t) if w not in STOP))
        k = r.choice((2, 2, 3))
        if len(ws) < k:
            continue
        add("en_multi", " ".join(r.sample(ws, k)))

    # symbols: as written, lower-cased, upper-cased
    for s in G.SYMBOL_NAMES:
        for v in (s, s.lower(), s.upper()):
            add("symbol", v)
    queries["symbol"] = queries["symbol"][:n]

    # CVE ids of the corpus; every fifth lower-cased
    cves = sorted(set(m for t in sample_items for m in CVE.findall(t)))
    r.shuffle(cves)
    for i, cv in enumerate(cves[:n]):
        add("cve", cv if i % 5 == 4 else cv.upper())

    # width and case variants
    latin = [v for v in G.VENDORS + G.ACTORS + G.MALWARE if v.isascii() and " " not in v]
    kana = G.KATAKANA_WORDS + [w for w in G.JP_MALWARE if not CJK_ANY.sub("", w)]
    tries = 0
    while len(queries["width_variant"]) < n and tries < 10000:
        tries += 1
        k = len(queries["width_variant"]) % 4
        if k == 0:
            add("width_variant", G.to_full_width(r.choice(latin)))
        elif k == 1:
            add("width_variant", G.to_half_width(r.choice(kana)))
        elif k == 2:
            w = r.choice(latin)
            add("width_variant", "".join(ch.upper() if r.random() < 0.5 else ch.lower() for ch in w))
        else:
            cv = r.choice(cves) if cves else "CVE-2022-0609"
            add("width_variant", G.to_full_width(cv))

    with open(os.path.join(a.corpus, "queries.tsv"), "w", encoding="utf-8") as qf, \
            open(os.path.join(a.corpus, "truth.jsonl"), "w", encoding="utf-8") as tf:
        qid = 0
        for cls in CLASSES:
            for q in queries[cls]:
                qid += 1
                truth = c.truth(q)
                qf.write("%d\t%s\t%s\n" % (qid, cls, q))
                tf.write(json.dumps({"qid": qid, "class": cls, "q": q, "truth": truth},
                                    ensure_ascii=False) + "\n")
    print(json.dumps({k: len(v) for k, v in queries.items()}))


if __name__ == "__main__":
    sys.exit(main())
