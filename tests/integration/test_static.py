#!/usr/bin/env python3
"""Static UI and hostile requests: Content-Type, ETag/304, CSP and nosniff,
path traversal (../, encoded, NUL, backslash, symlinks out of the web dir,
hidden files), URI too long, request bodies, hostile headers, garbage
request lines, half-open connections. Uses a temp web dir, never web/."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kstest import (Server, args, build_index, check, check_no_sanitizer_report, cleanup, get, is_error_shape, raw,  # noqa: E402
                    patience, request, run, status_of, tmpdir)

A = args()
SECRET = b"TOP-SECRET-OUTSIDE-WEB"

FILES = {
    "index.html": (b"<!doctype html><title>kensaku test</title>", "text/html"),
    "app.js": (b"console.log('x');", "text/javascript"),
    "style.css": (b"body{color:red}", "text/css"),
    "favicon.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    "logo.png": (b"\x89PNG\r\n\x1a\n0000", "image/png"),
    "favicon.ico": (b"\x00\x00\x01\x00", "image/"),
    "data.json": (b'{"a":1}', "application/json"),
    "feed.xml": (b"<feed/>", "application/xml"),
    "opensearch.xml": (b"<OpenSearchDescription/>", "application/opensearchdescription+xml"),
    "search.osdx": (b"<OpenSearchDescription/>", "application/opensearchdescription+xml"),
    "sub/index.html": (b"<p>sub index</p>", "text/html"),
    "sub/page.html": (b"<p>sub page</p>", "text/html"),
    "日本語.html": (b"<p>nihongo</p>", "text/html"),
    "a b.txt": (b"space", "text/plain"),
}


def make_web(d):
    web = os.path.join(d, "web")
    outside = os.path.join(d, "outside")
    os.makedirs(os.path.join(web, "sub"))
    os.makedirs(os.path.join(web, ".git"))
    os.makedirs(outside)
    for name, (body, _) in FILES.items():
        with open(os.path.join(web, name), "wb") as f:
            f.write(body)
    for name in [".git/config", ".hidden", ".env"]:
        with open(os.path.join(web, name), "wb") as f:
            f.write(SECRET)
    with open(os.path.join(outside, "secret.txt"), "wb") as f:
        f.write(SECRET)
    with open(os.path.join(d, "secret.txt"), "wb") as f:
        f.write(SECRET)
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(web, "escape.txt"))
    os.symlink(outside, os.path.join(web, "linkdir"))
    os.symlink("/etc/passwd", os.path.join(web, "passwd"))
    os.symlink(os.path.join(web, ".git", "config"), os.path.join(web, "gitlink"))
    os.symlink("index.html", os.path.join(web, "alias.html"))  # inside: allowed
    return web


def test_files(srv):
    for name, (body, ctype) in FILES.items():
        path = "/" + "/".join(__import__("urllib.parse").parse.quote(p) for p in name.split("/"))
        st, h, b = get(srv, path)
        check(st == 200 and b == body, "GET %s: %d %r" % (path, st, b[:40]))
        check(h.get("content-type", "").startswith(ctype), "%s content-type %r" % (name, h.get("content-type")))
        check("default-src 'self'" in h.get("content-security-policy", ""), "%s lacks CSP" % name)
        check(h.get("x-content-type-options") == "nosniff", "%s lacks nosniff" % name)
        if name != "opensearch.xml":  # its body depends on Host: no ETag
            check(h.get("etag", "").startswith('"'), "%s lacks ETag" % name)
    st, h, b = get(srv, "/")
    check(st == 200 and b == FILES["index.html"][0] and h["content-type"].startswith("text/html"), "/ serves index.html")
    st, h, b = get(srv, "/sub/")
    check(st == 200 and b == FILES["sub/index.html"][0], "/sub/ serves sub/index.html")
    st, h, b = get(srv, "/sub")
    check(st == 200 and b == FILES["sub/index.html"][0] and h["content-type"].startswith("text/html"), "/sub serves sub/index.html")
    st, h, b = get(srv, "/alias.html")
    check(st == 200 and b == FILES["index.html"][0], "a symlink inside the web dir is served")
    st, h, b = request(srv, "HEAD", "/app.js")
    check(st == 200 and b == b"" and h.get("content-length") == str(len(FILES["app.js"][0])), "HEAD static: %d %r" % (st, h.get("content-length")))
    st, h, b = request(srv, "OPTIONS", "/")
    check(st == 204 and "GET" in h.get("allow", ""), "OPTIONS /: %d" % st)
    st, h, b = get(srv, "/missing.html")
    check(st == 404 and is_error_shape(b, "not_found") and "default-src" in h.get("content-security-policy", ""), "missing file: %d" % st)

    # the OpenSearch description names the origin the client used
    osd = (b'<OpenSearchDescription><Url template="http://127.0.0.1:8080/?q={searchTerms}"/>'
           b'<Image>http://127.0.0.1:8080/favicon.svg</Image></OpenSearchDescription>')
    with open(os.path.join(srv.web, "opensearch.xml"), "wb") as f:
        f.write(osd)
    for host, origin in [("search.example.org", b"http://search.example.org"),
                         ("example.org:8443", b"http://example.org:8443"),
                         ("[::1]:80", b"http://[::1]:80"),
                         ("evil.org/<script>", ("http://%s:%d" % (srv.host, srv.port)).encode()),
                         ("a b", ("http://%s:%d" % (srv.host, srv.port)).encode())]:
        st, h, b = get(srv, "/opensearch.xml", {"Host": host})
        check(st == 200 and b.count(origin + b"/") == 2 and b"127.0.0.1:8080" not in b and
              h.get("content-type", "").startswith("application/opensearchdescription+xml") and
              "etag" not in h, "opensearch.xml for Host %r: %d %r" % (host, st, b[:120]))
    with open(os.path.join(srv.web, "opensearch.xml"), "wb") as f:
        f.write(FILES["opensearch.xml"][0])

    # ETag / If-None-Match
    st, h, b = get(srv, "/style.css")
    etag = h["etag"]
    for inm, want in [(etag, 304), ("W/" + etag, 304), ("\"nope\", " + etag, 304), ("*", 304),
                      ("\"nope\"", 200), ("garbage,,,", 200), ("", 200), ("\"" * 500, 200)]:
        st, h2, b2 = get(srv, "/style.css", {"If-None-Match": inm})
        check(st == want, "If-None-Match %r: %d want %d" % (inm[:30], st, want))
        if want == 304:
            check(b2 == b"" and h2.get("etag") == etag, "304 has no body and keeps the ETag")
    # a changed file gets a new ETag
    path = os.path.join(srv.web, "style.css")
    with open(path, "wb") as f:
        f.write(b"body{color:blue}/*changed*/")
    st, h3, b3 = get(srv, "/style.css", {"If-None-Match": etag})
    check(st == 200 and h3.get("etag") != etag and b3.endswith(b"changed*/"), "changed file: %d" % st)


def test_traversal(srv):
    paths = [
        "/../secret.txt", "/../outside/secret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt",
        "/sub/..%2f..%2fsecret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt",
        "/sub\\..\\..\\secret.txt", "/%5c..%5c..%5csecret.txt", "/.git/config", "/.git/",
        "/.hidden", "/.env", "/%2egit/config", "/sub/../.env", "/escape.txt", "/linkdir/secret.txt",
        "/linkdir/", "/passwd", "/gitlink", "//etc/passwd", "/%2fetc%2fpasswd", "/./index.html/..",
        "/index.html/../../secret.txt", "/%252e%252e/secret.txt", "/..;/secret.txt",
        "/%c0%ae%c0%ae/secret.txt", "/sub/%2e%2e%2f%2e%2e%2foutside/secret.txt", "/.", "/..",
        "/...", "/sub/..",
    ]
    for p in paths:
        st, h, b = get(srv, p)
        check(400 <= st < 500 and SECRET not in b and b"root:" not in b, "traversal %s: %d %r" % (p, st, b[:60]))
        check(st >= 400 and is_error_shape(b), "traversal %s: JSON error" % p)
    for p in ["/index.html%00.png", "/%00", "/sub%00/index.html", "/escape.txt%00"]:
        st, h, b = get(srv, p)
        check(st == 400 and SECRET not in b, "encoded NUL %s: %d" % (p, st))
    # raw request lines that no client library would send
    for target in [b"/../secret.txt", b"/sub/../../secret.txt", b"../secret.txt", b"secret.txt",
                   b"*", b"http://evil/../../secret.txt"]:
        resp = raw(srv, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        st = status_of(resp)
        check(SECRET not in resp and (st == 0 or 400 <= st < 500), "raw target %r: %r" % (target, resp[:50]))


def test_hostile(srv):
    # a raw NUL in the request line cuts the target (MHD): never a leak, never a 5xx
    resp = raw(srv, b"GET /\x00../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(SECRET not in resp and status_of(resp) < 500, "raw NUL in the target: %r" % resp[:40])
    # URI too long: our JSON 414 below the connection buffer, a 414/4xx past it
    st, h, b = get(srv, "/api/search?q=" + "a" * 9000)
    check(st == 414 and is_error_shape(b, "uri_too_long"), "9 KB URI: %d %r" % (st, b[:80]))
    st, h, b = get(srv, "/" + "a" * 9000)
    check(st == 414, "9 KB static path: %d" % st)
    resp = raw(srv, b"GET /api/search?q=" + b"a" * 200000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    check(400 <= status_of(resp) < 500 or resp == b"", "200 KB URI: %r" % resp[:40])
    # bodies on GET are refused, bodies on POST get 405
    st, h, b = request(srv, "GET", "/api/search?q=x", body=b"a=1")
    check(st == 413 and is_error_shape(b, "payload_too_large"), "GET with a body: %d" % st)
    resp = raw(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    check(status_of(resp) in (400, 413), "chunked GET: %r" % resp[:40])
    resp = raw(srv, b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nabc")
    check(status_of(resp) in (405, 413), "POST announcing 100 MB: %r" % resp[:40])
    resp = raw(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
    check(400 <= status_of(resp) < 500, "bad Content-Length: %r" % resp[:40])
    resp = raw(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
    check(400 <= status_of(resp) < 500 or status_of(resp) == 0, "negative Content-Length: %r" % resp[:40])
    # hostile headers
    resp = raw(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100000 + b"\r\n\r\n")
    check(400 <= status_of(resp) < 500 or resp == b"", "100 KB header: %r" % resp[:40])
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(2000))
    resp = raw(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    check(status_of(resp) in (200, 431) or 400 <= status_of(resp) < 500 or resp == b"", "2000 headers: %r" % resp[:40])
    for hdr in [b"X-Bin: \xff\xfe\x00\x01", b"If-None-Match: \xff\xff", b"Host: \xff", b"Range: bytes=0-1",
                b"Expect: 100-continue", b"Connection: Upgrade\r\nUpgrade: websocket", b"Accept-Encoding: gzip;q=2",
                b"X-Folded: a\r\n b", b": empty-name", b"NoColon"]:
        resp = raw(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + hdr + b"\r\nConnection: close\r\n\r\n")
        st = status_of(resp)
        check(st == 200 or (400 <= st < 500) or resp == b"", "header %r: %r" % (hdr[:30], resp[:40]))
    # garbage request lines
    for line in [b"\r\n\r\n", b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET /\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"GET / HTTP/1.1 extra\r\n\r\n", b"G\x00T / HTTP/1.1\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
                 b"GET /healthz HTTP/1.0\r\n\r\n", b"A" * 100 + b" / HTTP/1.1\r\nHost: x\r\n\r\n"]:
        resp = raw(srv, line, timeout=3)
        st = status_of(resp)
        check(st == 0 or st < 500 or st == 505, "request line %r: %r" % (line[:20], resp[:40]))
    st, _, _ = get(srv, "/healthz")
    check(st == 200, "alive after hostile requests")


def test_half_open(srv):
    socks = []
    try:
        for i in range(30):
            s = srv.connect()
            socks.append(s)  # sends nothing
        for i in range(30):
            s = srv.connect()
            s.sendall(b"GET /api/sea")  # partial request line
            socks.append(s)
        for i in range(20):
            s = srv.connect()
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # partial headers
            socks.append(s)
        for i in range(5):
            st, _, b = get(srv, "/api/search?q=LAPSUS%24")
            check(st == 200, "search while half-open connections hang: %d" % st)
        # one half-open socket completes its request late: still answered
        s = socks[30]
        s.sendall(b"rch?q=x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        s.settimeout(patience(60))
        data = b""
        while True:
            try:
                chunk = s.recv(4096)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
        check(status_of(data) == 200, "late completion of a partial request: %r" % data[:40])
        # a client that vanishes mid-response
        for i in range(10):
            c = srv.connect()
            c.sendall(b"GET /api/search?q=pagetoken&limit=100 HTTP/1.1\r\nHost: x\r\n\r\n")
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            c.close()
    finally:
        for s in socks:
            s.close()
    st, _, _ = get(srv, "/healthz")
    check(st == 200, "alive after half-open connections")


def main():
    d = tmpdir("static")
    db = os.path.join(d, "k.db")
    build_index(A, db, [os.path.join(A.data, "base.jsonl")])
    web = make_web(d)
    srv = Server(A, db, ["--web", web, "--threads", "2"])
    srv.web = web
    try:
        test_files(srv)
        test_traversal(srv)
        test_hostile(srv)
        test_half_open(srv)
    finally:
        rc = srv.stop()
        check(rc == 0, "kensakud exit status %r after SIGTERM" % rc)
        check_no_sanitizer_report(srv)
    cleanup(d)


run(main)
