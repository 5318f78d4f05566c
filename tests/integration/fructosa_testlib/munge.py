"""The machine's munged: is it answering, start it, make credentials."""

import os
import subprocess

from .process import run, wait_until


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
    may start: notes/virtual-cluster.md), as root; fails when it cannot answer.
    A munged started here stays running for every later test. Returns True when this
    call started it."""
    if munged_running():
        return False
    if os.geteuid() == 0:
        subprocess.run("mkdir -p /run/munge && chown munge:munge /run/munge && "
                       "su -s /bin/sh munge -c /usr/sbin/munged", shell=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    wait_until(munged_running, timeout, "munged to answer (munge -n | unmunge)", 0.2)
    return True


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
