#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Which file of the module uses which: an edge a -> b when a.o refers to a
symbol (function or data) that b.o defines, as nm reads them. Prints the
edges, and fails naming every circle (a strongly connected set of two or
more files): a layered module has none. With HEADER, the "Layout" list in
it is the order of the layers: a file may use only the files listed above
it, and every file must be listed.

    scripts/kmod-deps.py DIR [HEADER]   DIR holds the module's kmod/*.o
"""
import glob
import os
import re
import subprocess
import sys


def symbols(obj):
    defined, used = set(), set()
    out = subprocess.run(["nm", obj], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRGSV":
            defined.add(parts[2])
    return defined, used


def circles(graph):
    """Tarjan's strongly connected components of two or more nodes."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def layout(header):
    """The kmod files in the order the header's Layout comment lists them."""
    text = open(header).read()
    block = text[text.index(" * Layout"):]
    block = block[:block.index("*/")]
    order = []
    for m in re.finditer(r"^ \*   ([\w.]+(?:, [\w.]+)*)", block, re.M):
        for f in m.group(1).split(", "):
            if f.endswith(".c") and f not in order:
                order.append(f)
    return order


def check_layout(graph, order):
    bad = []
    for f in sorted(graph):
        if f not in order:
            bad.append("%s is not in the Layout list" % f)
            continue
        for g in sorted(graph[f]):
            if g in order and order.index(g) > order.index(f):
                bad.append("%s uses %s, which the Layout lists below it" % (f, g))
    return bad


def main(d, header=None):
    objs = sorted(glob.glob(os.path.join(d, "kmod", "*.o")))
    if not objs:
        print("kmod-deps: no objects in %s/kmod" % d, file=sys.stderr)
        return 2
    name = {o: os.path.basename(o)[:-2] + ".c" for o in objs}
    syms = {o: symbols(o) for o in objs}
    owner = {}
    for o, (defined, _) in syms.items():
        for s in defined:
            owner[s] = name[o]
    graph = {name[o]: set() for o in objs}
    for o, (_, used) in syms.items():
        for s in used:
            if s in owner and owner[s] != name[o]:
                graph[name[o]].add(owner[s])
    for a in sorted(graph):
        print("%s -> %s" % (a, " ".join(sorted(graph[a])) or "-"))
    bad = ["circle: " + " ".join(c) for c in circles(graph)]
    if header:
        bad += check_layout(graph, layout(header))
    for b in bad:
        print("kmod-deps: %s" % b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
