#!/usr/bin/env python3
"""kill -9 of `kensaku reindex` at 20 random moments while kensakud serves
and client threads query without pause.

The moments (seeded) cover the whole run: 16 are drawn one per stratum of
[0, 1.05 T] (T = the longest of two undisturbed runs under the same load),
so every phase is hit: reading the inputs, the bulk load, the FTS build,
optimize and integrity checks, the fsync/checkpoint/rename window. Four
more wait until the temp file has switched to WAL mode (reindex's last
step before the fsync, the checkpoint of the old index and the rename) and
kill 0-15 ms later, inside that window.

After every kill:
- the file at the index path is an intact index of the old or of the new
  generation: `kensaku stats` counts every item, PRAGMA integrity_check is
  ok, its items all carry one generation's tag;
- kensakud serves exactly that file (its generation id) within 3 s, which
  also means kensakud's own check of a new file (quick_check and the FTS5
  integrity-check) passed;
- the next, undisturbed `kensaku reindex` removes the stale temp file and
  succeeds, and its result is served.
Throughout, every client answer is a 200 with the complete content of one
generation: never an error, never a mix, never an older generation than one
already seen.

$KS_FAULT_SEED picks the moments (default 6); $KS_FAULT_SCALE the corpus
size (default 1.0 = 10000 items)."""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksfault as F  # noqa: E402
from ksfault import kstest  # noqa: E402,F401
from kstest import Server, args, check, cleanup, run, tmpdir  # noqa: E402

A = args()
KILLS_RANDOM = 16
KILLS_WINDOW = 4
SEED = int(os.environ.get("KS_FAULT_SEED", "6"))


def cli_tags(db):
    """The set of generation tags of 50 items of db (first and last by
    date), through the CLI; None when the search fails."""
    tags = set()
    for sort in ("newest", "oldest"):
        r = subprocess.run([A.cli, "search", "--db", db, "--json", "--limit", "25", "--sort", sort,
                            "kscommon"], capture_output=True, timeout=60)
        if r.returncode != 0:
            return None
        for h in json.loads(r.stdout)["hits"]:
            m = F.TAG_RE.search(h["title"])
            tags.add(int(m.group(2)) if m and m.group(2) != "x" else None)
    return tags


def phase_of(db, tmp, ino0, p):
    """Where reindex is right now, read from the files it leaves."""
    if p.poll() is not None:
        return "exited"
    try:
        if os.stat(db).st_ino != ino0:
            return "renamed"
    except OSError:
        pass
    wal = F.header_is_wal(tmp)
    if wal is None:
        return "reading"  # no temp file yet
    return "fsync/rename" if wal else "load/build/check"


