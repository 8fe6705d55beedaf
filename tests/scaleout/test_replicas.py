#!/usr/bin/env python3
"""scaleout.replicas - 3 kensakud replicas behind a real nginx configured
from deploy/scaleout/nginx-replicas.conf, all on loopback, each replica with
its own copy of the index (published with deploy/kensaku-publish).

wrk runs through the proxy for KS_SCALEOUT_SECONDS (default 30; 20 in the
sanitizer build). Mid-load, replica 2 is killed with SIGKILL, then started
again on the same port; then deploy/scaleout/rollout.sh rolls a new index
generation, built from a different corpus, out to the three replicas one at
a time. Asserts: zero non-2xx and zero socket errors through the proxy, the
killed replica had been serving (its metrics) and nginx saw it fail (error
log), rollout.sh exits 0, and at the end every replica, asked directly,
reports the new generation on /healthz and serves the new items, not the
old ones."""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "load"))
import ksload  # noqa: E402
from ksload import Nginx, Server, Wrk, check, cleanup, log, md_table, sub1, total  # noqa: E402

A = ksload.kstest.args()
SECONDS = ksload.env_int("KS_SCALEOUT_SECONDS", 20 if ksload.sanitized() else 30)
CONNS, THREADS, ITEMS = 32, 2, 1500


def build_generation(d, name, seed, marker):
    """A corpus and its index (kensaku reindex) with one marker item."""
    corpus = ksload.gen_corpus(A, os.path.join(d, "corpus-" + name), ITEMS, seed)
    mdir = os.path.join(d, "marker-" + name)
    os.makedirs(mdir)
    ksload.kstest.jsonl(os.path.join(mdir, "m.jsonl"), [
        {"issue": 9100, "date": "2000-06-02", "section": "その他",
         "title": "%s 世代の記事" % marker, "quote": "generation %s" % name}])
    db = os.path.join(d, "build-%s.db" % name)
    rc, secs, err = ksload.reindex(A, db, os.path.join(corpus, "issues"), mdir)
    check(rc == 0, "reindex %s: %s" % (name, err[-400:]))
    return corpus, db


def start_replica(db, port):
    return Server(A, db, ksload.server_flags(A) + ["--listen", "127.0.0.1:%d" % port])


def healthz_generation(srv):
    st, _, h = ksload.get_json(srv, "/healthz")
    return h.get("generation") if st == 200 and h else None


