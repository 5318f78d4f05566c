"""The agent protocol by hand (common/wire.h), for tests that play a (hostile) agent:
frames built, and lmaster's answers read."""

import struct


def wire_frame(ftype, payload, version=1):
    """One frame: "FR", version, type, u32 big-endian length, payload."""
    return b"FR" + bytes([version, ftype]) + struct.pack(">I", len(payload)) + payload


def wire_str16(text):
    b = text.encode() if isinstance(text, str) else text
    return struct.pack(">H", len(b)) + b


def wire_hello(host, method="none", credential="", version_text="test"):
    cred = credential.encode() if isinstance(credential, str) else credential
    return wire_frame(1, wire_str16(host) + wire_str16(version_text) + wire_str16(method) +
                      struct.pack(">I", len(cred)) + cred)


def wire_batch(seq, points, count=None):
    """A batch of (path, timestamp, value); `count` may lie about the number of points."""
    body = [struct.pack(">QI", seq, len(points) if count is None else count)]
    for path, ts, value in points:
        body.append(wire_str16(path) + struct.pack(">dd", ts, value))
    return wire_frame(2, b"".join(body))


def wire_job_event(seq, event):
    """A JobEvent frame: sequence number, then the event's JSON (a dict, or text as is)."""
    import json
    text = event if isinstance(event, (str, bytes)) else json.dumps(event)
    b = text.encode() if isinstance(text, str) else text
    return wire_frame(5, struct.pack(">QI", seq, len(b)) + b)


def read_frame(sock, timeout=5):
    """(type, payload) of the next frame lmaster sends on `sock`, or None at the end of
    the stream. Reads byte-exactly, so frames after this one stay in the socket."""
    sock.settimeout(timeout)

    def exactly(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf
    header = exactly(8)
    if header is None:
        return None
    payload = exactly(struct.unpack(">I", header[4:8])[0])
    return (header[3], payload) if payload is not None else None


def read_ack(sock, timeout=5):
    """The sequence number of the next frame when it is an Ack; fails otherwise."""
    frame = read_frame(sock, timeout)
    if frame is None or frame[0] != 3:
        raise AssertionError("expected an Ack from lmaster, got %r" % (frame,))
    return struct.unpack(">Q", frame[1])[0]
