"""Shared helpers of the load, scale-out and deploy tests: wrk through
wrk_status.lua (parsed), server RSS from /proc, a generated corpus, the
request paths the load rotates through, free loopback ports, and a real
nginx under a temporary prefix (never the system's nginx).

Builds on tests/integration/kstest.py (Server, check, run, ...): every test
takes --bin and --src, prints 'N passed, M failed' last and exits 1 on any
failure, 77 when a tool it needs is missing (ctest: skipped)."""
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import kstest  # noqa: E402
from kstest import Server, check, cleanup, get, get_json, run, tmpdir  # noqa: E402,F401

LUA = os.path.join(HERE, "wrk_status.lua")
QUERIES = os.path.join(HERE, "queries.txt")
SKIP = 77


def skip(why):
    print("skipped: " + why, flush=True)
    sys.exit(SKIP)


def need(*tools):
    """Skips the test (exit 77) when a tool is not installed."""
    for t in tools:
        if not shutil.which(t):
            skip("%s is not installed (Debian: tests/run.sh installs wrk nginx-light)" % t)


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def sanitized():
    """True in the ASan+UBSan build (CMake sets KS_SANITIZER=1)."""
    return os.environ.get("KS_SANITIZER") == "1"


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# --- ports, processes -------------------------------------------------------

def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (bind port 0)."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_port(port, deadline_s=10.0, host="127.0.0.1"):
    """Polls until something accepts on host:port; True when it did.
    deadline_s is scaled by kstest.patience."""
    end = time.monotonic() + kstest.patience(deadline_s)
    while time.monotonic() < end:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.02)  # poll interval of a deadline loop, not a wait
    return False


