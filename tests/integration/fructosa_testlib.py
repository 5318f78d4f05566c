"""Shared fixtures for FrUCToSA's integration tests (standard library only).

Every test starts private components: its own temporary directory, its own ports on
127.0.0.1, its own carbon.conf, lmaster.conf and lagent.conf. Every fixture stops
exactly the processes it started, by pid, also when the test fails (addCleanup).

Run a test file as  /usr/bin/python3 test_x.py --build-dir BUILD [unittest options].
Debian's /usr/bin/python3 is needed: carbon, whisper and graphite-web import only there.

Environment:
  FRUCTOSA_KEEP_TMP=1   keep the temporary directory of a failed test (its path is printed)
  FRUCTOSA_BUILD_DIR    build directory when --build-dir is not given (default <repo>/build)
"""

import contextlib
import errno
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.environ.get("FRUCTOSA_BUILD_DIR", os.path.join(REPO_ROOT, "build"))

# The 20 host sensors of FrUCToSA 0.3.2, in the order of its example lagent.conf.
SENSORS = [
    "CPUPercent", "VirtualMemory", "CPUTimes", "CPUTimesPercent", "CPUCount", "CPUStats",
    "CPUFreq", "SwapMemory", "DiskPartitions", "DiskUsage", "DiskIOCounters",
    "NetIOCounters", "NetConnections", "NetIFAddrs", "NetIFStats", "SensorsTemperatures",
    "SensorsFans", "SensorsBattery", "BootTime", "Users",
]


# ----------------------------------------------------------------------------------------
# Entry point


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


# ----------------------------------------------------------------------------------------
# Small helpers


class WaitTimeout(AssertionError):
    pass


def wait_until(predicate, timeout, what, interval=0.1):
    """Calls predicate() until it returns something truthy and returns that.

    Fails with an AssertionError naming `what` after `timeout` seconds; the last
    exception raised by predicate (if any) is added to the message. An AssertionError
    raised by predicate (e.g. "the daemon exited") fails at once."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
            last_error = None
        except AssertionError:
            raise
        except Exception as e:  # the predicate may read files that do not exist yet
            last_error = e
        if time.monotonic() >= deadline:
            msg = "timed out after %.1f s waiting for %s" % (timeout, what)
            if last_error is not None:
                msg += " (last error: %r)" % (last_error,)
            raise WaitTimeout(msg)
        time.sleep(interval)


_ports_handed_out = set()


def free_port():
    """A TCP port on 127.0.0.1 that is free now.

    Taken below the kernel's ephemeral range (32768+), so outgoing connections of other
    processes cannot grab it between this call and the bind of the component."""
    for _ in range(1000):
        port = random.randint(20000, 32000)
        if port in _ports_handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_handed_out.add(port)
        return port
    raise RuntimeError("no free port found")


def port_open(port, host="127.0.0.1"):
    """True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect((host, port))
            return True
        except OSError:
            return False


def port_listening(port):
    """True when some socket listens on TCP `port` (read from /proc/net/tcp and tcp6,
    so that, unlike port_open, no connection is made that the server would see)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in read_text(table).splitlines()[1:]:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def pid_alive(pid):
    """True while `pid` exists and is not a zombie (an exited process nobody reaped)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat[stat.rfind(")") + 2:].split()[0]
    return state not in ("Z", "X")


