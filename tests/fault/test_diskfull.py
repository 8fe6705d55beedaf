#!/usr/bin/env python3
"""Disk full during `kensaku reindex` while kensakud serves under load.

1. RLIMIT_FSIZE (always): the reindex process may not grow a file past a
   limit (SIGXFSZ ignored, so writes fail with EFBIG as on a full disk), at
   several sizes, so the write that fails falls in different phases (the
   first pages, the bulk load, the FTS build, optimize).
2. A small filesystem (when it can be had): the index lives on a tmpfs
   sized to hold it once and a half, so the new copy runs out of space
   (ENOSPC). Mounting needs root and CAP_SYS_ADMIN; where `mount` fails
   (an unprivileged CI container) this part is skipped with a message.

Each failed run: exit 1, a message that names the cause ("File too large",
"No space left on device" / "disk is full") and says the index is
unchanged, no temp file left, the old index untouched (same generation,
every item, integrity_check ok) and still served; every client answer a
correct 200. Then a run with room succeeds and is served.

$KS_FAULT_SCALE scales the corpus (default 1.0 = 6000 items)."""
import os
import resource
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksfault as F  # noqa: E402
from kstest import Server, args, check, cleanup, run, tmpdir  # noqa: E402

A = args()


def limited(nbytes):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return pre


def failed_run(what, db, corpus, gen0, n, srv, causes, preexec=None):
    """A reindex that must fail for lack of room; checks everything the
    docstring lists."""
    r = subprocess.run(F.reindex_argv(A, db, corpus), capture_output=True, timeout=300,
                       preexec_fn=preexec)
    err = r.stderr.decode(errors="replace").strip()
    last = err.splitlines()[-1] if err else ""
    print("  %-28s exit %d: %s" % (what, r.returncode, last[:160]))
    check(r.returncode == 1, "%s: exit %d (want 1): %s" % (what, r.returncode, err[-300:]))
    check(any(c in err for c in causes) and "index unchanged" in err,
          "%s: a message naming the cause (%r) and 'index unchanged': %r" % (
              what, causes, err[-400:]))
    check("Sanitizer" not in err and "runtime error" not in err, "%s: sanitizer: %s" % (
        what, err[-500:]))
    check(not F.temp_files(db), "%s: temp removed: %r" % (what, F.temp_files(db)))
    st = F.stats(A, db)
    check(st is not None and st["generation"] == gen0 and st["items"] == n,
          "%s: the old index is untouched: %r" % (what, st))
    ic = F.integrity_check(db)
    check(ic == "ok", "%s: integrity_check %r" % (what, ic))
    check(F.served_generation(srv) == gen0, "%s: the old generation is served" % what)


def succeeds(what, db, corpus, gen0, srv):
    r = subprocess.run(F.reindex_argv(A, db, corpus), capture_output=True, timeout=300)
    check(r.returncode == 0, "%s: %s" % (what, r.stderr.decode(errors="replace")[-300:]))
    st = F.stats(A, db)
    check(st and st["generation"] != gen0, "%s: new generation in place" % what)
    check(F.wait_served(srv, st and st["generation"]) is not None, "%s: and served" % what)


def serve(db, n):
    srv = Server(A, db, ["--threads", "4", "--quiet"], patient=True)
    ids = ["%d-%d" % (1000 + i // F.ITEMS_PER_FILE, 1 + i % F.ITEMS_PER_FILE)
           for i in range(0, n, max(1, n // 100))]
    return srv, F.Hammer(srv, 2, F.State({n}, 1), ids, max_s=300)


def finish(srv, hammer, what):
    hammer.finish()
    check(not hammer.failures, "%s clients: %s; first failures %r" % (
        what, hammer.summary(), hammer.failures[:5]))
    check(hammer.count > 50, "%s: the clients ran (%d requests)" % (what, hammer.count))
    print("diskfull (%s): clients: %s" % (what, hammer.summary()))


def rlimit_part(d, n, c0, c1):
    db = os.path.join(d, "k.db")
    subprocess.run(F.reindex_argv(A, db, c0), check=True, capture_output=True)
    size = os.path.getsize(db)
    srv, hammer = serve(db, n)
    try:
        gen0 = F.stats(A, db)["generation"]
        print("diskfull: RLIMIT_FSIZE, %d items, index %.1f MB" % (n, size / 1e6))
        for frac in (0.01, 0.3, 0.6, 0.9, 0.95):
            lim = max(64 * 1024, int(size * frac))
            failed_run("limit %.1f MB (%d%%)" % (lim / 1e6, frac * 100), db, c1, gen0, n, srv,
                       ("File too large",), limited(lim))
        succeeds("reindex without the limit", db, c1, gen0, srv)
        finish(srv, hammer, "RLIMIT_FSIZE")
    finally:
        hammer.finish()
        rc = srv.stop()
        check(rc == 0, "kensakud exit code %r" % rc)
        F.sanitizer_clean(srv)


def tmpfs_part(d, n, c0, c1):
    probe = os.path.join(d, "probe.db")
    subprocess.run(F.reindex_argv(A, probe, c0), check=True, capture_output=True)
    size = os.path.getsize(probe)
    mnt = tempfile.mkdtemp(prefix="ks-fault-fs-")
    kb = (int(size * 1.5) + 512 * 1024) // 1024
    why = "not root" if os.geteuid() != 0 else None
    if not why:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk,mode=0755" % kb, "kstmpfs",
                            mnt], capture_output=True, timeout=30)
        if r.returncode != 0:
            why = "mount -t tmpfs failed: %s" % r.stderr.decode(errors="replace").strip()
    if why:
        os.rmdir(mnt)
        print("diskfull: SKIP the small-filesystem part (%s; it needs root with CAP_SYS_ADMIN); "
              "the RLIMIT_FSIZE part ran" % why)
        return
    srv = hammer = None
    try:
        db = os.path.join(mnt, "k.db")
        subprocess.run(F.reindex_argv(A, db, c0), check=True, capture_output=True)
        srv, hammer = serve(db, n)
        gen0 = F.stats(A, db)["generation"]
        print("diskfull: a %d KB tmpfs, index %.1f MB" % (kb, size / 1e6))
        failed_run("tmpfs full (ENOSPC)", db, c1, gen0, n, srv,
                   ("No space left on device", "disk is full"))
        # the same file system with room: the next run succeeds
        r = subprocess.run(["mount", "-o", "remount,size=%dk" % (kb * 3), mnt],
                           capture_output=True, timeout=30)
        check(r.returncode == 0, "remount bigger: %s" % r.stderr.decode(errors="replace"))
        succeeds("reindex with room", db, c1, gen0, srv)
        finish(srv, hammer, "tmpfs")
    finally:
        if hammer:
            hammer.finish()
        if srv:
            rc = srv.stop()
            check(rc == 0, "kensakud exit code %r" % rc)
            F.sanitizer_clean(srv)
        r = subprocess.run(["umount", mnt], capture_output=True, timeout=30)
        if r.returncode != 0:
            subprocess.run(["umount", "-l", mnt], capture_output=True, timeout=30)
        os.rmdir(mnt)


def main():
    d = tmpdir("diskfull")
    try:
        n = F.scaled(6000, 500)
        c0 = F.write_corpus(os.path.join(d, "c0"), n, "gtag0")
        c1 = F.write_corpus(os.path.join(d, "c1"), n, "gtag1")
        rlimit_part(d, n, c0, c1)
        tmpfs_part(d, n, c0, c1)
    finally:
        cleanup(d)


run(main)
