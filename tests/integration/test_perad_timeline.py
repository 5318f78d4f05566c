"""`perad show` draws a job's timelines from graphite-web (issue 20), on the real stack:
3-node Slurm cluster, carbon-cache, graphite-web, lmaster, lagents, perad with
`[graphite] web url` set to the graphite-web.

1. A job busy for 4 s then asleep for 6 s on one node: its CPU line has high blocks in
   its first part and low blocks in its last part, the drop at the right place; `--format
   json` carries the points (null where nothing was measured); `--no-plot` draws nothing.
2. graphite-web that accepts connections but never answers, then graphite-web stopped:
   `show` still prints the verdict, within its 2 s budget for graphite-web, and one line
   says why there is no timeline.

Run: /usr/bin/python3 test_perad_timeline.py --build-dir BUILD
"""

import json
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import ProfiledCluster, burn_cmd, with_jobid  # noqa: E402

RULES = {"too short seconds": 2, "stalled min seconds": 4}
BLOCKS = "▁▂▃▄▅▆▇█"
GAP = "·"


def cpu_line(text):
    """The blocks of the first 'cpu efficiency' line of `perad show`, and the line."""
    for line in text.splitlines():
        if "cpu efficiency" in line:
            cells = line.split("cpu efficiency", 1)[1].split()
            return cells[0], line
    raise AssertionError("no cpu efficiency line in:\n" + text)