def raise_nofile(want):
    """Raises this process's soft RLIMIT_NOFILE (children inherit it) to
    want or the hard limit; returns the new soft limit."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def server_flags(a, clients=None):
    """Flags for kensakud in load tests: per-request logs off and, when this
    kensakud has a response cache, the cache off, so every request runs a
    query against the index (a cache would hide leaks and switches). With
    clients (the load's connection count), and when kensakud has admission
    control, a queue that holds a request of each: the load measures
    failures across a reindex, not the 503s that shed a load past the queue
    (integration tests cover those)."""
    flags = ["--quiet"]
    h = subprocess.run([a.srv, "--help"], capture_output=True, timeout=kstest.patience(60))
    text = h.stdout + h.stderr
    if b"--cache-mb" in text:
        flags += ["--cache-mb", "0"]
    if clients and b"--queue" in text:
        flags += ["--queue", str(2 * clients)]  # and room for the test's own probes
    return flags


def sanitizer_clean(srv):
    errs = srv.stderr_text()
    return check("Sanitizer" not in errs and "runtime error:" not in errs,
                 "sanitizer report in kensakud's stderr:\n" + errs[-3000:])


# --- memory -------------------------------------------------------------------

def rss(pid):
    """VmRSS, RssAnon, RssFile and VmHWM of a process, in kB (0 if gone)."""
    out = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0, "VmHWM": 0}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in out:
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


class RssSampler:
    """Samples a process's RSS every `every` seconds on a thread; keeps the
    peaks and the series."""

    def __init__(self, pid, every=0.25):
        self.pid = pid
        self.every = every
        self.peak = {"VmRSS": 0, "RssAnon": 0}
        self.series = []
        self.stop_ev = threading.Event()
        self.t = threading.Thread(target=self._loop, daemon=True)
        self.t0 = time.monotonic()
        self.t.start()

    def _loop(self):
        while not self.stop_ev.is_set():
            r = rss(self.pid)
            self.series.append((time.monotonic() - self.t0, r["VmRSS"], r["RssAnon"]))
            for k in self.peak:
                self.peak[k] = max(self.peak[k], r[k])
            self.stop_ev.wait(self.every)

    def stop(self):
        self.stop_ev.set()
        self.t.join(5)


def mb(kb):
    return "%.1f" % (kb / 1024.0)


# --- corpus and paths ---------------------------------------------------------

def gen_corpus(a, out, items, seed):
    """Writes tests/bench/gen_corpus.py's corpus (issues/*.txt and
    items.jsonl) into out; returns out."""
    gen = os.path.join(a.src, "tests", "bench", "gen_corpus.py")
    subprocess.run([sys.executable, gen, "--items", str(items), "--seed", str(seed), "--out", out],
                   check=True, capture_output=True, timeout=300)
    return out


def reindex(a, db, *inputs, timeout=300):
    """Runs `kensaku reindex --quiet`; returns (exit code, seconds, stderr)."""
    t0 = time.monotonic()
    r = subprocess.run([a.cli, "reindex", "--quiet", "--db", db] + list(inputs),
                       capture_output=True, timeout=timeout)
    return r.returncode, time.monotonic() - t0, r.stderr.decode(errors="replace")


def read_queries(path=QUERIES):
    with open(path, encoding="utf-8") as f:
        return [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]


SECTIONS = ["事件、事故", "攻撃、脅威", "脆弱性", "その他"]


def make_paths(corpus_dirs, out_file, seed=7):
    """Writes the request paths the load rotates through: every query of
    queries.txt as /api/search, a share of them with a section, date range,
    sort or page; items and issues by id (those in every corpus of
    corpus_dirs, a folder or a list, so each path answers 200 whichever
    corpus is served); / and /healthz. Returns the list."""
    rnd = random.Random(seed)
    paths = []
    for i, q in enumerate(read_queries()):
        base = "/api/search?q=" + urllib.parse.quote(q, safe="")
        paths.append(base)
        variant = i % 5
        if variant == 0:
            paths.append(base + "&sort=newest")
        elif variant == 1:
            paths.append(base + "&section=" + urllib.parse.quote(SECTIONS[i % 4], safe=""))
        elif variant == 2:
            paths.append(base + "&limit=50&offset=20")
        elif variant == 3:
            paths.append(base + "&from=2000-02-01&to=2000-04-30")
        else:
            paths.append(base + "&limit=5&sort=oldest")
    ids, issues = None, None
    for cd in [corpus_dirs] if isinstance(corpus_dirs, str) else corpus_dirs:
        these_ids, these_issues = set(), set()
        with open(os.path.join(cd, "items.jsonl"), encoding="utf-8") as f:
            for line in f:
                it = json.loads(line)
                these_ids.add(it["id"])
                these_issues.add(it["issue"])
        ids = these_ids if ids is None else ids & these_ids
        issues = these_issues if issues is None else issues & these_issues
    ids = sorted(ids)
    for i in rnd.sample(ids, min(40, len(ids))):
        paths.append("/api/items/" + i)
    for n in rnd.sample(sorted(issues), min(10, len(issues))):
        paths.append("/api/issues/%d" % n)
    paths += ["/api/search?q=", "/", "/healthz", "/healthz"]
    rnd.shuffle(paths)
    with open(out_file, "w", encoding="ascii") as f:
        f.write("\n".join(paths) + "\n")
    return paths


# --- wrk ----------------------------------------------------------------------

class Wrk:
    """wrk -s wrk_status.lua in the background; wait() returns the parsed
    figures (see parse_wrk). timeout_s (default kstest.patience(30)) is
    wrk's --timeout: an answer later than that counts as a socket error, so
    it is a bound for a hung server, not a latency goal. With seconds=None
    wrk runs until stop() (SIGINT: wrk still prints its figures), for a
    test whose events, not a clock, say when the load may end."""

    def __init__(self, url, paths_file, conns, threads, seconds, timeout_s=None):
        self.seconds = seconds
        timeout_s = int(timeout_s or kstest.patience(30))
        self.argv = ["wrk", "-c", str(conns), "-t", str(threads), "-d", "%ds" % (seconds or 3600),
                     "--timeout", "%ds" % timeout_s, "-s", LUA, url, "--", paths_file]
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        """Ends the run now (SIGINT); wait() then reads the figures."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

    def wait(self):
        if self.seconds is None:
            self.stop()
        out, err = self.proc.communicate(timeout=(self.seconds or 0) + kstest.patience(120))
        text = out.decode(errors="replace")
        res = parse_wrk(text)
        res["exit"] = self.proc.returncode
        res["stderr"] = err.decode(errors="replace")
        return res


