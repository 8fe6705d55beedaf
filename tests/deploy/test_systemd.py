#!/usr/bin/env python3
"""deploy.systemd - the systemd units, sysusers/tmpfiles snippets and cron
example of deploy/, checked with systemd's own tools and run for real.

1. `systemd-analyze verify` on kensakud.service, kensaku-reindex.service and
   .timer (binary paths substituted to the build tree): exit 0 and no output
   (an unknown key is only a warning there); a copy with a misspelt key must
   be reported (the check can fail).
2. `systemd-analyze security --offline=yes`: overall exposure of
   kensakud.service <= 1.5 and of kensaku-reindex.service <= 1.0 (see
   deploy/README.md), and the hardening settings the issue asks for are in
   the files.
3. `systemd-analyze calendar` on the timer's OnCalendar.
4. systemd-sysusers / systemd-tmpfiles with --root into a temp folder: the
   `kensaku` user and the folders with their modes.
5. The permission model, run for real with setpriv: the reindex job's
   ExecStart lines as one unprivileged uid (the `kensaku` user, umask
   0022), kensakud's ExecStart as another (the dynamic user, umask 0077, no
   capabilities, no new privileges) that cannot write the index folder; it
   serves the published file, switches to the next published generation,
   reloads on ExecReload, stops on SIGTERM with exit 0. The cron example's
   command does the same.
6. The system-call filter and address families: kensakud under strace,
   driven through every route, a switch, SIGHUP and SIGTERM, may only make
   system calls SystemCallFilter= allows, open sockets of the families
   RestrictAddressFamilies= allows, and never map memory writable and
   executable (MemoryDenyWriteExecute=). Skipped when strace is missing and
   in the sanitizer build (ASan's runtime makes its own calls).

What another uid runs (kensaku, kensakud, the deploy scripts, web/) is first
copied into the test's temp folder (mode 0755 up to /): a clone inside a
private folder (mode 0700, as mktemp -d or a home folder makes) cannot be
reached by other users ("Permission denied", exit 126). When the temp
folder itself is not reachable by others, 5 and 6 are skipped with that
reason. The temp folder is removed however the test ends."""
import os
import re
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "load"))
import ksdeploy  # noqa: E402
import ksload  # noqa: E402
from ksload import Server, check, cleanup, exec_lines, get, log, substitute, total, unit_entries, values  # noqa: E402

A = ksload.kstest.args()
DEPLOY = os.path.join(A.src, "deploy")
UNITS = ["kensakud.service", "kensaku-reindex.service", "kensaku-reindex.timer"]
# systemd-analyze security --offline=yes, 0 (locked down) .. 10; measured
# 0.9 / 0.2 / 0.9 / 0.9: the bounds leave room for systemd's scoring to move
EXPOSURE_MAX = {"kensakud.service": 1.5, "kensaku-reindex.service": 1.0, "kensakud@.service": 1.5,
                "kensaku-reindex.service + rollout.conf": 1.5}
UID_INDEXER, UID_SERVER = 64011, 64012  # stand-ins: `kensaku` and the dynamic user
# where other uids find what they run: the build and source tree until
# main() stages copies they can reach (ksdeploy.stage_for_others)
RUN = {"bin": A.bin, "deploy": DEPLOY, "web": os.path.join(A.src, "web")}


def run_path(kind, *parts):
    """A program or folder as other uids reach it (RUN)."""
    return os.path.join(RUN[kind], *parts)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def bin_subst():
    return [("/usr/local/bin/kensaku-publish", run_path("deploy", "kensaku-publish")),
            ("/usr/local/bin/kensakud", run_path("bin", "kensakud")),
            ("/usr/local/lib/kensaku/rollout.sh", run_path("deploy", "scaleout", "rollout.sh")),
            ("/usr/local/bin/kensaku ", run_path("bin", "kensaku") + " "),
            ("/usr/local/share/kensaku/web", run_path("web"))]