def pid_comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def pids_with_arg(text):
    """Pids of live processes one of whose command-line arguments contains `text`.

    Tests pass unique temporary paths (config files) to what they start, so this finds
    exactly their own processes."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if any(text.encode() in a for a in args) and pid_alive(int(name)):
            found.append(int(name))
    return found


def proc_status_kib(pid, key):
    """A figure of /proc/<pid>/status in KiB (VmRSS, VmHWM, ...); 0 when absent."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def run(argv, env=None, timeout=60, input=None, cwd=None):
    """Runs argv to completion; returns CompletedProcess with text stdout and stderr."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(argv, env=full_env, input=input, cwd=cwd, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Proc:
    """A process a test started: its pid, and the Popen object when it is our child."""

    def __init__(self, pid, name, log_path=None, popen=None):
        self.pid = pid
        self.name = name
        self.comm = pid_comm(pid)  # guards stop() against a recycled pid
        self.log_path = log_path
        self.popen = popen

    def alive(self):
        if self.popen is not None and self.popen.poll() is not None:
            return False
        return pid_alive(self.pid) and (not self.comm or pid_comm(self.pid) == self.comm)

    def returncode(self):
        return self.popen.poll() if self.popen is not None else None

    def __repr__(self):
        return "<Proc %s pid %d>" % (self.name, self.pid)


def start(argv, env=None, log_path=None, cwd=None, name=None):
    """Starts argv in the background (own session, stdin from /dev/null, stdout and
    stderr into log_path or discarded). Returns a Proc; stop it with stop()."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        popen = subprocess.Popen(argv, env=full_env, cwd=cwd, stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        if log_path:
            out.close()
    proc = Proc(popen.pid, name or os.path.basename(argv[0]), log_path, popen)
    # comm is read right after exec; before exec it is python's. Retry briefly.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and popen.poll() is None:
        comm = pid_comm(popen.pid)
        if comm and comm != pid_comm(os.getpid()):
            proc.comm = comm
            break
        time.sleep(0.01)
    else:
        proc.comm = ""
    return proc


def stop(proc, timeout=15):
    """Stops a process started by this test, by pid: SIGTERM, wait, SIGKILL after
    `timeout` seconds. Returns True when it ended within the timeout."""
    if proc is None:
        return True
    if not proc.alive():
        if proc.popen is not None:
            proc.popen.wait()
        return True
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    ended = True
    try:
        if proc.popen is not None:
            proc.popen.wait(timeout)
        else:
            wait_until(lambda: not pid_alive(proc.pid), timeout, "%s to exit" % proc)
    except (subprocess.TimeoutExpired, WaitTimeout):
        ended = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        if proc.popen is not None:
            proc.popen.wait()
        else:
            with contextlib.suppress(WaitTimeout):
                wait_until(lambda: not pid_alive(proc.pid), 5, "%s to die" % proc)
    return ended


def write_ini(path, sections):
    """Writes {section: {key: value}} as an INI file; a value of None leaves the key out."""
    lines = []
    for section, entries in sections.items():
        lines.append("[%s]" % section)
        for key, value in entries.items():
            if value is not None:
                lines.append("%s = %s" % (key, value))
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def merge_config(base, overrides):
    """base updated by overrides ({section: {key: value or None to remove}} or
    {section: None} to remove a section). Returns a new dict."""
    result = {s: dict(e) for s, e in base.items()}
    for section, entries in (overrides or {}).items():
        if entries is None:
            result.pop(section, None)
            continue
        target = result.setdefault(section, {})
        for key, value in entries.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
    return result


def short_hostname():
    return socket.gethostname().split(".")[0]


# ----------------------------------------------------------------------------------------
# The agent protocol by hand (common/wire.h), for tests that play a (hostile) agent


def wire_frame(ftype, payload, version=1):
    """One frame: "FR", version, type, u32 big-endian length, payload."""
    return b"FR" + bytes([version, ftype]) + struct.pack(">I", len(payload)) + payload


def wire_str16(text):
    b = text.encode() if isinstance(text, str) else text
    return struct.pack(">H", len(b)) + b


def wire_hello(host, method="none", credential="", version_text="test"):
    cred = credential.encode() if isinstance(credential, str) else credential
    return wire_frame(1, wire_str16(host) + wire_str16(version_text) + wire_str16(method) +
                      struct.pack(">I", len(cred)) + cred)


def wire_batch(seq, points, count=None):
    """A batch of (path, timestamp, value); `count` may lie about the number of points."""
    body = [struct.pack(">QI", seq, len(points) if count is None else count)]
    for path, ts, value in points:
        body.append(wire_str16(path) + struct.pack(">dd", ts, value))
    return wire_frame(2, b"".join(body))


# ----------------------------------------------------------------------------------------
# Test case base


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


# ----------------------------------------------------------------------------------------
# carbon-cache


