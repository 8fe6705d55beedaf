"""Helpers shared by the deploy and scale-out tests (tests/deploy,
tests/scaleout): a request from a chosen source address, nginx started on a
free port (a new port when another process took it first), kensakud
replicas started from deploy/scaleout/kensakud@.service, and staging what
another user must run in a folder that user can reach."""
import http.client
import os
import shlex
import shutil
import stat
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "load"))
import ksload  # noqa: E402
from ksload import Nginx, Server, check, exec_lines, substitute, unit_entries  # noqa: E402

TRIES = 5  # a port picked free can be taken before it is bound: new port


def _patience(seconds):
    """kstest.patience (deadlines scaled for slow builds) when it exists."""
    f = getattr(ksload.kstest, "patience", None)
    return f(seconds) if f else seconds


def req(port, path, method="GET", src=None, body=None, headers=None, timeout=None):
    """One request to 127.0.0.1:port on a fresh connection, from source
    address src: (status, headers lower-cased, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout or _patience(30),
                                   source_address=(src, 0) if src else None)
    try:
        c.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def flood_until_429(port, src, path="/healthz", threads=4):
    """Requests from address src on `threads` connections at once until one
    is a 429 (a per-client rate passed however slow the machine) or a
    generous deadline: the 429 (status, headers, body), or None."""
    got = []
    stop = threading.Event()

    def flood():
        while not stop.is_set():
            r = req(port, path, src=src)
            if r[0] == 429:
                got.append(r)
                stop.set()

    ts = [threading.Thread(target=flood, daemon=True) for _ in range(threads)]
    for t in ts:
        t.start()
    stop.wait(_patience(60))
    stop.set()
    for t in ts:
        t.join(_patience(30))
    return got[0] if got else None


def start_nginx(prefix, conf_for_port):
    """A real nginx from conf_for_port(port) (the http-context text) on a
    free port, after `nginx -t`. Returns (Nginx, port); raises after TRIES
    ports that someone else bound first."""
    last = ""
    for _ in range(TRIES):
        port = ksload.free_port()
        ngx = Nginx(prefix, conf_for_port(port))
        ok, out = ngx.test()
        check(ok, "nginx -t: " + out)
        if not ok:
            raise RuntimeError("nginx -t failed: " + out)
        try:
            ngx.start(port)
        except RuntimeError as e:
            last = str(e)
            continue
        if ngx.proc.poll() is None and "Address already in use" not in ngx.error_log():
            return ngx, port
        last = ngx.error_log()
        ngx.stop()
    raise RuntimeError("nginx found no free port: " + last)


def replica_subst(a, state, arch, ports):
    """deploy paths and ports -> a test's (state = /var/lib/kensaku)."""
    return [("/usr/local/bin/kensaku-publish", os.path.join(a.src, "deploy", "kensaku-publish")),
            ("/usr/local/bin/kensakud", a.srv), ("/usr/local/bin/kensaku ", a.cli + " "),
            ("/usr/local/lib/kensaku/rollout.sh", os.path.join(a.src, "deploy", "scaleout", "rollout.sh")),
            ("/usr/local/share/kensaku/web", os.path.join(a.src, "web")),
            ("/var/lib/kensaku", state), ("/srv/kensaku/archive", arch)] + ksload.port_subst(ports)


def server_has_flag(a, flag):
    """True when this kensakud's --help lists flag."""
    h = subprocess.run([a.srv, "--help"], capture_output=True, timeout=_patience(60))
    return flag.encode() in h.stdout + h.stderr


def replica_argv(a, state, port):
    """kensakud's argv as kensakud@PORT.service starts it (ExecStart, %i =
    port, paths substituted); a flag this kensakud does not know yet
    (--trusted-proxy before the server has it) is dropped."""
    with open(os.path.join(a.src, "deploy", "scaleout", "kensakud@.service"), encoding="utf-8") as f:
        tpl = f.read().replace("%i", str(port))
    argv = exec_lines(unit_entries(substitute(tpl, replica_subst(a, state, "", []))), "ExecStart")[0]
    check(argv[0] == a.srv and "127.0.0.1:%d" % port in argv, "the template's ExecStart: %r" % argv)
    if "--trusted-proxy" in argv and not server_has_flag(a, "--trusted-proxy"):
        i = argv.index("--trusted-proxy")
        del argv[i:i + 2]
    return argv


