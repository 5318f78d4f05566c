"""Bad configuration files get a clear error: non-zero exit, and a message naming the
file, the line and the key; both from `--check-config` and from `start` (on the
terminal, with nothing left running).

Run:  /usr/bin/python3 test_config_errors.py --build-dir BUILD
"""

import itertools
import os

import fructosa_testlib as tl

GOOD_LAGENT = """\
[lmaster]
host = 127.0.0.1
incoming data port = {port}

[lagent]
hostname = cfgnode
batch interval = 1

[logging]
filename = {log}
level = INFO

[sensor:VirtualMemory]
time_interval = 1

[sensor:CPUPercent]
time_interval = 1
"""

GOOD_LMASTER = """\
[lmaster]
host = 127.0.0.1
incoming data port = {port}
self metrics interval = 1

[Graphite]
host = 127.0.0.1
carbon receiver pickle port = {carbon}
protocol = pickle

[logging]
filename = {log}
level = INFO
"""

# Each case: (name, text replaced, replacement, the key the message must name).
# The bad line is the first line that differs from the good file.
LAGENT_CASES = [
    ("unknown sensor name", "[sensor:CPUPercent]", "[sensor:CPUPercnt]", "CPUPercnt"),
    ("time_interval not a number", "[sensor:CPUPercent]\ntime_interval = 1",
     "[sensor:CPUPercent]\ntime_interval = abc", "time_interval"),
    ("time_interval zero", "[sensor:CPUPercent]\ntime_interval = 1",
     "[sensor:CPUPercent]\ntime_interval = 0", "time_interval"),
    ("unknown sensor option", "[sensor:CPUPercent]\ntime_interval = 1",
     "[sensor:CPUPercent]\ntime_interval = 1\ncolour = red", "colour"),
    ("port out of range", "incoming data port = {port}", "incoming data port = 70000",
     "incoming data port"),
    ("unknown key in [lmaster]", "host = 127.0.0.1", "host = 127.0.0.1\nhots = 127.0.0.1", "hots"),
    ("line without '='", "batch interval = 1", "batch interval = 1\nthis line has no equals sign",
     None),
    # inih (multi-line values on, as Debian builds it) would append an indented line to the
    # key above: `host` would name a second lmaster "= munge".
    ("indented continuation line", "host = 127.0.0.1", "host = 127.0.0.1\n  = munge", "host"),
    ("indented key line", "hostname = cfgnode", "hostname = cfgnode\n    batch interval = 2", "hostname"),
]

LMASTER_CASES = [
    ("port out of range", "incoming data port = {port}", "incoming data port = 70000",
     "incoming data port"),
    ("carbon port out of range", "carbon receiver pickle port = {carbon}",
     "carbon receiver pickle port = 70000", "carbon receiver pickle port"),
    ("unknown key in [lmaster]", "host = 127.0.0.1\nincoming",
     "host = 127.0.0.1\nhots = 127.0.0.1\nincoming", "hots"),
    ("self metrics interval not a number", "self metrics interval = 1",
     "self metrics interval = abc", "self metrics interval"),
    ("unknown protocol", "protocol = pickle", "protocol = pickel", "protocol"),
    ("line without '='", "protocol = pickle", "protocol = pickle\nthis line has no equals sign",
     None),
    ("indented continuation line", "host = 127.0.0.1\nincoming", "host = 127.0.0.1\n  = munge\nincoming", "host"),
    ("value continued with ' = x'", "protocol = pickle", "protocol = pickle\n = plaintext", "protocol"),
    ("value without a key", "protocol = pickle", "protocol = pickle\n= plaintext", None),
]


def first_changed_line(base, text):
    """1-based number of the first line where `text` differs from `base`: the bad line."""
    for n, (a, b) in enumerate(itertools.zip_longest(base.splitlines(), text.splitlines()), 1):
        if a != b:
            return n
    raise AssertionError("no line changed")


class ConfigErrors(tl.FructosaTestCase):

    def setUp(self):
        super().setUp()
        self.need_binaries("lagent", "lmaster")
        self.fill = {"port": tl.free_port(), "carbon": tl.free_port(),
                     "log": os.path.join(self.tmp, "daemon.log")}

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def expect_error(self, program, conf, line, key, what):
        """--check-config and start both fail and name file, line and key."""
        pidfile = os.path.join(self.tmp, program + ".pid")
        for argv, label in (([tl.binary(program), "--check-config", "-c", conf], "--check-config"),
                            ([tl.binary(program), "start", "-c", conf, "-p", pidfile], "start")):
            res = tl.run(argv, timeout=30)
            msg = "%s %s (%s) gave exit %d\nstdout: %s\nstderr: %s" % (
                program, label, what, res.returncode, res.stdout, res.stderr)
            self.assertNotEqual(res.returncode, 0, msg)
            # The error must reach the terminal: standard error (start detaches, so this
            # proves the message is passed back before the daemon gives up).
            self.assertIn(conf, res.stderr, msg)
            if line is not None:
                self.assertIn("%s:%d:" % (conf, line), res.stderr, msg)
            if key is not None:
                self.assertIn(key, res.stderr, msg)
            # One line: the error, nothing else.
            self.assertEqual(res.stderr.count("\n"), 1, msg)
            # Nothing keeps running, no pid file left behind.
            self.assertFalse(os.path.exists(pidfile), "%s left %s" % (label, pidfile))
            stray = tl.pids_with_arg(conf)
            for pid in stray:
                tl.stop(tl.Proc(pid, program))
            self.assertEqual(stray, [], "%s %s left processes running" % (program, label))

    def run_cases(self, program, good, cases):
        ok = self.write(program + "-good.conf", good.format(**self.fill))
        res = tl.run([tl.binary(program), "--check-config", "-c", ok])
        self.assertEqual(res.returncode, 0, "good config rejected: %s%s" % (res.stdout, res.stderr))
        self.assertIn("OK", res.stdout)
        for i, (what, old, new, key) in enumerate(cases):
            with self.subTest(program=program, case=what):
                base = good.format(**self.fill)
                old = old.format(**self.fill)
                self.assertIn(old, base)
                text = base.replace(old, new, 1)
                conf = self.write("%s-bad%d.conf" % (program, i), text)
                line = first_changed_line(base, text)
                self.expect_error(program, conf, line, key, what)

    def test_lagent_bad_configs(self):
        self.run_cases("lagent", GOOD_LAGENT, LAGENT_CASES)

    def test_lmaster_bad_configs(self):
        self.run_cases("lmaster", GOOD_LMASTER, LMASTER_CASES)

    def test_missing_config_file(self):
        for program in ("lagent", "lmaster"):
            with self.subTest(program=program):
                conf = os.path.join(self.tmp, "no-such-dir", program + ".conf")
                self.expect_error(program, conf, None, None, "missing file")

    def test_check_config_accepts_the_shipped_examples(self):
        # etc/lagent.conf (every sensor) must pass lagent's own check.
        example = os.path.join(tl.REPO_ROOT, "etc", "lagent.conf")
        res = tl.run([tl.binary("lagent"), "--check-config", "-c", example])
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("%s: OK" % example, res.stdout)
        example = os.path.join(tl.REPO_ROOT, "etc", "lmaster.conf")
        if os.path.exists(example):
            res = tl.run([tl.binary("lmaster"), "--check-config", "-c", example])
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)


if __name__ == "__main__":
    tl.main()
