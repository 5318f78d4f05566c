"""PNG graphs of a job and a node from graphite-web's renderer (issue 20, "Pictures from
the demo"): the code the demo writes its pictures with (fructosa_testlib.render_png), on
a real stack, and the check that a picture is a graph and not blank
(fructosa_testlib.png_check).

1. PngReader: the stdlib PNG reader on pictures built here pixel by pixel (every scanline
   filter, palette, a bad CRC), and picture_problem on blank, near-blank and drawn ones.
2. JobPictures: a private 2-node Slurm cluster with spank_fructosa.so, lmaster, carbon,
   graphite-web and a lagent per node; one profiled 2-node job, busy on both nodes,
   then idle on n2. Its CPU and memory pictures and n1's host picture must be graphs
   of the asked size; rendered with the lines' colours set, each node's line must be
   drawn. A render of a job that does not exist (graphite-web's "No Data" picture) and
   a render of the job's series before it started (an empty frame) must be found wanting.

Run: /usr/bin/python3 test_pictures.py --build-dir BUILD
"""

import os
import struct
import sys
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import PY, ProfiledCluster, with_jobid  # noqa: E402

render = lib.render_png
NODES = ("n1", "n2")
MAGENTA, CYAN = (255, 0, 255), (0, 255, 255)
# Line colours of the checks: node n1 magenta, n2 cyan (aliasByNode sorts them so).
LINES = {"colorList": "ff00ff,00ffff", "hideLegend": "true", "lineWidth": 3}
# The job: on each node holds 100 MiB of its 200 MB limit; task 0 (n1) burns a core for
# 6 s, task 1 (n2) for 2 s and then sleeps 4 s, so the two CPU lines part.
JOB_TASK = ("import os,time\nb=bytearray(100<<20)\nfor i in range(0,len(b),4096): b[i]=1\n"
            "busy=6 if os.environ['SLURM_PROCID']=='0' else 2\nt=time.time()\n"
            "while time.time()-t<busy: pass\ntime.sleep(6-busy)\n")


# --- a PNG writer for the reader's tests -----------------------------------------------

def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _filter(ftype, line, prev, bpp):
    out = bytearray()
    for i, x in enumerate(line):
        left = line[i - bpp] if i >= bpp else 0
        up = prev[i]
        upleft = prev[i - bpp] if i >= bpp else 0
        # An unknown type (for the reader's refusal) is written unfiltered.
        pred = [0, left, up, (left + up) >> 1, _paeth(left, up, upleft)][ftype] if ftype < 5 else 0
        out.append((x - pred) & 0xff)
    return out


def make_png(rows, ctype=6, filters=None, palette=None):
    """A PNG of `rows` (lists of pixels: tuples of the colour type's samples), scanline
    y filtered with filters[y] (default all 0)."""
    bpp = len(rows[0][0])
    width, height = len(rows[0]), len(rows)
    raw, prev = bytearray(), bytearray(width * bpp)
    for y, row in enumerate(rows):
        line = bytearray(b for px in row for b in px)
        ftype = filters[y] if filters else 0
        raw.append(ftype)
        raw += _filter(ftype, line, prev, bpp)
        prev = line
    out = lib.png_check.SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, ctype, 0, 0, 0))
    if palette:
        out += _chunk(b"PLTE", bytes(b for c in palette for b in c))
    return out + _chunk(b"IDAT", zlib.compress(bytes(raw))) + _chunk(b"IEND", b"")


class PngReader(unittest.TestCase):

    def test_every_filter_type_decodes_to_the_pixels_written(self):
        rows = [[((x * 40 + y * 7) % 256, (x * y * 13) % 256, 255 - x * 30, 200 + y) for x in range(6)]
                for y in range(5)]
        data = make_png(rows, 6, filters=[0, 1, 2, 3, 4])
        png = lib.read_png(data)
        self.assertEqual((png.width, png.height, png.size), (6, 5, len(data)))
        want = {}
        for row in rows:
            for px in row:
                want[px] = want.get(px, 0) + 1
        self.assertEqual(dict(png.colours), want)

    def test_rgb_grey_and_palette_pictures_are_expanded_to_rgba(self):
        png = lib.read_png(make_png([[(1, 2, 3), (1, 2, 3)], [(9, 9, 9), (1, 2, 3)]], 2, filters=[4, 3]))
        self.assertEqual(dict(png.colours), {(1, 2, 3, 255): 3, (9, 9, 9, 255): 1})
        png = lib.read_png(make_png([[(7,), (8,)]], 0))
        self.assertEqual(dict(png.colours), {(7, 7, 7, 255): 1, (8, 8, 8, 255): 1})
        png = lib.read_png(make_png([[(1,), (0,), (1,)]], 3, palette=[(10, 20, 30), (40, 50, 60)]))
        self.assertEqual(dict(png.colours), {(40, 50, 60, 255): 2, (10, 20, 30, 255): 1})
        self.assertEqual(png.count((40, 50, 60)), 2)

    def test_broken_pictures_are_refused_with_the_reason(self):
        good = make_png([[(0, 0, 0, 255)] * 4] * 4)
        cases = [
            (b"GIF89a" + good[6:], "no PNG signature"),
            (good[:20], "cut off"),
            (good[:30] + bytes([good[30] ^ 1]) + good[31:], "wrong CRC"),
            (make_png([[(0, 0, 0, 255)] * 4] * 4, filters=[0, 5, 0, 0]), "scanline 1 has unknown filter type 5"),
            (make_png([[(0,), (1,)]], 3, palette=[(0, 0, 0)]), "palette index 1 without a PLTE entry"),
        ]
        for data, why in cases:
            with self.assertRaises(lib.PngError) as cm:
                lib.read_png(data)
            self.assertIn(why, str(cm.exception))
            self.assertEqual(lib.picture_problem(data, min_bytes=0), "not a valid PNG: " + str(cm.exception))

    def test_picture_problem_tells_blank_near_blank_and_drawn_apart(self):
        black, white = (0, 0, 0, 255), (255, 255, 255, 255)
        blank = make_png([[black] * 100] * 100)
        self.assertEqual(lib.picture_problem(blank, min_bytes=0), "blank: one colour (0, 0, 0, 255)")
        self.assertEqual(lib.picture_problem(blank, 100, 100), "only %d bytes (a graph has at least 2048)"
                         % len(blank))
        self.assertEqual(lib.picture_problem(blank, 100, 50, min_bytes=0), "100x100 pixels, asked for 100x50")
        # 50 white pixels of 10,000: 0.5 %, what graphite-web's "No Data" picture comes to.
        sparse = make_png([[white if y == 50 and x < 50 else black for x in range(100)] for y in range(100)])
        self.assertEqual(lib.picture_problem(sparse, min_bytes=0),
                         "near blank: 0.50 % of the pixels differ from the background (0, 0, 0, 255) "
                         "(a graph has at least 1 %)")
        # A line of 3 x 100 magenta pixels: drawn, and it is in magenta, not in cyan.
        drawn = make_png([[MAGENTA + (255,) if 40 <= y < 43 else black for x in range(100)] for y in range(100)])
        self.assertIsNone(lib.picture_problem(drawn, 100, 100, min_bytes=0, line_colours=[MAGENTA]))
        self.assertEqual(lib.picture_problem(drawn, min_bytes=0, line_colours=[MAGENTA, CYAN]),
                         "no line in colour #00ffff: 0 pixels (a drawn line has at least 30)")


