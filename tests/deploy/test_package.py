#!/usr/bin/env python3
"""deploy.package - the Debian package (issue 13, points 8-10), built,
checked, installed, used as the README's day one, and purged.

1. deploy/build-deb.sh in a build folder of its own (BUILD/deploy-package:
   Release, prefix /usr, Debian's hardening flags, no tests), so the next
   run only rebuilds what changed.
2. Contents (dpkg-deb -c, -I, -x): the binaries, the units, sysusers and
   tmpfiles, /etc/default/kensaku (a conffile), the man pages, the bash
   completion, every file of web/; Depends from dpkg-shlibdeps; no
   /usr/local path left in an installed unit or example; the postinst
   enables and starts nothing.
3. lintian: no error (warnings and infos are listed, not failed; no tag is
   suppressed).
4. As root with dpkg, on a machine without kensaku installed: dpkg -i,
   then every command of the README's day one (DAY_ONE below) with
   newsletters written for this test: an Atom feed served on 127.0.0.1
   port 0 (tests/deploy/data/feed) as the newsletter's feed URL, and back
   issues copied into /srv/kensaku/archive (tests/deploy/data/newsletters:
   an HTML issue page and a Maildir). Then the timer's next runs: the
   unchanged feed is asked with a conditional GET (304), a new issue reaches
   the running server, a deleted one leaves it. systemd is not PID 1 here, so
   `systemctl start kensaku-index` and the `--now` of `systemctl enable
   --now` are done as systemd would: the installed unit's ExecCondition=/
   ExecStart= lines with its Environment=/EnvironmentFile= expanded, as its
   User= (kensaku-index) or a stand-in dynamic uid (kensakud), UMask= set;
   `systemctl enable` itself runs (offline it only makes the links).
   kensakud on 127.0.0.1 port 0 answers a search, serves the UI from the
   installed share folder (and finds it with no --web); the installed man
   pages cover every flag `--help` lists, and the completion offers them;
   `systemd-analyze verify` passes on the installed units.
5. dpkg -P, always (finally): no file of the package, no /var/lib/kensaku,
   no enable link and no /etc/default/kensaku left; the user kensaku is
   removed and /srv/kensaku too when the test created them.

Skipped (exit 77) in the sanitizer build (the package is built from a
Release build of its own: running it twice proves nothing) and when the
packaging tools are missing; part 4 is skipped with the reason when not
root, without dpkg, or when kensaku is installed or /var/lib/kensaku
exists (a real install is never touched). Runs of it from several build
folders take turns (a lock in the temp folder)."""
import fcntl
import fnmatch
import glob
import http.server
import json
import os
import pwd
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "load"))
import ksdeploy  # noqa: E402
import ksload  # noqa: E402
from ksload import check, exec_lines, get, get_json, log, unit_entries, unit_environment, values  # noqa: E402

A = ksload.kstest.args()
P = ksload.kstest.patience
NEWS = os.path.join(HERE, "data", "newsletters")  # back issues: an HTML page, a Maildir
FEED = os.path.join(HERE, "data", "feed")  # what the newsletter's site serves
ENV_FILE = "/etc/default/kensaku"
ARCHIVE = "/srv/kensaku/archive"
INDEX = "/var/lib/kensaku/index/kensaku.db"
UNITS = ["kensakud.service", "kensakud@.service", "kensaku-index.service", "kensaku-index.timer",
         "kensaku-reindex.service", "kensaku-reindex.timer"]
MARKER = os.path.join(tempfile.gettempdir(), "kensaku-deploy-package.installed")
STANDIN_DYNAMIC_UID = 61999  # DynamicUser= picks from 61184-65519
# The README's day one, as root, after building the package: the commands
# the test runs (the package's file name filled in). "UNIT:" lines are what
# systemd would do (see the module's doc).
DAY_ONE = [
    "dpkg -i {deb}",
    "echo 'KENSAKU_SOURCES=\"{feed} /srv/kensaku/archive\"' >> /etc/default/kensaku",
    "cp -r {news}/. /srv/kensaku/archive/",
    "UNIT: systemctl start kensaku-index.service",
    "systemctl enable kensakud.service kensaku-index.timer",
    "UNIT: the --now of systemctl enable --now kensakud.service kensaku-index.timer",
    "curl -s http://127.0.0.1:8080/",
]