def start_replica(a, state, port, drop=(), add=()):
    """kensakud as kensakud@PORT.service starts it, serving
    state/replica-PORT/kensaku.db (less the flags in drop, plus add)."""
    argv = [x for x in replica_argv(a, state, port) if x not in drop]
    db = argv[argv.index("--db") + 1]
    extra = [x for x in ksload.server_flags(a) if x not in argv and x not in drop]
    return Server(a, db, argv[1:] + extra + list(add))


def publish_replicas(a, state, db, n, drop=(), add=()):
    """n replica folders state/replica-PORT holding db (kensaku-publish),
    on ports free a moment ago, each kensakud started. A port taken
    before kensakud binds it is replaced by another. Returns (ports,
    servers)."""
    publish = os.path.join(a.src, "deploy", "kensaku-publish")
    ports, reps = [], []
    for i in range(n):
        for attempt in range(TRIES):
            p = ksload.free_port()
            rd = os.path.join(state, "replica-%d" % p)  # StateDirectory=kensaku/replica-PORT
            os.makedirs(rd)
            r = subprocess.run([publish, db, os.path.join(rd, "kensaku.db")], capture_output=True, text=True)
            check(r.returncode == 0, "publish to replica %d: %s" % (i + 1, r.stderr))
            try:
                reps.append(start_replica(a, state, p, drop, add))
                ports.append(p)
                break
            except RuntimeError:
                shutil.rmtree(rd)
                if attempt == TRIES - 1:
                    raise
    return ports, reps


def as_user(uid, umask, argv, gid=None):
    """argv run as uid/gid (gid defaults to uid) with no supplementary
    groups, capabilities or new privileges, and the given umask (what
    systemd's User=/DynamicUser=, CapabilityBoundingSet=, NoNewPrivileges=
    and UMask= set)."""
    return ["setpriv", "--reuid=%d" % uid, "--regid=%d" % (uid if gid is None else gid), "--clear-groups",
            "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all",
            "sh", "-c", 'umask %s && exec "$0" "$@"' % umask] + argv


def start_server_as(d, uid, argv):
    """kensakud from a unit's ExecStart argv, as uid (via a wrapper in d
    that execs setpriv, so the pid is kensakud's), listening on port 0
    instead of the unit's 127.0.0.1:8080. Returns the Server."""
    wrapper = os.path.join(d, "kensakud-as-%d" % uid)
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec %s \"$@\"\n" % " ".join(shlex.quote(x) for x in as_user(uid, "0077", [argv[0]])))
    os.chmod(wrapper, 0o755)
    a = type("A", (), {"srv": wrapper})()
    args = [x.replace("127.0.0.1:8080", "127.0.0.1:0") for x in argv[1:]]
    db = args[args.index("--db") + 1]
    return Server(a, db, args)


def reachable_by_others(path):
    """True when every folder from / down to path lets other users pass
    (o+x), so a process of another uid can reach path."""
    p = os.path.abspath(path)
    while True:
        if not os.stat(p).st_mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(p)
        if parent == p:
            return True
        p = parent


def stage_for_others(a, d):
    """Copies what a process of another uid runs (kensaku, kensakud, the
    deploy scripts, web/) into d/stage (mode 0755 all the way down), so a
    clone inside a private folder (mode 0700, as mktemp -d or a home
    folder) can run them as other users. Returns the stage root holding
    bin/, deploy/ and web/, or None when d itself is not reachable by
    other users (the caller skips with the reason)."""
    if not reachable_by_others(d):
        return None
    root = os.path.join(d, "stage")
    os.makedirs(os.path.join(root, "bin"))
    for name in ("kensaku", "kensakud"):
        shutil.copy2(os.path.join(a.bin, name), os.path.join(root, "bin", name))
    shutil.copytree(os.path.join(a.src, "deploy"), os.path.join(root, "deploy"))
    shutil.copytree(os.path.join(a.src, "web"), os.path.join(root, "web"))
    for top, dirs, files in os.walk(root):
        os.chmod(top, 0o755)
        for f in files:
            p = os.path.join(top, f)
            os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)
    return root

