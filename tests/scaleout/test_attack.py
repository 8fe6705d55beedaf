#!/usr/bin/env python3
"""scaleout.attack - a client's bad requests must not take a replica out nor
be replayed on the others (issue 10, point 2): 3 kensakud replicas (the
ExecStart of deploy/scaleout/kensakud@.service, per-query deadline 1 ms so
every search times out: 503) behind a real nginx configured from
deploy/scaleout/nginx-replicas.conf.

1. Attack: one address sends, in turn, a ~2 KB /healthz with 1,000
   arguments, a 32-prefix search (503 at the deadline) and a search whose
   query is not UTF-8 (400), while 3 other addresses send legitimate
   requests (/healthz, an item, the web UI). Asserts: every legitimate
   request is a 200; nginx's error log has no "temporarily disabled" nor
   "no live upstreams"; each attack request reached exactly one replica
   (nginx's upstream log); the replicas ran the search 503s once each.
   Prints "legitimate failures behind the replica nginx while attack
   requests run" (KS_REPLICAS_CONF=FILE runs another config: the before
   figure).
2. A stopped replica (connection refused) costs no request: every
   legitimate request is a 200, the ones that tried it went on to another
   replica having sent it nothing.
3. Per-client limits: one address past its rate gets 429 with kensakud's
   JSON error object and Retry-After, another address is unaffected; one
   address holding 16 requests open gets 429 on the 17th, another is
   unaffected; a request body not sent is dropped (client_body_timeout).
4. Through nginx on its own port, feed links keep that port (Host), and
   kensakud logs the client's address, not nginx's (X-Forwarded-For with
   --trusted-proxy 127.0.0.1, when this kensakud has the flag)."""
import os
import re
import socket
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "deploy"))
import ksdeploy  # noqa: E402
from ksdeploy import ksload, req  # noqa: E402
from ksload import check, log, sub1  # noqa: E402

A = ksload.kstest.args()
CONF = os.environ.get("KS_REPLICAS_CONF") or os.path.join(A.src, "deploy", "scaleout", "nginx-replicas.conf")
ROUNDS = ksload.env_int("KS_ATTACK_ROUNDS", 30)
ATTACKER, LEGIT = "127.0.0.3", ["127.0.0.11", "127.0.0.12", "127.0.0.13"]
MANY_ARGS = "/healthz?" + "&".join(["a"] * 1000)
SLOW = "/api/search?q=" + urllib.parse.quote(" OR ".join(c + "*" for c in "82habcdefgijklmnopqrstuvwxyz0134"))
BAD_UTF8 = "/api/search?q=%FF%FE"
UPLOG = "log_format ksup '$remote_addr|$status|$upstream_addr|$upstream_status|$upstream_bytes_sent|$request_uri';\n"


def site_conf(prefix, ports, port):
    """The config under test on 127.0.0.1:port, replicas on ports, and an
    upstream log (address, status and bytes sent per attempt)."""
    with open(CONF) as f:
        text = f.read()
    for i, default in enumerate((8081, 8082, 8083)):
        text = sub1(r"server 127\.0\.0\.1:%d " % default, "server 127.0.0.1:%d " % ports[i], text,
                    "replica %d address" % (i + 1))
    text = sub1(r"listen 127\.0\.0\.1:8080;", "listen 127.0.0.1:%d;\n    access_log %s ksup;" % (
        port, os.path.join(prefix, "upstream.log")), text, "listen")
    return UPLOG + text


def upstream_log(ngx, n_before=0):
    with open(os.path.join(ngx.prefix, "upstream.log"), errors="replace") as f:
        return [ln.rstrip("\n").split("|", 5) for ln in f][n_before:]


def error_log(ngx):
    with open(os.path.join(ngx.prefix, "error.log"), errors="replace") as f:
        return f.read()


def metric_sum(reps, route, status):
    n = 0
    for srv in reps:
        _, _, text = ksload.get(srv, "/metrics")
        m = re.search(r'^kensaku_requests_total\{route="%s",status="%d"\} (\d+)$' % (route, status),
                      text.decode(), re.M)
        n += int(m.group(1)) if m else 0
    return n