as_user = ksdeploy.as_user  # the unit's User=/UMask=/NoNewPrivileges= for a command


def unit_dirs(d):
    """Two unit folders with the binary paths substituted: d/single (the
    units of deploy/) and d/scaleout (kensakud@.service, and
    kensaku-reindex.service with the rollout drop-in). Returns both."""
    single, scale = os.path.join(d, "single"), os.path.join(d, "scaleout")
    os.makedirs(single)
    os.makedirs(os.path.join(scale, "kensaku-reindex.service.d"))
    for u in UNITS:
        with open(os.path.join(single, u), "w") as f:
            f.write(substitute(read(os.path.join(DEPLOY, u)), bin_subst()))
    for src, dst in ((os.path.join(DEPLOY, "scaleout", "kensakud@.service"), "kensakud@.service"),
                     (os.path.join(DEPLOY, "kensaku-reindex.service"), "kensaku-reindex.service"),
                     (os.path.join(DEPLOY, "scaleout", "kensaku-reindex-rollout.conf"),
                      "kensaku-reindex.service.d/rollout.conf")):
        with open(os.path.join(scale, dst), "w") as f:
            f.write(substitute(read(src), bin_subst()))
    return single, scale


def check_verify(single, scale):
    """1: verify, every Exec line's program, and a negative control."""
    for argv in ([os.path.join(single, u) for u in UNITS],
                 [os.path.join(scale, "kensakud@8081.service"), os.path.join(scale, "kensaku-reindex.service")]):
        r = subprocess.run(["systemd-analyze", "verify"] + argv, capture_output=True, text=True, timeout=60)
        out = (r.stdout + r.stderr).strip()
        check(r.returncode == 0 and out == "", "systemd-analyze verify %s: exit %d: %s" % (
            " ".join(os.path.basename(x) for x in argv), r.returncode, out))
    # verify looks at the first ExecStart= only: check every Exec line here
    for folder in (single, scale):
        for root, _, files in os.walk(folder):
            for name in files:
                for key in ("ExecStart", "ExecReload", "ExecStop"):
                    for argv in exec_lines(unit_entries(read(os.path.join(root, name))), key):
                        check(os.access(argv[0], os.X_OK), "%s %s=%s is executable" % (name, key, argv[0]))
    bad = os.path.join(single, "bad", "kensakud.service")
    os.makedirs(os.path.dirname(bad))
    with open(bad, "w") as f:
        f.write(read(os.path.join(single, "kensakud.service")).replace("ProtectSystem=", "ProtectSytem="))
    r = subprocess.run(["systemd-analyze", "verify", bad], capture_output=True, text=True, timeout=60)
    check("ProtectSytem" in r.stdout + r.stderr, "verify reports a misspelt key: %r" % (r.stdout + r.stderr))