def sh(cmd, timeout=300, **kw):
    """cmd run by sh; the CompletedProcess (text)."""
    return subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=P(timeout), **kw)


def dpkg(cmd):
    """A dpkg command, run again while another dpkg or apt holds dpkg's
    lock (apt-get on a shared machine), up to a deadline."""
    end = time.monotonic() + P(600)
    while True:
        r = sh(cmd, timeout=600)
        if r.returncode == 0 or "lock" not in r.stderr or time.monotonic() > end:
            return r
        time.sleep(0.5)  # poll interval while the lock is held


def take_turns():
    """An exclusive lock shared by every run of this test on the machine
    (dpkg and /usr are shared); held until the process exits."""
    f = open(os.path.join(tempfile.gettempdir(), "kensaku-deploy-package.lock"), "w")
    end = time.monotonic() + P(900)
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return f
        except BlockingIOError:
            if time.monotonic() > end:
                raise RuntimeError("another deploy.package run held the lock too long")
            time.sleep(0.2)  # poll interval, not a wait for an event


def build():
    """1: the package from deploy/build-deb.sh; its path, or None."""
    work = os.path.join(os.path.dirname(A.bin), "deploy-package")
    r = subprocess.run([os.path.join(A.src, "deploy", "build-deb.sh"), work], capture_output=True, text=True,
                       timeout=P(1800), env=dict(os.environ, KS_JOBS="2"))
    deb = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    if not check(r.returncode == 0 and deb.endswith(".deb") and os.path.isfile(deb),
                 "build-deb.sh: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-3000:])):
        return None
    with open(os.path.join(A.src, "CMakeLists.txt"), encoding="utf-8") as f:
        version = re.search(r"project\(kensaku VERSION ([\d.]+)", f.read()).group(1)
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    check(os.path.basename(deb) == "kensaku_%s_%s.deb" % (version, arch), "package name: %s" % deb)
    return deb


def listing(deb):
    """{path: is_dir} of the package's data (dpkg-deb -c)."""
    out = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    paths = {}
    for line in out.splitlines():
        name = line.split(None, 5)[5].split(" -> ")[0]
        paths[name[1:].rstrip("/") or "/"] = line.startswith("d")
    return paths


def unit_dir(paths):
    """Where the package puts its units (/lib or /usr/lib/systemd/system)."""
    for d in ("/lib/systemd/system", "/usr/lib/systemd/system"):
        if d + "/kensakud.service" in paths:
            return d
    return None


def check_contents(deb, d):
    """2: files, control fields, conffiles, installed paths."""
    paths = listing(deb)
    udir = unit_dir(paths)
    check(udir is not None, "the package has kensakud.service")
    want = ["/usr/bin/kensaku", "/usr/bin/kensakud", "/usr/bin/kensaku-publish", "/usr/libexec/kensaku/rollout.sh",
            "/usr/lib/sysusers.d/kensaku.conf", "/usr/lib/tmpfiles.d/kensaku.conf", ENV_FILE,
            "/usr/share/man/man1/kensaku.1.gz", "/usr/share/man/man8/kensakud.8.gz",
            "/usr/share/man/man8/kensaku-publish.8.gz", "/usr/share/bash-completion/completions/kensaku",
            "/usr/share/doc/kensaku/copyright", "/usr/share/doc/kensaku/changelog.gz"]
    want += ["%s/%s" % (udir, u) for u in UNITS]
    web = os.path.join(A.src, "web")
    for top, _, files in os.walk(web):
        want += ["/usr/share/kensaku/web/" + os.path.relpath(os.path.join(top, f), web)
                 for f in files if f != "README.md"]
    missing = [p for p in want if paths.get(p) is not False]
    check(not missing, "the package holds every file: missing %r" % missing)
    check(not [p for p in paths if p.startswith("/usr/local") or p.startswith("/srv")],
          "nothing under /usr/local or /srv")
    deps = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True, text=True).stdout.strip()
    for dep in ("libsqlite3-0", "libicu", "libmicrohttpd", "libjansson4", "libmecab2", "mecab-ipadic-utf8",
                "sqlite3", "libc6"):
        check(dep in deps, "Depends names %s: %s" % (dep, deps))
    ctrl = os.path.join(d, "control")
    subprocess.run(["dpkg-deb", "-e", deb, ctrl], check=True)
    with open(os.path.join(ctrl, "conffiles")) as f:
        check(f.read().split() == [ENV_FILE], "conffiles: %s" % ENV_FILE)
    with open(os.path.join(ctrl, "postinst")) as f:
        code = [ln for ln in f.read().splitlines() if not ln.lstrip().startswith("#")]
    check(not [ln for ln in code if re.search(r"\b(enable|start|restart)\b", ln)],
          "the postinst enables and starts nothing")
    root = os.path.join(d, "data")
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    for p in paths:
        full = root + p
        if os.path.isfile(full) and (p.startswith(udir) or "/examples/" in p):
            with open(full, encoding="utf-8") as f:
                check("/usr/local" not in f.read(), "%s names this install's paths, not /usr/local" % p)
    log("package: %s, %d bytes, %d files; Depends: %s" % (
        os.path.basename(deb), os.path.getsize(deb), sum(1 for v in paths.values() if not v), deps))
    return paths, udir