class Legit(threading.Thread):
    """Legitimate requests from address src until stop is set, ~10/s (well
    under the per-client rate): statuses counted."""

    def __init__(self, port, src, paths, stop):
        super().__init__(daemon=True)
        self.port, self.src, self.paths, self.stop_ev = port, src, paths, stop
        self.ok, self.failed = 0, []

    def run(self):
        i = 0
        while not self.stop_ev.is_set():
            p = self.paths[i % len(self.paths)]
            i += 1
            try:
                st = req(self.port, p, src=self.src)[0]
            except OSError as e:
                st = repr(e)
            if st == 200:
                self.ok += 1
            else:
                self.failed.append((p, st))
            self.stop_ev.wait(0.1)  # the pace of one client, not a wait for an event


def attack(port, reps, ngx):
    """Phase 1; returns the legitimate failures."""
    stop = threading.Event()
    # routes that read no index (a search, an item or the feed would meet
    # the 1 ms deadline too)
    legit = [Legit(port, a, ["/healthz", "/", "/app.js"], stop) for a in LEGIT]
    for t in legit:
        t.start()
    got = {"many": [], "slow": [], "utf8": []}
    n_slow0 = metric_sum(reps, "search", 503)
    for _ in range(ROUNDS):
        for kind, path in (("many", MANY_ARGS), ("slow", SLOW), ("utf8", BAD_UTF8)):
            try:
                st = req(port, path, src=ATTACKER)[0]
            except OSError as e:
                st = repr(e)
            got[kind].append(st)
            time.sleep(0.07)  # the attacker's pace: under the per-client rate, so every request reaches a replica
    stop.set()
    for t in legit:
        t.join(ksdeploy._patience(30))
    failures = sum(len(t.failed) for t in legit)
    total = failures + sum(t.ok for t in legit)
    print("\nlegitimate failures behind the replica nginx while attack requests run: %d of %d (%s)\n" % (
        failures, total, os.path.basename(CONF)), flush=True)
    log("attack answers: " + "; ".join("%s %r" % (k, sorted(set(map(str, v)))) for k, v in got.items()))
    check(failures == 0 and total > 0, "legitimate requests all 200 while attacks ran: %r" % (
        [f for t in legit for f in t.failed][:10]))
    elog = error_log(ngx)
    check("temporarily disabled" not in elog and "no live upstreams" not in elog,
          "no replica marked down by a client's request:\n" + elog[-2000:])
    check(all(s in (200, 400, 413, 414, 431, 502) for s in got["many"]), "many arguments: %r" % set(got["many"]))
    check(all(s == 400 for s in got["utf8"]), "bad UTF-8: 400: %r" % set(got["utf8"]))
    check(got["slow"].count(503) > 0, "the slow query timed out at the replicas (503): %r" % set(got["slow"]))
    # each attack request went to one replica only
    lines = [x for x in upstream_log(ngx) if x[0] == ATTACKER]
    check(len(lines) == 3 * ROUNDS, "one upstream log line per attack request (%d)" % len(lines))
    replayed = [x for x in lines if "," in x[2] or " : " in x[2]]
    check(not replayed, "no attack request replayed on another replica: %r" % replayed[:3])
    n_slow = metric_sum(reps, "search", 503) - n_slow0
    check(n_slow == got["slow"].count(503), "the replicas ran each timed-out search once: %d for %d" % (
        n_slow, got["slow"].count(503)))
    return failures


def stopped_replica(port, reps, ngx, ports):
    """Phase 2: replica 3 stopped (connection refused)."""
    n0 = len(upstream_log(ngx))
    check(reps[2].stop() == 0, "replica 3 stops cleanly")
    ksload.sanitizer_clean(reps[2])
    sts = [req(port, p, src="127.0.0.14")[0] for p in ["/healthz", "/"] * 15]
    check(all(s == 200 for s in sts), "a stopped replica costs no request: %r" % sorted(set(sts)))
    # $upstream_*: ", " between tries in a group, " : " between groups
    retried = [x for x in upstream_log(ngx, n0) if " : " in x[2]]
    dead = "127.0.0.1:%d" % ports[2]
    check(retried and all(x[2].split(" : ")[0] == dead for x in retried),
          "requests that tried the stopped replica went on: %r" % retried[:3])
    check(all(re.fullmatch(r"0( : 0)*( : [1-9]\d*)", x[4]) for x in retried),
          "only requests the stopped replica got no byte of were retried: %r" % [x[4] for x in retried][:5])
    log("stopped replica: %d of %d requests tried it first and went on" % (len(retried), len(sts)))


