"""fructosad, the stack controller (scripts/fructosad, installed as /usr/sbin/fructosad by
fructosa-common), driving a private stack in direct mode from the test's own
fructosa.conf: carbon-cache, lmaster, perad, lagent start in that order, each ready
before the next; `status` prints one line per service with its figures and reflects a
killed service; `stop` goes in reverse. Also its --help and configuration errors
(file, line, key).

Run:  /usr/bin/python3 test_fructosad.py --build-dir BUILD
"""

import os
import re
import signal

import fructosa_testlib as tl

FRUCTOSAD = os.path.join(tl.REPO_ROOT, "scripts", "fructosad")
ORDER = ["carbon-cache", "lmaster", "perad", "lagent"]


def start_time(pid):
    """The process's start in clock ticks since boot (/proc/<pid>/stat field 22)."""
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


class Fructosad(tl.FructosaTestCase):

    def fructosad(self, *args, timeout=120):
        return tl.run(["sh", FRUCTOSAD] + list(args), timeout=timeout)

    def write_conf(self, text):
        path = os.path.join(self.tmp, "fructosa.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_help_and_configuration_errors_name_file_line_and_key(self):
        res = self.fructosad("--help")
        self.assertEqual(res.returncode, 0)
        self.assertTrue(res.stdout.startswith("Usage: fructosad start|stop|restart|status [-c FILE] [SERVICE...]\n"))
        cases = [
            ("[fructosad]\nservices = lagent, grafana\n",
             ':2: [fructosad] services: unknown service "grafana" (carbon-cache, graphite-web, lmaster, perad, lagent)'),
            ("[fructosad]\nservices = lagent\ninit = upstart\n",
             ':3: [fructosad] init: "upstart" is not one of auto, systemd, openrc, direct'),
            ("[fructosad]\nservices = lagent\n[service:lagent]\nreadyport = 1\n",
             ":4: [service:lagent] readyport: unknown key (unit, openrc, program, config, pidfile, start command, "
             "stop command, ready port, status file)"),
            ("[fructosad]\nservices = lagent\n[service:lagent]\nready port = 7888\n",
             ':4: [service:lagent] ready port: "7888" is not HOST:PORT'),
        ]
        for text, message in cases:
            with self.subTest(message=message):
                path = self.write_conf(text)
                res = self.fructosad("status", "-c", path)
                self.assertEqual(res.returncode, 2, res.stdout)
                self.assertEqual(res.stderr, path + message + "\n")
        res = self.fructosad("reload", "-c", path)
        self.assertEqual((res.returncode, res.stderr),
                         (2, "fructosad: unknown argument 'reload' (see fructosad --help)\n"))

    def test_brings_up_a_private_stack_in_order_reports_it_and_tears_it_down_in_reverse(self):
        carbon = tl.CarbonCache(self)
        carbon.write_config()
        master = tl.Lmaster(self, carbon,
                            overrides={"lmaster": {"status file": os.path.join(self.tmp, "lmaster.status")}})
        master.write_config()
        perad = tl.Perad(self, master.registry_path,
                         overrides={"perad": {"status file": os.path.join(self.tmp, "perad.status")}})
        perad.write_config()
        agent = tl.Lagent(self, master.port, hostname="fdnode",
                          overrides={"lagent": {"status file": os.path.join(self.tmp, "lagent.status")}})
        agent.write_config()
        for d in (master, perad, agent):
            self.addCleanup(d.stop)  # by config file, also when fructosad did not stop it
        carbon_cmd = "carbon-cache --config=%s --pidfile=%s" % (carbon.conf_path, carbon.pidfile)
        self.addCleanup(lambda: tl.run(["sh", "-c", carbon_cmd + " stop"]))

        def service(name, d, status_file):
            return ("[service:%s]\nprogram = %s\nconfig = %s\npidfile = %s\nstatus file = %s\n"
                    % (name, tl.binary(name), d.conf_path, d.pidfile, status_file))
        conf = self.write_conf(
            "# the test's own stack\n[fructosad]\nservices = carbon-cache, lmaster, perad, lagent\n"
            "init = direct\nready timeout = 30\n"
            "[service:carbon-cache]\nstart command = %s start\nstop command = %s stop\npidfile = %s\n"
            "ready port = 127.0.0.1:%d\n" % (carbon_cmd, carbon_cmd, carbon.pidfile, carbon.pickle_port)
            + service("lmaster", master, master.config["lmaster"]["status file"])
            + "ready port = 127.0.0.1:%d\n" % master.port
            + service("perad", perad, os.path.join(self.tmp, "perad.status"))
            + service("lagent", agent, os.path.join(self.tmp, "lagent.status")))

        res = self.fructosad("start", "-c", conf)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual([line.split(":")[0] for line in res.stdout.splitlines()], ORDER, res.stdout)
        for line in res.stdout.splitlines():
            self.assertRegex(line, r"^[a-z-]+: started \(pid \d+\)$")
        pids = {name: tl.read_pidfile(path) for name, path in
                (("carbon-cache", carbon.pidfile), ("lmaster", master.pidfile), ("perad", perad.pidfile),
                 ("lagent", agent.pidfile))}
        starts = [start_time(pids[n]) for n in ORDER]
        self.assertEqual(starts, sorted(starts), "started out of order: %s" % pids)
        # Each was ready before the next started: lagent's data reaches carbon at once.
        carbon.wait_for_values("fdnode.VirtualMemory.total", timeout=30)

        def status():
            return self.fructosad("status", "-c", conf)
        tl.wait_until(lambda: "agents_connected=1" in status().stdout and "jobs_tracked=0" in status().stdout
                      and "jobs_classified=0" in status().stdout, 30, "status to show the daemons' figures")
        res = status()
        self.assertEqual(res.returncode, 0, res.stdout)
        lines = res.stdout.splitlines()
        self.assertEqual([line.split()[0] for line in lines], ORDER)
        for line, name in zip(lines, ORDER):
            self.assertRegex(line, r"^%s\s+running\s+pid %d\b" % (re.escape(name), pids[name]))
        self.assertRegex(lines[1], r" agents_connected=1 points_queued=\d+ points_dropped=0 graphite_connected=1 "
                                   r"\(\d+ s ago\)$")
        self.assertRegex(lines[2], r" jobs_classified=0 \(\d+ s ago\)$")
        self.assertRegex(lines[3], r" points_queued=\d+ points_dropped=0 reconnects=0 jobs_tracked=0 \(\d+ s ago\)$")

        # A killed service shows as dead, and status says something is wrong.
        os.kill(pids["lagent"], signal.SIGKILL)
        tl.wait_until(lambda: not tl.pid_alive(pids["lagent"]), 10, "lagent to die")
        res = status()
        self.assertEqual(res.returncode, 3, res.stdout)
        self.assertRegex(res.stdout.splitlines()[3], r"^lagent\s+dead\s*$")
        self.assertRegex(res.stdout.splitlines()[1], r"^lmaster\s+running\s+pid")

        # start again brings up only what is missing.
        res = self.fructosad("start", "-c", conf)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(res.stdout.splitlines()[:3],
                         ["carbon-cache: already running", "lmaster: already running", "perad: already running"])
        self.assertRegex(res.stdout.splitlines()[3], r"^lagent: started \(pid \d+\)$")

        res = self.fructosad("stop", "-c", conf)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(res.stdout.splitlines(), ["%s: stopped" % n for n in reversed(ORDER)])
        for name in ORDER:
            pid = pids[name] if name != "lagent" else 0
            if pid:
                self.assertFalse(tl.pid_alive(pid), name)
        res = status()
        self.assertEqual(res.returncode, 3)
        self.assertEqual([line.split()[:2] for line in res.stdout.splitlines()],
                         [[n, "stopped"] for n in ORDER])


if __name__ == "__main__":
    tl.main()
