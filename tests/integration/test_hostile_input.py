"""A real lmaster under hostile input ("a daemon never dies on bad network input").

While one honest lagent (the real binary) keeps shipping, a Python attacker sends
lmaster garbage, an HTTP request, truncated frames, a giant length field, a frame of
a wrong protocol version, more than 64 KiB before a Hello, a Hello followed by a batch
with a lying point count, a batch writing another host's series, and a thousand
slow-loris connections that never finish a Hello (one byte every second).

Checked throughout: the honest agent's series keep growing in carbon; lmaster stays
alive; its resident memory (VmRSS of /proc/<pid>/status, sampled every 50 ms) stays
under RSS_BOUND; every protocol violation is counted in bad_frames, every foreign
point in points_refused (lmaster's own metrics, read back from carbon); the
slow-loris connections are closed by the handshake timeout (2 s here), each told
why, and lmaster's open descriptors return to where they were.

RSS_BOUND, 64 MiB: lmaster itself is about 10 MiB resident (Debug build, measured
as the baseline and printed). A session before its Hello is a socket, a timer and an
empty decoder, under 2 KiB, so 1000 slow-loris connections that sent a byte each cost
a few MiB; a truncated frame holds at most the bytes that were really sent (here
2 MiB); a giant length field is refused from the 8-byte header, and an unknown peer
may not make lmaster buffer more than 64 KiB before its Hello. Everything else is
freed when a connection closes. With an AddressSanitizer build (its shadow memory
and quarantine) the bound is the baseline plus 64 MiB instead.
"""

import os
import resource
import select
import socket
import struct
import threading
import time

import fructosa_testlib as tl

HOST = tl.short_hostname()
HONEST = "honestnode"
HONEST_SERIES = HONEST + ".VirtualMemory.percent"
RSS_BOUND_KIB = 64 * 1024
SLOW_LORIS = 1000
HANDSHAKE_TIMEOUT = 2.0







def open_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


