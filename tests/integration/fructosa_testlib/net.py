"""TCP ports on 127.0.0.1 and the host's name."""

import random
import socket

from .files import read_text


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


def short_hostname():
    return socket.gethostname().split(".")[0]