def check_security(single, scale):
    """2: exposure scores and the settings."""
    scores = {}
    for label, path in (("kensakud.service", os.path.join(single, "kensakud.service")),
                        ("kensaku-reindex.service", os.path.join(single, "kensaku-reindex.service")),
                        ("kensakud@.service", os.path.join(scale, "kensakud@8081.service")),
                        ("kensaku-reindex.service + rollout.conf", os.path.join(scale, "kensaku-reindex.service"))):
        limit = EXPOSURE_MAX[label]
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", path],
                           capture_output=True, text=True, timeout=60)
        m = re.search(r"Overall exposure level for \S+: ([\d.]+)", r.stdout)
        if not check(m is not None, "security --offline=yes %s: %s %s" % (label, r.stdout[-500:], r.stderr)):
            continue
        scores[label] = float(m.group(1))
        check(scores[label] <= limit, "%s exposure %.1f > %.1f:\n%s" % (
            label, scores[label], limit, "\n".join(ln for ln in r.stdout.splitlines() if ln.startswith("✗"))))
    srv = unit_entries(read(os.path.join(DEPLOY, "kensakud.service")))
    want = {"DynamicUser": "yes", "ProtectSystem": "strict", "ReadOnlyPaths": "/var/lib/kensaku/index",
            "PrivateTmp": "yes", "NoNewPrivileges": "yes",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "SystemCallArchitectures": "native",
            "CapabilityBoundingSet": "", "ProtectHome": "yes", "ProtectKernelTunables": "yes",
            "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes", "MemoryDenyWriteExecute": "yes",
            "LockPersonality": "yes", "RestrictNamespaces": "yes", "PrivateDevices": "yes",
            "UMask": "0077"}
    for k, v in want.items():
        check(v in values(srv, k), "kensakud.service has %s=%s (has %r)" % (k, v, values(srv, k)))
    check("@system-service" in values(srv, "SystemCallFilter"), "kensakud.service: SystemCallFilter=@system-service")
    check(any("kill -HUP $MAINPID" in v for v in values(srv, "ExecReload")), "ExecReload sends SIGHUP")
    rx = unit_entries(read(os.path.join(DEPLOY, "kensaku-reindex.service")))
    check(values(rx, "User") == ["kensaku"] and "yes" not in values(rx, "DynamicUser"),
          "the reindex job runs as the static user kensaku")
    # the replica template is kensakud.service but for its instance lines
    tpl = unit_entries(read(os.path.join(DEPLOY, "scaleout", "kensakud@.service")))
    own = {"Description", "ExecStart", "ReadOnlyPaths", "User"}
    diff = set((k, v) for _, k, v in srv if k not in own) ^ set((k, v) for _, k, v in tpl if k not in own)
    check(not diff, "kensakud@.service has kensakud.service's settings: differs in %r" % sorted(diff))
    check(all("%i" in v for v in values(tpl, "ExecStart") + values(tpl, "ReadOnlyPaths")),
          "kensakud@.service: port and index folder from the instance name")
    return scores


def check_calendar():
    """3: the timer's schedule parses."""
    t = unit_entries(read(os.path.join(DEPLOY, "kensaku-reindex.timer")))
    for cal in values(t, "OnCalendar"):
        r = subprocess.run(["systemd-analyze", "calendar", cal], capture_output=True, text=True, timeout=30)
        check(r.returncode == 0 and "Next elapse" in r.stdout, "OnCalendar=%s: %s" % (cal, r.stderr))


def check_sysusers_tmpfiles(d):
    """4: sysusers and tmpfiles into a temp root."""
    root = os.path.join(d, "root")
    os.makedirs(os.path.join(root, "etc"))
    r = subprocess.run(["systemd-sysusers", "--root=" + root, os.path.join(DEPLOY, "kensaku.sysusers")],
                       capture_output=True, text=True, timeout=30)
    passwd = read(os.path.join(root, "etc", "passwd")) if os.path.exists(os.path.join(root, "etc", "passwd")) else ""
    m = re.search(r"^kensaku:x:(\d+):(\d+):[^:]*:/var/lib/kensaku:", passwd, re.M)
    check(r.returncode == 0 and m, "systemd-sysusers creates kensaku: %s %r" % (r.stderr, passwd))
    r = subprocess.run(["systemd-tmpfiles", "--root=" + root, "--create", os.path.join(DEPLOY, "kensaku.tmpfiles")],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "systemd-tmpfiles --create: %s" % r.stderr)
    for rel in ("var/lib/kensaku", "var/lib/kensaku/build", "var/lib/kensaku/index", "srv/kensaku/archive"):
        p = os.path.join(root, rel)
        ok = os.path.isdir(p) and stat.S_IMODE(os.stat(p).st_mode) == 0o755 and \
            (m is None or os.stat(p).st_uid == int(m.group(1)))
        check(ok, "tmpfiles: %s is a 0755 folder owned by kensaku" % rel)


def write_marker(archive, k):
    ksload.kstest.jsonl(os.path.join(archive, "marker.jsonl"), [
        {"issue": 9200, "date": "2000-06-03", "section": "その他", "title": "deploymarker%d 配備" % k}])


