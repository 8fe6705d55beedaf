#!/usr/bin/env python3
"""deploy.nginx - deploy/nginx/kensaku.conf in a real nginx (temporary
prefix, loopback port, never the system's nginx) in front of a real
kensakud.

`nginx -t` on the file as shipped (paths and ports rewritten) and with its
`#tls` lines enabled (a throw-away self-signed certificate). Then, through
the proxy: /api/search is cached (MISS then HIT, one upstream request for
two, the same bytes) per full URI, for a few seconds (it stops being a HIT); a 400 is passed through as kensakud's JSON and not cached;
/healthz is never cached; the web UI's CSP, X-Frame-Options,
Referrer-Policy and nosniff survive the proxy, as does CORS on the API;
/metrics answers 127.0.0.1 and refuses 127.0.0.2 (403); request bodies over
1 KiB are refused; HTTPS works and only it sends HSTS; the server version
is hidden; and with kensakud stopped, a cached search is still served
(STALE). Issue 10: /api/search.csv pages (cursors) are never cached (the
cache is /api/search exactly); feed and OpenSearch links through nginx on
its own port keep that port (Host); one address past its request rate gets
a 429 with kensakud's JSON error object while another is unaffected; the
client's address reaches kensakud in X-Forwarded-For (its log names it
with --trusted-proxy 127.0.0.1, as kensakud.service runs it)."""
import http.client
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "load"))
import ksload  # noqa: E402
from ksload import Nginx, Server, check, cleanup, log, sub1  # noqa: E402
import ksdeploy  # noqa: E402

A = ksload.kstest.args()
CONF = os.path.join(A.src, "deploy", "nginx", "kensaku.conf")


def site_conf(prefix, port, kport, tls_port=None):
    """kensaku.conf with the cache under prefix, listening on 127.0.0.1:port
    (and tls_port with the #tls lines enabled), upstream kensakud on kport."""
    with open(CONF) as f:
        text = f.read()
    text = sub1(r"/var/cache/nginx/kensaku", os.path.join(prefix, "cache"), text, "cache path")
    text = sub1(r"^(\s*)listen 80;", r"\1listen 127.0.0.1:%d;" % port, text, "listen 80")
    text = sub1(r"^\s*listen \[::\]:80;\n", "", text, "listen [::]:80")
    text = sub1(r"server 127\.0\.0\.1:8080;", "server 127.0.0.1:%d;" % kport, text, "upstream")
    if tls_port:
        text = sub1(r"^(\s*)#tls ", r"\1", text, "#tls lines")
        text = sub1(r"^(\s*)listen 443 ssl", r"\1listen 127.0.0.1:%d ssl" % tls_port, text, "listen 443")
        text = sub1(r"^\s*listen \[::\]:443 ssl http2;\n", "", text, "listen [::]:443")
        text = sub1(r"ssl_certificate\s+\S+;", "ssl_certificate %s;" % os.path.join(prefix, "cert.pem"),
                    text, "certificate")
        text = sub1(r"ssl_certificate_key\s+\S+;", "ssl_certificate_key %s;" % os.path.join(prefix, "key.pem"),
                    text, "certificate key")
    return text


def req(port, path, method="GET", src=None, body=None, tls=False):
    """One request on a fresh connection: (status, headers lower-cased, body)."""
    if not tls:
        return ksdeploy.req(port, path, method, src, body)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=ctx)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def upstream_count(srv, route, status, at_least=0):
    """kensaku_requests_total{route,status} on kensakud's own /metrics.
    kensakud counts a request when it is done with it, which may be just
    after the client has the answer: polls (5 s) until it is >= at_least."""
    t0 = time.monotonic()
    while True:
        st, _, text = ksload.get(srv, "/metrics")
        m = re.search(r'^kensaku_requests_total\{route="%s",status="%d"\} (\d+)$' % (route, status),
                      text.decode(), re.M)
        n = int(m.group(1)) if m else 0
        if n >= at_least or time.monotonic() - t0 > 5:
            return n