def run_lintian(deb):
    """3: lintian without suppressions: errors fail, the rest is listed."""
    r = subprocess.run(["lintian", "--display-info", "--fail-on", "error", deb], capture_output=True,
                       text=True, timeout=P(900))
    tags = [ln for ln in r.stdout.splitlines() if re.match(r"^[EWIPX]: ", ln)]
    errors = [t for t in tags if t.startswith("E: ")]
    check(r.returncode == 0 and not errors, "lintian: exit %d, errors %r %s" % (r.returncode, errors, r.stderr))
    log("lintian: %d tags%s" % (len(tags), "".join("\n    " + t for t in tags)))


def env_file(path):
    """The assignments of a systemd EnvironmentFile= (quotes removed)."""
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and line[0] not in "#;" and "=" in line:
                k, _, v = line.partition("=")
                env[k.strip()] = " ".join(shlex.split(v.strip()))
    return env


def expand(argv, env):
    """An Exec line's words as systemd expands them: $VAR alone is split at
    spaces into zero or more words, ${VAR} is one word."""
    out = []
    for w in argv:
        m = re.fullmatch(r"\$([A-Za-z_]\w*)", w)
        if m:
            out += env.get(m.group(1), "").split()
        else:
            out.append(re.sub(r"\$\{([A-Za-z_]\w*)\}", lambda x: env.get(x.group(1), ""), w))
    return out


