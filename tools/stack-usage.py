#!/usr/bin/python3
"""Kernel stack use from GCC's call graphs (-fcallgraph-info=su, one .ci
file beside each kernel object): every recursion in the direct call graph
(cycles, which a stack's size cannot cover by itself), the deepest chains of
direct calls by the bytes their frames add up to, and the largest frames.

    tools/stack-usage.py [--check] FILE.ci...      (make stack-check)

With --check it fails when a recursion appears that is not among the known
ones below (each bounded, for the reason given), or when a chain of direct
calls needs more than BUDGET bytes: half a kernel stack, the other half
being for the calls through pointers and the interrupts that land on top.
panic() and the lockup detector's report count as leaves: what they call
runs once, at the end (the report also prints in an emergency, which keeps
printk from the kernel's log and its wake-ups: core/printk.c).

Calls through pointers (file ops, wait-queue callbacks, lwIP's callbacks)
are not in the graph; docs/architecture.md ("Kernel stacks") says how the
recursions through them are bounded."""

import re
import sys
from collections import defaultdict

BUDGET = 8192
KNOWN = {
    "crash_recurse": "on purpose: amphi.crash=stack (kernel/init/main.c)",
    "scan_bus": "PCI bridges, at most 8 deep (kernel/dev/pci.c)",
    "free_range": "tmpfs's page tree, at most MAX_HEIGHT levels (kernel/fs/tmpfs.c)",
    "walk_user": "a user page table, 4 levels (kernel/arch/x86_64/mmu.c)",
    "prune_user": "a user page table, 4 levels (kernel/arch/x86_64/mmu.c)",
    "netconn_drain": "lwIP: a listener's queued connections have no queue of their own",
    "depth_below": "epoll chains, cut off past EP_MAX_NESTS (kernel/fs/epoll_nest.c)",
    "depth_above": "epoll chains above a checked one, at most EP_MAX_NESTS (epoll_nest.c)",
    "count_paths": "epoll wake-up paths, cut off past EP_MAX_NESTS (epoll_nest.c)",
    "ext_insert": "an ext4 extent tree's levels, at most EXT4_EXT_MAX_DEPTH + 1, checked (ext4_extwrite.c)",
    "ext_trunc_node": "an ext4 extent tree's levels, at most EXT4_EXT_MAX_DEPTH, checked (ext4_extwrite.c)",
    "ind_free_tree": "ext2's indirect blocks, 3 levels (ext4_indwrite.c)",
    # A magic link's text is walked once, plainly (kernel/fs/path.c's text_reaches).
    "walk": "a path walk, nested at most once: text_reaches walks plainly (kernel/fs/path.c)",
    "text_reaches": "never inside its own plain walk (kernel/fs/path.c)",
}
LEAVES = {"panic", "lockup_report"}

NODE = re.compile(r'node: \{ title: "([^"]*)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]*)" targetname: "([^"]*)"')


def short(title):
    return title.rsplit(":", 1)[-1]


def load(paths):
    size, defined, edges = {}, {}, defaultdict(set)
    for path in paths:
        with open(path, errors="replace") as f:
            text = f.read()
        for title, label in NODE.findall(text):
            parts = label.split("\\n")
            if len(parts) >= 3 and "bytes" in parts[2]:
                size[title] = int(parts[2].split()[0])
                if ":" not in title:
                    defined[title] = title
        for src, dst in EDGE.findall(text):
            edges[src].add(dst)
    # A call to an external name goes to the global function of that name.
    graph = {n: {d if d in size else defined.get(d, d) for d in ds} for n, ds in edges.items()
             if short(n) not in LEAVES}
    return size, graph


def sccs(nodes, graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    out.append(comp)

    for v in nodes:
        if v not in index:
            visit(v)
    return out


def base(name):
    return name.split(".")[0]


def main(args):
    check = "--check" in args
    size, graph = load([a for a in args if a != "--check"])
    if not size:
        print("stack-usage: no call graphs (build with -fcallgraph-info=su)", file=sys.stderr)
        return 2
    nodes = sorted(set(size) | set(graph))
    comps = sccs(nodes, graph)
    comp_of = {v: i for i, c in enumerate(comps) for v in c}
    cyclic = [c for c in comps if len(c) > 1 or c[0] in graph.get(c[0], ())]
    print("recursions (cycles of direct calls): %d" % len(cyclic))
    for c in sorted(cyclic, key=lambda c: -sum(size.get(v, 0) for v in c)):
        names = sorted(short(v) for v in c)
        print("  %s  (%d bytes a round)  %s" % (" <-> ".join(names), sum(size.get(v, 0) for v in c),
                                                KNOWN.get(base(names[0]), "NOT KNOWN")))
    # Deepest chains: each cycle counted once round (its bound is separate).
    best = {}

    def deepest(v):
        if v in best:
            return best[v]
        best[v] = (size.get(v, 0), [v])
        top = (0, [])
        for w in graph.get(v, ()):
            if comp_of.get(w) == comp_of.get(v):
                continue
            d = deepest(w)
            if d[0] > top[0]:
                top = d
        best[v] = (size.get(v, 0) + top[0], [v] + top[1])
        return best[v]

    sys.setrecursionlimit(100000)
    called = {w for ds in graph.values() for w in ds}
    roots = [v for v in size if v not in called]
    chains = sorted((deepest(v) for v in roots), key=lambda d: -d[0])
    print("\ndeepest chains of direct calls from functions nothing calls directly "
          "(entry points and callbacks), in bytes:")
    for total, chain in chains[:15]:
        print("  %6d  %s" % (total, " > ".join(short(v) for v in chain)))
    print("\nlargest frames:")
    for v in sorted(size, key=lambda v: -size[v])[:12]:
        print("  %6d  %s" % (size[v], short(v)))
    indirect = sorted(short(v) for v, ds in graph.items() if "__indirect_call" in ds)
    print("\nfunctions calling through pointers: %d" % len(indirect))
    if not check:
        return 0
    bad = [c for c in cyclic if not all(base(short(v)) in KNOWN for v in c)]
    for c in bad:
        print("stack-check: a recursion not known to be bounded: %s (tools/stack-usage.py)"
              % " <-> ".join(sorted(short(v) for v in c)), file=sys.stderr)
    if chains and chains[0][0] > BUDGET:
        print("stack-check: %s needs %d bytes of stack in direct calls alone (budget %d)"
              % (short(chains[0][1][0]), chains[0][0], BUDGET), file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
