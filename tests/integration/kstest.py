"""Shared helpers of the integration tests: paths, index building, a real
kensakud on port 0, a raw HTTP client and the pass/fail tally.

Every test script takes --bin (build/bin) and --src (project root), prints
'N passed, M failed' last and exits 1 on any failure.

Waiting: tests never sleep to synchronise and never assert a speed. They
poll for an event with a deadline from patience(s): s seconds, times
$KS_TEST_PATIENCE (default 1), times 3 in a sanitizer build (found from
the build's CMakeCache.txt or $KS_SANITIZER=1). A deadline is what a
broken server would hit, not what a slow machine should: be generous."""
import argparse
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PASSED = 0
FAILED = 0
_PATIENCE = None
_lock = threading.Lock()
SERVERS = []  # every Server started, for the diagnostics of a crashed test
TMPDIRS = []  # every tmpdir(), removed by run() however the test ends


def check(ok, what):
    """Counts one assertion; prints the failures."""
    global PASSED, FAILED
    with _lock:
        if ok:
            PASSED += 1
        else:
            FAILED += 1
            print("FAIL " + what, flush=True)
    return ok


def finish():
    print("%d passed, %d failed" % (PASSED, FAILED), flush=True)
    return 1 if FAILED else 0


def _sanitizer_build(bin_dir):
    if os.environ.get("KS_SANITIZER") == "1":
        return True
    try:
        with open(os.path.join(bin_dir, "..", "CMakeCache.txt"), encoding="utf-8",
                  errors="replace") as f:
            return any(line.startswith("KS_SANITIZE:BOOL=ON") for line in f)
    except OSError:
        return False


def patience(seconds):
    """A deadline of `seconds` scaled for slow machines and builds (see the
    module's doc): use it for every wait on the server or a subprocess."""
    global _PATIENCE
    if _PATIENCE is None:
        try:
            _PATIENCE = float(os.environ.get("KS_TEST_PATIENCE", "") or 1.0)
        except ValueError:
            _PATIENCE = 1.0
        argv = sys.argv
        if "--bin" in argv[:-1] and _sanitizer_build(argv[argv.index("--bin") + 1]):
            _PATIENCE *= 3
    return seconds * _PATIENCE


