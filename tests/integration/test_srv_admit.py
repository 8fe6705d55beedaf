#!/usr/bin/env python3
"""Issue 10, point 3 (server part): admission control and the deadline.

Searches run on a bounded worker pool; /healthz and /metrics are answered on
the HTTP threads. Over a synthetic index where a query of 32 one-letter
prefixes is expensive, with --threads 1:
- /metrics, fetched while two clients keep that query running, reports a
  search on a worker (kensaku_admission_running >= 1): it was answered while
  the only worker was busy; every /healthz meanwhile is 200. The /healthz
  p99 is printed for information, never asserted;
- a burst over --queue 1 gets 503 + Retry-After + the JSON error object,
  counted in kensaku_admission_rejected_total;
- with a 1 ms deadline, requests that waited in the queue past it get 503
  ("waited too long for a worker"): the deadline counts from arrival.
Assertions are structural: nothing depends on how fast the machine is."""
import json
import os
import random
import socket
import string
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import (Server, args, check_no_sanitizer_report, check, cleanup, cli, get, is_error_shape, jsonl, run,  # noqa: E402
                    status_of, tmpdir)

A = args()
ITEMS = int(os.environ.get("KS_ADMIT_ITEMS", "6000"))
PREFIXES = (string.ascii_lowercase + "0123456789")[:32]
EXPENSIVE = "/api/search?limit=100&q=" + urllib.parse.quote(" OR ".join(c + "*" for c in PREFIXES))


def corpus(path):
    r = random.Random(10)
    vocab = ["".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(r.randint(4, 9)))
             for _ in range(20000)]
    jsonl(path, ({"issue": 1 + i // 50, "date": "2022-03-27", "section": "脆弱性",
                  "title": " ".join(r.choice(vocab) for _ in range(8)),
                  "quote": " ".join(r.choice(vocab) for _ in range(40))} for i in range(ITEMS)))


def metrics(srv):
    _, _, body = get(srv, "/metrics")
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.rpartition(" ")
            out[k] = float(v)
    return out


def burst(srv, n, path):
    """Sends n requests at once on n connections; returns the raw answers."""
    socks = [srv.connect() for _ in range(n)]
    for i, s in enumerate(socks):
        s.sendall(("GET %s&b=%d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" %
                   (path, i)).encode())
    out = []
    for s in socks:
        s.settimeout(120)
        buf = b""
        while True:
            c = s.recv(65536)
            if not c:
                break
            buf += c
        s.close()
        out.append(buf)
    return out


def test_saturated(srv):
    stop = threading.Event()
    statuses = []

    def loop():
        while not stop.is_set():
            statuses.append(get(srv, EXPENSIVE)[0])

    ts = [threading.Thread(target=loop) for _ in range(2)]
    for t in ts:
        t.start()
    lat, health, busy_seen = [], [], 0
    try:
        end = time.monotonic() + 60
        while (busy_seen < 5 or len(lat) < 50) and time.monotonic() < end:
            t0 = time.monotonic()
            health.append(get(srv, "/healthz")[0])
            lat.append(time.monotonic() - t0)
            busy_seen += metrics(srv).get("kensaku_admission_running", 0) >= 1
    finally:
        stop.set()
        for t in ts:
            t.join()
    check(all(s == 200 for s in health), "every /healthz 200 under load: %r" % set(health))
    check(busy_seen >= 1, "/metrics answered while a search held the only worker (%d times)"
          % busy_seen)
    check(set(statuses) <= {200, 503}, "searches: 200 or 503 only: %r" % set(statuses))
    lat.sort()
    print("INFO /healthz under 2 looping expensive searches (--threads 1): %d requests, "
          "median %.1f ms, p99 %.1f ms; searches %d (%d x 503)" % (
              len(lat), lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3,
              len(statuses), statuses.count(503)), flush=True)


def test_queue_full(srv):
    before = metrics(srv).get("kensaku_admission_rejected_total", 0)
    answers = burst(srv, 12, EXPENSIVE)
    sts = [status_of(a) for a in answers]
    full = [a for a in answers if status_of(a) == 503]
    check(set(sts) <= {200, 503}, "burst: 200 or 503 only: %r" % sts)
    check(len(full) >= 1, "a burst of 12 over 1 worker + a queue of 1 gets 503s: %r" % sts)
    for a in full:
        head, _, body = a.partition(b"\r\n\r\n")
        check(b"\r\nRetry-After: 1" in head and is_error_shape(body, "busy"),
              "503 with Retry-After and the JSON error: %r" % a[:300])
    after = metrics(srv).get("kensaku_admission_rejected_total", 0)
    check(after - before == len(full), "rejections counted: %r vs %d" % (after - before, len(full)))
    check(get(srv, "/healthz")[0] == 200, "healthz after the burst")


def test_deadline(a, db):
    env = dict(os.environ, KENSAKUD_DEADLINE_MS="1")
    srv = Server(a, db, ["--threads", "1", "--queue", "64", "--cache-mb", "0"], env=env)
    try:
        answers = burst(srv, 16, EXPENSIVE)
        sts = [status_of(x) for x in answers]
        waited = [x for x in answers if b"waited too long for a worker" in x]
        check(set(sts) <= {200, 503}, "deadline burst: 200 or 503 only: %r" % sts)
        check(len(waited) >= 1, "queued past the deadline -> 503: %r" % sts)
        for x in waited:
            check(status_of(x) == 503 and is_error_shape(x.partition(b"\r\n\r\n")[2], "timeout"),
                  "queue timeout shape: %r" % x[:200])
    finally:
        srv.stop()
    check_no_sanitizer_report(srv)


def main():
    d = tmpdir("admit")
    db = os.path.join(d, "k.db")
    corpus(os.path.join(d, "items.jsonl"))
    cli(A, "index", "--db", db, os.path.join(d, "items.jsonl"))
    srv = Server(A, db, ["--threads", "1", "--queue", "1", "--cache-mb", "0", "--quiet"])
    try:
        test_saturated(srv)
        test_queue_full(srv)
    finally:
        rc = srv.stop()
        check(rc == 0, "kensakud exit status %r after SIGTERM" % rc)
        check_no_sanitizer_report(srv)
    test_deadline(A, db)
    cleanup(d)


run(main)
