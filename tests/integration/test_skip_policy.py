"""The skip policy of the integration tests (issue 19): a test file whose only skips
name missing hardware exits with ctest's skip code (77) and prints the reason; any other
skip fails the file (exit 1), so no feature hides behind a skip. Runs small test files
through lib.main in child processes; starts no daemon.

Run: /usr/bin/python3 test_skip_policy.py --build-dir BUILD
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

TEMPLATE = """
import sys, unittest
sys.path.insert(0, %(here)r)
import fructosa_testlib as lib

class T(unittest.TestCase):
    def test_passes(self):
        self.assertTrue(True)
%(extra)s

if __name__ == "__main__":
    lib.main()
"""


class SkipPolicy(unittest.TestCase):
    def run_file(self, extra):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(TEMPLATE % {"here": HERE, "extra": extra})
        self.addCleanup(os.unlink, f.name)
        p = subprocess.run([sys.executable, f.name, "--build-dir", lib.BUILD_DIR],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        return p.returncode, p.stdout

    def test_all_passing_exits_zero(self):
        rc, out = self.run_file("")
        self.assertEqual(rc, 0, out)

    def test_a_skip_for_missing_hardware_is_ctests_skip_with_its_reason(self):
        rc, out = self.run_file("    def test_gpu(self):\n        lib.skip_for_missing_hardware('GPU', 'no /dev/nvidia0')\n")
        self.assertEqual(rc, lib.SKIP_EXIT_CODE, out)
        self.assertIn("SKIPPED for missing hardware: GPU: no /dev/nvidia0 (test_gpu", out)

    def test_any_other_skip_fails_the_file(self):
        rc, out = self.run_file("    def test_lazy(self):\n        self.skipTest('slurmd is not installed')\n")
        self.assertEqual(rc, 1, out)
        self.assertIn("FAILED: skipped without naming missing hardware (lib.skip_for_missing_hardware): "
                      "test_lazy", out)
        self.assertIn("slurmd is not installed", out)

    def test_a_failure_beside_a_hardware_skip_still_fails(self):
        rc, out = self.run_file("    def test_gpu(self):\n        lib.skip_for_missing_hardware('GPU')\n"
                                "    def test_broken(self):\n        self.fail('broken')\n")
        self.assertEqual(rc, 1, out)

    def test_verdicts(self):
        self.assertEqual(lib.skip_verdict([]), (None, []))
        self.assertEqual(lib.skip_verdict([("t (m.T)", "missing hardware: GPU")]),
                         (77, ["SKIPPED for missing hardware: GPU (t (m.T))"]))
        self.assertEqual(lib.skip_verdict([("t (m.T)", "missing hardware: GPU"), ("u (m.T)", "no root")])[0], 1)


if __name__ == "__main__":
    lib.main()
