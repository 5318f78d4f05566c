"""What every test owns: FructosaTestCase (unittest) and Workspace (the demo, the
benchmarks): a private directory, cleanups in reverse order, built programs."""

import os
import shutil
import sys
import tempfile
import unittest

from .build_dir import binary
from .files import read_text


class FructosaTestCase(unittest.TestCase):
    """Gives each test self.tmp, a private directory removed after the test (kept when
    it failed and FRUCTOSA_KEEP_TMP=1). The logs under it are printed when a test fails."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="fructosa-%s-" % self._testMethodName[:40])
        self.addCleanup(self._remove_tmp)
        self._route_sanitizer_reports()

    def _route_sanitizer_reports(self):
        """With binaries built with -DFRUCTOSA_SANITIZE=ON, AddressSanitizer and UBSan
        reports of every process the test starts (daemons detached from the terminal
        included) go to files under self.tmp; any such report fails the test."""
        report_dir = os.path.join(self.tmp, "sanitizer")
        os.makedirs(report_dir, exist_ok=True)
        saved = {k: os.environ.get(k) for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")}
        for key, name in (("ASAN_OPTIONS", "asan"), ("UBSAN_OPTIONS", "ubsan")):
            old = os.environ.get(key, "")
            if "log_path=" not in old:
                opts = [o for o in (old, "log_path=" + os.path.join(report_dir, name)) if o]
                os.environ[key] = ":".join(opts)

        def check_and_restore():
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            reports = sorted(os.listdir(report_dir))
            if reports:
                text = "".join("\n--- %s ---\n%s" % (f, read_text(os.path.join(report_dir, f))[-6000:])
                               for f in reports)
                raise AssertionError("sanitizer reports from processes this test started:" + text)
        # Registered after the directory clean-up, so it runs before it (and after
        # every fixture registered later has stopped its processes).
        self.addCleanup(check_and_restore)

    def _failed(self):
        """True when this test (or one of its subtests) has failed or errored so far.
        (unittest's own outcome flag is reset for every cleanup, so ask the result.)"""
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None:
            return False
        return any(getattr(t, "test_case", t) is self
                   for t, _ in list(result.failures) + list(result.errors))

    def _remove_tmp(self):
        if self._failed():
            self._print_logs()
            if os.environ.get("FRUCTOSA_KEEP_TMP") == "1":
                sys.stderr.write("\nFRUCTOSA_KEEP_TMP=1: kept %s\n" % self.tmp)
                return
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _print_logs(self, tail=4000):
        for root, _, files in os.walk(self.tmp):
            for f in sorted(files):
                if f.endswith((".log", ".out")) or f == "console.log":
                    path = os.path.join(root, f)
                    text = read_text(path)
                    if text:
                        sys.stderr.write("\n----- %s (last %d chars) -----\n%s\n"
                                         % (path, tail, text[-tail:]))

    def need_binaries(self, *names):
        """Fails (not skips) when a program under test has not been built."""
        for n in names:
            path = binary(n)
            if not os.access(path, os.X_OK):
                self.fail("%s is not built (looked for %s; give --build-dir)" % (n, path))

    def subdir(self, name):
        path = os.path.join(self.tmp, name)
        os.makedirs(path, exist_ok=True)
        return path


class Workspace:
    """What the fixtures need from a test (a private directory, cleanups, built
    programs) for use outside unittest: the demo. Use as a context manager; leaving it
    runs the cleanups in reverse order (stopping what was started) and removes the
    directory unless keep=True."""

    def __init__(self, root=None, keep=False):
        self.tmp = root or tempfile.mkdtemp(prefix="fructosa-demo-")
        os.makedirs(self.tmp, exist_ok=True)
        self.keep = keep
        self._cleanups = []

    def addCleanup(self, fn, *args, **kwargs):
        self._cleanups.append((fn, args, kwargs))

    def subdir(self, name):
        path = os.path.join(self.tmp, name)
        os.makedirs(path, exist_ok=True)
        return path

    def need_binaries(self, *names):
        for n in names:
            if not os.access(binary(n), os.X_OK):
                raise RuntimeError("%s is not built (looked for %s)" % (n, binary(n)))

    def fail(self, msg):
        raise AssertionError(msg)

    def close(self):
        while self._cleanups:
            fn, args, kwargs = self._cleanups.pop()
            try:
                fn(*args, **kwargs)
            except Exception as e:  # keep stopping the rest
                sys.stderr.write("cleanup %r failed: %s\n" % (fn, e))
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class SharedWorkspaceTestCase(unittest.TestCase):
    """Tests that share one Workspace and what start_class() starts in it (a whole
    cluster costs seconds): set up once for the class, closed after its last test, or at
    once when start_class() fails, so a failed start leaves nothing running."""

    @classmethod
    def start_class(cls):
        """Starts what the tests share, in cls.ws."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(keep=os.environ.get("FRUCTOSA_KEEP_TMP") == "1")
        try:
            cls.start_class()
        except BaseException:
            cls.ws.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.ws.close()
