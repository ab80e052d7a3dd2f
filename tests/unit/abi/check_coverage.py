#!/usr/bin/env python3
"""Check that abi_list.h covers everything our include/xen headers define.

Usage: check_coverage.py INCLUDE_DIR ABI_DIR

INCLUDE_DIR is the directory holding xen/ (../../include); ABI_DIR holds
abi_list.h, abi_ours.c and abi_xen.c. Required of the list:

  every object-like #define      ABI_CONST(N) or ABI_OURS_ONLY(N, ...), or
                                 used in some ABI_EXPR(...) (for macros
                                 that are not integers, e.g. strings)
  every enumeration constant     ABI_CONST(N)
  every function-like #define    used in some ABI_EXPR(...)
  every typedef                  ABI_TYPE(T) or ABI_SIZE(T)
  every named struct/union       ABI_SIZE(struct S)
  every member, by path          ABI_FIELD/ABI_SCALAR/ABI_ARRAY(struct S, a.b)
                                 (members of inline anonymous structs and
                                 unions by their path; padding members,
                                 pad* and _pad*, are optional)

and every header must be included by abi_ours.c (<xen/NAME.h>) and by
abi_xen.c ("/usr/include/xen/NAME.h"). Prints what is missing, in a form
ready to paste, and exits 1 if anything is.
"""
import os
import re
import sys

TOKEN = re.compile(r"[A-Za-z_]\w*|\d\w*|\S")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"),
                  text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def split_preprocessor(text):
    """Return (directives, code): directives with continuations joined."""
    text = text.replace("\\\n", " ")
    directives, code = [], []
    for line in text.split("\n"):
        if line.lstrip().startswith("#"):
            directives.append(line.strip())
        else:
            code.append(line)
    return directives, "\n".join(code)


def defines(directives):
    """Object-like and function-like macro names, minus include guards."""
    guards = set()
    for d in directives:
        m = re.match(r"#\s*ifndef\s+(\w+)", d)
        if m:
            guards.add(m.group(1))
    objects, functions = [], []
    for d in directives:
        m = re.match(r"#\s*define\s+(\w+)(\()?", d)
        if not m or m.group(1) in guards:
            continue
        (functions if m.group(2) else objects).append(m.group(1))
    return objects, functions