def poll(pred, timeout, step=0.02):
    """Calls pred() until it returns a true value or `timeout` seconds
    (already scaled by the caller with patience()) passed; returns its last
    value. step is the poll interval, not a wait for anything."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


def args():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--src", required=True)
    a = p.parse_args()
    a.bin = os.path.abspath(a.bin)
    a.src = os.path.abspath(a.src)
    a.cli = os.path.join(a.bin, "kensaku")
    a.srv = os.path.join(a.bin, "kensakud")
    a.data = os.path.join(a.src, "tests", "data", "integration")
    return a


def tmpdir(prefix):
    """A new private temp folder; run() removes it when the test ends, even
    when it raised ($KS_KEEP=1 keeps it for a post-mortem)."""
    d = tempfile.mkdtemp(prefix="ks-it-" + prefix + "-")
    TMPDIRS.append(d)
    return d


def cli(a, *argv, ok=True):
    """Runs the kensaku CLI; returns the CompletedProcess."""
    r = subprocess.run([a.cli] + list(argv), capture_output=True, timeout=patience(300))
    if ok and r.returncode != 0:
        raise RuntimeError("kensaku %s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                           r.stderr.decode(errors="replace")))
    return r


def jsonl(path, items):
    """Writes items (dicts) as JSON Lines."""
    with open(path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")


class Server:
    """A kensakud on 127.0.0.1:0. stderr lines are collected by a thread so
    tests can wait for a log line (an event, not a sleep)."""

    def __init__(self, a, db, extra=(), env=None, patient=False):
        """patient: the per-query deadline (default 2 s) raised to
        patience(30) s unless env sets KENSAKUD_DEADLINE_MS, for tests that
        want every answer a 200 under load: a search slower than 2 s on a
        loaded sanitizer build is the machine, not the code. Tests of the
        deadline itself set it."""
        if patient:
            env = dict(os.environ if env is None else env)
            env.setdefault("KENSAKUD_DEADLINE_MS", str(int(patience(30) * 1000)))
        self.argv = [a.srv, "--db", db, "--listen", "127.0.0.1:0"] + list(extra)
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env)
        self.lines = []
        self.cond = threading.Condition()
        self.url = None
        SERVERS.append(self)
        r, _, _ = select.select([self.proc.stdout], [], [], patience(60))
        first = self.proc.stdout.readline().decode(errors="replace").strip() if r else ""
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()
        if not first.startswith("listening on http://"):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("kensakud did not start: first line %r, stderr %r" % (
                first, self.stderr_text()))
        self.url = first[len("listening on "):]
        hostport = self.url[len("http://"):]
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        # poll /healthz until the server answers (it should at once)
        if not poll(self._healthy, patience(60)):
            raise RuntimeError("kensakud never became healthy: %r" % self.stderr_text()[-2000:])

    def _healthy(self):
        try:
            return get(self, "/healthz")[0] == 200
        except OSError:
            return False

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self.cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)  # EOF marker
            self.cond.notify_all()

    def stderr_text(self):
        with self.cond:
            return "\n".join(x for x in self.lines if x is not None)

    def wait_line(self, needle, timeout=10):
        """Waits until a stderr line contains needle; True when it did.
        timeout is scaled by patience()."""
        end = time.monotonic() + patience(timeout)
        with self.cond:
            while True:
                if any(x is not None and needle in x for x in self.lines):
                    return True
                if None in self.lines:
                    return False
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(patience(60))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(patience(10))
        return self.proc.returncode

    def connect(self):
        return socket.create_connection((self.host, self.port), timeout=patience(30))


def request(srv, method, path, headers=None, body=None, timeout=None):
    """One request on a fresh connection: (status, headers (lower-case
    names), body bytes). path is sent exactly as given. timeout (seconds,
    default patience(60)) bounds each socket operation."""
    c = http.client.HTTPConnection(srv.host, srv.port, timeout=timeout or patience(60))
    try:
        c.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


def get(srv, path, headers=None):
    return request(srv, "GET", path, headers)


def get_json(srv, path, headers=None):
    st, h, b = get(srv, path, headers)
    try:
        return st, h, json.loads(b)
    except ValueError:
        return st, h, None


def _complete(out):
    """True when out holds a whole final (non-1xx) response framed by
    Content-Length or chunked encoding."""
    while True:
        head, sep, rest = out.partition(b"\r\n\r\n")
        if not sep:
            return False
        if head.startswith(b"HTTP/1.1 1") or head.startswith(b"HTTP/1.0 1"):
            out = rest  # 100 Continue and the like: the answer follows
            continue
        break
    n, chunked = None, False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        k = k.strip().lower()
        if k == b"content-length":
            try:
                n = int(v)
            except ValueError:
                return False
        elif k == b"transfer-encoding" and b"chunked" in v.lower():
            chunked = True
    if chunked:
        return rest.endswith(b"0\r\n\r\n")
    return n is not None and len(rest) >= n


def raw(srv, data, timeout=None, read_all=True):
    """Sends raw bytes on a new connection and returns what comes back: up
    to the end of the first complete response (Content-Length or chunked),
    or until the server closes, or until timeout seconds (default
    patience(30)) pass without a byte. read_all is kept for callers of old;
    the first response is what every caller reads."""
    del read_all
    s = srv.connect()
    s.settimeout(timeout or patience(30))
    out = b""
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking it all
        while not _complete(out):
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    return out


def status_of(resp):
    """The status code of a raw HTTP response (after any 100 Continue), or 0."""
    while resp.startswith(b"HTTP/1.1 100 "):
        resp = resp.partition(b"\r\n\r\n")[2]
    try:
        return int(resp.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def check_no_sanitizer_report(srv):
    """Checks that srv's stderr holds no ASan/UBSan report (call after stop)."""
    errs = srv.stderr_text()
    return check("Sanitizer" not in errs and "runtime error:" not in errs,
                 "sanitizer report:\n" + errs[-3000:])


def is_error_shape(body, code=None):
    try:
        e = json.loads(body)["error"]
        return isinstance(e.get("code"), str) and isinstance(e.get("message"), str) and \
            e["message"] != "" and (code is None or e["code"] == code)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def build_index(a, db, paths):
    cli(a, "index", "--db", db, *paths)


def cleanup(d):
    shutil.rmtree(d, ignore_errors=True)


def _leftovers():
    """Kills every kensakud the test left running and removes its temp
    folders: a failed or crashed test leaves nothing behind."""
    for srv in SERVERS:
        if srv.proc.poll() is None:
            print("--- kensakud %s still running at the end: killed" % srv.url, flush=True)
            srv.proc.kill()
            srv.proc.wait()
    if os.environ.get("KS_KEEP") != "1":
        for d in TMPDIRS:
            shutil.rmtree(d, ignore_errors=True)


def run(main):
    try:
        main()
    except Exception as e:  # a crash of the test itself is a failure
        import traceback
        traceback.print_exc()
        check(False, "test raised %r" % e)
        for srv in SERVERS:
            print("--- kensakud %s (exit %r) stderr tail:\n%s" % (
                srv.url, srv.proc.poll(), srv.stderr_text()[-4000:]))
    finally:
        _leftovers()
    sys.exit(finish())