def rate_limit(port):
    """One address past its request rate (20/s, bursts of 40) gets a JSON
    429; another address at the same moment does not."""
    got = ksdeploy.flood_until_429(port, "127.0.0.4")
    check(got is not None, "a client past its request rate gets a 429")
    other = req(port, "/healthz", src="127.0.0.5")[0]
    if got:
        check(ksload.kstest.is_error_shape(got[2], "too_many_requests") and
              got[1].get("content-type", "").startswith("application/json"),
              "the 429 is kensakud's JSON error object: %r %r" % (got[1], got[2]))
    check(other == 200, "another address is not limited: %r" % other)


def main():
    ksload.need("nginx", "openssl")
    d = ksload.tmpdir("deploy-nginx")
    prefix = os.path.join(d, "nginx")
    os.makedirs(prefix)
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=kensaku.example.org", "-keyout", os.path.join(prefix, "key.pem"),
                        "-out", os.path.join(prefix, "cert.pem")], capture_output=True, timeout=60)
    check(r.returncode == 0, "self-signed certificate: %s" % r.stderr[-300:])
    db = os.path.join(d, "k.db")
    ksload.kstest.build_index(A, db, [os.path.join(A.data, "base.jsonl")])
    # per-request log lines (no --quiet): they name the client
    extra = ["--trusted-proxy", "127.0.0.1"] if ksdeploy.server_has_flag(A, "--trusted-proxy") else []
    srv = Server(A, db, ["--web", os.path.join(A.src, "web")] + extra)

    ok, out = Nginx(os.path.join(d, "plain"), site_conf(os.path.join(d, "plain"), 8080, srv.port)).test()
    check(ok, "nginx -t, kensaku.conf as shipped: " + out)
    tls = {}

    def conf(p):  # both ports fresh on each try
        tls["port"] = ksload.free_port()
        return site_conf(prefix, p, srv.port, tls["port"])

    ngx, port = ksdeploy.start_nginx(prefix, conf)
    tls_port = tls["port"]
    stopped = False
    try:
        q = "/api/search?q=" + urllib.parse.quote("ランサムウェア")
        n0 = upstream_count(srv, "search", 200)
        s1, h1, b1 = req(port, q)
        s2, h2, b2 = req(port, q)
        check(s1 == 200 and h1.get("x-cache-status") == "MISS", "first search: %d %r" % (s1, h1.get("x-cache-status")))
        check(s2 == 200 and h2.get("x-cache-status") == "HIT", "second search: %d %r" % (s2, h2.get("x-cache-status")))
        check(b1 == b2 and b'"hits"' in b1, "the cached body is the upstream's")
        n1 = upstream_count(srv, "search", 200, n0 + 1)
        check(n1 == n0 + 1, "two searches through the cache, one upstream request (%d)" % (n1 - n0))
        s3, h3, _ = req(port, q + "&limit=5")
        check(s3 == 200 and h3.get("x-cache-status") == "MISS", "another URI is another key: %r" % h3.get("x-cache-status"))
        check(h1.get("access-control-allow-origin") == "*", "CORS passes through: %r" % h1)

        # a 400 passes through as JSON and is never cached
        for _ in range(2):
            s, h, b = req(port, "/api/search?limit=0")
            check(s == 400 and ksload.kstest.is_error_shape(b) and h.get("x-cache-status") == "MISS",
                  "400 passed through, not cached: %d %r %r" % (s, h.get("x-cache-status"), b[:80]))

        # /api/search.csv pages carry cursors: never cached
        n0 = upstream_count(srv, "csv", 200)
        for _ in range(2):
            s, h, b = req(port, "/api/search.csv?q=" + urllib.parse.quote("ランサムウェア"))
            check(s == 200 and "x-cache-status" not in h, "/api/search.csv through the proxy, uncached: %d %r" % (
                s, h.get("x-cache-status")))
        check(upstream_count(srv, "csv", 200, n0 + 2) == n0 + 2, "both CSV pages reached kensakud")

        # links keep nginx's port (Host as the client sent it)
        for path in ("/feed.atom?q=x", "/opensearch.xml"):
            s, _, b = req(port, path)
            check(s == 200 and ("http://127.0.0.1:%d/" % port).encode() in b,
                  "%s links through nginx keep its port %d: %r" % (path, port, b[:300]))

        # the client's address reaches kensakud
        if extra:
            req(port, "/healthz?xff=1", src="127.0.0.2")
            check(srv.wait_line("client=127.0.0.2", 10), "kensakud names the client behind nginx: %s" % (
                srv.stderr_text()[-500:]))

        # /healthz never cached
        n0 = upstream_count(srv, "healthz", 200)
        for _ in range(2):
            s, h, b = req(port, "/healthz")
            check(s == 200 and "x-cache-status" not in h and b'"status":"ok"' in b,
                  "/healthz through the proxy, uncached: %d %r" % (s, h.get("x-cache-status")))
        check(upstream_count(srv, "healthz", 200, n0 + 2) == n0 + 2, "both /healthz reached kensakud")

        # the web UI's security headers survive
        _, direct, _ = ksload.get(srv, "/")
        s, h, b = req(port, "/")
        for k in ("content-security-policy", "x-frame-options", "referrer-policy", "x-content-type-options"):
            check(s == 200 and k in direct and h.get(k) == direct[k], "%s passes through: %r vs %r" % (
                k, h.get(k), direct.get(k)))
        check(h.get("server") == "nginx", "server version hidden: %r" % h.get("server"))
        check("strict-transport-security" not in h, "no HSTS over plain HTTP")

        # /metrics: this host only
        s, _, b = req(port, "/metrics", src="127.0.0.1")
        check(s == 200 and b"kensaku_requests_total" in b, "/metrics from 127.0.0.1: %d" % s)
        s, _, _ = req(port, "/metrics", src="127.0.0.2")
        check(s == 403, "/metrics from 127.0.0.2 refused: %d" % s)
        s, _, _ = req(port, "/healthz", src="127.0.0.2")
        check(s == 200, "/healthz from 127.0.0.2: %d" % s)

        s, _, _ = req(port, "/api/search", method="POST", body=b"x" * 2048)
        check(s == 413, "a 2 KiB request body is refused: %d" % s)
        rate_limit(port)

        # HTTPS
        s, h, b = req(tls_port, q, tls=True)
        check(s == 200 and b'"hits"' in b, "search over HTTPS: %d" % s)
        check(h.get("strict-transport-security", "").startswith("max-age="), "HSTS over HTTPS: %r" % h)

        # short validity: the entry stops being a HIT after a few seconds
        t0 = time.monotonic()
        state = "HIT"
        while time.monotonic() - t0 < ksdeploy._patience(30):
            state = req(port, q)[1].get("x-cache-status")
            if state != "HIT":
                break
            time.sleep(0.25)  # poll interval within a deadline
        age = time.monotonic() - t0
        # proxy_cache_valid 200 5s; no bound on when: a busy machine may see it late
        check(state in ("EXPIRED", "MISS", "UPDATING", "STALE"),
              "the cache entry expires (%r after %.1f s)" % (state, age))
        log("cached /api/search stopped being a HIT after %.1f s (%s)" % (age, state))

        # kensakud down: a cached search is still answered (stale), uncached ones fail over
        req(port, q)  # fresh entry
        rc = srv.stop()
        stopped = True
        check(rc == 0, "kensakud exit status %r" % rc)
        t0 = time.monotonic()
        state = None
        while time.monotonic() - t0 < ksdeploy._patience(30):
            s, h, b = req(port, q)
            state = h.get("x-cache-status")
            if state == "STALE":
                break
            time.sleep(0.25)  # poll interval within a deadline
        check(state == "STALE" and s == 200 and b'"hits"' in b,
              "kensakud down: the cached search is served stale (%r, %d)" % (state, s))
        s, _, _ = req(port, "/api/search?q=uncached")
        check(s == 502, "kensakud down: an uncached search is a 502 from nginx: %d" % s)
    finally:
        ngx.stop()
        if not stopped:
            rc = srv.stop()
            check(rc == 0, "kensakud exit status %r" % rc)
        ksload.sanitizer_clean(srv)
    if os.environ.get("KS_KEEP"):
        log("kept " + d)
    else:
        cleanup(d)


ksload.run(main)