class CarbonCache:
    """A private carbon-cache (Debian graphite-carbon) on free ports of 127.0.0.1.

    Data lands in <dir>/storage/whisper with a 1s:1d schema. Read it back with
    series() and values(); remember that points the cache has not flushed yet are not
    in the files: poll (wait_for_values)."""

    def __init__(self, test, name="carbon", retentions="1s:1d"):
        self.test = test
        self.dir = test.subdir(name)
        self.conf_dir = os.path.join(self.dir, "conf")
        self.storage_dir = os.path.join(self.dir, "storage")
        self.whisper_dir = os.path.join(self.storage_dir, "whisper")
        self.log_dir = os.path.join(self.dir, "log")
        self.pid_dir = os.path.join(self.dir, "run")
        self.pidfile = os.path.join(self.pid_dir, "carbon-cache.pid")
        self.conf_path = os.path.join(self.conf_dir, "carbon.conf")
        self.retentions = retentions
        self.line_port = free_port()
        self.pickle_port = free_port()
        self.query_port = free_port()
        self.proc = None

    def write_config(self):
        for d in (self.conf_dir, self.whisper_dir, self.log_dir, self.pid_dir,
                  os.path.join(self.storage_dir, "lists")):
            os.makedirs(d, exist_ok=True)
        settings = {
            "STORAGE_DIR": self.storage_dir,
            "LOCAL_DATA_DIR": self.whisper_dir,
            "WHITELISTS_DIR": os.path.join(self.storage_dir, "lists"),
            "CONF_DIR": self.conf_dir,
            "LOG_DIR": self.log_dir,
            "PID_DIR": self.pid_dir,
            "USER": "",
            "ENABLE_LOGROTATION": "False",
            "MAX_CACHE_SIZE": "inf",
            "MAX_UPDATES_PER_SECOND": "100000",
            "MAX_CREATES_PER_MINUTE": "inf",
            "LINE_RECEIVER_INTERFACE": "127.0.0.1",
            "LINE_RECEIVER_PORT": str(self.line_port),
            "ENABLE_UDP_LISTENER": "False",
            "PICKLE_RECEIVER_INTERFACE": "127.0.0.1",
            "PICKLE_RECEIVER_PORT": str(self.pickle_port),
            "CACHE_QUERY_INTERFACE": "127.0.0.1",
            "CACHE_QUERY_PORT": str(self.query_port),
            "LOG_LISTENER_CONN_SUCCESS": "True",
            "LOG_UPDATES": "False",
            "LOG_CREATES": "True",
            "ENABLE_TAGS": "False",
            "CARBON_METRIC_INTERVAL": "0",
            "WHISPER_AUTOFLUSH": "False",
        }
        write_ini(self.conf_path, {"cache": settings})
        with open(os.path.join(self.conf_dir, "storage-schemas.conf"), "w") as f:
            f.write("[everything]\npattern = .*\nretentions = %s\n" % self.retentions)

    def start(self, timeout=20):
        self.write_config()
        self.test.addCleanup(self.stop)
        res = run(["carbon-cache", "--config=" + self.conf_path, "--pidfile=" + self.pidfile,
                   "start"], timeout=timeout)
        pid = read_pidfile(self.pidfile)
        if pid:
            self.proc = Proc(pid, "carbon-cache")
        if res.returncode != 0 or not pid:
            raise AssertionError("carbon-cache start failed (exit %d):\n%s%s"
                                 % (res.returncode, res.stdout, res.stderr))
        wait_until(lambda: port_listening(self.line_port) and port_listening(self.pickle_port),
                   timeout, "carbon-cache to listen on %d and %d" % (self.line_port, self.pickle_port))
        return self

    def stop(self):
        if self.proc is not None:
            stop(self.proc, timeout=15)
            self.proc = None

    def log(self, name="console.log"):
        """Text of one of carbon's logs: console.log, listener.log, creates.log."""
        return read_text(os.path.join(self.log_dir, "carbon-cache-a", name))

    # --- reading what landed ---

    def file_of(self, path):
        return os.path.join(self.whisper_dir, *path.split(".")) + ".wsp"

    def series(self, prefix=""):
        """Sorted dotted names of every series that has a whisper file (under `prefix`)."""
        found = []
        for root, _, files in os.walk(self.whisper_dir):
            for f in files:
                if f.endswith(".wsp"):
                    rel = os.path.relpath(os.path.join(root, f[:-4]), self.whisper_dir)
                    name = rel.replace(os.sep, ".")
                    if not prefix or name == prefix or name.startswith(prefix + "."):
                        found.append(name)
        return sorted(found)

    def values(self, path, since=None, until=None):
        """[(timestamp, value), ...] of the points of `path` in its whisper file
        (None values left out); [] when the file does not exist yet."""
        import whisper
        file = self.file_of(path)
        if not os.path.exists(file):
            return []
        now = int(time.time())
        since = int(since) if since is not None else now - 3600
        until = int(until) if until is not None else now + 1
        try:
            (start, _, step), vals = whisper.fetch(file, since, until)
        except (whisper.WhisperException, OSError, ValueError):
            return []  # a file being created
        return [(start + i * step, v) for i, v in enumerate(vals) if v is not None]

    def latest(self, path, since=None):
        """The newest value of `path`, or None."""
        vals = self.values(path, since)
        return vals[-1][1] if vals else None

    def wait_for_values(self, path, timeout=20, since=None, count=1):
        """Waits until `path` has at least `count` points (newer than `since`); returns them."""
        def enough():
            v = self.values(path, since)
            return v if len(v) >= count else None
        return wait_until(enough, timeout, "%d point(s) of %s in carbon" % (count, path), 0.2)

    def wait_for_series(self, prefix, timeout=20):
        return wait_until(lambda: self.series(prefix), timeout,
                          "a series under %s in carbon" % prefix, 0.2)

    def send_plaintext(self, lines):
        """Sends 'path value timestamp' lines to the line receiver."""
        data = "".join(l.rstrip("\n") + "\n" for l in lines).encode()
        with socket.create_connection(("127.0.0.1", self.line_port), timeout=5) as s:
            s.sendall(data)


