"""The daemon lifecycle every FrUCToSA program shares: start, status, stop (which returns
only once the process is gone), stale pid files, a second start, --help, and lagent's
--list-sensors.

Run:  /usr/bin/python3 test_daemon_lifecycle.py --build-dir BUILD
"""

import os
import re
import subprocess

import fructosa_testlib as tl

# Fields each sensor must list (those of FrUCToSA 0.3.2 on Linux that every
# implementation keeps); sensors whose fields depend on the machine list none here.
EXPECTED_FIELDS = {
    "VirtualMemory": ["total", "available", "percent", "used", "free"],
    "CPUTimes": ["user", "system", "idle", "iowait"],
    "CPUTimesPercent": ["user", "system", "idle"],
    "CPUStats": ["ctx_switches", "interrupts", "soft_interrupts"],
    "CPUFreq": ["current", "min", "max"],
    "SwapMemory": ["total", "used", "free", "percent", "sin", "sout"],
    "DiskUsage": ["total", "used", "free", "percent"],
    "DiskIOCounters": ["read_count", "write_count", "read_bytes", "write_bytes"],
    "NetIOCounters": ["bytes_sent", "bytes_recv", "packets_sent", "packets_recv"],
    "SensorsBattery": ["percent"],
}


class DaemonLifecycle(tl.FructosaTestCase):

    def setUp(self):
        super().setUp()
        self.need_binaries("lagent", "lmaster")

    def agent(self):
        # No lmaster is needed: lagent keeps retrying in the background.
        return tl.Lagent(self, tl.free_port(), hostname="lifenode",
                         sensors=["VirtualMemory", "CPUPercent"])

    def test_start_status_stop(self):
        agent = self.agent()
        res = agent.start()
        self.assertIn("started", res.stdout)
        pid = tl.read_pidfile(agent.pidfile)
        self.assertTrue(pid and tl.pid_alive(pid), "no live pid in %s" % agent.pidfile)
        self.assertEqual(tl.pid_comm(pid), "lagent")
        # Daemonised: not a child of the start command, in its own session.
        self.assertNotEqual(os.getsid(pid), os.getsid(0))

        res = agent.command("status")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn(str(pid), res.stdout)

        res = agent.command("stop", timeout=60)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        # stop returned: the process must already be gone.
        self.assertFalse(tl.pid_alive(pid), "stop returned while pid %d still runs" % pid)
        self.assertFalse(os.path.exists(agent.pidfile))
        agent.proc = None

        res = agent.command("status")
        self.assertEqual(res.returncode, 3, res.stdout + res.stderr)
        self.assertIn("not running", res.stdout)
        # stop when nothing runs is fine.
        self.assertEqual(agent.command("stop").returncode, 0)

    def test_stale_pidfile_of_a_dead_process(self):
        agent = self.agent()
        dead = subprocess.Popen(["true"])
        dead.wait()
        with open(agent.pidfile, "w") as f:
            f.write("%d\n" % dead.pid)
        agent.start()
        pid = tl.read_pidfile(agent.pidfile)
        self.assertNotEqual(pid, dead.pid)
        self.assertEqual(tl.pid_comm(pid), "lagent")

    def test_stale_pidfile_naming_another_program(self):
        agent = self.agent()
        # This test's own pid: alive, but not lagent. It must neither block start nor
        # be signalled by stop.
        with open(agent.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
        self.assertEqual(agent.command("status").returncode, 3)
        agent.start()
        pid = tl.read_pidfile(agent.pidfile)
        self.assertNotEqual(pid, os.getpid())
        self.assertEqual(tl.pid_comm(pid), "lagent")
        res = agent.command("stop", timeout=60)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertFalse(tl.pid_alive(pid))
        agent.proc = None

    def test_start_twice_says_already_running(self):
        agent = self.agent()
        agent.start()
        pid = tl.read_pidfile(agent.pidfile)
        res = agent.start(check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("already running", res.stdout + res.stderr)
        self.assertEqual(tl.read_pidfile(agent.pidfile), pid, "second start replaced the pid file")
        self.assertTrue(tl.pid_alive(pid))
        self.assertEqual(len(tl.pids_with_arg(agent.conf_path)), 1, "two lagents run")

    def test_start_with_relative_paths(self):
        # `lagent start -c lagent.conf -p lagent.pid` from the config's folder: the daemon
        # changes to / when it detaches, so the paths must be resolved before that.
        agent = self.agent()
        agent.write_config()
        agent._register_cleanup()
        res = tl.run([tl.binary("lagent"), "start", "-c", "lagent.conf", "-p", "lagent.pid"],
                     cwd=agent.dir, timeout=60)
        pid = tl.read_pidfile(agent.pidfile)
        if pid and tl.pid_comm(pid) == "lagent":
            agent.proc = tl.Proc(pid, "lagent")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertTrue(pid and tl.pid_alive(pid), "no pid file at %s" % agent.pidfile)
        res = tl.run([tl.binary("lagent"), "stop", "-p", "lagent.pid"], cwd=agent.dir, timeout=60)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertFalse(tl.pid_alive(pid))
        agent.proc = None

    def test_lmaster_start_status_stop(self):
        master = tl.Lmaster(self, None)
        master.start()
        pid = tl.read_pidfile(master.pidfile)
        self.assertTrue(tl.port_listening(master.port), "start returned before lmaster listens")
        self.assertEqual(master.command("status").returncode, 0)
        res = master.command("stop", timeout=60)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertFalse(tl.pid_alive(pid))
        self.assertFalse(tl.port_listening(master.port))
        master.proc = None

    def test_help_lists_the_commands(self):
        for program in ("lagent", "lmaster"):
            with self.subTest(program=program):
                res = tl.run([tl.binary(program), "--help"])
                self.assertEqual(res.returncode, 0, res.stderr)
                for command in ("start", "stop", "run", "status", "--config", "--pidfile",
                                "--check-config"):
                    self.assertIn(command, res.stdout)
        res = tl.run([tl.binary("lagent"), "--help"])
        self.assertIn("--list-sensors", res.stdout)
        # A wrong command is an error that points at --help.
        res = tl.run([tl.binary("lagent"), "strat"])
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("--help", res.stderr)

    def test_list_sensors(self):
        res = tl.run([tl.binary("lagent"), "--list-sensors"])
        self.assertEqual(res.returncode, 0, res.stderr)
        text = res.stdout
        # Split the listing into one block per sensor: a line holding only its name.
        starts = {}
        for m in re.finditer(r"^(\w+)\s*$", text, re.M):
            if m.group(1) in tl.SENSORS:
                starts[m.group(1)] = m.start()
        self.assertEqual(sorted(starts), sorted(tl.SENSORS), "sensors listed:\n" + text)
        self.assertRegex(text, r"(?m)^GPU\s*$", "the GPU sensor (new in 0.4) is listed too")
        ordered = sorted(starts.items(), key=lambda kv: kv[1])
        for i, (name, pos) in enumerate(ordered):
            end = ordered[i + 1][1] if i + 1 < len(ordered) else len(text)
            block = text[pos:end]
            self.assertIn("time_interval", block, "%s lists no time_interval" % name)
            for field in EXPECTED_FIELDS.get(name, []):
                self.assertRegex(block, r"(?m)^\s+%s\b" % re.escape(field),
                                 "%s does not list its field %s:\n%s" % (name, field, block))
        # Beyond the original's sensors: RAPL energy, with its fields and option.
        energy = re.search(r"(?ms)^Energy\s*$(.*?)(?=^\w+\s*$|\Z)", text)
        self.assertIsNotNone(energy, "Energy not listed:\n" + text)
        for line in ("<zone>.joules", "<zone>.watts", "powercap root", "time_interval"):
            self.assertIn(line, energy.group(1))


if __name__ == "__main__":
    tl.main()
