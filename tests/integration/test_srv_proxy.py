#!/usr/bin/env python3
"""Issue 10, point 2 (kensakud part): --trusted-proxy.

- from a trusted proxy (127.0.0.1 here), the client is the rightmost
  X-Forwarded-For entry that is not a trusted proxy; the per-client limit
  (--per-client 2) caps that client's requests in flight (429 + JSON +
  Retry-After), other clients go on, the proxy itself opens as many
  connections as it likes, and log lines name the client;
- from a peer that is not trusted, X-Forwarded-For is ignored and the
  per-address connection limit refuses its third connection.
Requests are held in flight by a 32 MB static file the client does not read."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import (Server, args, check_no_sanitizer_report, build_index, check, cleanup, get, is_error_shape,  # noqa: E402
                    request, run, status_of, tmpdir)

A = args()


def make_web(d):
    web = os.path.join(d, "web")
    os.makedirs(web)
    with open(os.path.join(web, "index.html"), "wb") as f:
        f.write(b"<!doctype html><p>x</p>")
    with open(os.path.join(web, "big.bin"), "wb") as f:
        f.truncate(32 << 20)  # sparse: cheap to make, too big for socket buffers
    return web


def retry(fn, timeout=30):
    """fn() until it raises no OSError: a connection the client closed a
    moment ago may still count against the address's limit on the server."""
    end = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def hold(srv, xff=None):
    """Starts a request for big.bin and reads only its status line: the
    response stays in flight while the socket is open. Returns (sock, status)."""
    return retry(lambda: hold_once(srv, xff))


def hold_once(srv, xff):
    s = srv.connect()
    h = b"X-Forwarded-For: " + xff.encode() + b"\r\n" if xff else b""
    s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n" + h + b"\r\n")
    got = b""
    while b"\r\n" not in got:
        c = s.recv(64)
        if not c:
            s.close()
            raise ConnectionResetError("closed without an answer")
        got += c
    return s, status_of(got)


def metric(srv, name):
    _, _, body = get(srv, "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[-1]))
    return -1


def test_trusted(a, db, web):
    srv = Server(a, db, ["--web", web, "--threads", "2", "--per-client", "2",
                         "--trusted-proxy", "192.0.2.1,127.0.0.1", "--trusted-proxy", "::1"])
    held = []
    try:
        for _ in range(2):
            s, st = hold(srv, "198.51.100.1, 203.0.113.7")
            held.append(s)
            check(st == 200, "client 203.0.113.7 request in flight: %d" % st)
        for xff in ("203.0.113.7", "10.9.9.9, 203.0.113.7, 127.0.0.1", "203.0.113.7:4711"):
            st, h, body = request(srv, "GET", "/healthz", {"X-Forwarded-For": xff})
            check(st == 429 and is_error_shape(body, "too_many_requests") and
                  h.get("retry-after") == "1", "XFF %r: client over its limit -> 429, got %d %r"
                  % (xff, st, body[:100]))
        # the left part of XFF is the client's to write: it can't escape
        st, _, _ = request(srv, "GET", "/healthz", {"X-Forwarded-For": "1.1.1.1, 203.0.113.7"})
        check(st == 429, "spoofed left entries don't change the client: %d" % st)
        st, _, _ = request(srv, "GET", "/healthz", {"X-Forwarded-For": "203.0.113.8"})
        check(st == 200, "another client behind the proxy still served: %d" % st)
        # the proxy itself (no XFF) is not capped, neither in requests nor connections
        more = [hold(srv) for _ in range(4)]
        check(all(st == 200 for _, st in more), "the trusted proxy holds 4 requests at once")
        held += [s for s, _ in more]
        check(srv.wait_line("GET /healthz 200", 10) and
              srv.wait_line("client=203.0.113.8", 10), "the log names the client")
        check(srv.wait_line("GET /healthz 429", 10), "the 429 is logged")
        # links name the scheme the proxy says the client used
        st, _, body = retry(lambda: request(srv, "GET", "/feed.atom", {
            "Host": "search.example.org", "X-Forwarded-Proto": "https"}))
        check(st == 200 and b'href="https://search.example.org/' in body,
              "X-Forwarded-Proto https from the proxy -> https links: %r" % body[:400])
    finally:
        for s in held:
            s.close()
        srv.stop()
    check_no_sanitizer_report(srv)


def test_untrusted(a, db, web):
    srv = Server(a, db, ["--web", web, "--threads", "2", "--per-client", "2",
                         "--trusted-proxy", "192.0.2.1"])
    held = []
    try:
        st, _, _ = retry(lambda: request(srv, "GET", "/healthz",
                                         {"X-Forwarded-For": "203.0.113.9"}))
        check(st == 200 and srv.wait_line("client=127.0.0.1", 10), "the peer is the client")
        st, _, body = retry(lambda: request(srv, "GET", "/feed.atom", {
            "Host": "search.example.org", "X-Forwarded-Proto": "https"}))
        check(st == 200 and b'href="http://search.example.org/' in body,
              "X-Forwarded-Proto from an untrusted peer is ignored: %r" % body[:400])
        for _ in range(2):
            s, st = hold(srv, "203.0.113.9")
            held.append(s)
            check(st == 200, "direct request in flight: %d" % st)
        check(not any("client=203.0.113.9" in x for x in srv.stderr_text().splitlines()),
              "XFF from an untrusted peer is ignored in the log")
        # a third connection from 127.0.0.1 is refused (closed, no answer)
        s = srv.connect()
        s.settimeout(10)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            got = s.recv(100)
        except OSError:
            got = b""
        s.close()
        check(got == b"", "third connection refused: %r" % got[:60])
    finally:
        for s in held:
            s.close()
    # once the held connections close, the address is served again
    end = time.monotonic() + 30
    n = -1
    while time.monotonic() < end:
        try:
            n = metric(srv, "kensaku_connections_refused_total")
            break
        except OSError:
            time.sleep(0.05)
    check(n >= 1, "kensaku_connections_refused_total counted it: %d" % n)
    srv.stop()
    check_no_sanitizer_report(srv)


def test_flags(a, db):
    import subprocess
    r = subprocess.run([a.srv, "--db", db, "--trusted-proxy", "nginx.local"], capture_output=True,
                       timeout=30)
    check(r.returncode == 2 and b"--trusted-proxy" in r.stderr, "a bad address is a usage error")
    r = subprocess.run([a.srv, "--help"], capture_output=True, timeout=30)
    check(b"--trusted-proxy" in r.stdout and b"--per-client" in r.stdout and
          b"--queue" in r.stdout, "--help names the new flags")


def main():
    d = tmpdir("proxy")
    db = os.path.join(d, "k.db")
    build_index(A, db, [os.path.join(A.data, "base.jsonl")])
    web = make_web(d)
    test_flags(A, db)
    test_trusted(A, db, web)
    test_untrusted(A, db, web)
    cleanup(d)


run(main)
