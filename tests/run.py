#!/usr/bin/env python3
"""make test: run the host unit tests and the QEMU integration scenarios,
then print one line `N passed, N failed`.

Usage: tests/run.py [scenario-name ...]   (default: everything)
"""
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "integration"))
from scenarios import SCENARIOS  # noqa: E402

# More scenarios live in tests/integration/sc_*.py, one file per area.
for _path in sorted(glob.glob(os.path.join(HERE, "integration", "sc_*.py"))):
    __import__(os.path.basename(_path)[:-3])


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.machine = None

    def check(self, what, ok, detail=None):
        if ok:
            self.passed += 1
            print("  ok    %s" % what)
        else:
            self.failed += 1
            print("  FAIL  %s%s" % (what, (": %s" % detail) if detail else ""))
            if self.machine is not None:
                # The guests' own failure lines first: the tail may have
                # scrolled past them.
                fails = [l for l in self.machine.tail(100000).splitlines()
                         if "FAIL " in l][:20]
                if fails:
                    print("  ---- failed checks in the serial log ----")
                    print("\n".join("  | " + l for l in fails))
                print("  ---- serial log tail ----")
                print("\n".join("  | " + l for l in self.machine.tail().splitlines()))
                print("  -------------------------")

    def note(self, text):
        print("  note  %s" % text)


def run_unit(c):
    print("unit tests (host, ASan+UBSan):")
    for path in sorted(glob.glob(os.path.join(HERE, "unit", "build", "test_*"))):
        if not os.path.isfile(path):
            continue  # build/test_X.objs/: the test's object files
        name = os.path.basename(path)
        r = subprocess.run([path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = r.stdout.decode(errors="replace")
        summary = [l for l in out.splitlines() if " passed, " in l]
        c.check("%s: %s" % (name, summary[-1].split(": ", 1)[-1] if summary else "no summary"),
                r.returncode == 0 and summary, out[-2000:])


def main():
    wanted = sys.argv[1:]
    c = Checker()
    t0 = time.monotonic()
    if not wanted or "unit" in wanted:
        run_unit(c)
    for fn in SCENARIOS:
        if wanted and fn.__name__ not in wanted:
            continue
        print("%s: %s" % (fn.__name__, fn.__doc__.strip()))
        start = time.monotonic()
        try:
            fn(c)
        except Exception as e:  # a broken scenario is a failure, not a crash
            c.check("%s ran to completion" % fn.__name__, False, repr(e))
        c.machine = None
        print("  (%.1f s)" % (time.monotonic() - start))
    print("total time %.1f s" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
