"""lmaster and lagent as fixtures: a config written from a dict, started in the
foreground or daemonised, stopped by pid."""

import os

from .build_dir import binary
from .files import merge_config, read_pidfile, read_text, write_ini
from .munge import ensure_munged
from .net import free_port, port_listening
from .process import Proc, pid_alive, pid_comm, pids_with_arg, run, start, stop, wait_until

# The 20 host sensors of FrUCToSA 0.3.2, in the order of its example lagent.conf.
SENSORS = [
    "CPUPercent", "VirtualMemory", "CPUTimes", "CPUTimesPercent", "CPUCount", "CPUStats",
    "CPUFreq", "SwapMemory", "DiskPartitions", "DiskUsage", "DiskIOCounters",
    "NetIOCounters", "NetConnections", "NetIFAddrs", "NetIFStats", "SensorsTemperatures",
    "SensorsFans", "SensorsBattery", "BootTime", "Users",
]
# The host sensors added since (fabric, parallel file systems, hardware counters, processes).
NEW_SENSORS = ["InfiniBand", "NFSClient", "LustreClient", "HardwareCounters", "TopProcesses"]
# Every host sensor lagent has, in the order of `lagent --list-sensors`.
ALL_SENSORS = SENSORS + NEW_SENSORS


class _Daemon:
    """Common part of the Lmaster and Lagent fixtures: a config written from a dict
    (defaults merged with overrides), started in the foreground (`run`, our child) or
    daemonised (`start` with a pidfile), stopped by pid."""

    program = None

    def __init__(self, test, name, config):
        self.test = test
        self.name = name
        self.dir = test.subdir(name)
        self.conf_path = os.path.join(self.dir, self.program + ".conf")
        self.pidfile = os.path.join(self.dir, self.program + ".pid")
        self.log_path = os.path.join(self.dir, self.program + ".log")     # its own [logging] file
        self.console_path = os.path.join(self.dir, "console.out")        # stdout/stderr of `run`
        self.config = config
        self.proc = None
        self._cleanup_registered = False

    def write_config(self):
        write_ini(self.conf_path, self.config)
        return self.conf_path

    def argv(self, command):
        return [binary(self.program), command, "-c", self.conf_path, "-p", self.pidfile]

    def _register_cleanup(self):
        if not self._cleanup_registered:
            self.test.addCleanup(self.stop)
            self._cleanup_registered = True

    def run(self):
        """Starts `PROGRAM run` in the foreground, as a child of the test."""
        self.test.need_binaries(self.program)
        self.write_config()
        self._register_cleanup()
        self.proc = start(self.argv("run"), log_path=self.console_path, name=self.name)
        return self

    def start(self, check=True):
        """Runs `PROGRAM start` (returns once the daemon is ready or failed). Returns the
        CompletedProcess; with check, fails the test on a non-zero exit."""
        self.test.need_binaries(self.program)
        self.write_config()
        self._register_cleanup()
        res = run(self.argv("start"), timeout=60)
        pid = read_pidfile(self.pidfile)
        if pid and pid_alive(pid) and pid_comm(pid) == self.program[:15]:
            self.proc = Proc(pid, self.name)
        if check and res.returncode != 0:
            raise AssertionError("%s start failed (exit %d):\n%s%s"
                                 % (self.program, res.returncode, res.stdout, res.stderr))
        return res

    def command(self, command, timeout=60):
        """Runs `PROGRAM <command> -c CONF -p PIDFILE` (status, stop, ...)."""
        return run(self.argv(command), timeout=timeout)

    def stop(self):
        """Stops what this fixture started, by pid; also any stray process started with
        this fixture's (unique) config file."""
        if self.proc is not None:
            stop(self.proc, timeout=20)
            self.proc = None
        for pid in pids_with_arg(self.conf_path):
            stop(Proc(pid, self.name), timeout=10)

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def log(self):
        """Its [logging] file (plus the console output of a foreground run)."""
        return read_text(self.log_path) + read_text(self.console_path)


