"""FrUCToSA's Debian packages, as an admin gets them: built from the build tree
(scripts/build-packages.sh, lintian without errors), holding what they promise
(programs, conffiles under /etc/fructosa, units, OpenRC scripts, logrotate files, man
pages, maintainer scripts, declared dependencies), and installed into a throwaway root
(`dpkg-deb -x`) where lmaster, perad and lagent start from the installed configs and
the units' own ExecStartPre/ExecStart lines (rewritten into the root, private ports)
and report data. Nothing outside the root changes.

Run:  /usr/bin/python3 test_packages.py --build-dir BUILD
"""

import os
import subprocess

import fructosa_testlib as tl
from fructosa_testlib import packages as pk
from test_signals import insert_finished_job, verdict_of

DAEMONS = {"lagent": "fructosa-agent", "lmaster": "fructosa-master", "perad": "fructosa-perad"}


class Packages(tl.FructosaTestCase):

    def setUp(self):
        super().setUp()
        self.debs = pk.debs()
        self.before = pk.system_state()
        self.addCleanup(self.assert_system_untouched)

    def assert_system_untouched(self):
        self.assertEqual(pk.system_state(), self.before, "a path outside the throwaway root changed")

    def test_packages_pass_lintian_and_hold_what_they_promise(self):
        self.assertEqual(sorted(self.debs), sorted(pk.PACKAGES))
        # scripts/build-packages.sh ran lintian on these very files (its report beside them);
        # without that report, run it here.
        report = os.path.join(pk.packages_dir(), "lintian.log")
        if os.path.exists(report) and all(os.path.getmtime(report) >= os.path.getmtime(d)
                                          for d in self.debs.values()):
            text = tl.read_text(report)
        else:
            text = subprocess.run(["lintian", "--no-cfg"] + sorted(self.debs.values()),
                                  capture_output=True, text=True, timeout=600).stdout
        errors = [line for line in text.splitlines() if line.startswith("E: ")]
        self.assertEqual(errors, [], text)

        arch = subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True, text=True,
                              check=True).stdout.strip()
        expected = {
            "fructosa-common": ["/usr/sbin/fructosad", "/etc/fructosa/fructosa.conf",
                                "/usr/lib/tmpfiles.d/fructosa-common.conf",
                                "/usr/share/man/man8/fructosad.8.gz", "/usr/share/man/man5/fructosa.conf.5.gz"],
            "fructosa-agent": ["/usr/sbin/lagent", "/usr/lib/%s/slurm-wlm/spank_fructosa.so" % arch,
                               "/etc/slurm/plugstack.conf.d/fructosa.conf", "/etc/fructosa/lagent.conf",
                               "/usr/lib/systemd/system/lagent.service", "/usr/lib/fructosa/openrc/lagent",
                               "/etc/logrotate.d/fructosa-agent", "/usr/share/man/man8/lagent.8.gz",
                               "/usr/share/man/man5/lagent.conf.5.gz"],
            "fructosa-master": ["/usr/sbin/lmaster", "/etc/fructosa/lmaster.conf",
                                "/usr/lib/systemd/system/lmaster.service", "/usr/lib/fructosa/openrc/lmaster",
                                "/etc/logrotate.d/fructosa-master", "/usr/share/man/man8/lmaster.8.gz",
                                "/usr/share/man/man5/lmaster.conf.5.gz"],
            "fructosa-perad": ["/usr/sbin/perad", "/etc/fructosa/perad.conf",
                               "/usr/lib/systemd/system/perad.service", "/usr/lib/fructosa/openrc/perad",
                               "/etc/logrotate.d/fructosa-perad", "/usr/share/man/man8/perad.8.gz",
                               "/usr/share/man/man5/perad.conf.5.gz"],
            "fructosa-dashboards": ["/usr/bin/make-fructosa-dashboard", "/etc/fructosa/dashboard-hosts.ini",
                                    "/usr/share/man/man1/make-fructosa-dashboard.1.gz"],
        }
        for name, deb in sorted(self.debs.items()):
            with self.subTest(package=name):
                files = pk.deb_files(deb)
                for path in expected[name]:
                    self.assertIn(path, files, "%s lacks %s" % (name, path))
                    self.assertEqual(files[path][1], "root/root", path)
                conffiles = (pk.deb_control_file(deb, "conffiles") or "").split()
                self.assertEqual(sorted(conffiles), sorted(p for p in files if p.startswith("/etc/") and
                                                           not files[p][0].startswith("d")),
                                 "every file under /etc is a conffile")
                for script in ("postinst", "prerm", "postrm"):
                    text = pk.deb_control_file(deb, script)
                    if text is not None:
                        check = subprocess.run(["sh", "-n"], input=text, capture_output=True, text=True)
                        self.assertEqual(check.returncode, 0, "%s %s: %s" % (name, script, check.stderr))
                self.assertIn("/usr/share/doc/%s/copyright" % name, files)
        depends = {n: pk.deb_field(d, "Depends") for n, d in self.debs.items()}
        self.assertIn("munge", depends["fructosa-agent"])
        self.assertIn("libmunge2", depends["fructosa-agent"])
        self.assertIn("munge", depends["fructosa-master"])
        self.assertIn("libslurm", depends["fructosa-master"])
        self.assertIn("adduser", depends["fructosa-common"])
        for name in ("fructosa-agent", "fructosa-master", "fructosa-perad"):
            self.assertIn("fructosa-common (= ", depends[name])
        # The user and directories come from the maintainer scripts.
        postinst = pk.deb_control_file(self.debs["fructosa-common"], "postinst")
        self.assertIn("adduser --system --group", postinst)
        self.assertIn("install -d -m 0755 -o fructosa -g fructosa /run/fructosa", postinst)
        self.assertIn("install -d -m 0750 -o root -g root /var/spool/fructosa/lagent",
                      pk.deb_control_file(self.debs["fructosa-agent"], "postinst"))
        self.assertIn("install -d -m 0750 -o fructosa -g fructosa /var/spool/fructosa/lmaster",
                      pk.deb_control_file(self.debs["fructosa-master"], "postinst"))

    def test_installed_daemons_start_from_the_units_and_installed_configs_and_report_data(self):
        root = os.path.join(self.tmp, "root")
        os.makedirs(root)
        pk.unpack(self.debs, root)
        for d in ("run/fructosa", "var/log/fructosa", "var/lib/fructosa", "var/spool/fructosa/lagent",
                  "var/spool/fructosa/lmaster"):
            os.makedirs(os.path.join(root, d), exist_ok=True)  # postinst's directories
        units = os.path.join(root, "usr/lib/systemd/system")

        # The installed configs are valid as shipped (the units' ExecStartPre).
        for program in DAEMONS:
            argv = pk.unit_argv(root, os.path.join(units, program + ".service"), "ExecStartPre")
            res = tl.run(argv)
            self.assertEqual((res.returncode, res.stdout.strip()),
                             (0, "%s/etc/fructosa/%s.conf: OK" % (root, program)), res.stderr)

        tl.ensure_munged()  # the shipped configs authenticate with MUNGE
        carbon = tl.CarbonCache(self).start()
        port = tl.free_port()
        R = lambda p: root + p  # noqa: E731
        pk.set_ini_keys(R("/etc/fructosa/lmaster.conf"), {
            "lmaster": {"host": "127.0.0.1", "incoming data port": port, "self metrics interval": 1,
                        "status file": R("/run/fructosa/lmaster.status")},
            "Graphite": {"host": "127.0.0.1", "carbon receiver pickle port": carbon.pickle_port,
                         "spool directory": R("/var/spool/fructosa/lmaster")},
            "registry": {"path": R("/var/lib/fructosa/registry.db")},
            "slurm": {"enrich": "no"},
            "logging": {"filename": R("/var/log/fructosa/lmaster.log")},
        })
        pk.set_ini_keys(R("/etc/fructosa/lagent.conf"), {
            "lmaster": {"host": "127.0.0.1", "incoming data port": port},
            "lagent": {"hostname": "pkgnode", "self metrics interval": 1,
                       "spool directory": R("/var/spool/fructosa/lagent"),
                       "status file": R("/run/fructosa/lagent.status")},
            "jobs": {"socket": R("/run/fructosa/lagent.sock")},
            "logging": {"filename": R("/var/log/fructosa/lagent.log")},
        })
        pk.set_ini_keys(R("/etc/fructosa/perad.conf"), {
            "registry": {"path": R("/var/lib/fructosa/registry.db")},
            "perad": {"poll interval": 1, "status file": R("/run/fructosa/perad.status")},
            "logging": {"filename": R("/var/log/fructosa/perad.log")},
        })

        procs = {}
        for program in ("lmaster", "perad", "lagent"):  # perad needs lmaster's registry
            argv = pk.unit_argv(root, os.path.join(units, program + ".service"))
            self.assertEqual(argv[:2], [R("/usr/sbin/" + program), "run"])
            console = os.path.join(self.tmp, program + ".console.log")
            procs[program] = tl.start(argv, log_path=console, name=program)
            self.addCleanup(tl.stop, procs[program])
            if program == "lmaster":
                tl.wait_until(lambda: tl.port_listening(port) or not procs["lmaster"].alive(), 20,
                              "the installed lmaster to listen")
            self.assertTrue(procs[program].alive(), "%s exited:\n%s" % (program, tl.read_text(console)[-3000:]))

        # lagent's host series (installed sensors) and lmaster's own arrive in carbon.
        carbon.wait_for_values("pkgnode.VirtualMemory.total", timeout=40)
        carbon.wait_for_values("pkgnode.CPUCount", timeout=40)
        tl.wait_until(lambda: "agents_connected 1" in tl.read_text(R("/run/fructosa/lmaster.status")), 20,
                      "lmaster's status file to count the agent")
        tl.wait_until(lambda: "jobs_tracked 0" in tl.read_text(R("/run/fructosa/lagent.status")), 20,
                      "lagent's status file")
        # perad classifies from the registry the installed lmaster made.
        insert_finished_job(R("/var/lib/fructosa/registry.db"), 7700)
        self.assertTrue(tl.wait_until(lambda: verdict_of(R("/var/lib/fructosa/registry.db"), 7700), 30,
                                      "the installed perad to classify a job"))
        for program, proc in procs.items():
            self.assertTrue(proc.alive(), program)
            self.assertEqual(tl.read_pidfile(R("/run/fructosa/%s.pid" % program)), proc.pid, program)
            self.assertTrue(os.path.getsize(R("/var/log/fructosa/%s.log" % program)) > 0, program)

        # The OpenRC scripts name the same command lines (and are valid sh).
        for program in DAEMONS:
            script = R("/usr/lib/fructosa/openrc/" + program)
            self.assertEqual(tl.run(["sh", "-n", script]).returncode, 0, program)
            text = tl.read_text(script)
            self.assertTrue(text.startswith("#!/sbin/openrc-run\n"), program)
            self.assertIn("command=/usr/sbin/%s\n" % program, text)
            self.assertIn('command_args="run -c ${%s_config} -p /run/fructosa/%s.pid' % (program, program), text)
        # logrotate's postrotate HUPs the daemon the unit started (its pid file).
        for program, package in DAEMONS.items():
            text = tl.read_text(R("/etc/logrotate.d/" + package))
            self.assertIn("/var/log/fructosa/%s.log {" % program, text)
            self.assertIn('kill -HUP "$(cat /run/fructosa/%s.pid)"' % program, text)

    def test_units_are_valid_and_keep_cgroups_readable_for_lagent(self):
        root = os.path.join(self.tmp, "root")
        os.makedirs(root)
        pk.unpack(self.debs, root)
        units = os.path.join(root, "usr/lib/systemd/system")
        for program in DAEMONS:
            text = tl.read_text(os.path.join(units, program + ".service"))
            with self.subTest(unit=program):
                self.assertIn("After=network-online.target munge.service" if program != "perad"
                              else "After=network-online.target lmaster.service", text)
                self.assertIn("Restart=on-failure\n", text)
                self.assertIn("ExecReload=/bin/kill -HUP $MAINPID\n", text)
                if program == "lagent":
                    self.assertNotIn("User=", text)  # root: every job's cgroup and /proc/<pid>/io
                    for hides in ("ProtectProc=", "PrivateDevices=", "CapabilityBoundingSet=", "ProcSubset="):
                        self.assertNotIn(hides, text)
                    self.assertIn("ProtectControlGroups=yes", text)  # read-only, still readable
                else:
                    self.assertIn("User=fructosa\n", text)
        analyze = "/usr/bin/systemd-analyze"
        if os.access(analyze, os.X_OK):
            # systemd's own check of the units: keys, values, binaries (looked up under the root).
            for program in DAEMONS:
                unit = os.path.join(self.tmp, program + ".service")
                with open(unit, "w") as f:
                    f.write(pk.into_root(root, tl.read_text(os.path.join(units, program + ".service"))))
                res = subprocess.run([analyze, "verify", "--man=no", unit], capture_output=True, text=True,
                                     timeout=60)
                problems = [line for line in (res.stdout + res.stderr).splitlines()
                            if program + ".service:" in line]
                self.assertEqual(problems, [], res.stdout + res.stderr)
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)


if __name__ == "__main__":
    tl.main()