start_server_as = ksdeploy.start_server_as  # kensakud from ExecStart as another uid


def check_permissions(d):
    """5: reindex as one uid, serve as another; switch; reload; stop."""
    base = os.path.join(d, "run")
    state, archive = os.path.join(base, "var-lib-kensaku"), os.path.join(base, "archive")
    for p in (base, archive):
        os.makedirs(p, exist_ok=True)
        os.chmod(p, 0o755)
    # what StateDirectory=kensaku kensaku/build kensaku/index + StateDirectoryMode=0755 create
    for p in (state, os.path.join(state, "build"), os.path.join(state, "index")):
        os.makedirs(p)
        os.chmod(p, 0o755)
        os.chown(p, UID_INDEXER, UID_INDEXER)
    shutil.copy(os.path.join(A.data, "base.jsonl"), archive)
    write_marker(archive, 1)
    for f in os.listdir(archive):
        os.chmod(os.path.join(archive, f), 0o644)
    subst = bin_subst() + [("/var/lib/kensaku", state), ("/srv/kensaku/archive", archive)]
    rx = unit_entries(substitute(read(os.path.join(DEPLOY, "kensaku-reindex.service")), subst))
    sv = unit_entries(substitute(read(os.path.join(DEPLOY, "kensakud.service")), subst))
    umask = (values(rx, "UMask") or ["0022"])[0]

    def run_reindex(label):
        for argv in exec_lines(rx, "ExecStart"):
            r = subprocess.run(as_user(UID_INDEXER, umask, argv), capture_output=True, text=True, timeout=120)
            if not check(r.returncode == 0, "%s: %s exit %d: %s" % (label, os.path.basename(argv[0]),
                                                                    r.returncode, r.stderr[-500:])):
                return False
        return True

    run_reindex("first reindex")
    # MemoryMax= of the reindex job against the run's peak (the largest
    # child so far: kensaku reindex, kensaku-publish, sqlite3)
    mmax = (values(rx, "MemoryMax") or [""])[0]
    m = re.fullmatch(r"(\d+)([KMG])", mmax)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    check(m is not None and peak < int(m.group(1)) * 1024 ** " KMG".index(m.group(2)),
          "kensaku-reindex.service MemoryMax=%s above the run's peak %.0f MB" % (mmax, peak / 1e6))
    log("reindex job: peak RSS %.0f MB (sample archive), MemoryMax=%s" % (peak / 1e6, mmax))
    live = os.path.join(state, "index", "kensaku.db")
    st = os.stat(live) if os.path.exists(live) else None
    check(st and st.st_uid == UID_INDEXER and stat.S_IMODE(st.st_mode) == 0o644,
          "the published index is 0644 and owned by the indexer: %r" % (st,))
    r = subprocess.run(as_user(UID_SERVER, "0077", ["touch", os.path.join(state, "index", "x")]),
                       capture_output=True, timeout=ksdeploy._patience(30))
    check(r.returncode != 0, "the server's uid cannot write the index folder")

    srv = start_server_as(base, UID_SERVER, exec_lines(sv, "ExecStart")[0])
    try:
        check(total(srv, "deploymarker1") == 1, "the server (another uid, read-only) serves the published index")
        write_marker(archive, 2)
        os.chmod(os.path.join(archive, "marker.jsonl"), 0o644)
        run_reindex("second reindex")
        t0 = time.monotonic()
        while time.monotonic() - t0 < ksdeploy._patience(30) and total(srv, "deploymarker2") != 1:
            time.sleep(0.05)  # poll interval within a deadline
        check(total(srv, "deploymarker2") == 1, "the server switched to the next published generation")
        check(os.path.exists(live + ".prev"), "the previous index is kept as kensaku.db.prev")
        left = sorted(set(os.listdir(os.path.join(state, "index"))) - {"kensaku.db", "kensaku.db.prev"})
        check(not left, "nothing else in the index folder (no -shm/-wal from the server): %r" % left)

        # the cron example's command, as the indexer uid, binaries from PATH
        cron = [ln for ln in read(os.path.join(DEPLOY, "kensaku-reindex.cron")).splitlines()
                if ln.strip() and not ln.startswith("#") and "=" not in ln.split()[0]]
        check(len(cron) == 1, "one job in the cron example: %r" % cron)
        fields = cron[0].split(None, 6)
        check(len(fields) == 7 and fields[5] == "kensaku" and
              all(re.fullmatch(r"[\d*/,-]+", x) for x in fields[:5]),
              "cron line: 5 time fields, user kensaku, command: %r" % fields)
        pathdir = os.path.join(base, "path")
        os.makedirs(pathdir)
        os.chmod(pathdir, 0o755)
        os.symlink(run_path("bin", "kensaku"), os.path.join(pathdir, "kensaku"))
        os.symlink(run_path("deploy", "kensaku-publish"), os.path.join(pathdir, "kensaku-publish"))
        write_marker(archive, 3)
        os.chmod(os.path.join(archive, "marker.jsonl"), 0o644)
        cmd = substitute(fields[6], [("/var/lib/kensaku", state), ("/srv/kensaku/archive", archive)])
        r = subprocess.run(as_user(UID_INDEXER, "0022", ["sh", "-c", cmd]), capture_output=True, text=True,
                           timeout=120, env=dict(os.environ, PATH=pathdir + ":/usr/bin:/bin"))
        check(r.returncode == 0, "the cron command: exit %d: %s" % (r.returncode, r.stderr[-500:]))
        t0 = time.monotonic()
        while time.monotonic() - t0 < ksdeploy._patience(30) and total(srv, "deploymarker3") != 1:
            time.sleep(0.05)  # poll interval within a deadline
        check(total(srv, "deploymarker3") == 1, "the server switched after the cron command")

        # ExecReload
        reload_argv = [x.replace("$MAINPID", str(srv.proc.pid)) for x in exec_lines(sv, "ExecReload")[0]]
        r = subprocess.run(reload_argv, capture_output=True, timeout=ksdeploy._patience(30))
        check(r.returncode == 0 and srv.wait_line("SIGHUP", ksdeploy._patience(30)), "ExecReload: SIGHUP taken")
        check(get(srv, "/healthz")[0] == 200, "healthy after the reload")
    finally:
        sig = (values(sv, "KillSignal") or ["SIGTERM"])[0]
        srv.proc.send_signal(getattr(signal, sig))
        try:
            rc = srv.proc.wait(ksdeploy._patience(30))
        except subprocess.TimeoutExpired:
            rc = srv.stop()
        srv.reader.join(5)
        check(rc == 0, "kensakud exits 0 on %s: %r" % (sig, rc))
        ksload.sanitizer_clean(srv)

    # informational: why kensaku-publish converts to journal_mode=DELETE
    build = os.path.join(state, "build", "kensaku.db")
    probe = subprocess.Popen(as_user(UID_SERVER, "0077", [run_path("bin", "kensakud"), "--db", build, "--listen",
                                                          "127.0.0.1:0"]),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = probe.communicate(timeout=5)
        log("note: kensakud as another uid on the WAL-mode build file in a folder it can't write: exit %r, %s" % (
            probe.returncode, err.decode(errors="replace").strip()[-200:]))
    except subprocess.TimeoutExpired:
        probe.kill()
        probe.communicate()
        log("note: kensakud as another uid serves the WAL-mode build file too")


def allowed_syscalls(spec_lines):
    """The system calls a list of SystemCallFilter= values allows (an
    allow-list, then ~deny-lists), expanded with systemd-analyze."""
    cache = {}

    def expand(name):
        if not name.startswith("@"):
            return {name}
        if name not in cache:
            r = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True,
                               timeout=30)
            names = set()
            for ln in r.stdout.splitlines()[1:]:
                ln = ln.strip()
                if ln and not ln.startswith("#"):
                    names |= expand(ln)
            cache[name] = names
        return cache[name]

    allowed = None
    for spec in spec_lines:
        deny = spec.startswith("~")
        names = set()
        for item in spec.lstrip("~").split():
            names |= expand(item)
        if deny:
            allowed = (allowed or set()) - names
        else:
            allowed = names if allowed is None else allowed | names
    return allowed or set()