class Parser:
    def __init__(self, code):
        self.toks = TOKEN.findall(code)
        self.i = 0
        self.structs = {}  # "struct name" -> [member paths]
        self.typedefs = []
        self.enum_consts = []

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def next(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def skip_balanced(self, open_, close):
        depth = 0
        while True:
            t = self.next()
            if t == open_:
                depth += 1
            elif t == close:
                depth -= 1
                if depth == 0:
                    return

    def declarator_names(self, toks):
        """Names declared by the tokens of one declaration (after type)."""
        names, part, depth = [], [], 0
        for t in toks + [","]:
            if t in "([{":
                depth += 1
            elif t in ")]}":
                depth -= 1
            if t == "," and depth == 0:
                ids, d = [], 0
                for p in part:
                    if p in "[(":
                        d += 1
                    elif p in "])":
                        d -= 1
                    elif p == ":" and d == 0:
                        break  # bitfield width
                    elif d == 0 and re.match(r"[A-Za-z_]", p):
                        ids.append(p)
                if ids:
                    names.append(ids[-1])
                part = []
            else:
                part.append(t)
        return names

    def enumerators(self):
        """Parse { A = 1, B } (at '{'); record the constants' names."""
        assert self.next() == "{"
        depth, expect_name = 1, True
        while depth:
            t = self.next()
            if t in "([{":
                depth += 1
            elif t in ")]}":
                depth -= 1
            elif depth == 1 and t == ",":
                expect_name = True
            elif depth == 1 and expect_name:
                self.enum_consts.append(t)
                expect_name = False

    def body(self):
        """Parse { members } (at '{'); return member paths."""
        assert self.next() == "{"
        paths = []
        while self.peek() != "}":
            if self.peek() in ("struct", "union") and (
                    self.peek(1) == "{" or self.peek(2) == "{"):
                self.next()
                if self.peek() != "{":
                    self.next()  # a tag on a nested definition
                inner = self.body()
                decl = []
                while self.peek() != ";":
                    decl.append(self.next())
                self.next()
                names = self.declarator_names(decl)
                if not names:  # anonymous member: its members are ours
                    paths += inner
                for n in names:
                    paths.append(n)
                    paths += [n + "." + p for p in inner]
                continue
            decl = []
            while self.peek() != ";":
                decl.append(self.next())
            self.next()
            paths += self.declarator_names(decl)
        self.next()
        return paths

    def parse(self):
        while self.peek() is not None:
            t = self.peek()
            if t == "typedef":
                self.next()
                decl = []
                while self.peek() != ";":
                    if self.peek() == "enum" and "{" in (self.peek(1),
                                                         self.peek(2)):
                        self.next()
                        if self.peek() != "{":
                            self.next()
                        self.enumerators()
                        decl.append("__enum__")
                        continue
                    if self.peek() in ("struct", "union") and (
                            self.peek(2) == "{" or self.peek(1) == "{"):
                        kind = self.next()
                        tag = self.next() if self.peek() != "{" else None
                        paths = self.body()
                        if tag:
                            self.structs[kind + " " + tag] = paths
                        decl.append("__aggregate__")
                        continue
                    decl.append(self.next())
                self.next()
                self.typedefs += self.declarator_names(decl)
            elif t in ("struct", "union") and self.peek(2) == "{":
                kind, tag = self.next(), self.next()
                self.structs[kind + " " + tag] = self.body()
                while self.next() != ";":
                    pass
            elif t == "enum" and "{" in (self.peek(1), self.peek(2)):
                self.next()
                if self.peek() != "{":
                    self.next()
                self.enumerators()
            elif t == "{":
                self.skip_balanced("{", "}")  # a function body
            else:
                self.next()


def list_entries(text):
    """(macro, [args]) for every ABI_*(...) use in abi_list.h."""
    text = strip_comments(text)
    out = []
    for m in re.finditer(r"\b(ABI_\w+)\s*\(", text):
        i, depth, start, args = m.end(), 1, m.end(), []
        while depth:
            c = text[i]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            if (c == "," and depth == 1) or depth == 0:
                args.append(" ".join(text[start:i].split()))
                start = i + 1
            i += 1
        out.append((m.group(1), args))
    return out


def main():
    inc, abi = sys.argv[1], sys.argv[2]
    headers = []
    for root, _, files in os.walk(os.path.join(inc, "xen")):
        headers += [os.path.relpath(os.path.join(root, f), inc)
                    for f in files if f.endswith(".h")]
    headers.sort()

    with open(os.path.join(abi, "abi_list.h")) as f:
        entries = list_entries(f.read())
    consts = {a[0] for m, a in entries if m in ("ABI_CONST", "ABI_OURS_ONLY")}
    types = {a[0] for m, a in entries if m in ("ABI_TYPE", "ABI_SIZE")}
    fields = {(a[0], a[1].replace(" ", "")) for m, a in entries
              if m in ("ABI_FIELD", "ABI_SCALAR", "ABI_ARRAY")}
    exprs = " ".join(a[1] for m, a in entries if m == "ABI_EXPR")

    with open(os.path.join(abi, "abi_ours.c")) as f:
        ours_c = f.read()
    with open(os.path.join(abi, "abi_xen.c")) as f:
        xen_c = f.read()

    missing = []
    for h in headers:
        if "<%s>" % h not in ours_c:
            missing.append("abi_ours.c: #include <%s>" % h)
        if '"/usr/include/%s"' % h not in xen_c:
            missing.append('abi_xen.c: #include "/usr/include/%s"' % h)
        with open(os.path.join(inc, h)) as f:
            directives, code = split_preprocessor(strip_comments(f.read()))
        objects, functions = defines(directives)
        for n in objects:
            if n not in consts and not re.search(r"\b%s\b" % re.escape(n),
                                                 exprs):
                missing.append("%s: ABI_CONST(%s)" % (h, n))
        for n in functions:
            if not re.search(r"\b%s\s*\(" % re.escape(n), exprs):
                missing.append("%s: ABI_EXPR(..., %s(...))" % (h, n))
        p = Parser(code)
        p.parse()
        for n in p.enum_consts:
            if n not in consts:
                missing.append("%s: ABI_CONST(%s)" % (h, n))
        for t in p.typedefs:
            if t not in types:
                missing.append("%s: ABI_TYPE(%s) or ABI_SIZE(%s)" % (h, t, t))
        for s, paths in p.structs.items():
            if s not in types:
                missing.append("%s: ABI_SIZE(%s)" % (h, s))
            for path in paths:
                last = path.split(".")[-1]
                if last.startswith(("pad", "_pad")):
                    continue
                if (s, path) not in fields:
                    missing.append("%s: ABI_FIELD(%s, %s)" % (h, s, path))

    if missing:
        print("abi/abi_list.h does not cover all of include/xen; missing:")
        for m in missing:
            print("  " + m)
        return 1
    print("abi coverage: %d headers, %d list entries, all covered"
          % (len(headers), len(entries)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
