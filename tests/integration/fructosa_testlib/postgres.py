"""PostgresServer: a private PostgreSQL server for one test (the registry's `url`).

initdb in a fresh directory under /tmp (its own, not the test's: the server runs as
`nobody` when the tests run as root, and postgres refuses root), `postgres` on a free
port of 127.0.0.1 with its socket in that directory, stopped by its pid (fast shutdown)
and the directory removed by the owner's cleanups. Debian's cluster is never used.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile

from .net import free_port
from .process import Proc, wait_until
from .files import read_text


def server_bin_dir():
    """Debian's server binaries: /usr/lib/postgresql/<version>/bin, the newest. PostgreSQL
    is a declared dependency (scripts/install-deps.sh): its absence fails the test."""
    dirs = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(d, "postgres"))]
    if not dirs:
        raise AssertionError("no PostgreSQL server under /usr/lib/postgresql/*/bin "
                             "(install postgresql: scripts/install-deps.sh)")
    return max(dirs, key=lambda d: int(d.split("/")[-2]))


class PostgresServer:
    def __init__(self, owner, user="fructosa"):
        self.owner = owner
        self.user = user
        self.bin = server_bin_dir()
        self.port = None
        self.proc = None
        self.run_as = "nobody" if os.geteuid() == 0 else None

    def start(self, timeout=30):
        self.dir = tempfile.mkdtemp(prefix="fructosa-pg-", dir="/tmp")
        self.owner.addCleanup(shutil.rmtree, self.dir, True)
        if self.run_as:
            pw = pwd.getpwnam(self.run_as)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "server.log")
        res = subprocess.run([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", self.user, "--auth=trust",
                              "-N", "-E", "UTF8", "--locale=C"], user=self.run_as, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=120)
        if res.returncode != 0:
            raise AssertionError("initdb failed:\n" + res.stdout)
        self.port = free_port()
        with open(self.log_path, "ab") as log:
            popen = subprocess.Popen(
                [os.path.join(self.bin, "postgres"), "-D", self.data, "-k", self.dir, "-p", str(self.port),
                 "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"],
                user=self.run_as, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.proc = Proc(popen.pid, "postgres", self.log_path, popen)
        self.owner.addCleanup(self.stop)

        def ready():
            if popen.poll() is not None:
                raise AssertionError("postgres exited:\n" + read_text(self.log_path)[-3000:])
            return self.psql("postgres", "SELECT 1", check=False).returncode == 0
        wait_until(ready, timeout, "postgres to accept connections on %d" % self.port, interval=0.2)
        return self

    def url(self, db):
        return "postgresql://%s@127.0.0.1:%d/%s" % (self.user, self.port, db)

    def create_database(self, name):
        self.psql("postgres", "CREATE DATABASE %s" % name)
        return self.url(name)

    def psql(self, db, sql, check=True):
        """Runs `sql` on `db`; returns CompletedProcess (stdout: unaligned rows, '|' between columns)."""
        res = subprocess.run([os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-d", self.url(db), "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, timeout=30)
        if check and res.returncode != 0:
            raise AssertionError("psql %r failed: %s" % (sql, res.stderr))
        return res

    def stop(self, timeout=30):
        """Fast shutdown by pid (SIGINT: the sessions end, no wait for clients)."""
        if self.proc is None or self.proc.popen.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGINT)
        try:
            self.proc.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGQUIT)  # immediate shutdown; its children follow
            self.proc.popen.wait(timeout)
