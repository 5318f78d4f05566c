"""A newcomer's first start on a fresh machine: every daemon makes the folders its
configuration names (log file, pid file, spool, registry, plugin socket), each missing
level 0755 even under a strict umask; what cannot be made is named in one line; perad
never makes the registry (lmaster does) and refuses a registry that is not a regular
file (a FIFO hung `perad show` forever).

Run:  /usr/bin/python3 test_first_start.py --build-dir BUILD
"""

import os
import stat
import subprocess

import fructosa_testlib as tl


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class FirstStart(tl.FructosaTestCase):

    def setUp(self):
        super().setUp()
        self.need_binaries("lagent", "lmaster", "perad")
        # A root shell with a strict umask: the folders must still be 0755.
        self.addCleanup(os.umask, os.umask(0o077))
        self.root = os.path.join(self.tmp, "fresh")  # nothing below exists yet

    def fresh(self, *parts):
        return os.path.join(self.root, *parts)

    def assert_made(self, *dirs):
        for d in dirs:
            self.assertTrue(os.path.isdir(d), "%s was not made" % d)
            self.assertEqual(oct(mode_of(d)), oct(0o755), d)

    def one_line_error(self, res, *needles):
        msg = "exit %d\nstdout: %s\nstderr: %s" % (res.returncode, res.stdout, res.stderr)
        self.assertNotEqual(res.returncode, 0, msg)
        self.assertEqual(res.stderr.count("\n"), 1, msg)
        for n in needles:
            self.assertIn(n, res.stderr, msg)

    def test_each_daemon_makes_the_folders_its_config_names(self):
        master = tl.Lmaster(self, None, overrides={
            "registry": {"path": self.fresh("var", "lib", "fructosa", "registry.db")},
            "Graphite": {"spool directory": self.fresh("var", "spool", "fructosa", "lmaster")},
            "logging": {"filename": self.fresh("var", "log", "fructosa", "lmaster.log")}})
        master.pidfile = self.fresh("run", "lmaster", "lmaster.pid")
        master.log_path = self.fresh("var", "log", "fructosa", "lmaster.log")
        master.start()
        self.assert_made(self.fresh("var"), self.fresh("var", "lib"), self.fresh("var", "lib", "fructosa"),
                         self.fresh("var", "spool", "fructosa", "lmaster"), self.fresh("var", "log", "fructosa"),
                         self.fresh("run", "lmaster"))
        self.assertTrue(os.path.isfile(self.fresh("var", "lib", "fructosa", "registry.db")))

        agent = tl.Lagent(self, master.port, hostname="freshnode", overrides={
            "lagent": {"spool directory": self.fresh("var", "spool", "fructosa", "lagent")},
            "jobs": {"socket": self.fresh("run", "fructosa", "lagent.sock")},
            "logging": {"filename": self.fresh("var", "log", "fructosa", "lagent.log")}})
        agent.pidfile = self.fresh("run", "lagent", "lagent.pid")
        agent.log_path = self.fresh("var", "log", "fructosa", "lagent.log")
        agent.start()
        self.assert_made(self.fresh("var", "spool", "fructosa", "lagent"), self.fresh("run", "fructosa"),
                         self.fresh("run", "lagent"))
        tl.wait_until(lambda: os.path.exists(self.fresh("run", "fructosa", "lagent.sock")), 15, "the plugin socket")

        perad = tl.Perad(self, self.fresh("var", "lib", "fructosa", "registry.db"), overrides={
            "logging": {"filename": self.fresh("var", "log", "perad", "perad.log")}})
        perad.pidfile = self.fresh("run", "perad", "perad.pid")
        perad.log_path = self.fresh("var", "log", "perad", "perad.log")
        perad.start()
        self.assert_made(self.fresh("var", "log", "perad"), self.fresh("run", "perad"))
        for d in (master, agent, perad):
            self.assertTrue(d.alive(), "%s is not running" % d.name)

    def test_perad_never_makes_the_registry(self):
        registry = self.fresh("var", "lib", "fructosa", "registry.db")
        perad = tl.Perad(self, registry)
        res = perad.start(check=False)
        self.one_line_error(res, "job registry %s does not exist: lmaster creates it on its first start" % registry)
        self.assertFalse(os.path.exists(self.fresh("var")), "perad made folders for the registry")
        self.assertIsNone(perad.proc)
        res = tl.run([tl.binary("perad"), "show", "1", "--registry", registry], timeout=30)
        self.one_line_error(res, "job registry %s does not exist" % registry)
        self.assertEqual(res.returncode, 1)

    def test_a_folder_that_cannot_be_made_is_named(self):
        blocker = os.path.join(self.tmp, "plain")
        with open(blocker, "w") as f:
            f.write("a file where a folder should be\n")
        log_dir = os.path.join(blocker, "log")
        master = tl.Lmaster(self, None, overrides={"logging": {"filename": os.path.join(log_dir, "lmaster.log")}})
        agent = tl.Lagent(self, tl.free_port(), overrides={"logging": {"filename": os.path.join(log_dir, "lagent.log")}})
        perad_registry = tl.Lmaster(self, None, name="registry-maker").run().wait_listening().registry_path
        perad = tl.Perad(self, perad_registry, overrides={"logging": {"filename": os.path.join(log_dir, "perad.log")}})
        for daemon in (master, agent, perad):
            with self.subTest(program=daemon.program):
                res = daemon.start(check=False)
                self.one_line_error(res, "cannot create directory %s for the log file: %s exists and is not a "
                                    "directory" % (log_dir, blocker))
                self.assertIsNone(daemon.proc)
        # The pid file's folder likewise.
        agent = tl.Lagent(self, tl.free_port(), name="lagent-pid")
        agent.pidfile = os.path.join(blocker, "run", "lagent.pid")
        res = agent.start(check=False)
        self.one_line_error(res, "cannot create directory %s for the pid file" % os.path.join(blocker, "run"))
        self.assertEqual(tl.pids_with_arg(agent.conf_path), [], "lagent kept running without its pid file")

    def test_a_fifo_is_not_a_registry(self):
        fifo = os.path.join(self.tmp, "registry.fifo")
        os.mkfifo(fifo)
        want = "cannot open job registry %s: it is a FIFO, not a regular file" % fifo
        for args in (["show", "1"], ["list"], ["summary", "--by", "user"]):
            with self.subTest(command=args[0]):
                try:
                    res = tl.run([tl.binary("perad")] + args + ["--registry", fifo], timeout=10)
                except subprocess.TimeoutExpired:
                    self.fail("perad %s --registry FIFO still hangs after 10 s" % args[0])
                self.one_line_error(res, want)
                self.assertEqual(res.returncode, 1)
        # lmaster, the writer, refuses it as well (start, in one line).
        master = tl.Lmaster(self, None, overrides={"registry": {"path": fifo}})
        try:
            res = master.start(check=False)
        except subprocess.TimeoutExpired:
            self.fail("lmaster start with a FIFO registry still hangs")
        self.one_line_error(res, want)
        self.assertIsNone(master.proc)


if __name__ == "__main__":
    tl.main()
