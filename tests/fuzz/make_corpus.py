#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ (committed; rerun after a
protocol change). Seeds are real messages: frames as lagent and lmaster write them
(layout in common/wire.h), SPANK plugin lines as spank/message.c formats them, and
plugstack.conf argument lists. Each fuzz_wire seed starts with the chunk-size byte.
Files named regression_* are inputs a fuzzer once crashed on: this script leaves them."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(ftype, payload, version=1):
    return b"FR" + bytes([version, ftype]) + struct.pack(">I", len(payload)) + payload


def s16(b):
    b = b.encode() if isinstance(b, str) else b
    return struct.pack(">H", len(b)) + b


def s32(b):
    b = b.encode() if isinstance(b, str) else b
    return struct.pack(">I", len(b)) + b


def hello(host, method="none", cred=""):
    return frame(1, s16(host) + s16("0.4.0") + s16(method) + s32(cred))


def batch(seq, points):
    p = struct.pack(">QI", seq, len(points))
    for path, ts, v in points:
        p += s16(path) + struct.pack(">dd", ts, v)
    return frame(2, p)


def ack(seq):
    return frame(3, struct.pack(">Q", seq))


def error(msg):
    return frame(4, s16(msg))


def job_event(seq, js):
    return frame(5, struct.pack(">Q", seq) + s32(js))


STEP_START = ('{"v":1,"event":"step_start","time":1700000000.25,"job_id":42,"step_id":"batch","uid":1000,'
              '"user":"alice","account":"phys","partition":"debug","job_name":"my \\"job\\"","nodelist":"n[1-3]",'
              '"node":"n2","nnodes":3,"cpus":4,"mem_mb":2048,"gpus":1,"ntasks":3,"local_tasks":1,"interval":5,'
              '"cgroup":{"memory":"/slurm_n2/uid_1000/job_42/step_batch/task_0","unified":"/"}}')
STEP_END = '{"v":1,"event":"step_end","time":1700000100.5,"job_id":42,"step_id":"0","node":"n2","exit_status":256}'

CRED = ("MUNGE:AwQFAAD3Zr6lq8wHj3mDGJ0Kc3F0K1jJ6lqQO4q6h0Wm6b2q7lH0W2hA5o4jL0t1u2v3w4x5y6z7A8B9C0D1E2F3G4H5"
        "I6J7K8L9M0N1O2P3Q4R5S6T7U8V9W0X1Y2Z3a4b5c6d7e8f9g0h1i2j3k4l5m6n7o8p9q0r1s2t3u4v5w6x7y8z9=:")

wire_seeds = {
    "hello_none": b"\xc0" + hello("node001"),
    "hello_munge": b"\xc0" + hello("node001", "munge", CRED),
    "session": b"\xc0" + hello("node001") + batch(1, [("node001.CPUPercent.0", 1700000000, 12.5),
                                                       ("node001.VirtualMemory.percent", 1700000000.5, 40.25)])
               + batch(2, [("jobs.42.node001.cpu.user", 1700000001, 3.0),
                           ("fructosa.lagent.node001.points_sent", 1700000001, 99)])
               + job_event(3, STEP_END),
    "session_split": b"\x07" + hello("gpu-07") + batch(1, [("gpu-07.NetIOCounters.eth0.bytes_sent", 1, 2)]),
    "ack": b"\xc0" + ack(17),
    "error": b"\xc0" + error("too many agents (2); try again later"),
    "job_event": b"\x10" + job_event(9, STEP_START),
    "empty_batch": b"\xc0" + batch(5, []),
    "lying_count": b"\xc0" + frame(2, struct.pack(">QI", 1, 1000000) + s16("node001.x") + struct.pack(">dd", 1, 1)),
    "giant_length": b"\xc0" + b"FR\x01\x02\xff\xff\xff\xff",
    "wrong_version": b"\xc0" + hello("node001")[:2] + b"\x02" + hello("node001")[3:],
    "http": b"\xc0" + b"GET / HTTP/1.0\r\n\r\n",
}

step_seeds = {
    "step_start": STEP_START,
    "step_end": STEP_END,
    "step_start_v2": STEP_START.replace('"unified":"/"', '"unified":"/system.slice/slurmstepd.scope/job_42/step_0"'),
    "bad_version": '{"v":2,"event":"step_end"}',
    "negative_job": '{"v":1,"event":"step_end","job_id":-4,"step_id":"0","node":"n"}',
}

spank_seeds = {
    "defaults": b"\x03",
    "all_keys": b"\x05default=on\nsocket=/run/fructosa/%n/lagent.sock\ntimeout_ms=200\nmin_interval=2\ninterval=5",
    "bad_values": b"\x02default=maybe\ntimeout_ms=99999\ninterval=nan\nsocket=relative\nbogus",
    "interval_low": b"\x07on\ninterval=0.5\nmin_interval=3",
    "percent": b"\x3f/run/%%/%n/%n.sock\nnode-with-a-long-name-0001",
}


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)


write("fuzz_wire", wire_seeds)
write("fuzz_step_event", step_seeds)
write("fuzz_spank_options", spank_seeds)
