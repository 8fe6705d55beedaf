#!/usr/bin/env python3
"""load.slowloris - half-open connections must not keep other clients from
/healthz (issue 6, point 3).

The attackers connect from other loopback addresses (127.0.0.2 ...), the
measuring client from 127.0.0.1, all to kensakud on 127.0.0.1, so the
server's per-address limit treats them as the other hosts they stand for:
  - 500 "trickling" connections, 100 from each of 127.0.0.2-.6 (under the
    per-address limit, so every one is held): a partial request line and
    headers, then one more header byte every 2 s, which keeps them past the
    server's 10 s idle timeout;
  - 500 silent connections that connect and say nothing, 100 from each of
    127.0.0.7-.11, so all 1000 are held at once (KS_SLOWLORIS_SPREAD=0
    sends them from 127.0.0.7 alone, where the per-address limit of 200
    refuses the rest).
While they are held, 50 requests for /healthz, each on a fresh connection:
all answered 200 while every trickling connection is still held (counted
before and after the probes), so no answer waited for an attacker to be
dropped. The latency (p50/p99/max; the issue's goal is max <= 100 ms) is
printed, and a max over 100 ms is reported as a note, not a failure: on a
loaded machine a scheduler delay is not a server fault, and a server that
made /healthz wait behind the attackers would never answer at all while
they are held. Again after 12 s, when the server's idle timeout has closed
the silent ones but the trickling ones are still held.
(The silent ones must also still be held after the first probes: a server
that served /healthz only once they timed out would fail there.) Then everything is
closed and the server must still answer /healthz and a search, and exit 0."""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksload  # noqa: E402
from ksload import Server, check, cleanup, healthz_latency, log, md_table, pct  # noqa: E402

A = ksload.kstest.args()
N_TRICKLE, N_SILENT, PROBES, MAX_MS = 500, 500, 50, 100.0
TRICKLE_EVERY_S = 2.0
SPREAD = os.environ.get("KS_SLOWLORIS_SPREAD", "1") != "0"


def open_from(src, port, n, first_bytes):
    """n connections from source address src; sends first_bytes on each."""
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((src, 0))
        s.settimeout(ksload.kstest.patience(30))
        s.connect(("127.0.0.1", port))
        if first_bytes:
            s.sendall(first_bytes)
        s.setblocking(False)
        socks.append(s)
    return socks


def still_open(socks):
    """How many of socks the server has not closed (no EOF/RST pending)."""
    n = 0
    for s in socks:
        try:
            if s.recv(1, socket.MSG_PEEK) == b"":
                continue  # EOF: closed by the server
            n += 1  # data: the server answered (a 4xx) but the socket is open
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


class Trickle:
    """Sends one header byte on each socket every TRICKLE_EVERY_S seconds."""

    def __init__(self, socks):
        self.socks = socks
        self.stop_ev = threading.Event()
        self.rounds = 0
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop_ev.wait(TRICKLE_EVERY_S):
            for s in self.socks:
                try:
                    s.send(b"a")
                except OSError:
                    pass
            self.rounds += 1

    def stop(self):
        self.stop_ev.set()
        self.t.join(10)


def probe(srv, label, rows):
    lat, fails = healthz_latency("127.0.0.1", srv.port, PROBES, src="127.0.0.1")
    p50, p99, mx = pct(lat, 50), pct(lat, 99), max(lat) if lat else 0.0
    rows.append([label, "%d/%d" % (len(lat), PROBES), "%.2f" % p50, "%.2f" % p99, "%.2f" % mx])
    log("%s: %d/%d answered, p50 %.2f p99 %.2f max %.2f ms%s" % (
        label, len(lat), PROBES, p50, p99, mx,
        " (note: above the %.0f ms goal; not asserted)" % MAX_MS if mx > MAX_MS else ""))
    return lat, fails, mx


