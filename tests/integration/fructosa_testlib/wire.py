"""The agent protocol by hand (common/wire.h), for tests that play a (hostile) agent."""

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