# ----------------------------------------------------------------------------------------
# graphite-web


class GraphiteWeb:
    """graphite-web under gunicorn on a free port, reading a CarbonCache's whisper files
    and asking its cache (CarbonLink) for points not yet flushed."""

    def __init__(self, test, carbon, name="graphite-web"):
        self.test = test
        self.carbon = carbon
        self.dir = test.subdir(name)
        self.log_dir = os.path.join(self.dir, "log")
        self.port = free_port()
        # A unique module name: graphite appends /etc/graphite to sys.path, and a module
        # named local_settings that fails to import would silently fall back to the system one.
        self.module = "fructosa_graphite_settings_%d_%d" % (os.getpid(), self.port)
        self.pidfile = os.path.join(self.dir, "gunicorn.pid")
        self.proc = None

    def env(self):
        return {"PYTHONPATH": self.dir, "GRAPHITE_SETTINGS_MODULE": self.module,
                "DJANGO_SETTINGS_MODULE": "graphite.settings"}

    def write_settings(self):
        os.makedirs(self.log_dir, exist_ok=True)
        os.makedirs(self.carbon.whisper_dir, exist_ok=True)
        settings = {
            "SECRET_KEY": "fructosa-test-%d" % self.port,
            "STORAGE_DIR": self.carbon.storage_dir,
            "WHISPER_DIR": self.carbon.whisper_dir,
            "STANDARD_DIRS": [self.carbon.whisper_dir],
            "LOG_DIR": self.log_dir,
            "INDEX_FILE": os.path.join(self.dir, "index"),
            "DATABASES": {"default": {"NAME": os.path.join(self.dir, "graphite.db"),
                                      "ENGINE": "django.db.backends.sqlite3",
                                      "USER": "", "PASSWORD": "", "HOST": "", "PORT": ""}},
            "CARBONLINK_HOSTS": ["127.0.0.1:%d:a" % self.carbon.query_port],
            "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
            "TIME_ZONE": "UTC",
            "LOG_ROTATION": False,
        }
        with open(os.path.join(self.dir, self.module + ".py"), "w") as f:
            for k, v in settings.items():
                f.write("%s = %r\n" % (k, v))

    def start(self, timeout=30):
        self.write_settings()
        res = run(["django-admin", "migrate", "--run-syncdb"], env=self.env(), timeout=120)
        if res.returncode != 0:
            raise AssertionError("graphite-web migrate failed:\n%s%s" % (res.stdout, res.stderr))
        self.test.addCleanup(self.stop)
        self.proc = start(["gunicorn", "--bind", "127.0.0.1:%d" % self.port, "--pid", self.pidfile,
                           "--workers", "1", "--timeout", "60", "graphite.wsgi:application"],
                          env=self.env(), log_path=os.path.join(self.dir, "gunicorn.log"),
                          cwd=self.dir, name="gunicorn")

        def answers():
            if not self.proc.alive():
                raise AssertionError("gunicorn exited:\n" + read_text(self.proc.log_path)[-3000:])
            return self._get("/metrics/find", {"query": "*"}, raw=True) is not None
        wait_until(answers, timeout, "graphite-web to answer on port %d" % self.port, 0.2)
        return self

    def stop(self):
        if self.proc is not None:
            stop(self.proc, timeout=15)
            self.proc = None

    def _get(self, route, params, raw=False):
        url = "http://127.0.0.1:%d%s?%s" % (self.port, route, urllib.parse.urlencode(params))
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                body = r.read()
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            if raw:
                return None
            raise
        return body if raw else json.loads(body)

    def render(self, target, from_="-10min", until="now"):
        """/render as JSON: [{"target": ..., "datapoints": [[value, ts], ...]}, ...].
        from_/until: graphite time specs or epoch seconds."""
        return self._get("/render", {"target": target, "from": str(from_), "until": str(until),
                                     "format": "json"})

    def find(self, query):
        """/metrics/find in JSON: a list of {"path", "is_leaf", "intervals"}."""
        return self._get("/metrics/find", {"query": query, "format": "json"})

    def render_values(self, target, from_="-10min", until="now"):
        """{target name: [(ts, value), ...] without None} for a render."""
        return {s["target"]: [(ts, v) for v, ts in s["datapoints"] if v is not None]
                for s in self.render(target, from_, until)}