class Lmaster(_Daemon):
    """lmaster listening on a free port, sending to `carbon` (a CarbonCache or None)."""

    program = "lmaster"

    def __init__(self, test, carbon=None, overrides=None, name="lmaster", port=None, auth="none"):
        self.port = port or free_port()
        if auth == "munge":
            ensure_munged()
        base = {
            # auth = none unless the test asks for munge (the daemons' default).
            "lmaster": {"host": "127.0.0.1", "incoming data port": self.port,
                        "self metrics interval": 1, "auth": auth},
            "Graphite": {"host": "127.0.0.1",
                         "carbon receiver pickle port": carbon.pickle_port if carbon else free_port(),
                         "carbon receiver plaintext port": carbon.line_port if carbon else free_port(),
                         "protocol": "pickle", "send": "yes"},
            "logging": {},
            # Never the system's /var/lib/fructosa: a registry file of this test's own.
            "registry": {"path": None},
            # Only tests with a Slurm cluster enrich job records (they set conf).
            "slurm": {"enrich": "no"},
        }
        super().__init__(test, name, None)
        base["registry"]["path"] = os.path.join(self.dir, "registry.db")
        base["Graphite"]["spool directory"] = os.path.join(self.dir, "spool")
        self.registry_path = base["registry"]["path"]
        base["logging"] = {"filename": self.log_path, "level": "DEBUG"}
        self.config = merge_config(base, overrides)

    def wait_listening(self, timeout=15):
        def listening():
            if self.proc is not None and not self.proc.alive():
                raise AssertionError("lmaster exited:\n" + self.log()[-3000:])
            return port_listening(self.port)
        wait_until(listening, timeout, "lmaster to listen on %d" % self.port)
        return self

    def self_series_prefix(self):
        return "fructosa.lmaster"


class Lagent(_Daemon):
    """lagent reporting as `hostname` to an lmaster on `master_port`, with `sensors`
    (names, or {name: {option: value}}) sampled every `interval` seconds."""

    program = "lagent"

    def __init__(self, test, master_port, hostname="testnode1", sensors=("VirtualMemory",),
                 interval=1, overrides=None, name="lagent", auth="none"):
        super().__init__(test, name, None)
        self.hostname = hostname
        if auth == "munge":
            ensure_munged()
        base = {
            # auth = none unless the test asks for munge (the daemons' default).
            "lmaster": {"host": "127.0.0.1", "incoming data port": master_port, "auth": auth},
            "lagent": {"hostname": hostname, "batch interval": 1, "self metrics interval": 1,
                       "spool directory": os.path.join(self.dir, "spool")},
            "logging": {"filename": self.log_path, "level": "DEBUG"},
            # A private socket for the SPANK plugin, never /run/fructosa.
            "jobs": {"socket": os.path.join(self.dir, "lagent.sock")},
        }
        if not isinstance(sensors, dict):
            sensors = {s: {} for s in sensors}
        for s, opts in sensors.items():
            section = {"time_interval": interval}
            section.update(opts)
            base["sensor:" + s] = section
        self.config = merge_config(base, overrides)


class Perad(_Daemon):
    """perad classifying the jobs of the registry at `registry_path` (made by an lmaster)
    every second; no Graphite unless `carbon` is given."""

    program = "perad"

    def __init__(self, test, registry_path, carbon=None, overrides=None, name="perad"):
        super().__init__(test, name, None)
        self.registry_path = registry_path
        base = {
            "registry": {"path": registry_path},
            "perad": {"poll interval": 1},
            "logging": {"filename": self.log_path, "level": "DEBUG"},
        }
        if carbon is not None:
            base["graphite"] = {"host": "127.0.0.1", "carbon receiver plaintext port": carbon.line_port}
        self.config = merge_config(base, overrides)