def rate_limit(port):
    """Phase 3a: limit_req."""
    got = ksdeploy.flood_until_429(port, "127.0.0.4")
    other = req(port, "/healthz", src="127.0.0.5")[0]
    check(got is not None, "a client past its request rate gets a 429")
    if got:
        st, h, b = got
        check(ksload.kstest.is_error_shape(b, "too_many_requests") and
              h.get("content-type", "").startswith("application/json") and h.get("retry-after") == "1",
              "the 429 carries kensakud's JSON error and Retry-After: %r %r" % (h, b))
    check(other == 200, "another address is not limited: %r" % other)


def hold(port, src, n):
    """n connections from src, each with a request whose body never comes."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=ksdeploy._patience(60),
                                     source_address=(src, 0))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n")
        socks.append(s)
    return socks


def limit_hit(port, src):
    """Holds 16 requests from src and polls for the 17th's 429: (sockets,
    status, body). The held requests count only once nginx read their
    heads, and client_body_timeout (10 s) drops them: on a loaded machine a
    round can miss the window, so it is tried again with fresh ones."""
    st = b = None
    for _ in range(4):
        socks = hold(port, src, 16)
        deadline = time.monotonic() + 8  # inside client_body_timeout
        while time.monotonic() < deadline:
            st, h, b = req(port, "/healthz", src=src)
            if st == 429:
                return socks, st, b
            time.sleep(0.1)  # poll: nginx takes the held requests in
        for s in socks:
            s.close()
    return [], st, b


def conn_limit(port):
    """Phase 3b: limit_conn, and client_body_timeout on the held ones."""
    socks, st, b = limit_hit(port, "127.0.0.6")
    try:
        check(st == 429 and ksload.kstest.is_error_shape(b, "too_many_requests"),
              "a 17th request from an address holding 16 open gets a JSON 429: %r" % st)
        check(req(port, "/healthz", src="127.0.0.7")[0] == 200, "another address is not limited")
        # client_body_timeout (10 s; nginx's default is 60 s): nginx drops them
        if not socks:
            return
        socks[0].settimeout(40)
        t0 = time.monotonic()
        try:
            data = socks[0].recv(4096)
        except OSError:
            data = b""
        check(time.monotonic() - t0 < 40, "nginx drops a request whose body does not come")
        log("a request body that never came: %r after %.0f s" % (data[:20], time.monotonic() - t0))
    finally:
        for s in socks:
            s.close()


def host_and_client(port, reps, ngx):
    """Phase 4: the port in OpenSearch links (the feed's come from the same
    code, checked by deploy.nginx: here every index read meets the 1 ms
    deadline); the client's address in kensakud."""
    st, _, b = req(port, "/opensearch.xml")
    check(st == 200 and ('http://127.0.0.1:%d/' % port).encode() in b,
          "OpenSearch links through nginx keep its port: %r" % b[:400])
    if not ksdeploy.server_has_flag(A, "--trusted-proxy"):
        log("this kensakud has no --trusted-proxy: client address check skipped")
        return
    for _ in range(3):
        req(port, "/healthz?from=client", src="127.0.0.9")
    logs = "\n".join(r.stderr_text() for r in reps[:2])
    check("127.0.0.9" in logs, "kensakud logs the client's address, not nginx's:\n" + logs[-800:])


def main():
    ksload.need("nginx")
    d = ksload.tmpdir("scaleout-attack")
    state = os.path.join(d, "var-lib-kensaku")
    os.makedirs(state)
    corpus = ksload.gen_corpus(A, os.path.join(d, "corpus"), 1500, 3)
    db = os.path.join(d, "k.db")
    rc, _, err = ksload.reindex(A, db, os.path.join(corpus, "issues"))
    check(rc == 0, "reindex: %s" % err[-400:])
    os.environ["KENSAKUD_DEADLINE_MS"] = "1"  # every search times out (503)
    # without --quiet: per-request log lines name the client (phase 4)
    ports, reps = ksdeploy.publish_replicas(A, state, db, 3, drop=("--quiet",))
    ngx = None
    try:
        ngx, port = ksdeploy.start_nginx(os.path.join(d, "nginx"), lambda p: site_conf(
            os.path.join(d, "nginx"), ports, p))
        attack(port, reps, ngx)
        host_and_client(port, reps, ngx)
        rate_limit(port)
        conn_limit(port)
        stopped_replica(port, reps, ngx, ports)
    finally:
        if ngx:
            ngx.stop()
        for i, srv in enumerate(reps):
            rc = srv.stop()
            check(rc == 0, "replica %d exit status %r" % (i + 1, rc))
            ksload.sanitizer_clean(srv)
        ksload.cleanup(d)


ksload.run(main)
