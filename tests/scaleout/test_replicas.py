#!/usr/bin/env python3
"""scaleout.replicas - 3 kensakud replicas behind a real nginx configured
from deploy/scaleout/nginx-replicas.conf, all on loopback, each started
with the ExecStart of deploy/scaleout/kensakud@.service (instance = its
port) over its own copy of the index (published with deploy/kensaku-publish).

wrk runs through the proxy on a schedule of KS_SCALEOUT_SECONDS (default 30, also in
the sanitizer build, where the rebuild and rollout alone take ~12 s). At
15% of the run replica 2 is killed with SIGKILL, at 30% started again on
the same port; at 40% the ExecStart lines of the reindex job with
the drop-in deploy/scaleout/kensaku-reindex-rollout.conf run: `kensaku
reindex` of an archive holding a different corpus, then
deploy/scaleout/rollout.sh, which rolls the new generation out to the three
replicas one at a time. Asserts: zero non-2xx and zero socket errors
through the proxy, the killed replica had been serving (its metrics) and
nginx saw it fail (error log), the job exits 0, and at the end every
replica, asked directly, reports the new generation on /healthz and serves
the new items, not the old ones.

The one exception to "zero non-2xx": the requests the killed replica had
received when it died. nginx-replicas.conf never replays a request a
replica received (a request that kills one replica must not be run on the
others), so each of them is a 502; the test counts them in nginx's error
log (read from or reset by the killed replica's address: wrk's requests in
flight there and any sent on an idle keep-alive connection in the moment
before nginx saw it closed) and allows that many. wrk stands for many
clients from one address, so the config's per-client limits are raised,
and the replicas get a deadline (30 s) and queue that hold what 32
connections send to two replicas of a sanitizer build: their 503s (load
shedding, never replayed) are kensakud's matter, not failover's."""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "load"))
sys.path.insert(0, os.path.join(HERE, "..", "deploy"))
import ksdeploy  # noqa: E402
import ksload  # noqa: E402
from ksload import Wrk, check, cleanup, exec_lines, log, md_table, sub1, substitute, total, unit_entries  # noqa: E402

A = ksload.kstest.args()
SECONDS = ksload.env_int("KS_SCALEOUT_SECONDS", 30)
AFTER_S = 3  # seconds of load on the new generation after the rollout
CONNS, THREADS, ITEMS = 32, 2, 1500


def archive(d, name, seed, marker):
    """An archive folder: a generated corpus's issues plus one marker item.
    Returns (corpus folder, archive folder)."""
    corpus = ksload.gen_corpus(A, os.path.join(d, "corpus-" + name), ITEMS, seed)
    arch = os.path.join(d, "archive-" + name)
    os.makedirs(arch)
    os.symlink(os.path.join(corpus, "issues"), os.path.join(arch, "issues"))
    ksload.kstest.jsonl(os.path.join(arch, "marker.jsonl"), [
        {"issue": 9100, "date": "2000-06-02", "section": "その他",
         "title": "%s 世代の記事" % marker, "quote": "generation %s" % name}])
    return corpus, arch


def subst_for(state, arch, ports):
    """deploy paths and ports -> this test's."""
    return ksdeploy.replica_subst(A, state, arch, ports)


def queue_flags():
    """A queue that holds every wrk connection: the test is about failover,
    not kensakud's load shedding (past its queue, 8 per worker by default,
    a replica answers 503, which nginx does not replay)."""
    return ["--queue", str(4 * CONNS)] if ksdeploy.server_has_flag(A, "--queue") else []


def start_replica(state, port):
    """kensakud as kensakud@PORT.service starts it (ExecStart, %i = port)."""
    return ksdeploy.start_replica(A, state, port, add=queue_flags())


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def healthz_generation(srv):
    st, _, h = ksload.get_json(srv, "/healthz")
    return h.get("generation") if st == 200 and h else None