def main():
    ksload.need("wrk", "nginx", "curl", "sqlite3")
    d = ksload.tmpdir("scaleout")
    publish = os.path.join(A.src, "deploy", "kensaku-publish")
    rollout = os.path.join(A.src, "deploy", "scaleout", "rollout.sh")
    corpus_a, db_a = build_generation(d, "alpha", 1, "scaleoutalpha")
    corpus_b, db_b = build_generation(d, "beta", 2, "scaleoutbeta")
    gen_b = subprocess.run(["sqlite3", db_b, "SELECT value FROM meta WHERE key='generation'"],
                           capture_output=True, text=True).stdout.strip()
    paths_file = os.path.join(d, "paths.txt")
    paths = ksload.make_paths([corpus_a, corpus_b], paths_file)

    ports = [ksload.free_port() for _ in range(3)]
    dbs = []
    for i in range(3):
        rd = os.path.join(d, "replica%d" % (i + 1))
        os.makedirs(rd)
        dbs.append(os.path.join(rd, "kensaku.db"))
        r = subprocess.run([publish, db_a, dbs[-1]], capture_output=True, text=True)
        check(r.returncode == 0, "publish generation alpha to replica %d: %s" % (i + 1, r.stderr))
    reps = [start_replica(dbs[i], ports[i]) for i in range(3)]
    killed = []
    proxy_port = ksload.free_port()
    with open(os.path.join(A.src, "deploy", "scaleout", "nginx-replicas.conf")) as f:
        conf = f.read()
    for i, default in enumerate((8081, 8082, 8083)):
        conf = sub1(r"server 127\.0\.0\.1:%d " % default, "server 127.0.0.1:%d " % ports[i], conf,
                    "replica %d address" % (i + 1))
    conf = sub1(r"listen 127\.0\.0\.1:8080;", "listen 127.0.0.1:%d;" % proxy_port, conf, "listen")
    ngx = Nginx(os.path.join(d, "nginx"), conf)
    ok, out = ngx.test()
    check(ok, "nginx -t on the scale-out config: " + out)
    ngx.start(proxy_port)
    proxy = type("Proxy", (), {"host": "127.0.0.1", "port": proxy_port})()
    events = []
    try:
        check(total(proxy, "scaleoutalpha") == 1, "the proxy serves generation alpha")
        wrk = Wrk("http://127.0.0.1:%d" % proxy_port, paths_file, CONNS, THREADS, SECONDS)

        def at(frac):
            t = wrk.t0 + SECONDS * frac
            while time.monotonic() < t and wrk.running():
                time.sleep(min(0.2, max(0.0, t - time.monotonic())))  # the schedule, not a wait
            check(wrk.running(), "wrk still running at %.0f%% of the run" % (frac * 100))
            return time.monotonic() - wrk.t0

        t = at(0.2)
        served = _requests(reps[1])
        check(served > 0, "replica 2 was serving before the kill (%r requests)" % served)
        reps[1].proc.kill()  # SIGKILL: no drain
        reps[1].proc.wait()
        killed.append(reps[1])
        events.append("kill -9 replica 2 at %.1f s (it had served %d requests)" % (t, served))
        log(events[-1])

        t = at(0.35)
        reps[1] = start_replica(dbs[1], ports[1])
        events.append("replica 2 restarted at %.1f s" % t)
        log(events[-1])

        t = at(0.5)
        t0 = time.monotonic()
        r = subprocess.run([rollout, db_b] + ["%s=http://127.0.0.1:%d" % (dbs[i], ports[i]) for i in range(3)],
                           capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, ROLLOUT_TIMEOUT="20"))
        took = time.monotonic() - t0
        check(r.returncode == 0, "rollout.sh exit %d: %s %s" % (r.returncode, r.stdout, r.stderr))
        events.append("rollout.sh of generation beta at %.1f s: %.1f s for 3 replicas" % (t, took))
        log(events[-1] + "\n" + r.stdout.strip())
        check(wrk.running(), "wrk still running after the rollout")
        res = wrk.wait()

        ksload.check_wrk(res, "scaleout.replicas")
        check(res["requests"] >= 5 * SECONDS, "only %d requests" % res["requests"])
        elog = ngx.error_log()
        check("127.0.0.1:%d" % ports[1] in elog,
              "nginx's error log shows the killed replica failing:\n" + elog[-1500:])
        for i, srv in enumerate(reps):
            check(healthz_generation(srv) == gen_b, "replica %d reports generation %s: %r" % (
                i + 1, gen_b, healthz_generation(srv)))
            check(total(srv, "scaleoutbeta") == 1 and total(srv, "scaleoutalpha") == 0,
                  "replica %d serves the new items only" % (i + 1))
        check(all(total(proxy, "scaleoutbeta") == 1 for _ in range(6)), "the proxy serves beta")
        rows = [
            ["wrk through nginx", "-c%d -t%d -d%ds, %d paths" % (CONNS, THREADS, SECONDS, len(paths))],
            ["requests (2xx / non-2xx)", "%d (%d / %d)" % (res["requests"], res["ok_2xx"], res["non_2xx"])],
            ["requests/s", "%.0f" % res["rps"]],
            ["latency p50 / p99 / max", "%.1f / %.1f / %.1f ms" % (
                res.get("p50_ms", 0), res.get("p99_ms", 0), res.get("max_ms", 0))],
            ["socket errors (connect/read/write/timeout)", "%d/%d/%d/%d" % (
                res["connect"], res["read"], res["write"], res["timeout"])],
        ] + [["event", e] for e in events]
        print("\nscaleout.replicas (3 kensakud replicas behind nginx):\n")
        print(md_table(["figure", "value"], rows) + "\n", flush=True)
    finally:
        ngx.stop()
        for i, srv in enumerate(reps):
            if srv in killed:
                continue
            rc = srv.stop()
            check(rc == 0, "replica %d exit status %r" % (i + 1, rc))
            ksload.sanitizer_clean(srv)
    cleanup(d)


def _requests(srv):
    """Requests a replica has answered, from its /metrics."""
    st, _, text = ksload.get(srv, "/metrics")
    return sum(int(float(v)) for v in re.findall(rb"^kensaku_requests_total\{[^}]*\} (\S+)$", text, re.M))


ksload.run(main)
