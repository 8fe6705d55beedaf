#!/usr/bin/env python3
"""The `kensaku` CLI end to end on real index files: exit codes, incremental
index, prune, malformed input, reindex swap and its failure paths, the
writer lock, version mismatch, search --json and stats.

usage: test_cli.py --bin BUILD/bin --src REPO
Prints one line per check and 'N passed, N failed'; exits 1 on failure."""
import argparse
import fcntl
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what)
    return ok


def run(*args, env=None, preexec=None):
    # a deadline for a hung CLI, not a speed: 10 minutes
    p = subprocess.run([KS] + list(args), capture_output=True, env=env, preexec_fn=preexec, timeout=600)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def stats(db):
    rc, out, err = run("stats", "--db", db, "--json")
    assert rc == 0, err
    return json.loads(out)


def tok_version():
    """The tokenizer version the binary reports: `kensaku 0.1.0 (tokenizer X, ICU ...)`."""
    rc, out, _ = run("--version")
    assert rc == 0, out
    return out.split("tokenizer ", 1)[1].split(",", 1)[0]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


ISSUE = """View profile

テスト週報 - Issue #{n}

Date: 2022-0{m}-07
脆弱性
{title}
An English quote about {word} for issue {n}.
その他
セキュリティ白書 {n} を公開
"""


def make_archive(d, issues):
    for n, (title, word) in issues.items():
        write(os.path.join(d, "issue-%d.txt" % n), ISSUE.format(n=n, m=(n % 9) + 1, title=title, word=word))


