"""A private graphite-web (under gunicorn) reading a CarbonCache."""

import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request

from .files import read_text
from .net import free_port
from .process import run, start, stop, wait_until


class GraphiteWeb:
    """graphite-web under gunicorn on a free port, reading a CarbonCache's whisper files
    and asking its cache (CarbonLink) for points not yet flushed.

    cluster: [(CarbonCache, instance), ...] for a Graphite cluster on this machine: every
    cache's whisper files, and CarbonLink over all of them, hashed by carbon's ring on
    (127.0.0.1, instance) as lmaster's `[Graphite] destinations` are."""

    def __init__(self, test, carbon, name="graphite-web", cluster=None):
        self.test = test
        self.carbon = carbon if carbon is not None else cluster[0][0]
        self.cluster = cluster or [(self.carbon, "a")]
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
        for c, _ in self.cluster:
            os.makedirs(c.whisper_dir, exist_ok=True)
        settings = {
            "SECRET_KEY": "fructosa-test-%d" % self.port,
            "STORAGE_DIR": self.carbon.storage_dir,
            "WHISPER_DIR": self.carbon.whisper_dir,
            "STANDARD_DIRS": [c.whisper_dir for c, _ in self.cluster],
            "LOG_DIR": self.log_dir,
            "INDEX_FILE": os.path.join(self.dir, "index"),
            "DATABASES": {"default": {"NAME": os.path.join(self.dir, "graphite.db"),
                                      "ENGINE": "django.db.backends.sqlite3",
                                      "USER": "", "PASSWORD": "", "HOST": "", "PORT": ""}},
            "CARBONLINK_HOSTS": ["127.0.0.1:%d:%s" % (c.query_port, i) for c, i in self.cluster],
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
