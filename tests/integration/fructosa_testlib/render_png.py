"""PNG graphs of a job and of a node through graphite-web's own renderer (/render with
format=png, drawn by cairo), shared by the demo (scripts/demo.py) and test_pictures.py.

A job's pictures cover its time in the registry (start_time .. end_time) with a few
seconds either side, so the first and last samples are not on the frame's edge.
"""

import os
import urllib.parse
import urllib.request

WIDTH, HEIGHT = 800, 360
PAD_SECONDS = 5


def render_png(port, targets, from_, until, title, width=WIDTH, height=HEIGHT, **params):
    """The bytes of graphite-web's PNG of `targets` (a list of target expressions) from
    `from_` to `until` (epoch seconds or graphite time specs). `params` are further render
    parameters (yMin, yUnitSystem, colorList, ...); those of the helpers below override
    their defaults. Raises on an HTTP error."""
    query = [("target", t) for t in targets]
    query += [("from", str(from_)), ("until", str(until)), ("format", "png"), ("width", str(width)),
              ("height", str(height)), ("title", title)]
    query += [(k, str(v)) for k, v in sorted(params.items())]
    url = "http://127.0.0.1:%d/render?%s" % (port, urllib.parse.urlencode(query))
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def _window(start, end):
    """Whole seconds around a job's start and end (graphite wants integers)."""
    return int(start) - PAD_SECONDS, int(end + 0.999) + PAD_SECONDS


def job_cpu_png(port, jobid, start, end, **params):
    """CPU efficiency (%) of job `jobid`, one line per node."""
    f, u = _window(start, end)
    return render_png(port, ["aliasByNode(jobs.%d.*.cpu.efficiency_percent, 2)" % jobid], f, u,
                      "job %d: CPU efficiency %% per node" % jobid, **dict({"yMin": 0}, **params))


def job_memory_png(port, jobid, start, end, **params):
    """Memory in use against the limit of job `jobid`, per node (the limit dashed;
    a job without a limit has no limit line)."""
    f, u = _window(start, end)
    return render_png(port, ["aliasByNode(jobs.%d.*.memory.current, 2, 4)" % jobid,
                             "aliasByNode(dashed(jobs.%d.*.memory.limit), 2, 4)" % jobid], f, u,
                      "job %d: memory current and limit per node" % jobid,
                      **dict({"yMin": 0, "yUnitSystem": "binary"}, **params))


def host_png(port, host, from_, until, **params):
    """One node's host view: CPU % of each core and memory used %, on one 0..100 axis.
    Lines connected across missing points: host sensors sample every few seconds into
    1-second slots, and the default line mode would draw only dashes."""
    return render_png(port, ["aliasByNode(%s.CPUPercent.*, 1, 2)" % host,
                             "aliasByNode(%s.VirtualMemory.percent, 1, 2)" % host], from_, until,
                      "node %s: CPU %% per core, memory used %%" % host,
                      **dict({"yMin": 0, "yMax": 100, "lineMode": "connected"}, **params))


def write_job_pictures(port, out_dir, jobid, start, end):
    """Writes job-<id>-cpu.png and job-<id>-memory.png into `out_dir`; returns their paths."""
    paths = []
    for kind, make in (("cpu", job_cpu_png), ("memory", job_memory_png)):
        path = os.path.join(out_dir, "job-%d-%s.png" % (jobid, kind))
        with open(path, "wb") as f:
            f.write(make(port, jobid, start, end))
        paths.append(path)
    return paths


def write_host_picture(port, out_dir, host, from_, until):
    """Writes node-<host>.png into `out_dir`; returns its path."""
    path = os.path.join(out_dir, "node-%s.png" % host)
    with open(path, "wb") as f:
        f.write(host_png(port, host, from_, until))
    return path
