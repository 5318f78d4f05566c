"""A private carbon-cache and what landed in its whisper files."""

import os
import socket
import time

from .files import read_text, read_pidfile, write_ini
from .net import free_port, port_listening
from .process import Proc, run, stop, wait_until


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