class RssWatch(threading.Thread):
    """Samples a process's VmRSS until stopped; keeps the peak."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, tl.proc_status_kib(self.pid, "VmRSS"))
            time.sleep(0.05)

    def stop(self):
        self._done.set()
        self.join()


class HostileInputTest(tl.FructosaTestCase):

    def setUp(self):
        super().setUp()
        # 1000 sockets here and 1000 in lmaster (which inherits this limit).
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = min(hard, 8192)
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        if want < SLOW_LORIS + 200:
            self.skipTest("the hard limit of open files (%d) is too low for %d connections" % (hard, SLOW_LORIS))

    # --- helpers ---

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.master.port), timeout=5)
        return s

    def expect_error(self, sock, contains, timeout=5):
        """Reads until the server closes; asserts an Error frame containing `contains` came."""
        sock.settimeout(timeout)
        data = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        sock.close()
        self.assertGreaterEqual(len(data), 10, "no Error frame before the close (%r)" % data)
        self.assertEqual(data[:4], b"FR\x01\x04", "not an Error frame: %r" % data[:40])
        n = struct.unpack(">H", data[8:10])[0]
        text = data[10:10 + n].decode(errors="replace")
        self.assertIn(contains, text)
        return text

    def honest_points(self):
        return len(self.carbon.values(HONEST_SERIES))

    def assert_honest_agent_goes_on(self, what):
        """lmaster alive, and the honest agent's series grows by 2 more points."""
        self.assertTrue(self.master.alive(), "lmaster died after: %s" % what)
        before = self.honest_points()
        tl.wait_until(lambda: self.honest_points() >= before + 2, 20,
                      "the honest agent's series to grow after: %s" % what, 0.2)
        self.assertTrue(self.agent.alive())

    def self_metric(self, name):
        return self.carbon.latest("fructosa.lmaster.%s.%s" % (HOST, name))

    # --- the test ---

    def test_lmaster_survives_hostile_input_and_keeps_serving_an_honest_agent(self):
        self.carbon = tl.CarbonCache(self).start()
        self.master = tl.Lmaster(self, self.carbon, overrides={"lmaster": {
            "handshake timeout": HANDSHAKE_TIMEOUT, "idle timeout": 30}}).run().wait_listening()
        self.agent = tl.Lagent(self, self.master.port, hostname=HONEST).run()
        self.carbon.wait_for_values(HONEST_SERIES, timeout=30, count=2)
        pid = self.master.proc.pid
        asan = "libasan" in tl.read_text("/proc/%d/maps" % pid)
        time.sleep(1)
        baseline = tl.proc_status_kib(pid, "VmRSS")
        bound = baseline + RSS_BOUND_KIB if asan else RSS_BOUND_KIB
        fds_before = open_fds(pid)
        print("\nlmaster baseline: VmRSS %d KiB, %d descriptors%s" % (baseline, fds_before,
                                                                   " (AddressSanitizer build)" if asan else ""))
        watch = RssWatch(pid)
        watch.start()
        self.addCleanup(lambda: watch.is_alive() and watch.stop())
        bad_frames = 0

        # 1. garbage
        s = self.connect()
        s.sendall(b"\x00garbage" + os.urandom(4096))
        self.expect_error(s, "bad magic (not a FrUCToSA agent)")
        bad_frames += 1
        s = self.connect()
        s.sendall(b"GET /render?target=* HTTP/1.1\r\nHost: x\r\n\r\n")
        self.expect_error(s, "bad magic")
        bad_frames += 1
        self.assert_honest_agent_goes_on("garbage")

        # 2. truncated frames: a header and part of its payload, then silence or a close
        s = self.connect()
        s.sendall(tl.wire_hello("trunc1"))
        s.sendall(b"FR\x01\x02" + struct.pack(">I", 4 << 20) + b"\x00" * (2 << 20))  # 2 of 4 MiB
        held = s  # kept open, mid-frame, until the end of the test
        s = self.connect()
        s.sendall(tl.wire_hello("trunc2")[:11])  # a Hello cut short, then gone
        s.close()
        s = self.connect()
        s.sendall(tl.wire_batch(1, [("x.y", 1, 1)])[:-3])
        s.close()
        self.assert_honest_agent_goes_on("truncated frames")

        # 3. a giant length field, before and after a Hello
        s = self.connect()
        s.sendall(b"FR\x01\x01\xff\xff\xff\xff")
        self.expect_error(s, "frame length 4294967295 exceeds the limit of 8388608")
        s = self.connect()
        s.sendall(tl.wire_hello("giant") + b"FR\x01\x02\x7f\xff\xff\xff" + b"\x00" * 1000)
        self.expect_error(s, "frame length 2147483647 exceeds the limit")
        bad_frames += 2
        # More than 64 KiB before any Hello.
        s = self.connect()
        try:
            s.sendall(b"FR\x01\x01" + struct.pack(">I", 1 << 20) + b"\x00" * (100 * 1024))
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.expect_error(s, "more than 65536 bytes before a Hello")
        bad_frames += 1
        self.assert_honest_agent_goes_on("giant length fields")

        # 4. a frame of a wrong protocol version, first and after a Hello
        s = self.connect()
        s.sendall(tl.wire_frame(1, tl.wire_str16("v2node") + tl.wire_str16("x") + tl.wire_str16("none") + b"\x00" * 4, version=2))
        self.expect_error(s, "unsupported protocol version 2 (this side speaks 1)")
        s = self.connect()
        s.sendall(tl.wire_hello("v9node") + tl.wire_frame(2, b"\x00" * 12, version=9))
        self.expect_error(s, "unsupported protocol version 9")
        bad_frames += 2
        self.assert_honest_agent_goes_on("wrong versions")

        # 5. a Hello, then batches that lie about their point count
        s = self.connect()
        s.sendall(tl.wire_hello("liar") + tl.wire_batch(1, [("liar.x", time.time(), 1)], count=100000000))
        self.expect_error(s, "batch: 100000000 points announced, payload too short")
        s = self.connect()
        s.sendall(tl.wire_hello("liar") + tl.wire_batch(1, [("liar.x", time.time(), 1), ("liar.y", time.time(), 2)], count=1))
        self.expect_error(s, "trailing bytes")
        s = self.connect()
        s.sendall(tl.wire_hello("liar") + tl.wire_batch(1, [("liar.x", time.time(), 1)], count=0xFFFFFFFF))
        self.expect_error(s, "points announced, payload too short")
        bad_frames += 3
        self.assert_honest_agent_goes_on("lying point counts")

        # 6. an agent writing another host's series and lmaster's own: acked, dropped, counted
        s = self.connect()
        now = time.time()
        s.sendall(tl.wire_hello("rogue") + tl.wire_batch(7, [
            (HONEST_SERIES, now, 12345.0),
            ("jobs.1.%s.cpu.user" % HONEST, now, 1.0),
            ("fructosa.lmaster.%s.bad_frames" % HOST, now, 0.0),
            ("rogue.a/../../x", now, 1.0),
            ("rogue.own.value", now, 5.0),
        ]))
        s.settimeout(5)
        reply = s.recv(64)
        self.assertEqual(reply[:4], b"FR\x01\x03", "the rogue batch is acked: %r" % reply)
        s.close()
        self.assert_honest_agent_goes_on("a rogue agent")

        # 7. slow loris: 1000 connections that never finish a Hello, one byte a second
        t0 = time.monotonic()
        loris = []
        for _ in range(SLOW_LORIS):
            c = socket.create_connection(("127.0.0.1", self.master.port), timeout=5)
            c.setblocking(False)
            loris.append(c)
        tl.wait_until(lambda: open_fds(pid) >= fds_before + SLOW_LORIS, 10,
                      "lmaster to hold the %d connections" % SLOW_LORIS)
        peak_fds = open_fds(pid)
        hello_bytes = tl.wire_hello("loris")
        received = {c.fileno(): b"" for c in loris}
        closed = set()
        i = 0
        while len(closed) < len(loris) and time.monotonic() - t0 < HANDSHAKE_TIMEOUT + 20:
            for c in loris:
                if c.fileno() in closed:
                    continue
                if i < len(hello_bytes):
                    try:
                        c.send(hello_bytes[i:i + 1])
                    except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                        pass
            i += 1
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline and len(closed) < len(loris):
                readable, _, _ = select.select([c for c in loris if c.fileno() not in closed], [], [], 0.2)
                for c in readable:
                    try:
                        chunk = c.recv(4096)
                    except (BlockingIOError, ConnectionResetError):
                        chunk = b""
                    if chunk:
                        received[c.fileno()] += chunk
                    else:
                        closed.add(c.fileno())
        elapsed = time.monotonic() - t0
        told = sum(1 for data in received.values() if b"no Hello frame within 2 s" in data)
        for c in loris:
            c.close()
        self.assertEqual(len(closed), SLOW_LORIS, "slow-loris connections still open after %.1f s" % elapsed)
        self.assertEqual(told, SLOW_LORIS, "every slow-loris connection is told why it is closed")
        self.assertLess(i, len(hello_bytes), "the Hello was never completed (%d of %d bytes)" % (i, len(hello_bytes)))
        tl.wait_until(lambda: open_fds(pid) <= fds_before + 2, 10,
                      "lmaster's descriptors to return to %d (now %d)" % (fds_before, open_fds(pid)))
        self.assert_honest_agent_goes_on("1000 slow-loris connections")
        held.close()

        watch.stop()
        print("lmaster peak VmRSS %d KiB (bound %d KiB); %d descriptors at the slow-loris peak; "
              "slow loris closed after %.1f s" % (watch.peak, bound, peak_fds, elapsed))
        self.assertLess(watch.peak, bound, "lmaster's resident memory went past the bound")
        self.assertTrue(self.master.alive())

        # Counted: every violation, every foreign point; the rogue's own point landed.
        tl.wait_until(lambda: self.self_metric("bad_frames") == bad_frames, 20,
                      "bad_frames == %d in carbon (now %r)" % (bad_frames, self.self_metric("bad_frames")))
        tl.wait_until(lambda: self.self_metric("points_refused") == 4, 20, "points_refused == 4 in carbon")
        self.carbon.wait_for_values("rogue.own.value", timeout=20)
        self.assertNotIn(12345.0, [v for _, v in self.carbon.values(HONEST_SERIES)])
        self.assertEqual(self.carbon.series("jobs"), [])
        log = self.master.log()
        self.assertIn("refused outside its own series", log)
        self.assertNotIn("CRITICAL", log)


if __name__ == "__main__":
    tl.main()