def traced_child(pid):
    """The pid of the process strace (pid) started."""
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return int(f.read().split()[0])


def check_syscalls(d):
    """6: kensakud under strace against the unit's filter."""
    if not shutil.which("strace"):
        log("strace is not installed: system-call filter check skipped (apt-get install strace)")
        return
    if ksload.sanitized():
        log("sanitizer build: system-call filter check skipped (ASan's runtime makes its own calls)")
        return
    base = os.path.join(d, "strace")
    os.makedirs(base)
    db = os.path.join(base, "k.db")
    ksload.kstest.build_index(A, os.path.join(base, "build.db"), [os.path.join(A.data, "base.jsonl")])
    publish = run_path("deploy", "kensaku-publish")
    subprocess.run([publish, os.path.join(base, "build.db"), db], check=True, capture_output=True)
    tdir = os.path.join(base, "trace")  # the server's uid writes its trace here
    os.makedirs(tdir)
    os.chown(tdir, UID_SERVER, UID_SERVER)
    os.chmod(base, 0o755)
    trace = os.path.join(tdir, "trace.txt")
    wrapper = os.path.join(base, "kensakud-strace")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec %s \"$@\"\n" % " ".join(
            shlex.quote(x) for x in as_user(UID_SERVER, "0077", ["strace", "-f", "-qq", "-o", trace,
                                                           run_path("bin", "kensakud")])))
    os.chmod(wrapper, 0o755)
    a = type("A", (), {"srv": wrapper})()
    srv = Server(a, db, ["--web", run_path("web"), "--quiet"])
    rc = None
    try:
        for p in ["/healthz", "/metrics", "/", "/app.js", "/api/search?q=%E3%83%A9%E3%83%B3%E3%82%B5%E3%83%A0",
                  "/api/search?q=LAPSUS%24&sort=newest", "/api/items/10-1", "/api/issues/10",
                  "/api/search?limit=0", "/nope", "/api/items/x"]:
            get(srv, p)
        ksload.kstest.request(srv, "HEAD", "/api/search?q=a")
        ksload.kstest.request(srv, "OPTIONS", "/api/search")
        ksload.kstest.request(srv, "POST", "/api/search", body=b"x=1")
        gen = ksload.metric(srv, "kensaku_index_generation")
        ksload.kstest.build_index(A, os.path.join(base, "build2.db"), [os.path.join(A.data, "base.jsonl")])
        subprocess.run([publish, os.path.join(base, "build2.db"), db], check=True, capture_output=True)
        t0 = time.monotonic()
        while time.monotonic() - t0 < ksdeploy._patience(30) and ksload.metric(srv, "kensaku_index_generation") == gen:
            time.sleep(0.05)  # poll interval within a deadline
        check(ksload.metric(srv, "kensaku_index_generation") == (gen or 0) + 1, "switch under strace")
        kpid = traced_child(srv.proc.pid)
        os.kill(kpid, signal.SIGHUP)
        check(srv.wait_line("SIGHUP", ksdeploy._patience(30)), "SIGHUP under strace")
        get(srv, "/healthz")
        os.kill(kpid, signal.SIGTERM)  # strace exits with its tracee's status
        rc = srv.proc.wait(ksdeploy._patience(40))
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
        srv.stop()
    errs = srv.stderr_text()
    check(rc == 0, "kensakud under strace exits 0 on SIGTERM: %r; stderr:\n%s" % (rc, errs[-2000:]))
    judge_trace("kensakud.service", trace, 20)

    # the reindex job: its ExecStart lines (kensaku reindex, kensaku-publish
    # and the tools it runs) under strace, against its own filter
    state, archive = os.path.join(base, "state"), os.path.join(base, "archive")
    for p in (state, os.path.join(state, "build"), os.path.join(state, "index"), archive):
        os.makedirs(p, exist_ok=True)
        os.chmod(p, 0o755)
        if p != archive:
            os.chown(p, UID_INDEXER, UID_INDEXER)
    os.chmod(base, 0o755)
    shutil.copy(os.path.join(A.data, "base.jsonl"), archive)
    os.chmod(os.path.join(archive, "base.jsonl"), 0o644)
    rx = unit_entries(substitute(read(os.path.join(DEPLOY, "kensaku-reindex.service")),
                                 bin_subst() + [("/var/lib/kensaku", state), ("/srv/kensaku/archive", archive)]))
    trace2 = os.path.join(base, "trace-reindex.txt")
    for i, argv in enumerate(exec_lines(rx, "ExecStart")):
        # as the unit's user (SQLite, for one, calls fchown only as root)
        part = os.path.join(state, "trace.%d" % i)  # a folder that uid may write
        r = subprocess.run(as_user(UID_INDEXER, "0022", ["strace", "-f", "-qq", "-o", part] + argv),
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, "reindex job under strace: %s: %s" % (argv[0], r.stderr[-300:]))
        if os.path.exists(part):
            with open(trace2, "a") as out, open(part) as f:
                out.write(f.read())
    judge_trace("kensaku-reindex.service", trace2, 15)

    # the rollout drop-in: its ExecStart lines as the indexer, under strace,
    # against 3 running replicas; each must end on the new generation
    dropin = os.path.join(DEPLOY, "scaleout", "kensaku-reindex-rollout.conf")
    ports, reps = [], []
    try:
        for _ in range(3):
            reps.append(start_replica_as_indexer(state, publish, ports))
        subst = bin_subst() + [("/var/lib/kensaku", state), ("/srv/kensaku/archive", archive)]
        ro = unit_entries(substitute(read(dropin), subst + ksload.port_subst(ports)))
        env = dict(os.environ, **ksload.unit_environment(ro))
        trace3 = os.path.join(base, "trace-rollout.txt")
        for i, argv in enumerate(exec_lines(ro, "ExecStart")):
            part = os.path.join(state, "trace-ro.%d" % i)
            r = subprocess.run(as_user(UID_INDEXER, "0022", ["strace", "-f", "-qq", "-o", part] + argv),
                               capture_output=True, text=True, timeout=180, env=env)
            check(r.returncode == 0, "rollout drop-in under strace: %s: %s %s" % (
                os.path.basename(argv[0]), r.stdout[-300:], r.stderr[-300:]))
            if os.path.exists(part):
                with open(trace3, "a") as out, open(part) as f:
                    out.write(f.read())
        gen = subprocess.run(["sqlite3", os.path.join(state, "build", "kensaku.db"),
                              "SELECT value FROM meta WHERE key='generation'"], capture_output=True,
                             text=True).stdout.strip()
        for i, srv in enumerate(reps):
            st, _, h = ksload.get_json(srv, "/healthz")
            check(st == 200 and h.get("generation") == gen, "replica %d on the rolled-out generation %s: %r" % (
                i + 1, gen, h))
        judge_trace("kensaku-reindex.service", trace3, 15, dropin=dropin)
    finally:
        for srv in reps:
            check(srv.stop() == 0, "replica exit status")