def unit_env(entries, user):
    """The environment systemd gives a unit's processes."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    if user:
        env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name, SHELL=user.pw_shell)
    env.update(unit_environment(entries))
    for v in values(entries, "EnvironmentFile"):
        path = v.lstrip("-")
        if os.path.exists(path) or not v.startswith("-"):
            env.update(env_file(path))
    return env


def start_unit(udir, name, want_fail=False):
    """`systemctl start NAME` for a oneshot unit, as systemd runs it:
    'skipped' (ExecCondition= false), 'done', or 'failed' (a test failure
    unless want_fail)."""
    with open(os.path.join(udir, name), encoding="utf-8") as f:
        entries = unit_entries(f.read())
    user = pwd.getpwnam(values(entries, "User")[0])
    env = unit_env(entries, user)
    umask = (values(entries, "UMask") or ["0022"])[0]
    for key in ("ExecCondition", "ExecStart"):
        for argv in exec_lines(entries, key):
            argv = expand(argv, env)
            r = subprocess.run(ksdeploy.as_user(user.pw_uid, umask, argv, user.pw_gid), capture_output=True,
                               text=True, timeout=P(300), env=env)
            if key == "ExecCondition" and 0 < r.returncode < 255:
                return "skipped"
            if want_fail and r.returncode != 0:
                return "failed"
            if not check(r.returncode == 0, "%s: %s: exit %d: %s" % (name, " ".join(argv), r.returncode,
                                                                      r.stderr[-1000:])):
                return "failed"
    return "done"


class FeedSite:
    """The newsletter's site: FEED over HTTP on 127.0.0.1, port 0; the
    status of every answer in .statuses."""

    def __init__(self):
        self.statuses = []
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kw):
                super().__init__(*args, directory=FEED, **kw)

            def log_request(self, code="-", size="-"):
                site.statuses.append(int(getattr(code, "value", code)))

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/harbor-notes.atom" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(P(30))


def day_one(udir, d, site):
    """4: the README's day one, after dpkg -i (done by the caller); then
    the timer's next runs against the running server."""
    check(start_unit(udir, "kensaku-index.service") == "skipped",
          "kensaku-index.service does nothing while KENSAKU_SOURCES is empty")
    check(not os.path.exists("/var/lib/kensaku/build/kensaku.db"), "no index built from no sources")
    for cmd in (DAY_ONE[1].format(feed=site.url), DAY_ONE[2].format(news=NEWS)):
        r = sh(cmd)
        check(r.returncode == 0, "%s: %s" % (cmd, r.stderr))
    check(start_unit(udir, "kensaku-index.service") == "done", "kensaku-index.service indexes the feed and archive")
    check(site.statuses == [200], "the feed was fetched once: %r" % site.statuses)
    st = os.stat(INDEX) if os.path.exists(INDEX) else None
    check(st is not None and st.st_uid == pwd.getpwnam("kensaku").pw_uid and stat.S_IMODE(st.st_mode) == 0o644,
          "the published index is kensaku's, mode 0644: %r" % (st,))
    if shutil.which("systemctl"):
        r = sh(DAY_ONE[4])
        check(r.returncode == 0, "%s: %s" % (DAY_ONE[4], r.stderr))
        links = enable_links()
        check(len(links) == 2, "systemctl enable links both units: %r" % links)
    with open(os.path.join(udir, "kensakud.service"), encoding="utf-8") as f:
        sv = unit_entries(f.read())
    srv = ksdeploy.start_server_as(d, STANDIN_DYNAMIC_UID, exec_lines(sv, "ExecStart")[0])
    try:
        serve_checks(srv, "/usr/share/kensaku/web")
        next_hours(srv, udir, site)
    finally:
        check(srv.stop() == 0, "kensakud (as kensakud.service runs it) exits 0 on SIGTERM")
    bare_server()


def next_hours(srv, udir, site):
    """The timer's next runs: a new issue in the archive reaches the running
    server while the unchanged feed is not downloaded again (304); an issue
    deleted from the archive leaves it (--prune)."""
    shutil.copy(os.path.join(NEWS, "harbor-notes-12.html"), os.path.join(ARCHIVE, "harbor-notes-14.html"))
    sh("sed -i 's/Issue #12/Issue #14/; s/2024-02-18/2024-03-03/' %s/harbor-notes-14.html" % ARCHIVE)
    check(start_unit(udir, "kensaku-index.service") == "done", "the second run of kensaku-index.service")
    check(site.statuses == [200, 304], "the unchanged feed was asked conditionally: %r" % site.statuses)
    got = ksload.kstest.poll(lambda: ksload.total(srv, "フィッシング") == 2, P(30))
    check(got, "the server switched to the next publication (issue 14 found)")
    os.remove(os.path.join(ARCHIVE, "harbor-notes-14.html"))
    check(start_unit(udir, "kensaku-index.service") == "done", "the third run of kensaku-index.service")
    got = ksload.kstest.poll(lambda: ksload.total(srv, "フィッシング") == 1, P(30))
    check(got, "an issue deleted from the archive left the served index")
    check(ksload.total(srv, "ランサムウェア") == 1, "the feed's items stay (a URL source is never pruned)")
    bad_hour(srv, udir)


