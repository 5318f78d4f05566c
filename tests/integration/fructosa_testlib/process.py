"""Processes a test starts and watches: start/stop by pid, run to completion,
/proc look-ups, and wait_until for polling."""

import contextlib
import os
import signal
import subprocess
import time


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


def _environment(env, inherit_env):
    """os.environ updated by env; only env when inherit_env is False."""
    full_env = dict(os.environ) if inherit_env else {}
    if env:
        full_env.update(env)
    return full_env


def run(argv, env=None, timeout=60, input=None, cwd=None, inherit_env=True):
    """Runs argv to completion; returns CompletedProcess with text stdout and stderr.
    env is added to this process's environment, or is the whole of it when
    inherit_env is False."""
    full_env = _environment(env, inherit_env)
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


def start(argv, env=None, log_path=None, cwd=None, name=None, inherit_env=True):
    """Starts argv in the background (own session, stdin from /dev/null, stdout and
    stderr into log_path or discarded). Returns a Proc; stop it with stop().
    env as for run()."""
    full_env = _environment(env, inherit_env)
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
