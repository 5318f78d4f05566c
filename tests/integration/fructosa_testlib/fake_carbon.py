"""A carbon receiver in the test's own process that keeps every point it is sent, with
its exact (float) timestamp and every duplicate: whisper keeps one value per second, so
only a listener like this can count samples taken 0.2 s apart. It takes carbon's pickle
protocol on pickle_port (lmaster) and its plaintext protocol on line_port (perad's class
points). stop() is carbon going away (the listening sockets and every connection closed,
unread bytes lost); start() brings it back on the same ports."""

import io
import pickle
import socket
import struct
import threading

from .net import free_port


class _PlainUnpickler(pickle.Unpickler):
    """lmaster's pickles hold lists, tuples, strings and numbers only: refuse any class."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError("refused %s.%s" % (module, name))


class FakeCarbon:
    def __init__(self, test):
        self.test = test
        self.pickle_port = free_port()
        self.line_port = free_port()
        self._lock = threading.Lock()
        self._points = []  # (path, timestamp, value), in arrival order, duplicates kept
        self._listeners = []
        self.malformed = []  # plaintext lines that were not 'path value timestamp'
        self._conns = []
        self._threads = []
        test.addCleanup(self.stop)

    def start(self):
        for port, serve in ((self.pickle_port, self._serve), (self.line_port, self._serve_plaintext)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen(16)
            self._listeners.append(s)
            t = threading.Thread(target=self._accept, args=(s, serve), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        if not self._listeners:
            return
        listeners, self._listeners = self._listeners, []
        for c in listeners + self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self._conns = []

    def _accept(self, listener, serve):
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _received(conn):
        """What `conn` receives, piece by piece, until it closes or fails."""
        while True:
            try:
                data = conn.recv(1 << 16)
            except OSError:
                return
            if not data:
                return
            yield data

    def _serve(self, conn):
        buf = b""
        for data in self._received(conn):
            buf += data
            while len(buf) >= 4:
                n = struct.unpack(">I", buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                batch = _PlainUnpickler(io.BytesIO(buf[4:4 + n])).load()
                buf = buf[4 + n:]
                with self._lock:
                    self._points.extend((path, float(ts), float(v)) for path, (ts, v) in batch)

    def _serve_plaintext(self, conn):
        """'path value timestamp' lines; a line not of that shape is kept in self.malformed."""
        buf = b""
        for data in self._received(conn):
            buf += data
            *lines, buf = buf.split(b"\n")
            points = []
            bad = []
            for line in lines:
                try:
                    path, value, ts = line.decode().split(" ")
                    points.append((path, float(ts), float(value)))
                except (UnicodeDecodeError, ValueError):
                    bad.append(line)
            with self._lock:
                self._points.extend(points)
                self.malformed.extend(bad)

    def timestamps(self, path):
        """Every timestamp received for `path`, duplicates included, in arrival order."""
        with self._lock:
            return [ts for p, ts, _ in self._points if p == path]

    def paths(self, prefix=""):
        """The distinct paths received (under `prefix`), sorted."""
        with self._lock:
            return sorted({p for p, _, _ in self._points if p.startswith(prefix)})

    def values(self, path):
        """(timestamp, value) of every point received for `path`, in arrival order."""
        with self._lock:
            return [(ts, v) for p, ts, v in self._points if p == path]
