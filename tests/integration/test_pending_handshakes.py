"""Connections without a Hello never keep a real agent out (issue 19).

A Python attacker holds 150 connections to a real lmaster open without ever sending a
Hello, and re-opens each one as soon as lmaster closes it (handshake timeout 2 s here,
`max pending handshakes = 50`, `max agents = 5`): before the fix they counted toward
`max agents` and kept a real agent out for more than 45 s. Checked: a real lagent
started in the middle of this is connected within a few seconds, lmaster logs the
evictions of the oldest pending connections, and it stays alive.

Run: /usr/bin/python3 test_pending_handshakes.py --build-dir BUILD
"""

import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

SQUATTERS = 150
AGENT = "pendnode"


class Squatters:
    """SQUATTERS connections that never say Hello, each re-opened when lmaster closes it."""

    def __init__(self, port):
        self.port = port
        self.socks = []
        self.reopened = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.setblocking(False)
        return s

    def run(self):
        while len(self.socks) < SQUATTERS and not self.stop.is_set():
            self.socks.append(self.connect())
        while not self.stop.is_set():
            readable, _, _ = select.select(self.socks, [], [], 0.1)
            for s in readable:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if data:
                    continue  # the Error frame telling why; the close follows
                self.socks.remove(s)
                s.close()
                self.socks.append(self.connect())
                self.reopened += 1
        for s in self.socks:
            s.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)


class PendingHandshakes(lib.FructosaTestCase):
    def test_held_open_connections_do_not_keep_an_agent_out(self):
        master = lib.Lmaster(self, None, overrides={"lmaster": {
            "handshake timeout": 2, "max agents": 5, "max pending handshakes": 50}}).run().wait_listening()
        with Squatters(master.port) as squatters:
            lib.wait_until(lambda: len(squatters.socks) >= SQUATTERS, 20, "the squatters to connect")
            time.sleep(3)  # past one handshake timeout: they are being re-opened now
            self.assertGreater(squatters.reopened, 0)
            t0 = time.time()
            lib.Lagent(self, master.port, hostname=AGENT, sensors=("VirtualMemory",), interval=1).run()
            lib.wait_until(lambda: ("agent %s (version" % AGENT) in master.log(), 10,
                           "the real agent to be connected despite the squatters")
            took = time.time() - t0
            self.assertTrue(master.proc.alive())
        self.assertLess(took, 5.0)
        self.assertIn("connections without a Hello (max pending handshakes): closing the oldest", master.log())
        print("\nreal agent connected in %.2f s beside %d held-open connections (%d re-opened)"
              % (took, SQUATTERS, squatters.reopened))


if __name__ == "__main__":
    lib.main()