class JobPictures(lib.SharedWorkspaceTestCase):
    """One cluster and one job for the whole class: starting Slurm is slow."""

    @classmethod
    def start_class(cls):
        cls._start()

    @classmethod
    def _start(cls):
        cls.stack = ProfiledCluster(cls.ws, nodes=NODES, host_sensors=("CPUPercent", "VirtualMemory"),
                                    host_interval=1, graphite_web=True).start()
        cls.port = cls.stack.graphite.port
        cls.jobid = cls.stack.srun_job("--fructosa=on", "-N2", "-n2", "--ntasks-per-node=1", "-c2", "--mem=200",
                                       *with_jobid([PY, "-c", JOB_TASK]), timeout=180)
        job = lib.wait_until(lambda: (j := cls.stack.registry_job(cls.jobid, status="finished")) and
                             j["end_time"] and j, 60, "job %d to be finished in the registry" % cls.jobid)
        cls.start, cls.end = job["start_time"], job["end_time"]
        for node in NODES:
            cls.stack.job_values(cls.jobid, node, "cpu.efficiency_percent", count=4)
            cls.stack.job_values(cls.jobid, node, "memory.limit", count=2)

    def check(self, data, **kw):
        problem = lib.picture_problem(data, render.WIDTH, render.HEIGHT, **kw)
        if problem:
            path = os.path.join(self.ws.tmp, "%s.png" % self.id().split(".")[-1])
            with open(path, "wb") as f:
                f.write(data)
            self.fail("%s (picture kept as %s)" % (problem, path))

    def test_job_pictures_are_graphs_of_the_asked_size(self):
        out = self.ws.subdir("pictures")
        paths = render.write_job_pictures(self.port, out, self.jobid, self.start, self.end)
        self.assertEqual([os.path.basename(p) for p in paths],
                         ["job-%d-cpu.png" % self.jobid, "job-%d-memory.png" % self.jobid])
        for path in paths:
            with open(path, "rb") as f:
                data = f.read()
            self.check(data)
            self.assertGreater(len(data), 4096, path)

    def test_each_nodes_cpu_line_is_drawn(self):
        # n2's line (cyan, drawn last) covers n1's while both burn; n1's shows after n2 idles.
        self.check(render.job_cpu_png(self.port, self.jobid, self.start, self.end, **LINES),
                   line_colours=[MAGENTA, CYAN])

    def test_host_picture_is_a_graph(self):
        data = render.host_png(self.port, "n1", int(self.start) - 60, int(self.end) + 5)
        self.check(data)
        out = self.ws.subdir("host")
        path = render.write_host_picture(self.port, out, "n1", int(self.start) - 60, int(self.end) + 5)
        self.assertEqual(os.path.basename(path), "node-n1.png")
        with open(path, "rb") as f:
            self.check(f.read())

    def test_a_job_without_data_gives_a_picture_found_near_blank(self):
        # graphite-web draws "No Data" on the background: a valid PNG of the asked size.
        data = render.job_cpu_png(self.port, 999999, self.start, self.end)
        png = lib.read_png(data)
        self.assertEqual((png.width, png.height), (render.WIDTH, render.HEIGHT))
        self.assertGreater(len(png.colours), 2)
        self.assertRegex(lib.picture_problem(data, render.WIDTH, render.HEIGHT, min_bytes=0),
                         r"^near blank: 0\.\d\d % of the pixels differ from the background")
        self.assertIsNotNone(lib.picture_problem(data, render.WIDTH, render.HEIGHT))

    def test_the_jobs_series_before_it_started_give_an_empty_frame_without_lines(self):
        # The series exist, so graphite-web draws axes and grid, but no point is in range.
        before = self.start - 600
        data = render.job_cpu_png(self.port, self.jobid, before, before + 60, **LINES)
        self.assertEqual(lib.picture_problem(data, render.WIDTH, render.HEIGHT, line_colours=[MAGENTA, CYAN]),
                         "no line in colour #ff00ff: 0 pixels (a drawn line has at least 30)")


if __name__ == "__main__":
    lib.main()