def start_replica_as_indexer(state, publish, ports):
    """A replica on a port free a moment ago (another one when kensakud
    finds it taken), its folder state/replica-PORT owned by the indexer,
    which publishes the reindex job's output into it; appends the port."""
    for attempt in range(ksdeploy.TRIES):
        p = ksload.free_port()
        rd = os.path.join(state, "replica-%d" % p)
        os.makedirs(rd)
        os.chown(rd, UID_INDEXER, UID_INDEXER)
        # the reindex job's output above (a WAL file in a folder this uid owns)
        subprocess.run(as_user(UID_INDEXER, "0022", [publish, os.path.join(state, "build", "kensaku.db"),
                                                     os.path.join(rd, "kensaku.db")]), check=True,
                       capture_output=True)
        try:
            srv = Server(A, os.path.join(rd, "kensaku.db"), ["--quiet", "--listen", "127.0.0.1:%d" % p])
        except RuntimeError:
            shutil.rmtree(rd)
            if attempt == ksdeploy.TRIES - 1:
                raise
            continue
        ports.append(p)
        return srv


def judge_trace(unit, trace, min_names, dropin=None):
    """Checks an strace -f log against the unit's (and drop-in's)
    SystemCallFilter=, RestrictAddressFamilies= and MemoryDenyWriteExecute=."""
    entries = unit_entries(read(os.path.join(DEPLOY, unit)))
    if dropin:
        entries += unit_entries(read(dropin))
        unit += " + " + os.path.basename(dropin)
    allowed = allowed_syscalls(values(entries, "SystemCallFilter"))
    families = set(" ".join(values(entries, "RestrictAddressFamilies")).split())
    check(allowed and not {"mount", "reboot", "ptrace", "setrlimit", "init_module"} & allowed,
          "%s: the filter expands and denies mount/reboot/ptrace/setrlimit/init_module" % unit)
    seen, fams, wx = {}, set(), []
    pat = re.compile(r"^\d+\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()")
    with open(trace, errors="replace") as f:
        for line in f:
            m = pat.match(line)
            if m:
                name = m.group(1) or m.group(2)
                seen[name] = seen.get(name, 0) + 1
            m = re.search(r"\bsocket\((AF_\w+)", line)
            if m:
                fams.add(m.group(1))
            if re.search(r"\b(mmap|mprotect|pkey_mprotect)\(.*(PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE)", line):
                wx.append(line.strip())
    outside = sorted(n for n in seen if n not in allowed)
    check(len(seen) >= min_names, "%s: strace saw the system calls (%d names)" % (unit, len(seen)))
    check(not outside, "%s: system calls outside SystemCallFilter=: %r" % (unit, outside))
    check(fams <= families, "%s: socket families %r within RestrictAddressFamilies=%r" % (
        unit, sorted(fams), sorted(families)))
    check(not wx, "%s: writable+executable mappings (MemoryDenyWriteExecute=): %r" % (unit, wx[:3]))
    log("strace %s: %d distinct system calls, all in the filter's %d; socket families: %s" % (
        unit, len(seen), len(allowed), " ".join(sorted(fams)) or "none"))