class PeradTimeline(lib.SharedWorkspaceTestCase):
    @classmethod
    def start_class(cls):
        cls.stack = ProfiledCluster(cls.ws, perad=True, perad_rules=RULES, graphite_web=True).start()
        cls.jobid = cls.stack.srun_job("--fructosa=on", "-w", "n1", "-n1", "-c1", "--mem=100",
                                       *with_jobid(["/bin/sh", "-c", '"$@"; exec sleep 6', "sh"] + burn_cmd(4)))
        cls.verdict = cls.stack.verdict(cls.jobid)

    def show(self, *args, conf=None):
        started = time.monotonic()
        res = lib.run([lib.binary("perad"), "show", str(self.jobid), *args, "-c", conf or self.stack.perad_conf],
                      timeout=30)
        return res, time.monotonic() - started

    def test_1_busy_then_idle_job_drops_in_its_cpu_line(self):
        # graphite-web answers from carbon's cache too: wait until the idle tail is there.
        series = "jobs.%d.n1.cpu.efficiency_percent" % self.jobid
        job = self.stack.registry_job(self.jobid)
        lib.wait_until(lambda: len([v for _, v in self.stack.graphite.render_values(
            series, int(job["start_time"]) - 1, int(job["end_time"]) + 2).get(series, [])]) >= 7, 30,
            "graphite-web to have the points of " + series)
        res, _ = self.show()
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("Timeline  (graphite-web http://127.0.0.1:%d; · = not measured)" % self.stack.graphite.port,
                      res.stdout)
        blocks, line = cpu_line(res.stdout)
        self.assertTrue(set(blocks) <= set(BLOCKS + GAP), line)
        self.assertEqual(len(blocks), 40, line)  # ~11 points stretched to 40 columns
        levels = [BLOCKS.index(c) if c in BLOCKS else None for c in blocks]
        n = len(levels)
        # Busy for 4 of ~10 s: the first quarter or so is high (█▇▆), the last half low (▁▂).
        head = [v for v in levels[: n // 4] if v is not None]
        tail = [v for v in levels[n // 2:] if v is not None]
        self.assertTrue(head and tail, line)
        self.assertGreaterEqual(sum(1 for v in head if v >= 5), len(head) * 0.75, line)
        self.assertTrue(all(v <= 1 for v in tail), line)
        # The drop: the last high column lies between 25% and 60% of the line.
        last_high = max(i for i, v in enumerate(levels) if v is not None and v >= 5)
        self.assertGreater(last_high, n * 0.25, line)
        self.assertLess(last_high, n * 0.6, line)
        self.assertRegex(line, r"  min [0-9]+%  max [0-9]+%$")
        lo, hi = map(int, re.search(r"  min ([0-9]+)%  max ([0-9]+)%$", line).groups())
        self.assertLessEqual(lo, 10, line)
        self.assertGreaterEqual(hi, 60, line)  # one busy core of one allocated, on a shared 2-core machine
        for label in ("memory/limit", "i/o rate"):
            self.assertRegex(res.stdout, r"\n +%s +[%s%s]+  min " % (label, BLOCKS, GAP))
        # A time axis under the lines: the first and last slot's HH:MM:SS.
        self.assertRegex(res.stdout, r"\n {20,}[0-2][0-9]:[0-5][0-9]:[0-5][0-9] +[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\n")
        # The verdict is there as before.
        self.assertIn("Class: " + self.verdict["class"], res.stdout)

        js, _ = self.show("--format", "json")
        self.assertEqual(js.returncode, 0, js.stderr)
        shown = json.loads(js.stdout)
        t = shown["timeline"]
        self.assertEqual(t["source"], "http://127.0.0.1:%d" % self.stack.graphite.port)
        self.assertEqual([n["host"] for n in t["nodes"]], ["n1"])
        points = t["nodes"][0]["series"]["cpu_efficiency_percent"]
        values = [v for _, v in points]
        # [time, value or null], one a second (the test carbon keeps 1 s points)
        self.assertTrue(all(v is None or isinstance(v, (int, float)) for v in values), points)
        self.assertEqual([b[0] - a[0] for a, b in zip(points, points[1:])], [1.0] * (len(points) - 1), points)
        self.assertGreater(max(v for v in values if v is not None), 60, points)
        # the idle end: the last measured point (slots after the job's end are null)
        self.assertLess([v for v in values if v is not None][-1], 10, points)
        self.assertIn("memory_percent_of_limit", t["nodes"][0]["series"])
        self.assertNotIn("timeline_unavailable", shown)

        plain, _ = self.show("--no-plot")
        self.assertEqual(plain.returncode, 0, plain.stderr)
        self.assertNotIn("Timeline", plain.stdout)
        self.assertNotIn("timeline", json.loads(self.show("--no-plot", "--format", "json")[0].stdout))

    def test_2_without_graphite_web_the_verdict_comes_within_the_timeout(self):
        # A graphite-web that takes the connection and never answers.
        hung = socket.socket()
        hung.bind(("127.0.0.1", 0))
        hung.listen(4)
        self.addCleanup(hung.close)
        conf = os.path.join(self.ws.subdir("hung"), "perad.conf")
        with open(self.stack.perad_conf) as f:
            text = f.read()
        url = "http://127.0.0.1:%d" % self.stack.graphite.port
        self.assertIn("web url = " + url, text)
        hung_url = "http://127.0.0.1:%d" % hung.getsockname()[1]
        with open(conf, "w") as f:
            f.write(text.replace(url, hung_url))
        res, elapsed = self.show(conf=conf)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertLess(elapsed, 5, res.stdout)
        self.assertIn("Class: " + self.verdict["class"], res.stdout)
        why = [line for line in res.stdout.splitlines() if line.startswith("Timeline")]
        self.assertEqual(why, ["Timeline: none: graphite-web at %s did not answer within 2 s" % hung_url], res.stdout)

        self.stack.graphite.stop()
        res, elapsed = self.show()
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertLess(elapsed, 5, res.stdout)
        self.assertIn("Class: " + self.verdict["class"], res.stdout)
        why = [line for line in res.stdout.splitlines() if line.startswith("Timeline")]
        self.assertEqual(why, ["Timeline: none: graphite-web at %s: Connection refused (connecting)" % url],
                         res.stdout)
        js = json.loads(self.show("--format", "json")[0].stdout)
        self.assertIsNone(js["timeline"])
        self.assertEqual(js["timeline_unavailable"], "graphite-web at %s: Connection refused (connecting)" % url)


if __name__ == "__main__":
    lib.main()