def bad_hour(srv, udir):
    """A malformed file beside a new issue: the unit fails (exit 1, the
    reason in its output) but the new issue is published all the same."""
    bad = os.path.join(ARCHIVE, "broken.jsonl")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('{"issue": 15, "items": [\n')
    shutil.copy(os.path.join(NEWS, "harbor-notes-12.html"), os.path.join(ARCHIVE, "harbor-notes-15.html"))
    sh("sed -i 's/Issue #12/Issue #15/; s/2024-02-18/2024-03-10/' %s/harbor-notes-15.html" % ARCHIVE)
    try:
        check(start_unit(udir, "kensaku-index.service", want_fail=True) == "failed",
              "a malformed source fails kensaku-index.service")
        got = ksload.kstest.poll(lambda: ksload.total(srv, "フィッシング") == 2, P(30))
        check(got, "the good sources of a failed run are published (issue 15 found)")
    finally:
        for f in (bad, os.path.join(ARCHIVE, "harbor-notes-15.html")):
            os.remove(f)


def serve_checks(srv, web):
    """A search answered over HTTP, the UI page from the installed share
    folder, /healthz, the README's curl; the installed CLI on the index."""
    with open(os.path.join(web, "index.html"), "rb") as f:
        page = f.read()
    st, h, body = get(srv, "/")
    check(st == 200 and body == page, "GET / is the installed %s/index.html: %d" % (web, st))
    if shutil.which("curl"):
        r = sh(DAY_ONE[6].replace("8080", str(srv.port)))
        check(r.returncode == 0 and "<html" in r.stdout.lower(), "%s: %s" % (DAY_ONE[6], r.stderr))
    st, _, b = get_json(srv, "/api/search?q=%E3%83%A9%E3%83%B3%E3%82%B5%E3%83%A0%E3%82%A6%E3%82%A7%E3%82%A2")
    b = b or {}
    hits = b.get("hits") or [{}]
    check(st == 200 and b.get("total") == 1 and hits[0].get("id") == "13-2" and hits[0].get("date") == "2024-02-25",
          "search ランサムウェア over HTTP: the feed's item 13-2: %d %r" % (st, b))
    st, _, b = get_json(srv, "/healthz")
    check(st == 200 and b and b.get("items") == 5, "/healthz: the 5 items of the feed and archive: %r" % (b,))
    st, _, b = get_json(srv, "/api/search?q=checklist")
    check(st == 200 and b and [h["id"] for h in b.get("hits", [])] == ["15-1"],
          "the Maildir's issue is searchable: %r" % (b,))
    r = subprocess.run(["/usr/bin/kensaku", "search", "--db", INDEX, "フィッシング"], capture_output=True, text=True,
                       timeout=P(60))
    check(r.returncode == 0 and "12-1" in r.stdout and "配送業者を装う" in r.stdout,
          "the installed kensaku searches the published index: %s %s" % (r.stdout[-500:], r.stderr[-500:]))


def bare_server():
    """The installed kensakud without --web finds the installed UI."""
    a = type("A", (), {"srv": "/usr/bin/kensakud"})()
    srv = ksload.kstest.Server(a, INDEX, ["--quiet"])
    try:
        check(srv.wait_line("web /usr/share/kensaku/web", 30),
              "kensakud with no --web serves /usr/share/kensaku/web: %s" % srv.stderr_text()[-500:])
        with open("/usr/share/kensaku/web/app.js", "rb") as f:
            check(get(srv, "/app.js")[2] == f.read(), "GET /app.js is the installed file")
    finally:
        check(srv.stop() == 0, "the installed kensakud exits 0 on SIGTERM")


