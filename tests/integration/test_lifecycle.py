#!/usr/bin/env python3
"""kensakud's command line and life: flags and exit codes (0, 1, 2), the
first stdout line, $KENSAKU_DB, the default web folder, --quiet, IPv6,
SIGTERM draining an in-flight response, SIGINT."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import (Server, args, build_index, check, check_no_sanitizer_report, cleanup, cli, get, get_json, is_error_shape, jsonl,  # noqa: E402
                    patience, run, tmpdir)

A = args()
BIG = 64 * 1024 * 1024


def run_srv(argv, env=None, timeout=60):
    return subprocess.run([A.srv] + argv, capture_output=True, timeout=patience(timeout), env=env)


def test_flags(d, db):
    r = run_srv(["--help"])
    check(r.returncode == 0 and b"--listen" in r.stdout, "--help: %d" % r.returncode)
    r = run_srv(["--version"])
    check(r.returncode == 0 and r.stdout.startswith(b"kensakud "), "--version: %d %r" % (r.returncode, r.stdout))
    for argv in [["--bogus"], ["extra-arg"], ["--threads", "0"], ["--threads", "abc"], ["--threads", "-3"],
                 ["--threads"], ["--listen", "nonsense"], ["--listen", "127.0.0.1:99999"],
                 ["--listen", "127.0.0.1:"], ["--listen", "127.0.0.1:8x"], ["--listen", "[::1"],
                 ["--listen", "no.such.host.invalid:80"]]:
        r = run_srv(["--db", db] + argv)
        check(r.returncode == 2 and r.stderr, "usage error %r: exit %d" % (argv, r.returncode))
    missing = os.path.join(d, "missing.db")
    r = run_srv(["--db", missing, "--listen", "127.0.0.1:0"])
    check(r.returncode == 1 and missing.encode() in r.stderr and not os.path.exists(missing),
          "missing db: exit %d %r" % (r.returncode, r.stderr[-200:]))
    junk = os.path.join(d, "junk.db")
    with open(junk, "wb") as f:
        f.write(os.urandom(8192))
    r = run_srv(["--db", junk, "--listen", "127.0.0.1:0"])
    check(r.returncode == 1 and r.stderr, "corrupt db: exit %d" % r.returncode)
    empty = os.path.join(d, "empty.db")
    open(empty, "wb").close()
    r = run_srv(["--db", empty, "--listen", "127.0.0.1:0"])
    check(r.returncode == 1, "empty db file: exit %d" % r.returncode)
    r = run_srv(["--db", d, "--listen", "127.0.0.1:0"])
    check(r.returncode == 1, "a folder as db: exit %d" % r.returncode)
    r = run_srv(["--db", db, "--listen", "127.0.0.1:0", "--web", os.path.join(d, "no-such-web")])
    check(r.returncode == 1, "missing --web: exit %d" % r.returncode)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    r = run_srv(["--db", db, "--listen", "127.0.0.1:%d" % busy.getsockname()[1]])
    busy.close()
    check(r.returncode == 1 and b"listen" in r.stderr, "port in use: exit %d %r" % (r.returncode, r.stderr[-200:]))


def test_env_and_defaults(d, db):
    env = dict(os.environ, KENSAKU_DB=db)
    srv = Server(A, db, [], env=env)
    srv.argv = None
    try:
        # first line told us the port; the server runs on $KENSAKU_DB
        st, _, b = get_json(srv, "/healthz")
        check(st == 200 and b["items"] == 11, "healthz on the db")
        st, h, body = get(srv, "/")
        web_index = os.path.join(A.src, "web", "index.html")
        if os.path.exists(web_index) and os.path.realpath(os.path.join(A.bin, "..", "..")) == os.path.realpath(A.src):
            check(st == 200 and h.get("content-type", "").startswith("text/html"), "default --web serves the project's web/: %d" % st)
        check(srv.wait_line("items"), "startup line")
        check(srv.wait_line("GET /healthz 200", 30), "request lines logged")
    finally:
        check(srv.stop() == 0, "exit 0")
    # $KENSAKU_DB without --db
    p = subprocess.Popen([A.srv, "--listen", "127.0.0.1:0", "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stdout.readline().decode()
    check(line.startswith("listening on http://127.0.0.1:"), "KENSAKU_DB honoured: %r" % line)
    port = int(line.strip().rsplit(":", 1)[1])
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=patience(60))
    c.request("GET", "/healthz")
    check(c.getresponse().status == 200, "healthz via KENSAKU_DB")
    c.close()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=patience(60))
    check(p.returncode == 0, "SIGINT exit %d" % p.returncode)
    check(b"GET /healthz" not in err, "--quiet silences request lines")
    # IPv6 loopback, when the machine has it
    try:
        s6 = socket.socket(socket.AF_INET6)
        s6.bind(("::1", 0))
        s6.close()
        has6 = True
    except OSError:
        has6 = False
    if has6:
        p = subprocess.Popen([A.srv, "--db", db, "--listen", "[::1]:0", "--quiet"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        line = p.stdout.readline().decode()
        check(line.startswith("listening on http://[::1]:"), "IPv6 listen line %r" % line)
        p.terminate()
        p.communicate(timeout=patience(60))
        check(p.returncode == 0, "IPv6 server exit %d" % p.returncode)


def test_drain(d, db):
    web = os.path.join(d, "web")
    os.makedirs(web, exist_ok=True)
    with open(os.path.join(web, "big.bin"), "wb") as f:
        f.truncate(BIG)
    srv = Server(A, db, ["--web", web, "--threads", "2"])
    s = srv.connect()
    s.settimeout(patience(60))
    s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(65536)
    head, _, body = got.partition(b"\r\n\r\n")
    check(head.startswith(b"HTTP/1.1 200"), "big file: %r" % head[:30])
    n = len(body)
    # the response is in flight: stop the server now
    srv.signal(signal.SIGTERM)
    check(srv.wait_line("draining", 60), "SIGTERM logged the drain")
    refused = False
    try:
        socket.create_connection((srv.host, srv.port), timeout=patience(30)).close()
    except OSError:
        refused = True
    check(refused, "no new connections while draining")
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        n += len(chunk)
        if n >= BIG:
            break
    s.close()
    check(n == BIG, "the in-flight response was completed: %d of %d bytes" % (n, BIG))
    try:
        rc = srv.proc.wait(patience(60))
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 0, "exit status after drain %r" % rc)
    srv.stop()
    check("stopped" in srv.stderr_text(), "stop logged")
    check_no_sanitizer_report(srv)

    # an idle keep-alive connection does not hold the drain up: without it
    # the intake would wait its whole 5 s bound (GRACE_MAX_MS in
    # server/http/http.c) for that connection; with it, 250 ms of quiet end it.
    # Timed against the same stop with no connection at all, so what a
    # loaded machine adds to both (start, exit, leak check) cancels out.
    base = stop_seconds(db, False)
    idle = stop_seconds(db, True)
    print("stop after SIGTERM: %r s with no connection, %r s with an idle keep-alive one" % (
        base and round(base, 2), idle and round(idle, 2)))
    check(idle is not None and base is not None and idle - base < 4.0,
          "idle keep-alive held the drain up: %r s vs %r s without it" % (idle, base))


def stop_seconds(db, keep_alive):
    """Seconds from SIGTERM to kensakud's exit 0 (None if it did not exit
    0), holding one idle keep-alive connection when keep_alive."""
    srv = Server(A, db, ["--quiet"])
    s = None
    try:
        if keep_alive:
            s = srv.connect()
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(65536)
        t0 = time.monotonic()
        srv.signal(signal.SIGTERM)
        try:
            rc = srv.proc.wait(patience(60))
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - t0
    finally:
        if s:
            s.close()
        srv.stop()
    check(rc == 0, "exit status after SIGTERM%s: %r" % (" with an idle connection" if keep_alive else "", rc))
    return took if rc == 0 else None


def test_timeout(d):
    """A query past the deadline is 503 timeout, and the next one works."""
    items = [{"issue": 1000 + i // 20, "date": "2020-%02d-01" % (1 + (i // 20) % 12),
              "section": ["脆弱性", "その他"][i % 2],
              "title": "heavy item %d ランサムウェア 攻撃 %d" % (i, i * 7),
              "quote": "ransomware attack vulnerability %d " % i * 5} for i in range(5000)]
    src = os.path.join(d, "heavy.jsonl")
    jsonl(src, items)
    db = os.path.join(d, "heavy.db")
    cli(A, "reindex", "--quiet", "--db", db, src)
    env = dict(os.environ, KENSAKUD_DEADLINE_MS="1")
    srv = Server(A, db, ["--quiet"], env=env)
    try:
        statuses = []
        for text in ["ランサムウェア", "ransomware attack", "heavy*", "攻撃 OR vulnerability"]:
            st, _, b = get(srv, "/api/search?q=" + urllib.parse.quote(text) + "&sort=newest")
            statuses.append(st)
            check(st == 200 or (st == 503 and is_error_shape(b, "timeout")), "deadline: %d %r" % (st, b[:80]))
        check(503 in statuses, "no query hit a 1 ms deadline over 5000 items: %r" % statuses)
        st, _, b = get_json(srv, "/healthz")
        check(st == 200, "healthz after timeouts")
    finally:
        check(srv.stop() == 0, "exit 0 after timeouts")
    r = run_srv(["--db", db, "--listen", "127.0.0.1:0"], env=dict(os.environ, KENSAKUD_DEADLINE_MS="soon"))
    check(r.returncode == 2, "bad KENSAKUD_DEADLINE_MS: exit %d" % r.returncode)


def main():
    d = tmpdir("life")
    db = os.path.join(d, "k.db")
    build_index(A, db, [os.path.join(A.data, "base.jsonl")])
    test_flags(d, db)
    test_env_and_defaults(d, db)
    test_drain(d, db)
    test_timeout(d)
    cleanup(d)


run(main)
