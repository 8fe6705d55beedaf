"""A small HTTP server on 127.0.0.1, port 0, for the tests of `kensaku index
URL` (tests/integration/test_fetch.py, and tests/unit/test_fetch.c, which
runs this file as a program: it prints the port on a line and serves until
it is killed or its stdin closes).

It serves the files under a root folder and counts what it was asked:
  /PATH             the file, with an ETag (its content's SHA-1) and a
                    Last-Modified (its mtime); If-None-Match or
                    If-Modified-Since that match give 304 with no body
  /lm/PATH          the same with Last-Modified only
  /plain/PATH       the same with no validator (always 200)
  /gzip/PATH        the same, gzip-encoded when the client accepts gzip
  /redirect/N/PATH  302 to /redirect/N-1/PATH, and /redirect/1/PATH to /PATH
                    (N redirects in all)
  /scheme           302 to file:///etc/hostname
  /status/CODE      that status, a short body
  /hang             reads the request and never answers
  /big?n=N          200, N bytes without a Content-Length (the end is the
                    close of the connection)
  /declared?n=N     200 with Content-Length: N, and nothing sent
  /_stats           the counts as JSON (not counted)
Counts: requests (every request but /_stats), by_path (path -> requests),
statuses (status -> responses), body_bytes (bytes of bodies sent).
Stdlib only."""
import email.utils
import gzip
import hashlib
import http.server
import json
import mimetypes
import os
import sys
import threading
import urllib.parse

mimetypes.add_type("application/rss+xml", ".xml")


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "fetch-test"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _count(self, path):
        st = self.server.stats
        with self.server.lock:
            st["requests"] += 1
            st["by_path"][path] = st["by_path"].get(path, 0) + 1

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304 and body:
            self.wfile.write(body)
        with self.server.lock:
            st = self.server.stats
            st["statuses"][str(status)] = st["statuses"].get(str(status), 0) + 1
            st["body_bytes"] += 0 if status == 304 else len(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        path, query = u.path, urllib.parse.parse_qs(u.query)
        if path == "/_stats":
            with self.server.lock:
                body = json.dumps(self.server.stats).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self._count(path)
        parts = path.split("/")
        if path == "/hang":
            self.server.stop.wait()
            return
        if path == "/scheme":
            return self._send(302, b"", [("Location", "file:///etc/hostname")])
        if parts[1:2] == ["status"] and len(parts) > 2:
            return self._send(int(parts[2]), b"status page\n")
        if parts[1:2] == ["redirect"] and len(parts) > 3:
            n, rest = int(parts[2]), "/".join(parts[3:])
            to = "/redirect/%d/%s" % (n - 1, rest) if n > 1 else "/" + rest
            return self._send(302, b"", [("Location", to)])
        if path in ("/big", "/declared"):
            return self._big(path, int(query.get("n", ["0"])[0]))
        mode = parts[1] if parts[1:2] and parts[1] in ("lm", "plain", "gzip") else ""
        rel = "/".join(parts[2:] if mode else parts[1:])
        return self._file(rel, mode)

    def _big(self, path, n):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if path == "/declared":
            self.send_header("Content-Length", str(n))
            self.end_headers()
            return
        self.send_header("Connection", "close")
        self.end_headers()
        chunk, sent = b"a" * 65536, 0
        try:
            while sent < n:
                k = min(len(chunk), n - sent)
                self.wfile.write(chunk[:k])
                sent += k
        except OSError:
            pass  # the client stopped reading: what the test wants
        with self.server.lock:
            self.server.stats["body_bytes"] += sent

    def _file(self, rel, mode):
        full = os.path.realpath(os.path.join(self.server.root, rel))
        if not full.startswith(self.server.root + os.sep) or not os.path.isfile(full):
            return self._send(404, b"not found\n")
        with open(full, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha1(body).hexdigest()
        mtime = int(os.stat(full).st_mtime)
        lm = email.utils.formatdate(mtime, usegmt=True)
        headers = [("Content-Type", mimetypes.guess_type(full)[0] or "application/octet-stream")]
        if mode in ("", "gzip"):
            headers.append(("ETag", etag))
        if mode in ("", "gzip", "lm"):
            headers.append(("Last-Modified", lm))
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if mode in ("", "gzip") and inm is not None:
            if inm == etag:
                return self._send(304, b"", headers)
        elif mode != "plain" and ims is not None:
            t = email.utils.parsedate_to_datetime(ims).timestamp()
            if mtime <= t:
                return self._send(304, b"", headers)
        if mode == "gzip" and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        return self._send(200, body, headers)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root):
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = os.path.realpath(root)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.reset()
        self.thread = None

    @property
    def port(self):
        return self.server_address[1]

    def url(self, path):
        return "http://127.0.0.1:%d/%s" % (self.port, path.lstrip("/"))

    def reset(self):
        """Zeroes the counts; returns what they were."""
        with self.lock:
            old = getattr(self, "stats", None)
            self.stats = {"requests": 0, "by_path": {}, "statuses": {}, "body_bytes": 0}
        return old

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.stats))

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        return self

    def close(self):
        self.stop.set()
        self.shutdown()
        self.server_close()


def main():
    srv = Server(sys.argv[1] if len(sys.argv) > 1 else ".").start()
    print(srv.port, flush=True)
    sys.stdin.read()  # until the test closes its end (or kills us)
    srv.close()


if __name__ == "__main__":
    main()