# ----------------------------------------------------------------------------------------
# munge


def munged_running():
    """True when the machine's munged answers (`munge -n | unmunge`)."""
    try:
        cred = run(["munge", "-n"], timeout=10)
        if cred.returncode != 0:
            return False
        return run(["unmunge"], input=cred.stdout, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def ensure_munged(timeout=10):
    """Starts the system munged when it is not running (the one shared daemon tests
    may start: notes/virtual-cluster.md), as root; fails when it cannot answer."""
    if munged_running():
        return
    if os.geteuid() == 0:
        subprocess.run("mkdir -p /run/munge && chown munge:munge /run/munge && "
                       "su -s /bin/sh munge -c /usr/sbin/munged", shell=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    wait_until(munged_running, timeout, "munged to answer (munge -n | unmunge)", 0.2)


def munge_credential(payload, uid=None):
    """A MUNGE credential (text) whose payload is `payload`; made by `uid` when given
    (runuser as that user's name, root needed)."""
    argv = ["munge", "-s", payload]
    if uid is not None:
        import pwd
        argv = ["runuser", "-u", pwd.getpwuid(uid).pw_name, "--"] + argv
    res = run(argv, timeout=10)
    if res.returncode != 0:
        raise AssertionError("munge failed: %s" % res.stderr)
    return res.stdout.strip()


# ----------------------------------------------------------------------------------------
# lmaster and lagent


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


# ----------------------------------------------------------------------------------------
# /proc facts the tests compare with


def meminfo_bytes(key):
    for line in read_text("/proc/meminfo").splitlines():
        name, _, rest = line.partition(":")
        if name == key:
            return int(rest.split()[0]) * 1024
    raise KeyError(key)


def boot_time():
    for line in read_text("/proc/stat").splitlines():
        if line.startswith("btime "):
            return int(line.split()[1])
    raise KeyError("btime")


def online_cpus():
    """Sorted CPU numbers listed in /sys/devices/system/cpu/online (e.g. '0-3,6')."""
    text = read_text("/sys/devices/system/cpu/online").strip()
    cpus = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            cpus.extend(range(int(a), int(b) + 1))
        elif part:
            cpus.append(int(part))
    return cpus


def count_matching_lines(text, *needles):
    """Number of lines of `text` containing every needle."""
    return sum(1 for line in text.splitlines() if all(n in line for n in needles))


def burn_cpu(seconds):
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        x += 1
    return x
