"""Shared helpers of the fault tests: a generated corpus whose every item
says which generation it belongs to, a client that queries a running
kensakud without pause and checks every answer's content, and the scale
knob for slow (sanitizer) builds.

Each test script takes --bin (build/bin) and --src (project root), prints
'N passed, M failed' last and exits 1 on any failure. The integration
helpers (kstest.py: Server, check, get, ...) are reused from
tests/integration."""
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import kstest  # noqa: E402,F401
from kstest import check, get, get_json  # noqa: E402,F401

# KS_FAULT_SCALE (default 1.0) scales corpus sizes and client counts down for
# slow builds (the sanitizer build sets 0.35 through ctest).
try:
    SCALE = float(os.environ.get("KS_FAULT_SCALE", "1") or "1")
except ValueError:
    SCALE = 1.0
SCALE = min(max(SCALE, 0.05), 4.0)

ITEMS_PER_FILE = 250
JP = ["ランサムウェア", "脆弱性", "不正アクセス", "情報漏えい", "標的型攻撃", "フィッシング",
      "マルウェア", "更新プログラム", "サプライチェーン", "認証情報", "暗号資産", "ボットネット"]
EN = ("ransomware phishing vulnerability exploit patch malware botnet credential breach leak "
      "attacker campaign advisory firmware router gateway backdoor loader stealer wiper").split()


def scaled(n, lo=1):
    return max(lo, int(round(n * SCALE)))


