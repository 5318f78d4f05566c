"""A carbon pickle receiver in the test's own process that keeps every point it is sent,
with its exact (float) timestamp and every duplicate: whisper keeps one value per
second, so only a listener like this can count samples taken 0.2 s apart. stop() is
carbon going away (the listening socket and every connection closed, unread bytes
lost); start() brings it back on the same port."""

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
        self.line_port = free_port()  # never listened on: lmaster is told to use pickle
        self._lock = threading.Lock()
        self._points = []  # (path, timestamp, value), in arrival order, duplicates kept
        self._listener = None
        self._conns = []
        self._threads = []
        test.addCleanup(self.stop)

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.pickle_port))
        s.listen(16)
        self._listener = s
        t = threading.Thread(target=self._accept, args=(s,), daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self):
        if self._listener is None:
            return
        listener, self._listener = self._listener, None
        for c in [listener] + self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self._conns = []

    def _accept(self, listener):
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buf = b""
        while True:
            try:
                data = conn.recv(1 << 16)
            except OSError:
                return
            if not data:
                return
            buf += data
            while len(buf) >= 4:
                n = struct.unpack(">I", buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                batch = _PlainUnpickler(io.BytesIO(buf[4:4 + n])).load()
                buf = buf[4 + n:]
                with self._lock:
                    self._points.extend((path, float(ts), float(v)) for path, (ts, v) in batch)

    def timestamps(self, path):
        """Every timestamp received for `path`, duplicates included, in arrival order."""
        with self._lock:
            return [ts for p, ts, _ in self._points if p == path]

    def values(self, path):
        """(timestamp, value) of every point received for `path`, in arrival order."""
        with self._lock:
            return [(ts, v) for p, ts, v in self._points if p == path]
