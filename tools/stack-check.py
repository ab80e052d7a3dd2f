#!/usr/bin/env python3
"""Worst-case hypervisor stack depth from gcc's call graphs.

Usage: tools/stack-check.py [-v] CONF IMAGE CI-FILE...
(-v: each root-each function's depth too)

The hypervisor is compiled with -fcallgraph-info=su: one .ci file per
object with each function's frame size and its direct calls, plus an
"__indirect_call" edge where it calls through a pointer. This tool
  - joins the graphs (static functions are named "file:name"),
  - adds the assembly entry paths and what each indirect call may reach,
    both declared in CONF (tools/stack-check.conf),
  - checks CONF covers every function whose address the image takes (found
    by disassembling the image and scanning its data): a function that can
    be called through a pointer but is in no indirect class fails the check,
  - finds recursion (cycles); a cycle must be allowlisted with a bound, and
    then counts as bound times the frames of all its members,
  - prints each root's worst path and fails when one exceeds its budget.
Frame sizes are gcc's (they include the return address); a "dynamic"
frame (alloca, VLA) fails the check unless gcc says it is bounded.
"""
import fnmatch
import re
import struct
import subprocess
import sys

INDIRECT = "__indirect_call"


def die(msg):
    print("stack-check: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Graph:
    def __init__(self):
        self.frame = {}     # title -> bytes
        self.dynamic = {}   # title -> qualifier, for unbounded frames
        self.calls = {}     # title -> set of callee titles
        self.where = {}     # title -> file:line

    def load_ci(self, path):
        text = open(path).read()
        for m in re.finditer(r'node: \{ title: "([^"]+)" label: "([^"]*)"', text):
            title, label = m.group(1), m.group(2).split("\\n")
            if len(label) >= 3:
                size = re.match(r"(\d+) bytes \(([^)]*)\)", label[2])
                if not size:
                    die("%s: cannot read the frame of %s" % (path, title))
                self.frame[title] = int(size.group(1))
                self.where[title] = label[1]
                if "dynamic" in size.group(2) and "bounded" not in size.group(2):
                    self.dynamic[title] = size.group(2)
                self.calls.setdefault(title, set())
        for m in re.finditer(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', text):
            self.calls.setdefault(m.group(1), set()).add(m.group(2))

    def bare(self, title):
        return title.rsplit(":", 1)[-1].split(".")[0]


def read_conf(path):
    conf = {"asm": {}, "indirect": [], "recursion": {}, "not_called": [],
            "root": [], "budget": {}}
    for n, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        kind, args = line[0], line[1:]
        if kind == "asm" and len(args) >= 2:
            conf["asm"][args[0]] = (int(args[1]), args[2:])
        elif kind == "indirect" and len(args) >= 2:
            conf["indirect"].append((args[0], args[1:]))
        elif kind == "recursion" and len(args) == 2:
            conf["recursion"][args[0]] = int(args[1])
        elif kind == "frame-limit" and len(args) == 1:
            conf["frame_limit"] = int(args[0])
        elif kind == "not-called" and args:
            conf["not_called"] += args
        elif kind in ("root", "root-each") and len(args) == 3:
            conf["root"].append((args[0], args[1], int(args[2]),
                                 kind == "root-each"))
        elif kind == "budget" and len(args) >= 3:
            conf["budget"][args[0]] = (int(args[1]), args[2:])
        else:
            die("%s:%d: cannot parse" % (path, n))
    return conf


def matches(g, title, pattern):
    return fnmatch.fnmatchcase(title, pattern) or \
        fnmatch.fnmatchcase(g.bare(title), pattern)


def resolve(g, conf):
    """Replace __indirect_call edges by the declared targets."""
    for name, (size, callees) in conf["asm"].items():
        g.frame[name] = size
        g.where[name] = "assembly"
        g.calls[name] = set(callees)
    defined = [t for t in g.frame]
    # A call to a global name from another file reaches its definition.
    for src in g.calls:
        g.calls[src] = {c for c in g.calls[src]}
    for caller, patterns in conf["indirect"]:
        callers = [t for t in defined if matches(g, t, caller)]
        if not callers:
            die("indirect: no function %s" % caller)
        targets = set()
        for p in patterns:
            if p == "-":
                continue  # no C targets (see the conf)
            hit = [t for t in defined if matches(g, t, p)]
            if not hit:
                die("indirect %s: no function %s" % (caller, p))
            targets.update(hit)
        for c in callers:
            if INDIRECT not in g.calls[c]:
                die("indirect: %s makes no indirect call" % c)
            g.calls[c].discard(INDIRECT)
            g.calls[c].update(targets)
    return [t for t in g.calls if INDIRECT in g.calls[t]]


def elf_sections(path):
    data = open(path, "rb").read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    secs = []
    for i in range(shnum):
        f = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
        secs.append(f)
    strtab = secs[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]
    out = {}
    for s in secs:
        name = names[s[0]:names.index(b"\0", s[0])].decode()
        if s[1] == 1 and s[2] & 2:  # PROGBITS, allocated
            out[name] = (s[3], data[s[4]:s[4] + s[5]])
    return out


def address_taken(image):
    """Functions whose address the image holds: in code (not as a call or
    jump target) or in data."""
    funcs = {}
    nm = subprocess.run(["nm", image], stdout=subprocess.PIPE, check=True)
    for line in nm.stdout.decode().splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tT":
            funcs[int(f[0], 16)] = f[2]
    taken = set()
    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", image],
                         stdout=subprocess.PIPE, check=True)
    for line in dis.stdout.decode().splitlines():
        m = re.search(r"\t(\S+)\s.*# ([0-9a-f]+) <([^>+]+)>$", line)
        if m and not m.group(1).startswith(("call", "j")):
            a = int(m.group(2), 16)
            if a in funcs:
                taken.add(funcs[a])
        for imm in re.findall(r"\$0x(ffff[0-9a-f]{12})", line):
            if int(imm, 16) in funcs:
                taken.add(funcs[int(imm, 16)])
    for name, (addr, blob) in elf_sections(image).items():
        if name.startswith(".text") or name == ".symbols":
            continue  # .symbols: the symbol table for stack traces
        for off in range(0, len(blob) - 7, 8):
            v, = struct.unpack_from("<Q", blob, off)
            if v in funcs:
                taken.add(funcs[v])
    return taken


def sccs(g):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in list(g.calls):
        if start in index:
            continue
        work = [(start, iter(sorted(g.calls.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g.calls.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


def main():
    args = sys.argv[1:]
    verbose = bool(args) and args[0] == "-v"
    args = args[1:] if verbose else args
    if len(args) < 3:
        die(__doc__)
    conf = read_conf(args[0])
    image = args[1]
    g = Graph()
    for path in args[2:]:
        g.load_ci(path)
    errors = []
    unresolved = resolve(g, conf)

    # Every function called through a pointer must be a declared target.
    targets = set()
    for caller, pats in conf["indirect"]:
        for t in g.frame:
            if any(matches(g, t, p) for p in pats):
                targets.add(g.bare(t))
    for name in sorted(address_taken(image)):
        bare = name.split(".")[0]
        if bare in targets or any(fnmatch.fnmatchcase(bare, p)
                                  for p in conf["not_called"]):
            continue
        errors.append("%s's address is taken but it is in no indirect class "
                      "of tools/stack-check.conf" % name)

    # Collapse cycles into one node each.
    comp_of, members = {}, {}
    for comp in sccs(g):
        key = comp[0] if len(comp) == 1 else "{" + ",".join(sorted(g.bare(c) for c in comp)) + "}"
        for c in comp:
            comp_of[c] = key
        members[key] = comp
    cost, edges = {}, {}
    for key, comp in members.items():
        frames = sum(g.frame.get(c, 0) for c in comp)
        recursive = len(comp) > 1 or comp[0] in g.calls.get(comp[0], ())
        if recursive:
            bound = None
            for c in comp:
                for p, b in conf["recursion"].items():
                    if matches(g, c, p):
                        bound = b if bound is None else max(bound, b)
            if bound is None:
                errors.append("recursion without a declared bound: %s" % key)
                bound = 1
            frames *= bound
        cost[key] = frames
        edges[key] = {comp_of[w] for c in comp for w in g.calls.get(c, ())
                      if comp_of.get(w, w) != key and w in comp_of}

    memo = {}

    def depth(k):
        if k in memo:
            return memo[k]
        best, via = 0, None
        for w in edges[k]:
            d = depth(w)[0]
            if d > best:
                best, via = d, w
        memo[k] = (cost[k] + best, via)
        return memo[k]

    def path(k):
        out = []
        while k:
            out.append("%s(%d)" % (g.bare(k) if not k.startswith("{") else k, cost[k]))
            k = memo[k][1]
        return out

    sys.setrecursionlimit(100000)
    reach = set()

    def mark(k):
        todo = [k]
        while todo:
            x = todo.pop()
            if x not in reach:
                reach.add(x)
                todo.extend(edges[x])

    results, lines, paths = {}, [], {}
    for label, fn_pat, limit, each in conf["root"]:
        roots = [t for t in g.frame if matches(g, t, fn_pat)]
        if not roots:
            errors.append("root %s: no function %s" % (label, fn_pat))
            continue
        if each and verbose:
            for t in sorted(roots, key=lambda t: -depth(comp_of[t])[0]):
                print("    %-36s %6d bytes" % (g.bare(t), depth(comp_of[t])[0]))
        worst = max(roots, key=lambda t: depth(comp_of[t])[0])
        d = depth(comp_of[worst])[0]
        for t in roots:
            mark(comp_of[t])
        results[label] = d
        paths[label] = path(comp_of[worst])
        lines.append("  %-24s %6d bytes (budget %d)  %s" % (
            label, d, limit, " > ".join(paths[label])))
        if d > limit:
            errors.append("%s: %d bytes, over its budget of %d" % (label, d, limit))
    worst = (0, None, 0)
    for label, (limit, parts) in conf["budget"].items():
        total = sum(results.get(p, 0) if not p.isdigit() else int(p) for p in parts)
        lines.append("  %-24s %6d bytes (budget %d)  = %s" % (label, total, limit, " + ".join(parts)))
        if total * 1.0 / limit > worst[0] * 1.0 / max(worst[2], 1):
            worst = (total, label, limit)
        if total > limit:
            errors.append("%s: %d bytes, over its budget of %d" % (label, total, limit))
    for t in unresolved:
        if comp_of.get(t) in reach:
            errors.append("%s makes an indirect call not declared in the conf" % t)
    for t, size in g.frame.items():
        if comp_of.get(t) in reach and size > conf.get("frame_limit", 1 << 30):
            errors.append("%s has a %d-byte frame (more than %d: big arrays "
                          "belong on the heap)" % (t, size, conf["frame_limit"]))
    for t, q in g.dynamic.items():
        if comp_of.get(t) in reach:
            errors.append("%s has an unbounded dynamic frame (%s)" % (t, q))
    for key, comp in members.items():
        if key.startswith("{") or comp[0] in g.calls.get(comp[0], ()):
            if key in reach:
                lines.append("  recursion: %s, counted %d bytes" % (key, cost[key]))
    if verbose or errors:
        for line in lines:
            print(line if len(line) < 300 else line[:300] + " ...")
    if worst[1]:
        first = worst[1].split("+")[0]
        print("  STACK   worst %d of %d bytes (%s): %s" % (
            worst[0], worst[2], worst[1],
            " > ".join(p.split("(")[0] for p in paths.get(first, [])[:6])
            + (" ..." if len(paths.get(first, [])) > 6 else "")))
    if errors:
        for e in errors:
            print("stack-check: " + e, file=sys.stderr)
        die("%d problem(s)" % len(errors))


if __name__ == "__main__":
    main()
