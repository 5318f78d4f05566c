#!/usr/bin/env python3
"""Benchmark: lmaster's spool while Graphite is away, and its replay when it returns.

A fake agent (the real wire protocol) sends --points points (default 1,000,000) to a real
lmaster whose Graphite is down; lmaster spools them on disk. Printed: lmaster's peak RSS
against the spool bound, and the spool's size. Then a counting carbon pickle receiver
comes up and the time until every point arrived gives the replay rate. Prints figures;
asserts nothing.

  /usr/bin/python3 tests/bench/bench_spool.py --build-dir build [--points 1000000]
"""

import argparse
import os
import pickle
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import fructosa_testlib as lib  # noqa: E402





class CountingCarbon:
    """A carbon pickle receiver that unpickles and counts points."""

    def __init__(self, port):
        self.port, self.count, self.done_at, self.target = port, 0, None, None
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self.read, args=(conn,), daemon=True).start()

    def read(self, conn):
        buf = b""
        while True:
            data = conn.recv(1 << 20)
            if not data:
                return
            buf += data
            while len(buf) >= 4:
                n = struct.unpack(">I", buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                self.count += len(pickle.loads(buf[4:4 + n]))
                buf = buf[4 + n:]
                if self.target and self.count >= self.target and self.done_at is None:
                    self.done_at = time.monotonic()




def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=lib.BUILD_DIR)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--spool-mb", type=int, default=256)
    args = ap.parse_args()
    lib.BUILD_DIR = os.path.abspath(args.build_dir)
    carbon_port = lib.free_port()
    with lib.Workspace() as ws:
        master = lib.Lmaster(ws, None, {"Graphite": {"carbon receiver pickle port": carbon_port,
                                                     "spool max mb": args.spool_mb},
                                        "lmaster": {"self metrics interval": 3600}}).run().wait_listening()
        rss0 = lib.proc_status_kib(master.proc.pid, "VmRSS")
        agent = socket.create_connection(("127.0.0.1", master.port))
        agent.sendall(lib.wire_hello("benchhost"))
        per_batch, seq, sent = 5000, 0, 0
        t0 = time.monotonic()
        base = int(time.time()) - 86000
        while sent < args.points:
            n = min(per_batch, args.points - sent)
            seq += 1
            pts = [("benchhost.Bench.s%03d" % (i % 100), float(base + (sent + i) // 100), float(i)) for i in range(n)]
            agent.sendall(lib.wire_batch(seq, pts))
            sent += n
        # Every batch is acknowledged once it is in the spool.
        acked, buf = 0, b""
        while acked < seq:
            buf += agent.recv(65536)
            while len(buf) >= 16:
                acked = struct.unpack(">Q", buf[8:16])[0]
                buf = buf[16:]
        t_spooled = time.monotonic()
        hwm = lib.proc_status_kib(master.proc.pid, "VmHWM")
        spool_dir = os.path.join(master.dir, "spool")
        spool_bytes = sum(os.path.getsize(os.path.join(spool_dir, f)) for f in os.listdir(spool_dir))
        carbon = CountingCarbon(carbon_port)
        carbon.target = args.points
        t_up = time.monotonic()
        lib.wait_until(lambda: carbon.done_at, 600, "every point to reach the receiver", interval=0.2)
        print("lmaster spool, %d points (%d batches of %d) while Graphite is down" % (args.points, seq, per_batch))
        print("  accepted and spooled in       %.2f s  (%.0f points/s)" % (t_spooled - t0, args.points / (t_spooled - t0)))
        print("  lmaster RSS before / peak     %.1f / %.1f MiB   (spool bound %d MiB, on disk)" %
              (rss0 / 1024, hwm / 1024, args.spool_mb))
        print("  spool on disk                 %.1f MiB" % (spool_bytes / 2**20))
        print("  replay once Graphite is back  %.2f s  = %.0f points/s" %
              (carbon.done_at - t_up, args.points / (carbon.done_at - t_up)))
        agent.close()


if __name__ == "__main__":
    main()
