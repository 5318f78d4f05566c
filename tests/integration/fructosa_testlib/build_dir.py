"""The build under test: where its programs are, and the entry point of a test file
that takes --build-dir."""

import os
import sys
import unittest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_DIR = os.environ.get("FRUCTOSA_BUILD_DIR", os.path.join(REPO_ROOT, "build"))


def main():
    """Strips --build-dir DIR (or --build-dir=DIR) from argv, then runs unittest.main."""
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
    unittest.main(argv=argv, verbosity=2)


def binary(name):
    """Path of a built program: 'lagent' -> BUILD/collector/lagent, 'lmaster' -> BUILD/master/lmaster."""
    where = {"lagent": "collector", "lmaster": "master", "perad": "perad",
             "make-fructosa-dashboard": "dashboards"}
    return os.path.join(BUILD_DIR, where.get(name, ""), name)
