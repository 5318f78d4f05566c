"""FrUCToSA's Debian packages for the tests: built once (scripts/build-packages.sh, which
also runs lintian) into <build>/packages, unpacked into a throwaway root the way dpkg
lays them out (`dpkg-deb -x`: no maintainer script runs, nothing outside the root is
touched), and the helpers that turn what is installed there into commands and configs
that stay inside that root: unit ExecStart lines and config paths rewritten into it."""

import glob
import os
import re
import shlex
import subprocess

from . import build_dir
from .build_dir import REPO_ROOT

PACKAGES = ("fructosa-common", "fructosa-agent", "fructosa-master", "fructosa-perad", "fructosa-dashboards")
# Where the packages put what the daemons write: the tests put them under the root.
SYSTEM_PREFIXES = ("/usr/", "/etc/", "/run/", "/var/", "/lib/")


def packages_dir():
    return os.path.join(build_dir.BUILD_DIR, "packages")


def debs(build=True):
    """{package name: .deb path}; builds them first when any is missing."""
    def found():
        out = {}
        for path in glob.glob(os.path.join(packages_dir(), "*.deb")):
            name = os.path.basename(path).split("_", 1)[0]
            out[name] = path
        return out
    have = found()
    if build and any(p not in have for p in PACKAGES):
        res = subprocess.run(["bash", os.path.join(REPO_ROOT, "scripts", "build-packages.sh"), build_dir.BUILD_DIR],
                             capture_output=True, text=True, timeout=900)
        if res.returncode != 0:
            raise AssertionError("scripts/build-packages.sh failed (exit %d):\n%s%s"
                                 % (res.returncode, res.stdout[-6000:], res.stderr[-6000:]))
        have = found()
    return have


def deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True, check=True).stdout.strip()


def deb_control_file(deb, name):
    """A control member (conffiles, postinst, ...) as text, or None."""
    res = subprocess.run(["dpkg-deb", "-I", deb, name], capture_output=True, text=True)
    return res.stdout if res.returncode == 0 else None


def deb_files(deb):
    """Paths (without the leading '.') of what the package installs, with their modes
    and owners: {path: (mode string, owner/group)}."""
    out = {}
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        parts = line.split(None, 5)
        path = parts[5].split(" -> ")[0]
        out[path[1:].rstrip("/") or "/"] = (parts[0], parts[1])
    return out


def unpack(debs_by_name, root):
    """Unpacks every package into `root` as dpkg would place the files."""
    for deb in debs_by_name.values():
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)


def into_root(root, text):
    """Every absolute system path in `text` (a command line or a value) moved under root."""
    def move(m):
        return root + m.group(0)
    return re.sub(r"(?<![\w/.-])(?:%s)[^\s\"']*" % "|".join(re.escape(p[:-1]) + "/" for p in SYSTEM_PREFIXES),
                  move, text)


def unit_lines(unit_path, key):
    """The values of `key` (ExecStart, ExecStartPre, ...) in a systemd unit, in order."""
    out = []
    with open(unit_path) as f:
        for line in f:
            if line.startswith(key + "="):
                out.append(line.split("=", 1)[1].strip())
    return out


def unit_argv(root, unit_path, key="ExecStart"):
    """The unit's command line for `key`, rewritten to run inside root (its binary, config
    and pid file under root). Fails when the unit has not exactly one such line."""
    lines = unit_lines(unit_path, key)
    if len(lines) != 1:
        raise AssertionError("%s: %d %s lines" % (unit_path, len(lines), key))
    return shlex.split(into_root(root, lines[0]))


def set_ini_keys(path, changes):
    """Edits an installed INI file in place, keeping every other line as it is:
    {section: {key: value}} replaces the key's line (or its commented-out default
    `#key = ...`), or adds it at the end of its section (the section at the end of the
    file when missing)."""
    with open(path) as f:
        lines = f.read().splitlines()
    for section, entries in changes.items():
        for key, value in entries.items():
            new = "%s = %s" % (key, value)
            start = None
            for i, line in enumerate(lines):
                if line.strip() == "[%s]" % section:
                    start = i
                    break
            if start is None:
                lines += ["", "[%s]" % section, new]
                continue
            end = len(lines)
            for i in range(start + 1, len(lines)):
                if lines[i].startswith("["):
                    end = i
                    break
            pattern = re.compile(r"^\s*[#;]?\s*%s\s*=" % re.escape(key), re.IGNORECASE)
            hits = [i for i in range(start + 1, end) if pattern.match(lines[i])]
            live = [i for i in hits if not lines[i].lstrip().startswith(("#", ";"))]
            target = (live or hits or [None])[0]
            if target is None:
                last = end
                while last > start + 1 and not lines[last - 1].strip():
                    last -= 1
                lines.insert(last, new)
            else:
                lines[target] = new
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def system_state(paths=("/etc/fructosa", "/run/fructosa", "/var/lib/fructosa", "/var/spool/fructosa",
                        "/var/log/fructosa", "/etc/slurm/plugstack.conf.d/fructosa.conf",
                        "/usr/sbin/fructosad", "/lib/systemd/system/lagent.service")):
    """What the packages would install or write on the real system, as it is now
    ({path: (exists, mtime, listing)}): equal before and after a test that must not touch it."""
    out = {}
    for p in paths:
        try:
            st = os.stat(p)
            listing = tuple(sorted(os.listdir(p))) if os.path.isdir(p) else ()
            out[p] = (True, st.st_mtime_ns, listing)
        except OSError:
            out[p] = (False, 0, ())
    return out
