#!/usr/bin/env python3
"""layout.check - the rules of the README's "Layout", checked on the sources.

1. no dependency cycle between modules (a module is x.c with its x.h; an
   edge is a quoted #include of another module's header);
2. layers: a file of indexer/<layer>/ includes private headers only of its
   own or an earlier layer (base < text < store < ingest < search < render
   < cli); server/ uses only the public headers of the library;
3. SQL (sqlite3_prepare, sqlite3_exec, SQL text) only in indexer/store/ and
   indexer/search/;
4. libmicrohttpd only in server/http/http.c and server/http/reply.c;
5. JSON built (json_object, json_pack, json_array, ..., set into an
   object or array, dumped to text) only in indexer/render/;
6. no function longer than 80 lines;
7. calls point down too: a file of indexer/<layer>/ calls no ks_ function
   defined in a later layer, whichever header declares it (a public
   header does not hide an upward call, as search.c building HTML through
   render/html.c did).

Known exceptions are listed in allow.txt beside this file, one per line as
the check prints them, with the reason after a '#'. The test fails on any
violation not listed, and on a listed one that is gone (so the list only
shrinks). Prints 'N passed, M failed'."""
import os
import re
import sys

LAYERS = ["base", "text", "store", "ingest", "search", "render", "cli"]
MAX_LINES = 80
SQL_RE = re.compile(r'sqlite3_(prepare|exec)\b|"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|COMMIT|ROLLBACK)\b')
MHD_RE = re.compile(r'\bMHD_[A-Za-z_]+\s*\(|<microhttpd\.h>')
JSON_RE = re.compile(r'\bjson_(object|pack|array|string|integer|real|true|false|null|'
                     r'object_set\w*|array_append\w*|array_insert|dumps|dumpb|dumpf|dumpfd|'
                     r'dump_callback)\s*\(')
DEF_RE = re.compile(r'^(?!static\b)[A-Za-z_][^;{}()=\n]*?\b(ks_\w+)\s*\([^;{]*?\)\s*\n\{', re.M)
CALL_RE = re.compile(r'\b(ks_\w+)\s*\(')


def sources(root):
    out = []
    for top in ("indexer", "server", "include"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def layer_of(path):
    parts = path.split("/")
    if parts[0] == "indexer" and len(parts) > 2 and parts[1] in LAYERS:
        return parts[1]
    return parts[0] if parts[0] == "server" else None


def module(path):
    """The module a file belongs to: x.c, x.h, x_internal.h and the public
    include/kensaku/x.h are one module x."""
    return re.sub(r"_internal$", "", os.path.splitext(os.path.basename(path))[0])


def includes(root, path, by_name):
    """The project files path includes with quotes, resolved like the build."""
    out = []
    text = open(os.path.join(root, path), encoding="utf-8").read()
    for name in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, flags=re.M):
        here = os.path.normpath(os.path.join(os.path.dirname(path), name))
        public = os.path.join("include", name)
        if os.path.exists(os.path.join(root, here)):
            out.append(here)
        elif os.path.exists(os.path.join(root, public)):
            out.append(public)
        elif os.path.basename(name) in by_name and "/" not in name:
            out.append(by_name[os.path.basename(name)])
    return out


def cycles(graph):
    """Every strongly connected component of more than one module."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def long_functions(root, path):
    lines = open(os.path.join(root, path), encoding="utf-8").read().split("\n")
    out, start, name = [], None, ""
    for i, line in enumerate(lines):
        if line == "{":
            start = i
            j = i - 1
            while j > 0 and "(" not in lines[j]:
                j -= 1
            m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", lines[j])
            name = m.group(1) if m else "?"
        elif line == "}" and start is not None:
            if i - start + 1 > MAX_LINES:
                out.append("long %s:%s %d lines" % (path, name, i - start + 1))
            start = None
    return out


def definitions(root, files):
    """The layer each exported ks_ function of indexer/ is defined in."""
    out = {}
    for f in files:
        lf = layer_of(f)
        if f.endswith(".c") and lf in LAYERS:
            text = strip_comments(open(os.path.join(root, f), encoding="utf-8").read())
            for name in DEF_RE.findall(text):
                out[name] = (lf, f)
    return out


def upcalls(root, f, defs):
    """Calls from f (of an indexer layer) to functions of a later layer."""
    lf = layer_of(f)
    if not f.endswith(".c") or lf not in LAYERS:
        return []
    text = strip_comments(open(os.path.join(root, f), encoding="utf-8").read())
    out = []
    for name in sorted(set(CALL_RE.findall(text))):
        if name in defs and LAYERS.index(defs[name][0]) > LAYERS.index(lf):
            out.append("call %s -> %s (%s)" % (f, name, defs[name][1]))
    return out


def violations(root):
    files = sources(root)
    by_name = {}
    for f in files:
        if f.endswith(".h"):
            by_name.setdefault(os.path.basename(f), f)
    out = []
    graph = {}
    defs = definitions(root, files)
    for f in files:
        out += upcalls(root, f, defs)
        deps = includes(root, f, by_name)
        graph.setdefault(module(f), set()).update(module(d) for d in deps if module(d) != module(f))
        lf = layer_of(f)
        for d in deps:
            ld = layer_of(d)
            if lf in LAYERS and ld in LAYERS and LAYERS.index(ld) > LAYERS.index(lf):
                out.append("layer %s includes %s" % (f, d))
            if lf == "server" and ld in LAYERS:
                out.append("layer %s includes %s" % (f, d))
        if f.startswith("include/"):
            continue
        text = strip_comments(open(os.path.join(root, f), encoding="utf-8").read())
        in_sql_layer = lf in ("store", "search")
        if not in_sql_layer and SQL_RE.search(text):
            out.append("sql %s" % f)
        if MHD_RE.search(text) and f not in ("server/http/http.c", "server/http/reply.c"):
            out.append("mhd %s" % f)
        if lf != "render" and f.endswith(".c") and JSON_RE.search(text):
            out.append("json %s" % f)
        if f.endswith(".c"):
            out += long_functions(root, f)
    for comp in cycles(graph):
        out.append("cycle " + " ".join(comp))
        edges = ["%s->%s" % (a, b) for a in comp for b in sorted(graph[a]) if b in comp]
        print("  cycle edges: " + " ".join(edges))
    return sorted(set(out))


def allowed(path):
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            rule = line.split("#", 1)[0].strip()
            if rule:
                out[rule] = line.strip()
    return out


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    allow = allowed(os.path.join(os.path.dirname(os.path.abspath(__file__)), "allow.txt"))
    found = violations(root)
    passed = failed = 0
    for v in found:
        if v in allow:
            passed += 1
        else:
            failed += 1
            print("FAIL new: %s" % v)
    for rule in sorted(set(allow) - set(found)):
        failed += 1
        print("FAIL gone (remove it from allow.txt): %s" % rule)
    long_ones = [v for v in found if v.startswith("long ")]
    print("%d rules checked, %d known exceptions (%d long functions)" % (
        len(found), len(allow), len(long_ones)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
