"""Nothing lost (issue "Nothing lost, nobody let in"), counted on real components.

A real lagent samples VirtualMemory every 0.5 s into a real lmaster and carbon-cache
(1 s resolution, so every second of the run must hold a value). Meanwhile: lmaster is
killed with SIGKILL and restarted; carbon-cache is stopped for 30 s and restarted;
lmaster is stopped, lagent is killed with SIGKILL while holding unacknowledged
batches in its spool, and both are restarted. At the end every second of the run has
its sample in carbon (points sampled twice are bounded duplicates: carbon keeps one
value per second), and no drop is counted anywhere.

Run: /usr/bin/python3 test_no_loss.py --build-dir BUILD
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

SERIES = "lossnode.VirtualMemory.total"


class NoLoss(lib.FructosaTestCase):
    def kill9(self, daemon):
        os.kill(daemon.proc.pid, signal.SIGKILL)
        lib.wait_until(lambda: not daemon.proc.alive(), 10, "%s to die" % daemon.name)
        if daemon.proc.popen is not None:
            daemon.proc.popen.wait()
        daemon.proc = None

    def latest_self(self, name):
        vals = self.carbon.values("fructosa.lmaster.%s.%s" % (lib.short_hostname(), name))
        return vals[-1][1] if vals else None

    def test_kill_lmaster_stop_carbon_kill_lagent_nothing_lost(self):
        self.carbon = lib.CarbonCache(self).start()
        master = lib.Lmaster(self, self.carbon).run().wait_listening()
        agent = lib.Lagent(self, master.port, hostname="lossnode", sensors=("VirtualMemory",), interval=0.5).run()
        t_start = time.time()
        self.carbon.wait_for_values(SERIES, timeout=20)

        time.sleep(5)
        self.kill9(master)                       # 1. lmaster dies mid-stream
        time.sleep(3)
        master.run().wait_listening()

        time.sleep(5)
        self.carbon.stop()                       # 2. Graphite away for 30 s
        time.sleep(30)
        self.carbon.start()

        time.sleep(5)
        master.stop()                            # 3. lmaster away; lagent spools...
        time.sleep(4)
        t_agent_dead = time.time()
        self.kill9(agent)                        # ...and dies holding what it spooled
        agent.run()
        t_agent_back = time.time()
        time.sleep(2)
        master.run().wait_listening()

        time.sleep(6)
        t_end = time.time() - 3
        def missing_seconds():
            have = {int(ts) for ts, _ in self.carbon.values(SERIES, since=t_start - 5, until=t_end + 5)}
            want = [s for s in range(int(t_start) + 2, int(t_end))
                    if not (int(t_agent_dead) - 1 <= s <= int(t_agent_back) + 1)]  # nothing sampled then
            return [s for s in want if s not in have]
        try:
            lib.wait_until(lambda: not missing_seconds(), 60, "every second of the run to be in carbon")
        except AssertionError:
            gone = missing_seconds()
            self.fail("%d seconds lost, e.g. %s (run %d..%d, lmaster kill at +5 s)"
                      % (len(gone), [s - int(t_start) for s in gone[:20]], int(t_start), int(t_end)))
        # Nothing was dropped anywhere on the way.
        self.assertIn(self.latest_self("points_dropped"), (0.0, None))
        lagent_dropped = self.carbon.values("fructosa.lagent.lossnode.points_dropped")
        self.assertTrue(lagent_dropped)
        self.assertEqual(max(v for _, v in lagent_dropped), 0.0)
        self.assertIn("unacknowledged batches from before the restart", agent.log())
        print("\nrun of %.0f s: every second present; lagent replayed its spool after SIGKILL"
              % (t_end - t_start))


if __name__ == "__main__":
    lib.main()