def title_of(issue, pos, tag):
    """The title of item issue-pos in generation tag (tag: 'gtag<k>' or 'gtagx')."""
    n = issue * 1000 + pos
    return "%sの%s 記事%d kscommon %s" % (JP[n % len(JP)], JP[(n // 7) % len(JP)], n, tag)


def quote_of(issue, pos, tag):
    r = random.Random(issue * 1000 + pos)
    words = " ".join(r.choice(EN) for _ in range(40))
    return "%s %s %s。" % (words, tag, "".join(r.choice(JP) for _ in range(6)))


def write_corpus(d, n_items, tag, first_issue=1000):
    """Writes n_items items (ITEMS_PER_FILE per file, one issue per file) in
    folder d, all tagged tag. Returns d."""
    os.makedirs(d, exist_ok=True)
    nfiles = (n_items + ITEMS_PER_FILE - 1) // ITEMS_PER_FILE
    left = n_items
    for f in range(nfiles):
        issue = first_issue + f
        with open(os.path.join(d, "c%04d.jsonl" % f), "w", encoding="utf-8") as o:
            for pos in range(1, min(ITEMS_PER_FILE, left) + 1):
                o.write(json.dumps({
                    "issue": issue, "date": "2023-%02d-%02d" % (1 + f % 12, 1 + f % 28),
                    "section": ["事件、事故", "攻撃、脅威", "脆弱性", "その他"][pos % 4],
                    "title": title_of(issue, pos, tag), "quote": quote_of(issue, pos, tag)},
                    ensure_ascii=False) + "\n")
        left -= ITEMS_PER_FILE
    return d


TAG_RE = re.compile(r" kscommon (gtag(\d+|x))$")


class State:
    """What the server may serve right now: item totals and the highest
    generation tag written so far (a served tag above it is garbage)."""

    def __init__(self, totals, max_gen):
        self.lock = threading.Lock()
        self.totals = set(totals)
        self.max_gen = max_gen

    def set(self, totals=None, max_gen=None):
        with self.lock:
            if totals is not None:
                self.totals = set(totals)
            if max_gen is not None:
                self.max_gen = max_gen

    def get(self):
        with self.lock:
            return set(self.totals), self.max_gen


def verify_hit(h, max_gen):
    """None when hit h is a correct item of some generation <= max_gen, else
    the reason. Returns (reason, gen) where gen is the numeric tag (or -1 for
    the extra items)."""
    try:
        issue, pos = (int(x) for x in h["id"].split("-"))
        m = TAG_RE.search(h["title"])
        if not m:
            return "title without a tag: %r" % h["title"], None
        tag = m.group(1)
        gen = -1 if tag == "gtagx" else int(m.group(2))
        if h["title"] != title_of(issue, pos, tag):
            return "title of %s is %r" % (h["id"], h["title"]), None
        if h["quote"] != quote_of(issue, pos, tag):
            return "quote of %s differs" % h["id"], None
        if gen > max_gen:
            return "generation %d served, only %d written" % (gen, max_gen), None
        return None, gen
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        return "bad hit %r: %r" % (h, e), None


class Hammer:
    """n client threads querying srv without pause (each on a fresh
    connection), checking every answer against state. Bounded: it stops at
    finish() or after max_s seconds (scaled by kstest.patience), whichever
    comes first."""

    def __init__(self, srv, n, state, ids, max_s=300, allow_503=False):
        self.srv = srv
        self.state = state
        self.ids = ids
        self.allow_503 = allow_503
        self.stop_ev = threading.Event()
        self.deadline = time.monotonic() + kstest.patience(max_s)
        self.lock = threading.Lock()
        self.failures = []
        self.count = 0
        self.n503 = 0
        self.max_ms = 0.0
        self.statuses = {}
        self.threads = [threading.Thread(target=self.loop, args=(i,), daemon=True)
                        for i in range(n)]
        for t in self.threads:
            t.start()

    def fail(self, what):
        with self.lock:
            self.failures.append(what)

    def loop(self, i):
        r = random.Random(i)
        last_gen = -1
        k = 0
        while not self.stop_ev.is_set() and time.monotonic() < self.deadline:
            totals, max_gen = self.state.get()
            kind = k % 4
            k += 1
            if kind == 0:
                path = "/healthz"
            elif kind == 1:
                path = "/api/search?q=kscommon&limit=20"
            elif kind == 2:
                path = "/api/items/" + r.choice(self.ids)
            else:
                word = r.choice(JP)
                path = "/api/search?" + urllib.parse.urlencode(
                    {"q": word, "limit": 5, "sort": "newest", "exact": 1})
            t0 = time.monotonic()
            try:
                st, _, body = get(self.srv, path)
            except Exception as e:  # noqa: BLE001
                self.fail("%s: %r" % (path, e))
                continue
            dt = time.monotonic() - t0
            with self.lock:
                self.count += 1
                self.max_ms = max(self.max_ms, dt * 1000)
                self.statuses[st] = self.statuses.get(st, 0) + 1
            if st == 503 and self.allow_503:
                with self.lock:
                    self.n503 += 1
                if not kstest.is_error_shape(body, None):
                    self.fail("%s: 503 without the JSON error: %r" % (path, body[:200]))
                continue
            if st != 200:
                self.fail("%s: status %d %r" % (path, st, body[:200]))
                continue
            try:
                b = json.loads(body)
            except ValueError:
                self.fail("%s: body is not JSON: %r" % (path, body[:200]))
                continue
            # the totals are read before the request, so a change of
            # generation during it can't make a correct answer look wrong
            _, max_gen2 = self.state.get()
            max_gen = max(max_gen, max_gen2)
            if kind == 0:
                if b.get("status") != "ok" or b.get("items") not in totals | self.state.get()[0]:
                    self.fail("healthz: %r (want items in %r)" % (b, sorted(totals)))
                continue
            hits = b.get("hits", [b]) if kind != 2 else [b]
            if kind == 1 and b.get("total") not in totals | self.state.get()[0]:
                self.fail("%s: total %r, want one of %r" % (path, b.get("total"), sorted(totals)))
            gens = set()
            for h in hits:
                why, gen = verify_hit(h, max_gen)
                if why:
                    self.fail("%s: %s" % (path, why))
                    break
                if kind == 3 and word not in h["title"] and word not in h["quote"]:
                    self.fail("%s: hit %s does not contain %s" % (path, h["id"], word))
                    break
                if gen >= 0:
                    gens.add(gen)
            if len(gens) > 1:
                self.fail("%s: one answer mixes generations %r" % (path, sorted(gens)))
            if gens:
                g = gens.pop()
                if g < last_gen:
                    self.fail("%s: generation went back from %d to %d" % (path, last_gen, g))
                last_gen = max(last_gen, g)

    def finish(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(30)
        return self

    def summary(self):
        return "%d requests, %d failed, statuses %r, slowest %.0f ms" % (
            self.count, len(self.failures), dict(sorted(self.statuses.items())), self.max_ms)


def reindex_argv(a, db, corpus):
    return [a.cli, "reindex", "--quiet", "--db", db, corpus]


def stats(a, db):
    r = subprocess.run([a.cli, "stats", "--json", "--db", db], capture_output=True,
                       timeout=kstest.patience(120))
    if r.returncode != 0:
        return None
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


def quick_check(db):
    """PRAGMA quick_check through Python's sqlite3 (read-only): 'ok' or the
    first problem. The FTS5 table is not opened (no tokenizer needed)."""
    import sqlite3
    try:
        c = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(db), uri=True, timeout=10)
        try:
            return c.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            c.close()
    except sqlite3.Error as e:
        return "sqlite3: %s" % e


def integrity_check(db):
    """PRAGMA integrity_check (every page, every index entry) through
    Python's sqlite3, read-only: 'ok' or the first problems. The FTS5
    index's own check runs in kensakud when it takes a file (pool.c)."""
    import sqlite3
    try:
        c = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(db), uri=True, timeout=10)
        try:
            rows = c.execute("PRAGMA integrity_check(5)").fetchall()
            return "; ".join(r[0] for r in rows)
        finally:
            c.close()
    except sqlite3.Error as e:
        return "sqlite3: %s" % e


def header_is_wal(path):
    """True when the SQLite file at path is in WAL mode (header bytes 18
    and 19 are 2): `kensaku reindex` sets it after its integrity checks,
    just before the fsync, the checkpoint of the old index and the rename.
    None when the file is missing or too short."""
    try:
        with open(path, "rb") as f:
            h = f.read(20)
    except OSError:
        return None
    return h[18:20] == b"\x02\x02" if len(h) == 20 else None


def wait_for(pred, timeout, step=0.01):
    """Polls pred() until it is true or timeout seconds (scaled by
    kstest.patience: a deadline, never a speed asserted) passed; its last
    value."""
    end = time.monotonic() + kstest.patience(timeout)
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


SWITCH_RE = re.compile(r"changed: generation \d+.*checked in ([0-9.]+) s, requests held "
                       r"([0-9.]+) ms")


def switch_stats(srv):
    """'N switches, check median/max X/Y s, requests held at most Z ms',
    from kensakud's [pool] lines."""
    got = [(float(m.group(1)), float(m.group(2)))
           for m in (SWITCH_RE.search(x) for x in srv.stderr_text().splitlines()) if m]
    if not got:
        return "no switches"
    checks = sorted(c for c, _ in got)
    return "%d switches, check median %.3f s (max %.3f), requests held at most %.1f ms" % (
        len(got), checks[len(checks) // 2], checks[-1], max(h for _, h in got))


def wait_line_count(srv, needle, count, timeout):
    """Waits until at least count of kensakud's stderr lines contain
    needle; True when they do. timeout is scaled by kstest.patience."""
    end = time.monotonic() + kstest.patience(timeout)
    with srv.cond:
        while True:
            if sum(1 for x in srv.lines if x is not None and needle in x) >= count:
                return True
            left = end - time.monotonic()
            if left <= 0 or None in srv.lines:
                return False
            srv.cond.wait(left)


def served_generation(srv):
    st, _, b = get_json(srv, "/healthz")
    return b.get("generation") if st == 200 and b else None


def wait_served(srv, gen, timeout=60.0):
    """Polls /healthz until it reports index generation gen; the seconds
    it took, or None after timeout seconds (scaled by kstest.patience: a
    deadline for a server that never switches, not a speed)."""
    t0 = time.monotonic()
    timeout = kstest.patience(timeout)
    while time.monotonic() - t0 < timeout:
        if served_generation(srv) == gen:
            return time.monotonic() - t0
        time.sleep(0.01)
    return None


def temp_files(db):
    return [p for p in (db + ".reindex-tmp", db + ".reindex-tmp-journal",
                        db + ".reindex-tmp-wal", db + ".reindex-tmp-shm") if os.path.exists(p)]


def sanitizer_clean(srv):
    errs = srv.stderr_text()
    return check("Sanitizer" not in errs and "runtime error:" not in errs,
                 "sanitizer report in kensakud's stderr:\n" + errs[-3000:])
