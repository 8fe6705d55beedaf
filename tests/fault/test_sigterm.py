#!/usr/bin/env python3
"""SIGTERM under load: no in-flight request fails.

Client threads query kensakud without pause (searches that take a few
milliseconds each, item lookups, /healthz), half of them on fresh
connections and half on keep-alive connections, and SIGTERM arrives at a
random moment (several rounds, a new server each). Every request whose
bytes were all sent before the signal must get a complete 200 with the
right content; a request sent after it may find the door closed (refused,
reset, or closed before any byte of an answer), but no answer is ever cut
short or anything but a 200; kensakud logs the drain and exits 0 (how
long the drain took is printed; a loaded machine makes it no assertion).

test_lifecycle.py already covers one large static response in flight, new
connections refused while draining and idle keep-alive connections not
holding the exit; this is the many-small-requests case.

$KS_FAULT_SCALE scales the corpus and the rounds (default 1.0 = 10000
items, 12 rounds)."""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksfault as F  # noqa: E402
from ksfault import kstest  # noqa: E402
from kstest import Server, args, check, cleanup, run, tmpdir  # noqa: E402

A = args()
SEED = int(os.environ.get("KS_FAULT_SEED", "6"))
CLIENTS = 8


class Closed(Exception):
    """The server closed or refused before sending any byte of an answer."""


def read_response(sock):
    """Reads one HTTP/1.1 response (Content-Length bodies only); returns
    (status, headers dict, body). Raises Closed when the connection ends
    before any byte, ValueError when it ends mid-answer."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            if buf:
                raise ValueError("headers cut short: %r" % buf[:80])
            raise Closed()
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ValueError("body cut short: %d of %d bytes" % (len(body), n))
        body += chunk
    return status, headers, body[:n]


class Clients:
    def __init__(self, srv, n_items):
        self.srv = srv
        self.n = n_items
        self.sig_at = None  # monotonic time of the SIGTERM, once sent
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent_before = self.ok_before = self.after_ok = self.after_closed = 0
        self.failures = []
        self.threads = [threading.Thread(target=self.loop, args=(i,), daemon=True)
                        for i in range(CLIENTS)]
        for t in self.threads:
            t.start()

    def path(self, r, k):
        kind = k % 3
        if kind == 0:
            word = r.choice(F.JP)
            return "/api/search?" + urllib.parse.urlencode(
                {"q": word, "limit": 50, "exact": 1, "sort": "newest"}), ("search", word)
        if kind == 1:
            i = r.randrange(self.n)
            return "/api/items/%d-%d" % (1000 + i // F.ITEMS_PER_FILE, 1 + i % F.ITEMS_PER_FILE), (
                "item", None)
        return "/healthz", ("healthz", None)

    def verify(self, what, st, body):
        if st != 200:
            return "status %d: %r" % (st, body[:200])
        try:
            b = json.loads(body)
        except ValueError:
            return "not JSON: %r" % body[:200]
        kind, word = what
        if kind == "healthz":
            return None if b.get("status") == "ok" and b.get("items") == self.n else "healthz %r" % b
        hits = b.get("hits") if kind == "search" else [b]
        if kind == "search" and not hits:
            return "no hits for %s" % word
        for h in hits:
            why, _ = F.verify_hit(h, 0)
            if why:
                return why
            if word and word not in h["title"] and word not in h["quote"]:
                return "hit %s without %s" % (h["id"], word)
        return None

    def loop(self, i):
        r = random.Random(SEED * 100 + i)
        keep = i % 2 == 1
        sock = None
        k = i
        while not self.stop.is_set():
            path, what = self.path(r, k)
            k += 1
            sent = None
            try:
                if sock is None:
                    sock = socket.create_connection((self.srv.host, self.srv.port),
                                                    timeout=kstest.patience(60))
                sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (
                    path, "" if keep else "Connection: close\r\n")).encode())
                sent = time.monotonic()
                st, headers, body = read_response(sock)
            except (Closed, ConnectionError, OSError, ValueError) as e:
                if sock:
                    sock.close()
                    sock = None
                before = sent is not None and (self.sig_at is None or sent < self.sig_at)
                cut = isinstance(e, ValueError)
                with self.lock:
                    if before or cut:
                        self.failures.append("%s (sent %s the signal): %r" % (
                            path, "before" if before else "after", e))
                    else:
                        self.after_closed += 1
                if self.sig_at is not None:
                    return
                continue
            before = self.sig_at is None or sent < self.sig_at
            why = self.verify(what, st, body)
            with self.lock:
                if why:
                    self.failures.append("%s: %s" % (path, why))
                elif before:
                    self.ok_before += 1
                else:
                    self.after_ok += 1
                self.sent_before += before
            if not keep or headers.get("connection", "").lower() == "close":
                sock.close()
                sock = None
        if sock:
            sock.close()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(60)


def main():
    d = tmpdir("sigterm")
    db = os.path.join(d, "k.db")
    n = F.scaled(10000, 500)
    rounds = max(3, F.scaled(12))
    rnd = random.Random(SEED)
    subprocess.run(F.reindex_argv(A, db, F.write_corpus(os.path.join(d, "c0"), n, "gtag0")),
                   check=True, capture_output=True)
    total_ok = total_after = total_closed = 0
    try:
        for rd in range(rounds):
            srv = Server(A, db, ["--threads", "4", "--quiet"], patient=True)
            cl = Clients(srv, n)
            try:
                # let the load build up, then signal at a random moment
                F.wait_for(lambda: cl.ok_before > 200, 60)
                time.sleep(rnd.uniform(0.0, 0.3))
                cl.sig_at = time.monotonic()
                srv.signal(signal.SIGTERM)
                try:
                    # a deadline for a drain that never ends; how long
                    # it took is printed, not asserted (a loaded machine)
                    rc = srv.proc.wait(kstest.patience(120))
                except subprocess.TimeoutExpired:
                    rc = None
                exit_s = time.monotonic() - cl.sig_at
            finally:
                cl.finish()
                srv.stop()
            check(rc == 0, "round %d: exit status %r" % (rd + 1, rc))
            check(srv.wait_line("draining", 1) and srv.wait_line("stopped", 1),
                  "round %d: the drain and the stop are logged" % (rd + 1))
            check(not cl.failures, "round %d: %d failed requests, first %r" % (
                rd + 1, len(cl.failures), cl.failures[:5]))
            drained = [x for x in srv.stderr_text().splitlines()
                       if "draining" in x or "took in" in x]
            print("  round %d: %d answers before the signal, %d sent after it answered, %d "
                  "refused/closed; exit %r after %.2f s; %s" % (
                      rd + 1, cl.ok_before, cl.after_ok, cl.after_closed, rc, exit_s,
                      "; ".join(x.split("] ", 1)[-1] for x in drained) or "-"))
            F.sanitizer_clean(srv)
            total_ok += cl.ok_before
            total_after += cl.after_ok
            total_closed += cl.after_closed
        print("sigterm: %d rounds, %d clients: %d requests answered before the signal, %d after, "
              "%d refused or closed after it, 0 failed expected" % (
                  rounds, CLIENTS, total_ok, total_after, total_closed))
    finally:
        cleanup(d)


run(main)