def help_flags(argv):
    """The --flags a --help output lists."""
    r = subprocess.run(argv + ["--help"], capture_output=True, text=True, timeout=P(30))
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", r.stdout + r.stderr))


def commands():
    """kensaku's commands, from its --help ('commands:' lines)."""
    r = subprocess.run(["/usr/bin/kensaku", "--help"], capture_output=True, text=True, timeout=P(30))
    return re.findall(r"^  ([a-z]+) ", r.stdout + r.stderr, re.M)


def man_text(*page):
    env = dict(os.environ, MANWIDTH="400", LC_ALL="C.UTF-8", MANPAGER="cat", PAGER="cat")
    r = subprocess.run(["man"] + list(page), capture_output=True, text=True, env=env, timeout=P(60))
    check(r.returncode == 0, "man %s: %s" % (" ".join(page), r.stderr))
    return r.stdout.replace("\u2010", "-").replace("\u2212", "-")


COMPLETE = r"""
_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]};
  words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
_filedir() { :; }
. /usr/share/bash-completion/completions/kensaku
COMP_WORDS=(kensaku "$@"); COMP_CWORD=$#
_kensaku
printf '%s\n' "${COMPREPLY[@]}"
"""


def completion(*words):
    """What the installed completion offers after `kensaku WORDS...`."""
    r = subprocess.run(["bash", "-c", COMPLETE, "complete"] + list(words), capture_output=True, text=True,
                       timeout=P(30))
    check(r.returncode == 0, "the completion runs: %s" % r.stderr)
    return set(r.stdout.split())


def check_completion(cmds):
    """The installed completion offers every command and every flag of each
    command's --help."""
    check(completion("") >= set(cmds) | {"--help", "--version"}, "completion of the commands")
    for c in cmds:
        flags = help_flags(["/usr/bin/kensaku", c])
        offered = completion(c, "--")
        check(flags and flags <= offered, "completion of kensaku %s --: missing %r" % (c, sorted(flags - offered)))


def has_entry(text, word):
    """True when a rendered man page has a line starting with word."""
    return re.search(r"^\s+%s(?![\w-])" % re.escape(word), text, re.M) is not None


def check_man(cmds):
    """The man pages, found by name, have an entry for every command and
    every flag --help lists."""
    text = man_text("1", "kensaku")
    for c in cmds:
        flags = help_flags(["/usr/bin/kensaku", c])
        check(has_entry(text, c), "kensaku(1) describes the command %s" % c)
        miss = sorted(f for f in flags if not has_entry(text, f))
        check(flags and not miss, "kensaku(1) has an entry for each flag of kensaku %s: missing %r" % (c, miss))
    flags = help_flags(["/usr/bin/kensakud"]) | {"--version"}
    text = man_text("8", "kensakud")
    miss = sorted(f for f in flags if not has_entry(text, f))
    check(len(flags) > 5 and not miss, "kensakud(8) has an entry for each flag of --help: missing %r" % miss)
    man_text("8", "kensaku-publish")