def main():
    soft = ksload.raise_nofile(8192)
    if soft < 2 * (N_TRICKLE + N_SILENT) + 200:
        ksload.skip("RLIMIT_NOFILE %d is too low for %d connections" % (soft, N_TRICKLE + N_SILENT))
    try:
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.close()
    except OSError as e:
        ksload.skip("cannot bind 127.0.0.2 (loopback is not 127.0.0.0/8 here): %r" % e)
    d = ksload.tmpdir("slowloris")
    db = os.path.join(d, "k.db")
    ksload.kstest.build_index(A, db, [os.path.join(A.data, "base.jsonl")])
    srv = Server(A, db, ["--quiet"], patient=True)
    rows, trickle, socks_t, socks_s = [], None, [], []
    try:
        probe(srv, "no attack", rows)
        partial = ("GET /api/search?q=slow HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: slowloris\r\n"
                   "X-Slow: " % srv.port).encode()
        t0 = time.monotonic()
        per = N_TRICKLE // 5
        for i in range(5):
            socks_t += open_from("127.0.0.%d" % (2 + i), srv.port, per, partial)
        trickle = Trickle(socks_t)
        if SPREAD:
            for i in range(5):
                socks_s += open_from("127.0.0.%d" % (7 + i), srv.port, N_SILENT // 5, b"")
        else:
            socks_s = open_from("127.0.0.7", srv.port, N_SILENT, b"")
        log("opened %d trickling + %d silent connections in %.2f s" % (
            len(socks_t), len(socks_s), time.monotonic() - t0))
        # the server accepts at its own pace: poll until the counts settle
        end, last = time.monotonic() + 3, None
        while time.monotonic() < end:
            cur = (still_open(socks_t), still_open(socks_s))
            if cur == last:
                break
            last = cur
            time.sleep(0.2)  # poll interval within a deadline
        held_t, held_s = still_open(socks_t), still_open(socks_s)
        log("held by the server: %d trickling, %d silent" % (held_t, held_s))
        check(held_t == N_TRICKLE, "all %d trickling connections held (%d)" % (N_TRICKLE, held_t))

        lat, fails, mx = probe(srv, "%d trickling + %d silent held" % (held_t, held_s), rows)
        check(not fails, "healthz during the attack: %d failed: %r" % (len(fails), fails[:3]))
        # no answer came from an attacker being dropped: all still held
        # (the silent ones until the 10 s idle timeout, far past the probes)
        during = still_open(socks_t), still_open(socks_s)
        check(during == (N_TRICKLE, held_s), "every attacker was still held while /healthz answered: "
              "%d of %d trickling, %d of %d silent (%.1f s after they connected)" % (
                  during[0], N_TRICKLE, during[1], held_s, time.monotonic() - t0))

        # past the server's 10 s idle timeout: silent ones closed, trickling ones held
        end = t0 + ksload.kstest.patience(60)
        while time.monotonic() < end and (still_open(socks_s) > 0 or time.monotonic() - t0 < 12):
            time.sleep(0.25)  # poll interval within a deadline
        held_t2, held_s2 = still_open(socks_t), still_open(socks_s)
        log("after %.0f s: %d trickling, %d silent still open (%d trickle rounds)" % (
            time.monotonic() - t0, held_t2, held_s2, trickle.rounds))
        check(held_s2 == 0, "silent connections closed by the server's idle timeout (%d left)" % held_s2)
        check(held_t2 == N_TRICKLE, "trickling connections kept alive past the idle timeout (%d)" % held_t2)
        lat, fails, mx = probe(srv, "%d trickling held, past the idle timeout" % held_t2, rows)
        check(not fails, "healthz after the timeout: %d failed: %r" % (len(fails), fails[:3]))
        during = still_open(socks_t)
        check(during == N_TRICKLE, "the trickling connections were held while /healthz answered (%d)" % during)
    finally:
        if trickle:
            trickle.stop()
        for s in socks_t + socks_s:
            s.close()
    try:
        st, _, h = ksload.get_json(srv, "/healthz")
        check(st == 200 and h and h.get("status") == "ok", "healthy after the attack: %d" % st)
        check(ksload.total(srv, "ランサムウェア") > 0, "search works after the attack")
        probe(srv, "after closing them", rows)
        print("\nload.slowloris: /healthz from a fresh 127.0.0.1 client, %d requests each%s\n" % (
            PROBES, " (silent ones spread: all held)" if SPREAD else ""))
        print(md_table(["while", "answered", "p50 ms", "p99 ms", "max ms"], rows) + "\n", flush=True)
    finally:
        rc = srv.stop()
        check(rc == 0, "kensakud exit status %r" % rc)
        ksload.sanitizer_clean(srv)
    cleanup(d)


ksload.run(main)