def main():
    ksload.need("wrk", "nginx", "curl", "sqlite3")
    d = ksload.tmpdir("scaleout")
    corpus_a, arch_a = archive(d, "alpha", 1, "scaleoutalpha")
    corpus_b, arch_b = archive(d, "beta", 2, "scaleoutbeta")
    paths_file = os.path.join(d, "paths.txt")
    paths = ksload.make_paths([corpus_a, corpus_b], paths_file)
    state = os.path.join(d, "var-lib-kensaku")
    os.makedirs(os.path.join(state, "build"))
    db_a = os.path.join(d, "alpha.db")
    rc, _, err = ksload.reindex(A, db_a, arch_a)
    check(rc == 0, "reindex alpha: %s" % err[-400:])

    os.environ["KENSAKUD_DEADLINE_MS"] = "30000"  # see the module's doc
    ports, reps = ksdeploy.publish_replicas(A, state, db_a, 3, add=queue_flags())
    killed = []
    with open(os.path.join(A.src, "deploy", "scaleout", "nginx-replicas.conf")) as f:
        conf = f.read()
    for i, default in enumerate((8081, 8082, 8083)):
        conf = sub1(r"server 127\.0\.0\.1:%d " % default, "server 127.0.0.1:%d " % ports[i], conf,
                    "replica %d address" % (i + 1))
    # wrk's connections stand for many clients: per-client limits raised
    conf = sub1(r"rate=\d+r/s", "rate=1000000r/s", conf, "limit_req_zone rate")
    conf = sub1(r"limit_conn kensaku_conn \d+;", "limit_conn kensaku_conn 60000;", conf, "limit_conn")

    def conf_for(port):
        return sub1(r"listen 127\.0\.0\.1:8080;", "listen 127.0.0.1:%d;" % port, conf, "listen")

    ngx, proxy_port = ksdeploy.start_nginx(os.path.join(d, "nginx"), conf_for)
    proxy = type("Proxy", (), {"host": "127.0.0.1", "port": proxy_port})()
    events = []
    try:
        check(total(proxy, "scaleoutalpha") == 1, "the proxy serves generation alpha")
        # wrk runs until the rollout is done (plus AFTER_S): a loaded machine can make
        # the rebuild and rollout outlast any fixed duration
        wrk = Wrk("http://127.0.0.1:%d" % proxy_port, paths_file, CONNS, THREADS, None)

        def at(frac):
            t = wrk.t0 + SECONDS * frac
            while time.monotonic() < t and wrk.running():
                time.sleep(min(0.2, max(0.0, t - time.monotonic())))  # the schedule, not a wait
            check(wrk.running(), "wrk still running at %.0f%% of the run" % (frac * 100))
            return time.monotonic() - wrk.t0

        t = at(0.15)
        served = _requests(reps[1])
        check(served > 0, "replica 2 was serving before the kill (%r requests)" % served)
        reps[1].proc.kill()  # SIGKILL: no drain
        reps[1].proc.wait()
        killed.append(reps[1])
        events.append("kill -9 replica 2 at %.1f s (it had served %d requests)" % (t, served))
        log(events[-1])

        t = at(0.3)
        reps[1] = start_replica(state, ports[1])
        events.append("replica 2 restarted at %.1f s" % t)
        log(events[-1])

        # the reindex job with the rollout drop-in: its ExecStart lines, in order
        t = at(0.4)
        dropin = read(os.path.join(A.src, "deploy", "scaleout", "kensaku-reindex-rollout.conf"))
        ro = unit_entries(substitute(dropin, subst_for(state, arch_b, ports)))
        env = dict(os.environ, **ksload.unit_environment(ro))
        t0 = time.monotonic()
        outs = []
        for argv in exec_lines(ro, "ExecStart"):
            r = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
            outs.append(r.stdout.strip())
            if not check(r.returncode == 0, "%s exit %d: %s %s" % (
                    os.path.basename(argv[0]), r.returncode, r.stdout, r.stderr)):
                break
        took = time.monotonic() - t0
        check(len(outs) == 2 and os.path.basename(exec_lines(ro, "ExecStart")[-1][0]) == "rollout.sh",
              "the drop-in runs kensaku reindex, then rollout.sh")
        gen_b = subprocess.run(["sqlite3", os.path.join(state, "build", "kensaku.db"),
                                "SELECT value FROM meta WHERE key='generation'"],
                               capture_output=True, text=True).stdout.strip()
        events.append("reindex + rollout.sh of generation beta at %.1f s: %.1f s for 3 replicas" % (t, took))
        log(events[-1] + "\n" + "\n".join(outs))
        check(wrk.running(), "wrk still running after the rollout")
        end = time.monotonic() + AFTER_S
        while time.monotonic() < end and wrk.running():
            time.sleep(0.2)  # load on the new generation for AFTER_S, then stop wrk
        res = wrk.wait()

        with open(os.path.join(ngx.prefix, "error.log"), errors="replace") as f:
            elog = f.read()
        dead = 'upstream: "http://127.0.0.1:%d/' % ports[1]
        in_flight = len([ln for ln in elog.splitlines() if dead in ln and "while reading response header" in ln])
        events.append("requests the killed replica had received (502, not replayed): %d" % in_flight)
        check(res["non_2xx"] <= in_flight, "non-2xx %d: at most the %d requests the killed replica had "
              "received: %r" % (res["non_2xx"], in_flight, res["by_status"]))
        ksload.check_wrk(dict(res, non_2xx=0, wrk_non2xx_3xx=0, ok_2xx=res["ok_2xx"] + res["non_2xx"]),
                         "scaleout.replicas")
        check(res["requests"] >= 5 * SECONDS, "only %d requests" % res["requests"])
        check("127.0.0.1:%d" % ports[1] in elog,
              "nginx's error log shows the killed replica failing:\n" + elog[-1500:])
        for i, srv in enumerate(reps):
            check(healthz_generation(srv) == gen_b, "replica %d reports generation %s: %r" % (
                i + 1, gen_b, healthz_generation(srv)))
            check(total(srv, "scaleoutbeta") == 1 and total(srv, "scaleoutalpha") == 0,
                  "replica %d serves the new items only" % (i + 1))
        check(all(total(proxy, "scaleoutbeta") == 1 for _ in range(6)), "the proxy serves beta")
        rows = [
            ["wrk through nginx", "-c%d -t%d, %.0f s (until the rollout + %d s), %d paths" % (
                CONNS, THREADS, res.get("duration_s", 0), AFTER_S, len(paths))],
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