def verify_units(udir):
    """systemd-analyze verify on the installed units (offline), and the
    timer's schedule."""
    if not shutil.which("systemd-analyze"):
        log("systemd-analyze is missing: the installed units are not verified")
        return
    units = [os.path.join(udir, u) for u in UNITS if "@" not in u] + [os.path.join(udir, "kensakud@8081.service")]
    r = subprocess.run(["systemd-analyze", "verify"] + units, capture_output=True, text=True, timeout=P(120))
    out = (r.stdout + r.stderr).strip()
    check(r.returncode == 0 and out == "", "systemd-analyze verify (installed units): %d %s" % (r.returncode, out))
    with open(os.path.join(udir, "kensaku-index.timer"), encoding="utf-8") as f:
        t = unit_entries(f.read())
    check(values(t, "WantedBy") == ["timers.target"] and values(t, "Unit") == ["kensaku-index.service"],
          "kensaku-index.timer starts kensaku-index.service once enabled")
    for cal in values(t, "OnCalendar"):
        r = subprocess.run(["systemd-analyze", "calendar", "--iterations=2", cal], capture_output=True, text=True,
                           timeout=P(30))
        check(r.returncode == 0 and "Next elapse" in r.stdout, "OnCalendar=%s: %s" % (cal, r.stderr))
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", os.path.join(udir, "kensaku-index.service")],
                       capture_output=True, text=True, timeout=P(60))
    m = re.search(r"Overall exposure level for \S+: ([\d.]+)", r.stdout)
    check(m is not None and float(m.group(1)) <= 1.5, "kensaku-index.service exposure <= 1.5: %s" % r.stdout[-300:])
    if m:
        log("systemd-analyze security --offline=yes: kensaku-index.service %s" % m.group(1))


def enable_links():
    """Links under /etc/systemd/system/*.wants to kensaku's units."""
    d = "/etc/systemd/system"
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(w, n) for w in os.listdir(d) if w.endswith(".wants") and os.path.isdir(os.path.join(d, w))
                  for n in os.listdir(os.path.join(d, w)) if n.startswith("kensaku"))


NOT_INSTALLED = ("", "unknown ok not-installed", "purge ok not-installed", "deinstall ok not-installed")


def dpkg_status():
    """kensaku's dpkg status ('' when dpkg never heard of it)."""
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "kensaku"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ""


def dpkg_excluded():
    """A predicate: True for a path dpkg does not install here (path-exclude=
    in /etc/dpkg/dpkg.cfg.d, as slim container images drop man pages)."""
    rules = []
    cfgs = ["/etc/dpkg/dpkg.cfg"] + sorted(glob.glob("/etc/dpkg/dpkg.cfg.d/*"))
    for cfg in cfgs:
        try:
            with open(cfg, encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = re.match(r"^\s*path-(exclude|include)[=\s]\s*(\S+)", line)
                    if m:
                        rules.append((m.group(1) == "exclude", m.group(2)))
        except OSError:
            pass

    def excluded(path):
        out = False
        for exclude, pattern in rules:  # the last matching rule wins
            if fnmatch.fnmatchcase(path, pattern):
                out = exclude
        return out
    return excluded


def cannot_install():
    """Why part 4 cannot run here, or None."""
    if os.geteuid() != 0:
        return "not root (dpkg -i needs root)"
    for tool in ("dpkg", "setpriv", "man"):
        if not shutil.which(tool):
            return "%s is not installed" % tool
    if dpkg_status() not in NOT_INSTALLED:
        return "kensaku is installed on this machine (%s): the test never touches a real install" % dpkg_status()
    for p in ("/var/lib/kensaku", ENV_FILE):
        if os.path.lexists(p):
            return "%s exists: the test never touches a real install" % p
    return None


def has_user(name):
    try:
        return pwd.getpwnam(name) is not None
    except KeyError:
        return False


def installed_checks(paths, udir):
    """After dpkg -i: the files, the user, the folders, nothing enabled."""
    excluded = dpkg_excluded()
    missing = [p for p, isdir in paths.items() if not isdir and not os.path.lexists(p) and not excluded(p)]
    check(not missing, "dpkg -i installed every file: missing %r" % missing[:10])
    check(has_user("kensaku"), "postinst created the user kensaku (systemd-sysusers)")
    for p in ("/var/lib/kensaku/build", "/var/lib/kensaku/index", ARCHIVE):
        st = os.stat(p) if os.path.isdir(p) else None
        check(st is not None and st.st_uid == pwd.getpwnam("kensaku").pw_uid,
              "postinst created %s for kensaku (systemd-tmpfiles)" % p)
    check(enable_links() == [], "nothing is enabled by the package: %r" % enable_links())
    check(env_file(ENV_FILE).get("KENSAKU_SOURCES") == "", "%s lists no source yet" % ENV_FILE)


def purge(paths, user_existed, srv_existed):
    """5: dpkg -P leaves nothing of the package; the test's own traces go."""
    for name in os.listdir(NEWS) + ["harbor-notes-14.html"]:
        p = os.path.join(ARCHIVE, name)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        elif os.path.lexists(p):
            os.remove(p)
    if dpkg_status() not in NOT_INSTALLED:
        r = dpkg("dpkg -P kensaku")
        check(r.returncode == 0, "dpkg -P kensaku: %s" % (r.stdout + r.stderr)[-1000:])
    check(dpkg_status() in NOT_INSTALLED, "purged: %r" % dpkg_status())
    left = [p for p, isdir in paths.items() if os.path.lexists(p) and (not isdir or "kensaku" in p)]
    left += [p for p in ("/var/lib/kensaku", ENV_FILE) if os.path.lexists(p)]
    left += enable_links()
    if not srv_existed:
        left += [p for p in ("/srv/kensaku",) if os.path.lexists(p)]
    check(not left, "nothing of the package left after dpkg -P: %r" % left)
    for p in left:  # restore the machine even when the purge failed
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p, ignore_errors=True)
        elif os.path.lexists(p):
            os.remove(p)
    if not user_existed and has_user("kensaku"):
        r = subprocess.run(["userdel", "kensaku"], capture_output=True, text=True)
        check(r.returncode == 0, "userdel kensaku: %s" % r.stderr)
        subprocess.run(["groupdel", "kensaku"], capture_output=True)