def _main():
    global KS
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--src", required=True)
    a = ap.parse_args()
    KS = os.path.join(a.bin, "kensaku")
    tmp = tempfile.mkdtemp(prefix="ks-cli-")
    db = os.path.join(tmp, "k.db")
    arch = os.path.join(tmp, "archive")
    make_archive(arch, {1: ("QNAP 製 NAS を狙うランサムウェア", "deadbolt"),
                        2: ("Chrome のゼロデイ脆弱性 (CVE-2022-0609)", "chrome"),
                        3: ("攻撃者グループ LAPSUS$ がデータをリーク。", "lapsus")})

    # usage and exit codes
    rc, out, _ = run("--help")
    check(rc == 0 and "reindex" in out and "search" in out, "--help exits 0 and lists commands")
    rc, out, _ = run("--version")
    check(rc == 0 and "kensaku" in out and "ICU" in out, "--version exits 0 and names ICU")
    check(run()[0] == 2, "no command: exit 2")
    check(run("frobnicate")[0] == 2, "unknown command: exit 2")
    check(run("index", "--db", db)[0] == 2, "index without paths: exit 2")
    check(run("index", "--bogus", arch)[0] == 2, "unknown flag: exit 2")
    check(run("search", "--db", db, "--limit", "0", "x")[0] == 2, "search --limit 0: exit 2")
    check(run("search", "--db", db, "--sort", "random", "x")[0] == 2, "search --sort random: exit 2")
    rc, _, err = run("search", "--db", os.path.join(tmp, "missing.db"), "x")
    check(rc == 1 and "no index" in err, "search on a missing index: exit 1 with a reason")

    # index, incremental
    rc, out, err = run("index", "--db", db, arch)
    check(rc == 0, "index exits 0 (%s)" % err.strip()[-200:])
    st = stats(db)
    check(st["items"] == 6 and st["issues"] == 3 and st["sources"] == 3, "stats counts 6 items, 3 issues, 3 files")
    check(st["reindex_needed"] is False and st["tokenizer"] == tok_version(), "stats: versions recorded")
    rc, out, err = run("index", "--db", db, arch)
    check(rc == 0 and "3 unchanged" in err, "second index run skips unchanged files: " + err.strip())
    make_archive(arch, {2: ("Chrome のゼロデイ脆弱性を修正", "patched")})
    rc, out, err = run("index", "--db", db, arch)
    check(rc == 0 and "1 indexed" in err and "2 unchanged" in err, "a changed file is reindexed alone")
    rc, out, _ = run("search", "--db", db, "--json", "patched")
    check(json.loads(out)["total"] == 1, "changed content is searchable")
    rc, out, _ = run("search", "--db", db, "--json", "chrome", "CVE-2022-0609")
    check(json.loads(out)["total"] == 0, "old content of a changed file is gone")

    # search --json shape, query words, exclusions after the query
    rc, out, _ = run("search", "--db", db, "--json", "--limit", "5", "ランサムウェア")
    body = json.loads(out)
    check(rc == 0 and set(body) >= {"query", "total", "offset", "limit", "took_ms", "hits", "facets"},
          "search --json has the API's keys")
    check(body["hits"] and "<mark>" in body["hits"][0]["title_html"] and body["hits"][0]["id"] == "1-1",
          "search --json marks ランサムウェア in 1-1")
    rc, out, _ = run("search", "--db", db, "--json", "--", "-lapsus")
    check(rc == 0 and json.loads(out)["total"] == 5, "a query of one exclusion after --")
    rc, out, _ = run("search", "--db", db, "QNAP")
    check(rc == 0 and "1-1" in out and "[QNAP]" in out, "plain search output shows id and marks")

    # malformed files: reported by name and line, skipped, exit 1, nothing touched
    bad = os.path.join(tmp, "bad")
    write(os.path.join(bad, "ok.jsonl"), '{"issue": 50, "title": "正しい行"}\n')
    write(os.path.join(bad, "broken.jsonl"), '{"issue": 51, "title": "a"}\n{"issue": 51, "title": "b"}\n{"issue": 51, "title"\n')
    before = stats(db)["items"]
    rc, out, err = run("index", "--db", db, bad)
    check(rc == 1 and "broken.jsonl:3:" in err, "malformed JSONL: exit 1 and file:line (%s)" % err.strip()[:200])
    st = stats(db)
    check(st["items"] == before + 1, "the good file is indexed, the broken one skipped")
    rc, out, _ = run("search", "--db", db, "--json", "正しい行")
    check(json.loads(out)["total"] == 1, "the good file's item is searchable")
    write(os.path.join(bad, "broken.jsonl"), "not json at all\n")
    rc, _, err = run("index", "--db", db, bad)
    check(rc == 1 and stats(db)["items"] == before + 1, "a file turning malformed keeps its old state")

    # prune
    os.remove(os.path.join(bad, "ok.jsonl"))
    os.remove(os.path.join(bad, "broken.jsonl"))
    rc, _, err = run("index", "--db", db, "--prune", arch)
    check(rc == 0 and stats(db)["items"] == before, "--prune drops the items of vanished files")

    # writer lock
    with open(db + ".lock", "a") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX | fcntl.LOCK_NB)
        rc, _, err = run("index", "--db", db, arch)
        check(rc == 1 and "another kensaku" in err, "a second writer is refused: " + err.strip()[-120:])
        rc, _, err = run("reindex", "--db", db, arch)
        check(rc == 1 and "another kensaku" in err, "reindex is refused while index runs")
        fcntl.flock(lk, fcntl.LOCK_UN)

    # reindex: swap, generation changes
    gen = stats(db)["generation"]
    write(db + ".reindex-tmp", "garbage left by a killed run")
    rc, _, err = run("reindex", "--db", db, arch)
    st = stats(db)
    check(rc == 0 and "new index in place" in err, "reindex swaps in a new file")
    check(st["generation"] != gen and st["items"] == 6, "reindex: new generation, same items")
    check(not os.path.exists(db + ".reindex-tmp"), "reindex removed the stale temp file")

    # reindex with a malformed file: old index untouched, temp removed
    gen = st["generation"]
    write(os.path.join(arch, "zz-bad.jsonl"), '{"issue": "x"}\n')
    rc, _, err = run("reindex", "--db", db, arch)
    st = stats(db)
    check(rc == 1 and "zz-bad.jsonl:1:" in err and "unchanged" in err, "reindex with a malformed file: exit 1, reported")
    check(st["generation"] == gen and not os.path.exists(db + ".reindex-tmp"), "old index untouched, temp removed")
    rc, _, err = run("reindex", "--db", db, "--skip-malformed", arch)
    check(rc == 1 and stats(db)["generation"] != gen, "--skip-malformed rebuilds without it (exit 1 still)")
    os.remove(os.path.join(arch, "zz-bad.jsonl"))

    # disk full during reindex (RLIMIT_FSIZE): clear error, old index serves, temp removed
    big = os.path.join(tmp, "big")
    for n in range(100, 400):
        write(os.path.join(big, "issue-%d.txt" % n), ISSUE.format(n=n, m=1, title="大量の見出し %d ランサムウェア" % n, word="filler " * 200))
    gen = stats(db)["generation"]

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
    rc, _, err = run("reindex", "--db", db, big, preexec=limit)
    check(rc == 1 and stats(db)["generation"] == gen, "disk full: exit 1, old index kept (%s)" % err.strip()[-150:])
    check(not os.path.exists(db + ".reindex-tmp"), "disk full: temp removed")

    # version mismatch: index refuses, stats says so, reindex fixes it
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = 'kensaku-bigram-0' WHERE key = 'tokenizer'")
    con.commit()
    con.close()
    rc, _, err = run("index", "--db", db, arch)
    check(rc == 1 and "reindex" in err, "index into an index of another tokenizer is refused")
    check(stats(db)["reindex_needed"] is True, "stats --json: reindex_needed")
    rc, _, err = run("reindex", "--db", db, arch)
    check(rc == 0 and stats(db)["reindex_needed"] is False, "reindex clears the mismatch")

    # not an index
    notdb = os.path.join(tmp, "notdb")
    write(notdb, "hello " * 100)
    rc, _, err = run("search", "--db", notdb, "x")
    check(rc == 1 and "not" in err, "a file that is not an index: exit 1 with a reason")

    # the shared fixture, when present
    fx = os.path.join(a.src, "..", "shared", "fixtures", "issue-59.txt")
    if os.path.exists(fx):
        fdb = os.path.join(tmp, "fx.db")
        rc, _, err = run("index", "--db", fdb, fx)
        rc2, out, _ = run("search", "--db", fdb, "--json", "LAPSUS$")
        check(rc == 0 and json.loads(out)["total"] == 1, "fixture: LAPSUS$ finds one item")
    else:
        print("skip fixture checks (../shared/fixtures absent)")

    shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main():
    """_main() with every temp folder under one that is removed however it
    ends (a failed or crashed run leaves nothing in /tmp)."""
    base = tempfile.mkdtemp(prefix="ks-cli-run-")
    old, tempfile.tempdir = tempfile.tempdir, base
    try:
        return _main()
    finally:
        tempfile.tempdir = old
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