def main():
    d = tmpdir("kill9")
    db = os.path.join(d, "k.db")
    tmp = db + ".reindex-tmp"
    n = F.scaled(10000, 500)
    rnd = random.Random(SEED)
    corpora = {}

    def corpus(k):
        if k not in corpora:
            corpora[k] = F.write_corpus(os.path.join(d, "c%d" % k), n, "gtag%d" % k)
            for old in [j for j in corpora if j < k - 1]:
                shutil.rmtree(corpora.pop(old), ignore_errors=True)
        return corpora[k]

    def reindex(k):
        t0 = time.monotonic()
        r = subprocess.run(F.reindex_argv(A, db, corpus(k)), capture_output=True, timeout=300)
        return r, time.monotonic() - t0

    def served_now(what):
        st = F.stats(A, db)
        took = F.wait_served(srv, st and st.get("generation"), timeout=60)
        check(took is not None, "%s: kensakud serves the file at the path (%r)" % (
            what, st and st.get("generation")))

    subprocess.run(F.reindex_argv(A, db, corpus(0)), check=True, capture_output=True)
    srv = Server(A, db, ["--threads", "4", "--quiet"], patient=True)
    ids = ["%d-%d" % (1000 + i // F.ITEMS_PER_FILE, 1 + i % F.ITEMS_PER_FILE)
           for i in range(0, n, max(1, n // 200))]
    state = F.State({n}, 0)
    hammer = F.Hammer(srv, 2, state, ids, max_s=900)
    try:
        # two undisturbed runs under the same load: T is the longer one
        durations = []
        for k in (1, 2):
            state.set(max_gen=k)
            r, secs = reindex(k)
            check(r.returncode == 0, "calibration reindex %d: %s" % (
                k, r.stderr.decode(errors="replace")[-300:]))
            durations.append(secs)
            served_now("calibration %d" % k)
        # a random kill is at a fraction of T, T = the median of the last
        # five undisturbed runs (each round has one): a busy machine moves
        # the phases, the fractions follow
        plan = [("random", (i + rnd.random()) * 1.05 / KILLS_RANDOM) for i in range(KILLS_RANDOM)]
        plan += [("window", rnd.uniform(0.0, 0.015)) for _ in range(KILLS_WINDOW)]
        rnd.shuffle(plan)
        print("kill9: %d items, undisturbed reindex %s s under load (seed %d)" % (
            n, "/".join("%.2f" % x for x in durations), SEED))
        moments = []

        cur = 2
        phases = {}
        temps_left = temps_cleaned = swapped = 0
        for i, (kind, x) in enumerate(plan):
            k = 3 + i
            full = sorted(durations[-5:])[len(durations[-5:]) // 2]
            delay = x * full if kind == "random" else x
            corpus(k)
            state.set(max_gen=k)
            ino0 = os.stat(db).st_ino
            p = subprocess.Popen(F.reindex_argv(A, db, corpora[k]), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
            t0 = start = time.monotonic()
            if kind == "window":
                # wait for the WAL-mode temp file, then the small delay
                F.wait_for(lambda: p.poll() is not None or F.header_is_wal(tmp), 120, 0.0005)
                t0 = time.monotonic()
            end = t0 + delay
            while time.monotonic() < end and p.poll() is None:
                time.sleep(min(0.002, max(0.0, end - time.monotonic())))
            phase = phase_of(db, tmp, ino0, p)
            moments.append("%.2f%s" % (time.monotonic() - start, "w" if kind == "window" else ""))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
            try:
                rc = p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
            err = p.stderr.read().decode(errors="replace")
            p.stderr.close()
            what = "kill %d (%s, %.3f s, %s)" % (i + 1, kind, delay, phase)
            phases[phase] = phases.get(phase, 0) + 1
            check(rc in (0, -signal.SIGKILL), "%s: reindex ended with %r: %s" % (what, rc, err[-300:]))
            tmp_here = bool(F.temp_files(db))
            temps_left += tmp_here
            # the file at the path: an intact index of one generation
            st = F.stats(A, db)
            check(st is not None and st.get("items") == n, "%s: stats %r" % (what, st))
            ic = F.integrity_check(db)
            check(ic == "ok", "%s: integrity_check %r" % (what, ic))
            tags = cli_tags(db)
            check(tags in ({cur}, {k}), "%s: the index holds generations %r (want {%d} or {%d})" % (
                what, tags, cur, k))
            if tags == {k}:
                swapped += 1
                cur = k
            served_now(what)
            # the next run cleans up and succeeds
            r, secs = reindex(k)
            durations.append(secs)
            check(r.returncode == 0, "%s: the next reindex: %s" % (
                what, r.stderr.decode(errors="replace")[-300:]))
            check(not F.temp_files(db), "%s: no temp file after the next run: %r" % (
                what, F.temp_files(db)))
            temps_cleaned += tmp_here and not F.temp_files(db)
            check(cli_tags(db) == {k}, "%s: the next reindex is in place" % what)
            cur = k
            served_now(what + ", next run")

        print("kill9: kills at %s s after the start (w: in the final window); undisturbed "
              "runs %.2f-%.2f s" % (" ".join(moments), min(durations), max(durations)))
        print("kill9: %d kills: %s; %d after the rename; %d left a temp file, all removed by "
              "the next run (%d)" % (len(plan), ", ".join(
                  "%s %d" % kv for kv in sorted(phases.items())), swapped, temps_left,
                  temps_cleaned))
        check(temps_left > 0 and temps_cleaned == temps_left,
              "stale temp files were left (%d) and cleaned (%d)" % (temps_left, temps_cleaned))
        check(phases.get("load/build/check", 0) > 0 and phases.get("fsync/rename", 0) +
              phases.get("renamed", 0) > 0, "kills before and inside the final window: %r" % phases)
        hammer.finish()
        check(not hammer.failures, "clients: %s; first failures %r" % (
            hammer.summary(), hammer.failures[:5]))
        check(hammer.count > 100, "the clients ran (%d requests)" % hammer.count)
        print("kill9: clients: %s" % hammer.summary())
        print("kill9: kensakud: %s" % F.switch_stats(srv))
        check(srv.proc.poll() is None, "kensakud still running")
    finally:
        hammer.finish()
        rc = srv.stop()
        check(rc == 0, "kensakud exit code %r" % rc)
        F.sanitizer_clean(srv)
        cleanup(d)


run(main)