def install_half(deb, paths, udir, d):
    """4 and 5. A marker in the temp folder says what to restore while the
    test's install stands, so a run killed before its purge (a ctest
    timeout) is purged by the next one instead of blocking it."""
    if os.geteuid() == 0 and os.path.exists(MARKER):
        with open(MARKER) as f:
            state = json.load(f)
        log("a previous run was killed before its purge: purging its install first")
        purge(paths, state["user_existed"], state["srv_existed"])
        os.remove(MARKER)
    why = cannot_install()
    if why:
        log("skipped: install, day one and purge: %s" % why)
        return
    user_existed, srv_existed = has_user("kensaku"), os.path.exists("/srv/kensaku")
    with open(MARKER, "w") as f:
        json.dump({"user_existed": user_existed, "srv_existed": srv_existed}, f)
    try:
        r = dpkg(DAY_ONE[0].format(deb=shlex.quote(deb)))
        if check(r.returncode == 0, "dpkg -i: %s" % (r.stdout + r.stderr)[-2000:]):
            installed_checks(paths, udir)
            verify_units(udir)
            cmds = commands()
            check(len(cmds) >= 5, "kensaku --help lists its commands: %r" % cmds)
            check_completion(cmds)
            if dpkg_excluded()("/usr/share/man/man1/kensaku.1.gz"):
                log("dpkg excludes man pages on this machine (path-exclude): man page checks skipped")
            else:
                check_man(cmds)
            site = FeedSite()
            try:
                day_one(udir, d, site)
            finally:
                site.stop()
    finally:
        purge(paths, user_existed, srv_existed)
        os.remove(MARKER)
    log("day one, as the test ran it:\n    " + "\n    ".join(
        c.format(deb=os.path.basename(deb), news="NEWSLETTERS", feed="FEED_URL") for c in DAY_ONE))


def main():
    if ksload.sanitized():
        ksload.skip("the package test runs in the normal build only (this is the sanitizer build)")
    ksload.need("cmake", "cpack", "dpkg-deb", "dpkg-shlibdeps", "dpkg-buildflags", "lintian", "scdoc", "gzip")
    lock = take_turns()
    d = ksload.tmpdir("deploy-package")
    try:
        deb = build()
        if deb:
            paths, udir = check_contents(deb, d)
            run_lintian(deb)
            if udir:
                install_half(deb, paths, udir, d)
    finally:
        ksload.cleanup(d)
        lock.close()


ksload.run(main)