def main():
    ksload.need("systemd-analyze", "setpriv", "sqlite3")
    d = ksload.tmpdir("deploy-systemd")
    try:
        run_checks(d)
    finally:
        cleanup(d)


def run_checks(d):
    os.chmod(d, 0o755)
    stage = ksdeploy.stage_for_others(A, d) if os.geteuid() == 0 else None
    if stage:
        RUN.update(bin=os.path.join(stage, "bin"), deploy=os.path.join(stage, "deploy"),
                   web=os.path.join(stage, "web"))
    single, scale = unit_dirs(d)
    check_verify(single, scale)
    scores = check_security(single, scale)
    check_calendar()
    check_sysusers_tmpfiles(d)
    if os.geteuid() != 0:
        log("not root: the permission check (setpriv to other uids) is skipped")
    elif not stage:
        log("skipped: the permission and system-call checks run programs as other users, and the temp "
            "folder %s is not reachable by them (a folder on its path lacks o+x): set TMPDIR to one "
            "that is (e.g. /tmp)" % d)
    else:
        check_permissions(d)
        check_syscalls(d)
    print("\ndeploy.systemd: exposure (systemd-analyze security --offline=yes): %s\n" % ", ".join(
        "%s %.1f (max %.1f)" % (u, s, EXPOSURE_MAX[u]) for u, s in sorted(scores.items())), flush=True)


ksload.run(main)
