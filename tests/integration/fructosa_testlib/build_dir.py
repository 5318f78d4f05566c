"""The build under test: where its programs are, and the entry point of a test file
that takes --build-dir."""

import os
import sys
import unittest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_DIR = os.environ.get("FRUCTOSA_BUILD_DIR", os.path.join(REPO_ROOT, "build"))


# ctest's SKIP_RETURN_CODE for the integration tests (tests/CMakeLists.txt).
SKIP_EXIT_CODE = 77
HARDWARE_SKIP_PREFIX = "missing hardware: "


def skip_for_missing_hardware(what, why=""):
    """The one accepted skip: raises unittest.SkipTest naming the missing hardware
    ("GPU"). main() exits with SKIP_EXIT_CODE for it and fails on any other skip, so
    no feature hides behind a skip."""
    raise unittest.SkipTest(HARDWARE_SKIP_PREFIX + what + (": " + why if why else ""))


def skip_verdict(skipped):
    """(exit code or None, lines) for the (test, reason) pairs a run skipped: None when
    nothing was skipped, SKIP_EXIT_CODE when every skip names missing hardware, else 1."""
    if not skipped:
        return None, []
    refused = [(t, r) for t, r in skipped if not str(r).startswith(HARDWARE_SKIP_PREFIX)]
    if refused:
        return 1, ["FAILED: skipped without naming missing hardware (lib.skip_for_missing_hardware): %s: %s"
                   % (t, r) for t, r in refused]
    return SKIP_EXIT_CODE, ["SKIPPED for %s (%s)" % (r, t) for t, r in skipped]


def main():
    """Strips --build-dir DIR (or --build-dir=DIR) from argv, runs unittest.main, then
    applies the skip policy (skip_verdict): a failure or a skip not for missing hardware
    exits 1, a hardware skip exits SKIP_EXIT_CODE."""
    global BUILD_DIR
    argv = [sys.argv[0]]
    args = sys.argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--build-dir":
            if i + 1 >= len(args):
                sys.exit("--build-dir needs a directory")
            BUILD_DIR = args[i + 1]
            i += 2
            continue
        if a.startswith("--build-dir="):
            BUILD_DIR = a.split("=", 1)[1]
        else:
            argv.append(a)
        i += 1
    BUILD_DIR = os.path.abspath(BUILD_DIR)
    program = unittest.main(argv=argv, verbosity=2, exit=False)
    result = program.result
    code, lines = skip_verdict([(str(t), r) for t, r in result.skipped])
    for line in lines:
        print(line, flush=True)
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(code or 0)


def binary(name):
    """Path of a built program: 'lagent' -> BUILD/collector/lagent, 'lmaster' -> BUILD/master/lmaster."""
    where = {"lagent": "collector", "lmaster": "master", "perad": "perad",
             "make-fructosa-dashboard": "dashboards"}
    return os.path.join(BUILD_DIR, where.get(name, ""), name)
