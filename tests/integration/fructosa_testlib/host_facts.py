"""Facts of this machine the tests compare with (/proc, /sys), and a CPU burner."""

import time

from .files import read_text


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


def burn_cpu(seconds):
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        x += 1
    return x
