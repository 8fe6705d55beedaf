#!/usr/bin/env python3
"""load.rebuild - wrk with 64 connections (2 threads) for 60 s against a
real kensakud over a generated corpus of 3000 items, while `kensaku reindex`
rebuilds the index 3 times (at 1/4, 1/2 and 3/4 of the run, or later when
the previous one is still building on a busy machine: wrk runs until the
last switch is done and a quarter of the run has passed after it, however
long the reindexes take).

Asserts: zero non-2xx responses (counted in wrk_status.lua and by wrk's own
line), zero socket errors (connect/read/write/timeout; wrk's --timeout is a
generous bound for a hung server, not a latency goal), every reindex exits
0 and is switched to (kensaku_index_generation +1 on /metrics and the
reindex's marker item found; the time it took is printed), wrk's requests
kept being served across every reindex (the item and issue routes, which
only wrk asks for, counted on /metrics), kensakud stays healthy and exits
0 on SIGTERM with no sanitizer report, and its memory is flat: anonymous RSS
after the run <= before + 32 MB (see README.md for the bound). No figure of
speed (requests/s, latency) is asserted.

Environment: KS_LOAD_SECONDS (default 60; the sanitizer build passes 20),
KS_SANITIZER=1 (ASan+UBSan build: the RSS bound is not asserted, ASan's
allocator quarantine and shadow memory make RSS meaningless there),
KS_LOAD_PRELOAD=lib.so (the leak check: run kensakud with that library
preloaded and expect the RSS bound, and only it, to fail)."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksload  # noqa: E402
from ksload import (RssSampler, Server, Wrk, check, check_wrk, cleanup, log, mb, md_table,  # noqa: E402
                    metric, reindex, rss, served, total)

A = ksload.kstest.args()
SECONDS = ksload.env_int("KS_LOAD_SECONDS", 60)
CONNS, THREADS, REINDEXES, ITEMS = 64, 2, 3, 3000
ANON_BOUND_MB = 32
PRELOAD = os.environ.get("KS_LOAD_PRELOAD", "")
LEAK_BYTES = ksload.env_int("KS_LEAK_BYTES", 0)
WRK_ONLY = ("items", "issues")  # routes only wrk asks for


def statuses(srv, status):
    """{route: count} of the responses with that status on /metrics."""
    st, _, text = ksload.get(srv, "/metrics")
    out = {}
    for m in re.finditer(r'^kensaku_requests_total\{route="([a-z]+)",status="%s"\} (\d+)$' % status,
                         text.decode(errors="replace"), re.M):
        out[m.group(1)] = int(m.group(2))
    return out


def marker(d, k):
    """A one-item JSON Lines file whose title names reindex k."""
    path = os.path.join(d, "marker", "marker.jsonl")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ksload.kstest.jsonl(path, [{"issue": 9000, "date": "2000-06-01", "section": "その他",
                                "title": "loadmarker%d 再構築 %d 回目" % (k, k),
                                "quote": "rebuild number %d under load" % k}])
    return os.path.dirname(path)


def main():
    ksload.need("wrk")
    d = ksload.tmpdir("load-rebuild")
    corpus = ksload.gen_corpus(A, os.path.join(d, "corpus"), ITEMS, 1)
    issues = os.path.join(corpus, "issues")
    db = os.path.join(d, "k.db")
    rc, secs, err = reindex(A, db, issues, marker(d, 0))
    if not check(rc == 0, "initial reindex: %s" % err[-500:]):
        return
    paths_file = os.path.join(d, "paths.txt")
    paths = ksload.make_paths(corpus, paths_file)
    env = dict(os.environ)
    if PRELOAD:
        env["LD_PRELOAD"] = PRELOAD
    srv = Server(A, db, ksload.server_flags(A, CONNS), env=env, patient=True)
    wrk = None
    try:
        # warm-up: every path once (each must be a 2xx: the list itself is sane)
        bad = []
        for p in paths:
            st = ksload.get(srv, p)[0]
            if not 200 <= st < 300:
                bad.append((p, st))
        check(not bad, "warm-up: %d of %d paths are not 2xx: %r" % (len(bad), len(paths), bad[:5]))
        check(total(srv, "loadmarker0") == 1, "generation 0 serves its marker")
        before = rss(srv.proc.pid)
        gen0 = metric(srv, "kensaku_index_generation")
        n_start = served(srv, None)
        log("kensakud pid %d, %d paths, RSS before %s MB (anon %s MB); wrk -c%d -t%d -d%ds" % (
            srv.proc.pid, len(paths), mb(before["VmRSS"]), mb(before["RssAnon"]), CONNS, THREADS, SECONDS))

        sampler = RssSampler(srv.proc.pid)
        wrk = Wrk(srv.url, paths_file, CONNS, THREADS, None)
        rounds = []
        for k in range(1, REINDEXES + 1):
            at = wrk.t0 + SECONDS * k / (REINDEXES + 1.0)  # 1/4, 1/2, 3/4 of the run
            while time.monotonic() < at and wrk.running():
                time.sleep(min(0.2, max(0.0, at - time.monotonic())))  # the schedule, not a wait
            check(wrk.running(), "wrk still running at reindex %d" % k)
            g_before = metric(srv, "kensaku_index_generation")
            n_before = served(srv, WRK_ONLY)
            rc, secs, err = reindex(A, db, issues, marker(d, k))
            check(rc == 0, "reindex %d exit %d: %s" % (k, rc, err[-500:]))
            t0 = time.monotonic()

            def switched_to(k=k, g_before=g_before):
                g = metric(srv, "kensaku_index_generation")
                return g is not None and g_before is not None and g >= g_before + 1 and \
                    total(srv, "loadmarker%d" % k) == 1
            switched = ksload.kstest.poll(switched_to, ksload.kstest.patience(60))
            took = time.monotonic() - t0
            check(switched, "reindex %d: generation never switched (metrics %r -> %r, waited %.1f s)" % (
                k, g_before, metric(srv, "kensaku_index_generation"), took))
            n_after = served(srv, WRK_ONLY)
            check(n_before is not None and n_after is not None and n_after > n_before,
                  "reindex %d: wrk's requests were served while it ran (%r -> %r)" % (k, n_before, n_after))
            rounds.append((k, time.monotonic() - wrk.t0, secs, took))
            log("reindex %d at %.1fs: %.2fs, switched in %.0f ms" % (k, rounds[-1][1], secs, took * 1000))
        # the load goes on for the planned time, and a quarter of it past the
        # last switch; the leak check also needs enough responses to leak
        # twice the bound (the clock alone decides nothing on a busy machine)
        tail = time.monotonic() + SECONDS / (REINDEXES + 1.0)
        need = 2 * ANON_BOUND_MB * (1 << 20) // LEAK_BYTES if PRELOAD and LEAK_BYTES else 0
        ksload.kstest.poll(lambda: not wrk.running() or (
            time.monotonic() >= max(tail, wrk.t0 + SECONDS) and
            (served(srv, None) or 0) - (n_start or 0) >= need),
            ksload.kstest.patience(SECONDS * 10), step=0.25)
        check(wrk.running(), "wrk ran to the end of the load")
        res = wrk.wait()
        sampler.stop()
        after = rss(srv.proc.pid)
        gen_end = metric(srv, "kensaku_index_generation")

        ksload.check_wrk(res, "load.rebuild")
        check(gen0 is not None and gen_end == gen0 + REINDEXES,
              "kensaku_index_generation %r -> %r after %d reindexes" % (gen0, gen_end, REINDEXES))
        check(total(srv, "loadmarker%d" % REINDEXES) == 1 and total(srv, "loadmarker0") == 0,
              "the last generation is served")
        st, _, h = ksload.get_json(srv, "/healthz")
        check(st == 200 and h and h.get("items") == ITEMS + 1, "healthy after the load: %d %r" % (st, h))

        growth_kb = after["RssAnon"] - before["RssAnon"]
        flat = growth_kb <= ANON_BOUND_MB * 1024
        if ksload.sanitized():
            log("sanitizer build: RSS not asserted (ASan's allocator makes it meaningless)")
        elif PRELOAD:
            check(not flat, "leak check: anon RSS grew only %s MB with %s preloaded" % (
                mb(growth_kb), os.path.basename(PRELOAD)))
        else:
            check(flat, "memory not flat: anon RSS %s -> %s MB (+%s MB > %d MB)" % (
                mb(before["RssAnon"]), mb(after["RssAnon"]), mb(growth_kb), ANON_BOUND_MB))

        rows = [
            ["wrk", "-c%d -t%d for %.0f s (planned %d s), %d paths (ja/en queries, filters, items, issues)" % (
                CONNS, THREADS, res.get("duration_s", 0), SECONDS, len(paths))],
            ["requests (2xx / non-2xx)", "%d (%d / %d)" % (res["requests"], res["ok_2xx"], res["non_2xx"])],
            ["requests/s", "%.0f" % res["rps"]],
            ["latency p50 / p99 / max", "%.1f / %.1f / %.1f ms" % (
                res.get("p50_ms", 0), res.get("p99_ms", 0), res.get("max_ms", 0))],
            ["socket errors (connect/read/write/timeout)", "%d/%d/%d/%d" % (
                res["connect"], res["read"], res["write"], res["timeout"])],
            ["kensakud: 503s by route / refused by admission control", "%s / %s" % (
                statuses(srv, "503"), metric(srv, "kensaku_admission_rejected_total"))],
            ["reindexes (exit 0, switched)", ", ".join(
                "#%d at %.0fs: %.2fs build, switch %.0f ms" % (k, at, s, t * 1000) for k, at, s, t in rounds)],
            ["VmRSS before / peak / after", "%s / %s / %s MB" % (
                mb(before["VmRSS"]), mb(sampler.peak["VmRSS"]), mb(after["VmRSS"]))],
            ["RssAnon before / peak / after", "%s / %s / %s MB (bound: after <= before + %d MB%s)" % (
                mb(before["RssAnon"]), mb(sampler.peak["RssAnon"]), mb(after["RssAnon"]), ANON_BOUND_MB,
                ", not asserted under ASan" if ksload.sanitized() else "")],
        ]
        print("\nload.rebuild (%s%s):\n" % ("ASan+UBSan build" if ksload.sanitized() else "normal build",
                                             ", leak preload" if PRELOAD else ""))
        print(md_table(["figure", "value"], rows) + "\n", flush=True)
    finally:
        if wrk and wrk.running():
            wrk.proc.kill()  # a test that raised must not leave wrk behind
            wrk.proc.wait()
        rc = srv.stop()
        check(rc == 0, "kensakud exit status %r" % rc)
        ksload.sanitizer_clean(srv)
    cleanup(d)


ksload.run(main)
