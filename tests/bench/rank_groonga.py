"""rank_groonga.py - the two Groonga peers of the judged ranking bench
(rank_judged.py): one database per tokenizer, built with the `groonga` CLI,
and the top hits of each query from one `groonga` process per database.

Setup (issue 12, "How to measure it"): Items TABLE_HASH_KEY (the item id as
_key) with title and quote; a Terms table with TokenBigram or TokenMecab and
NormalizerAuto; one WITH_POSITION|WITH_SECTION index on title,quote built
after the load; `select` with match_columns title * 10 || quote, the query
as quoted literal terms (ANDed), no match escalation (as bench.py), sorted by
-_score (then _id, so ties are stable), limit 10.
"""
import json
import os
import shutil
import subprocess
import urllib.parse

TOKENIZERS = {"groonga-bigram": "TokenBigram", "groonga-mecab": "TokenMecab"}
LABELS = {"groonga-bigram": "Groonga TokenBigram", "groonga-mecab": "Groonga TokenMecab"}


def version():
    try:
        p = subprocess.run(["groonga", "--version"], stdout=subprocess.PIPE, timeout=20)
        return p.stdout.decode().split("\n")[0].split(" [")[0]
    except (OSError, subprocess.SubprocessError):
        return None


def literal(q):
    """User text -> Groonga query syntax: every whitespace-separated term as a
    quoted literal (\\ and \" escaped), terms ANDed."""
    terms = q.replace("\u3000", " ").split()
    return " ".join('"%s"' % t.replace("\\", "\\\\").replace('"', '\\"') for t in terms)


def select_line(q, limit):
    params = [("table", "Items"), ("match_columns", "title * 10 || quote"),
              ("query", literal(q)), ("match_escalation_threshold", "-1"),
              ("output_columns", "_key,_score"), ("sort_keys", "-_score,_id"),
              ("limit", str(limit)), ("cache", "no")]
    return "/d/select?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def _run(db, commands, out_path, new=False, timeout=7200):
    cmd_path = out_path + ".grn"
    with open(cmd_path, "w", encoding="utf-8") as f:
        f.write(commands)
    with open(cmd_path, "rb") as fi, open(out_path, "wb") as fo:
        p = subprocess.run(["groonga"] + (["-n"] if new else []) + [db], stdin=fi, stdout=fo,
                           stderr=subprocess.PIPE, timeout=timeout)
    os.remove(cmd_path)
    if p.returncode != 0:
        raise RuntimeError("groonga failed (%d): %s" % (p.returncode, p.stderr.decode()[-1000:]))


def responses(path):
    """Yields each response ([header, body]) of a groonga CLI output file
    (bench.py reads its own runs with this too)."""
    dec = json.JSONDecoder()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield dec.raw_decode(line)[0]


def build(engine, items, dbdir):
    """Builds the database of engine ('groonga-bigram' or 'groonga-mecab') in
    dbdir from items (dicts with id, title, quote); returns the db path."""
    tok = TOKENIZERS[engine]
    shutil.rmtree(dbdir, ignore_errors=True)
    os.makedirs(dbdir)
    db = os.path.join(dbdir, "db")
    parts = []
    if tok == "TokenMecab":
        parts.append("plugin_register tokenizers/mecab\n")
    parts.append("table_create Items TABLE_HASH_KEY ShortText\n"
                 "column_create Items title COLUMN_SCALAR Text\n"
                 "column_create Items quote COLUMN_SCALAR Text\n"
                 "table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer %s "
                 "--normalizer NormalizerAuto\n" % tok)
    parts.append("load --table Items\n[\n")
    parts.append(",\n".join(json.dumps({"_key": it["id"], "title": it["title"], "quote": it["quote"] or ""},
                                       ensure_ascii=False) for it in items))
    parts.append("\n]\n")
    parts.append("column_create Terms items_text COLUMN_INDEX|WITH_POSITION|WITH_SECTION Items title,quote\n")
    out = os.path.join(dbdir, "build.out")
    _run(db, "".join(parts), out, new=True)
    for r in responses(out):
        if isinstance(r, list) and r and isinstance(r[0], list) and r[0][0] != 0:
            raise RuntimeError("groonga %s build: %s" % (engine, json.dumps(r[0], ensure_ascii=False)))
    return db


def top(db, queries, limit=10):
    """The top `limit` item ids of every query (a list of lists), from one
    groonga process."""
    out = db + ".select.out"
    _run(db, "".join(select_line(q, limit) + "\n" for q in queries), out)
    res = []
    for r in responses(out):
        if r and r[0][0] == 0 and len(r) > 1:
            rows = r[1][0][2:]
            res.append([row[0] for row in rows])
        else:
            res.append([])
    os.remove(out)
    if len(res) != len(queries):
        raise RuntimeError("groonga answered %d of %d selects" % (len(res), len(queries)))
    return res