def parse_wrk(text):
    """wrk's text output + the LOADJSON line -> dict: requests, ok_2xx,
    non_2xx and by_status (counted in Lua), wrk_non2xx_3xx (wrk's own
    "Non-2xx or 3xx responses" line, 0 when absent), socket errors
    connect/read/write/timeout (wrk's "Socket errors" line, 0 when absent),
    rps, p50/p99/max in ms, text (the raw output)."""
    res = {"text": text, "lua": False, "requests": 0, "ok_2xx": 0, "non_2xx": 0,
           "by_status": {}, "wrk_non2xx_3xx": 0, "rps": 0.0,
           "connect": 0, "read": 0, "write": 0, "timeout": 0}
    m = re.search(r"^LOADJSON (\{.*\})$", text, re.M)
    if m:
        j = json.loads(m.group(1))
        res["lua"] = True
        for k in ("requests", "ok_2xx", "non_2xx", "by_status"):
            res[k] = j[k]
        res["p50_ms"] = j["p50_us"] / 1000.0
        res["p99_ms"] = j["p99_us"] / 1000.0
        res["max_ms"] = j["max_us"] / 1000.0
        res["duration_s"] = j["duration_us"] / 1e6
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if m:
        res["wrk_non2xx_3xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        for k, v in zip(("connect", "read", "write", "timeout"), m.groups()):
            res[k] = int(v)
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if m:
        res["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in", text)
    if m and not res["requests"]:
        res["requests"] = int(m.group(1))
    return res


def check_wrk(res, what):
    """The assertions every load run makes: wrk ran, zero non-2xx (Lua and
    wrk's own line), zero socket errors."""
    check(res["exit"] == 0 and res["lua"], "%s: wrk ran (exit %r): %s %s" % (
        what, res["exit"], res["text"][-800:], res["stderr"][-400:]))
    check(res["non_2xx"] == 0, "%s: %d non-2xx responses %r" % (what, res["non_2xx"], res["by_status"]))
    check(res["wrk_non2xx_3xx"] == 0, "%s: wrk reports %d non-2xx/3xx" % (what, res["wrk_non2xx_3xx"]))
    errs = {k: res[k] for k in ("connect", "read", "write", "timeout")}
    check(not any(errs.values()), "%s: socket errors %r" % (what, errs))
    check(res["requests"] > 0 and res["requests"] == res["ok_2xx"] + res["non_2xx"],
          "%s: every request counted (%d requests, %d 2xx, %d non-2xx)" % (
              what, res["requests"], res["ok_2xx"], res["non_2xx"]))


def metric(srv, name):
    """The value of an unlabelled metric on srv's /metrics, or None."""
    st, _, text = get(srv, "/metrics")
    m = re.search(rb"^" + name.encode() + rb" (\S+)$", text, re.M) if st == 200 else None
    return float(m.group(1)) if m else None


def served(srv, routes):
    """The requests kensakud counted on /metrics for the given routes (None:
    every route), kensaku_requests_total summed over statuses, or None."""
    st, _, text = get(srv, "/metrics")
    if st != 200:
        return None
    n = 0
    for m in re.finditer(rb'^kensaku_requests_total\{route="([a-z]+)",status="\d+"\} (\d+)$', text,
                         re.M):
        if routes is None or m.group(1).decode() in routes:
            n += int(m.group(2))
    return n


def total(srv, q):
    st, _, b = get_json(srv, "/api/search?" + urllib.parse.urlencode({"q": q}))
    return b["total"] if st == 200 and b else -1


def healthz_latency(host, port, n, src=None, timeout=None):
    """n requests for /healthz, each on a fresh connection (optionally from
    source address src); returns (latencies in ms, failures). timeout
    (default kstest.patience(30)) bounds each socket operation."""
    timeout = timeout or kstest.patience(30)
    lat, fails = [], []
    req = ("GET /healthz HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n" % (host, port)).encode()
    for _ in range(n):
        t0 = time.monotonic()
        data = b""
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(timeout)
            if src:
                s.bind((src, 0))
            s.connect((host, port))
            s.sendall(req)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
        except OSError as e:
            fails.append(repr(e))
            continue
        ms = (time.monotonic() - t0) * 1000.0
        if data.startswith(b"HTTP/1.1 200") and b'"status":"ok"' in data:
            lat.append(ms)
        else:
            fails.append("answer %r after %.0f ms" % (data[:40], ms))
    return lat, fails


def pct(values, p):
    """The p-th percentile (nearest rank) of values, or 0."""
    if not values:
        return 0.0
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def md_table(header, rows):
    """A markdown table (list of str cells per row)."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# --- systemd units -------------------------------------------------------------

def unit_entries(text):
    """[(section, key, value)] of a systemd unit or drop-in, duplicates kept."""
    out, sec = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            sec = line[1:-1]
            continue
        k, _, v = line.partition("=")
        out.append((sec, k.strip(), v.strip()))
    return out


def values(entries, key):
    return [v for _, k, v in entries if k == key]


def substitute(text, subst):
    """text with each (old, new) of subst replaced, in order."""
    for old, new in subst:
        text = text.replace(old, new)
    return text


def port_subst(ports, first=8081):
    """Substitutions (for substitute()) of the deploy files' ports first,
    first+1, ... by ports, through placeholders so that a new port holding
    an old one as a substring (48082) is not rewritten again."""
    return [(str(first + i), "\0P%d\0" % i) for i in range(len(ports))] + \
        [("\0P%d\0" % i, str(p)) for i, p in enumerate(ports)]


def exec_lines(entries, key):
    """The argv of each non-empty key= line (ExecStart, ExecReload, ...) as
    systemd would run it: an empty assignment resets the list, prefixes
    (-@:+!) are dropped."""
    out = []
    for v in values(entries, key):
        if not v:
            out = []
            continue
        argv = shlex.split(v)
        argv[0] = argv[0].lstrip("-@:+!")
        out.append(argv)
    return out


def unit_environment(entries):
    """Environment= assignments of a unit as a dict."""
    env = {}
    for v in values(entries, "Environment"):
        for kv in shlex.split(v):
            k, _, val = kv.partition("=")
            env[k] = val
    return env


# --- nginx --------------------------------------------------------------------

def nginx_main_conf(prefix, include, workers=2):
    """A main nginx.conf whose every path is under prefix, including the
    http-context file include."""
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return """%(user)sworker_processes %(w)d;
worker_rlimit_nofile 8192;
error_log %(p)s/error.log warn;
pid %(p)s/nginx.pid;
events { worker_connections 4096; }
http {
    access_log %(p)s/access.log;
    client_body_temp_path %(p)s/tmp/body;
    proxy_temp_path %(p)s/tmp/proxy;
    fastcgi_temp_path %(p)s/tmp/fastcgi;
    uwsgi_temp_path %(p)s/tmp/uwsgi;
    scgi_temp_path %(p)s/tmp/scgi;
    include %(inc)s;
}
""" % {"user": user, "w": workers, "p": prefix, "inc": include}


def sub1(pattern, repl, text, what, count=0):
    """re.sub that fails the test when the pattern is not in text (so a
    changed deploy file can't silently make a rewrite a no-op)."""
    new, n = re.subn(pattern, repl, text, count=count, flags=re.M)
    check(n > 0, "rewrite of the deploy config: %s (pattern %r not found)" % (what, pattern))
    return new


class Nginx:
    """A real nginx with prefix `prefix` (mode 0755 so workers running as
    nobody reach their temp and cache folders); conf is the http-context
    text written to prefix/site.conf."""

    def __init__(self, prefix, site_text, workers=2):
        self.prefix = prefix
        os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
        # workers run as nobody: they must reach the prefix through the
        # test's temp folders (mkdtemp makes them 0700)
        p, top = os.path.abspath(prefix), os.path.abspath(tempfile.gettempdir())
        while p.startswith(top + os.sep):
            os.chmod(p, os.stat(p).st_mode | 0o755)
            p = os.path.dirname(p)
        self.site = os.path.join(prefix, "site.conf")
        with open(self.site, "w") as f:
            f.write(site_text)
        self.conf = os.path.join(prefix, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(nginx_main_conf(prefix, self.site, workers))
        self.proc = None

    def argv(self, *extra):
        return ["nginx", "-p", self.prefix, "-c", self.conf, "-e",
                os.path.join(self.prefix, "error.log")] + list(extra)

    def test(self):
        """nginx -t: (ok, output)."""
        r = subprocess.run(self.argv("-t", "-q", "-g", "daemon off;"), capture_output=True,
                           timeout=kstest.patience(60))
        return r.returncode == 0, (r.stdout + r.stderr).decode(errors="replace")

    def start(self, port):
        self.proc = subprocess.Popen(self.argv("-g", "daemon off;"), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        if not wait_port(port, 10):
            self.stop()
            raise RuntimeError("nginx did not listen on %d: %s" % (port, self.error_log()))

    def error_log(self):
        try:
            with open(os.path.join(self.prefix, "error.log"), errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish requests
            try:
                self.proc.wait(kstest.patience(30))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None
