"""A stand-in for one node's lagent job socket (test_spank_plugin.py): a unix stream
socket that records the JSON lines spank_fructosa.so sends, or misbehaves on purpose."""

import json
import os
import socket
import threading


class NodeListener:
    """Stands in for one node's lagent: a unix stream socket at `path`.

    mode "read": accept and record every line; "hold": accept, never read;
    "full": listen with backlog 0 and never accept, with the backlog already taken
    by our own connection, so new connects cannot complete."""

    def __init__(self, node, path, mode="read"):
        self.node, self.path, self.mode = node, path, mode
        self.lines = []
        self._lock = threading.Lock()
        self._held = []
        self._stop = False
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.listen(0 if mode == "full" else 64)
        if mode == "full":
            filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            filler.connect(path)
            self._held.append(filler)
            self.thread = None
            return
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            if self.mode == "hold":
                self._held.append(conn)
                continue
            conn.settimeout(5)
            data = b""
            try:
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            finally:
                conn.close()
            with self._lock:
                for line in data.decode("utf-8").splitlines():
                    self.lines.append(line)

    def messages(self):
        with self._lock:
            return [json.loads(line) for line in self.lines]

    def close(self):
        self._stop = True
        if self.thread:
            self.thread.join(timeout=5)
        for s in self._held:
            s.close()
        self.sock.close()
        if os.path.exists(self.path):
            os.unlink(self.path)
