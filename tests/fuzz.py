#!/usr/bin/env python3
"""make fuzz: the hypercall fuzzer at length (not part of make test).

Several fuzzing domains (tests/guests/fuzz.c) share XENOLITH_FUZZ_CALLS
calls (default 10 million) beside domain 0 and the victim; prints the
calls per second, whether the hypervisor crashed, whether the victim's
memory and timer stayed intact and domain 0 answers, then
"N passed, N failed".

Environment: XENOLITH_FUZZ_CALLS, XENOLITH_FUZZ_DOMAINS (fuzzers, default
3), XENOLITH_FUZZ_SEED (default: from the clock; fuzzer i gets seed + i),
XENOLITH_FUZZ_ARGS (more fuzzer arguments, e.g. trace=N to replay).
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "integration"))
from run import Checker  # noqa: E402
from sc_fuzz import fuzz_run  # noqa: E402


def main():
    total = int(os.environ.get("XENOLITH_FUZZ_CALLS", "10000000"))
    n = int(os.environ.get("XENOLITH_FUZZ_DOMAINS", "3"))
    seed = int(os.environ.get("XENOLITH_FUZZ_SEED", str(int(time.time()) % 100000)))
    args = os.environ.get("XENOLITH_FUZZ_ARGS", "")
    each = (total + n - 1) // n
    # Under TCG each fuzzer makes some 10,000-50,000 calls a second.
    timeout = 300 + each // 2000
    print("make fuzz: %d fuzzers x %d calls, seeds %d..%d (XENOLITH_FUZZ_SEED "
          "replays)" % (n, each, seed, seed + n - 1), flush=True)
    c = Checker()
    t0 = time.monotonic()
    rate = fuzz_run(c, each, nfuzz=n, seed=seed, timeout=timeout,
                    every=100000, args=args, progress=True)
    m = c.machine
    if m:
        log = os.path.join(HERE, "..", "build", "fuzz-serial.log")
        with open(log, "w") as f:
            f.write("\n".join(m.lines) + "\n")
        print("make fuzz: the serial log is in build/fuzz-serial.log")
    crashes = len(m.find_all(r"FATAL TRAP|Panic on CPU")) if m else -1
    print("make fuzz: %d calls, %d calls/s in all (%.0f s wall), "
          "hypervisor crashes: %d, victim intact: %s"
          % (each * n, rate, time.monotonic() - t0, crashes,
             "yes" if m and m.find_all(r"\(d1\) victim: pattern intact")
             and m.find_all(r"\(d1\) \d+ passed, 0 failed") else "NO"))
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
