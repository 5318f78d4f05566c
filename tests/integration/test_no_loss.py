"""Nothing lost, every sample counted, duplicates within the stated bound (issue 19).

A real lagent samples VirtualMemory every 0.2 s into a real lmaster, which sends pickle
to a carbon receiver in this process (lib.FakeCarbon) that keeps every point with its
exact timestamp and every duplicate (whisper keeps one value per second, so it could
not count samples 0.2 s apart). Meanwhile: lmaster is killed with SIGKILL and
restarted; the receiver goes away for 30 s and comes back; lmaster is stopped, lagent
is killed with SIGKILL while holding unacknowledged batches in its spool, and both are
restarted.

Checked: every sample taken arrives (lagent samples on a fixed 0.2 s grid, so between
the first and the last sample no two distinct timestamps are more than MAX_GAP apart,
except while lagent was dead), and the duplicates stay within the README's bound: per
kill at most the last 1 s committed plus one batch in flight, per lost carbon connection
the 2 s replay window plus one batch, per clean lmaster stop one batch; no sample
arrives more than twice; no drop is counted anywhere.

Run: /usr/bin/python3 test_no_loss.py --build-dir BUILD
"""

import collections
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

AGENT = "lossnode"
SERIES = AGENT + ".VirtualMemory.total"
INTERVAL = 0.2
BATCH = 1.0  # lagent's batch interval (the fixture's)
MAX_GAP = 1.75 * INTERVAL  # a missing sample leaves a gap of two intervals
# The README's bound in samples, per event (a little slack for scheduling on a busy machine).
PER_KILL = (1.0 + BATCH + 0.5) / INTERVAL
PER_CARBON_LOSS = (2.0 + BATCH + 0.5) / INTERVAL
PER_STOP = (BATCH + 0.5) / INTERVAL


class NoLoss(lib.FructosaTestCase):
    def kill9(self, daemon):
        os.kill(daemon.proc.pid, signal.SIGKILL)
        lib.wait_until(lambda: not daemon.proc.alive(), 10, "%s to die" % daemon.name)
        if daemon.proc.popen is not None:
            daemon.proc.popen.wait()
        daemon.proc = None

    def test_kill_lmaster_stop_carbon_kill_lagent_every_sample_counted(self):
        carbon = lib.FakeCarbon(self).start()
        master = lib.Lmaster(self, carbon).run().wait_listening()
        agent = lib.Lagent(self, master.port, hostname=AGENT, sensors=("VirtualMemory",), interval=INTERVAL).run()
        lib.wait_until(lambda: carbon.timestamps(SERIES), 20, "the first samples")

        time.sleep(5)
        self.kill9(master)                       # 1. lmaster dies mid-stream
        time.sleep(3)
        master.run().wait_listening()

        time.sleep(5)
        carbon.stop()                            # 2. Graphite away for 30 s
        time.sleep(30)
        carbon.start()

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

        def gaps():
            have = sorted(set(carbon.timestamps(SERIES)))
            have = [t for t in have if t <= t_end]
            return [(a, b) for a, b in zip(have, have[1:])
                    if b - a > MAX_GAP and not (a >= t_agent_dead - 2 * INTERVAL and b <= t_agent_back + 2)]
        try:
            lib.wait_until(lambda: not gaps(), 60, "every sample of the run to arrive")
        except AssertionError:
            g = gaps()
            self.fail("%d gaps, e.g. %s" % (len(g), ["%.1f..%.1f" % (a - t_end, b - t_end) for a, b in g[:10]]))

        received = [t for t in carbon.timestamps(SERIES) if t <= t_end]
        counts = collections.Counter(received)
        distinct = len(counts)
        duplicates = len(received) - distinct
        bound = 2 * PER_KILL + PER_CARBON_LOSS + PER_STOP
        self.assertLessEqual(duplicates, bound,
                             "%d duplicates of %d samples (bound %d)" % (duplicates, distinct, bound))
        self.assertLessEqual(max(counts.values()), 2, "a sample arrived more than twice")
        # Nothing was dropped anywhere on the way.
        host = lib.short_hostname()
        dropped = carbon.values("fructosa.lmaster.%s.points_dropped" % host)
        self.assertTrue(dropped)
        self.assertEqual(max(v for _, v in dropped), 0.0)
        lagent_dropped = carbon.values("fructosa.lagent.%s.points_dropped" % AGENT)
        self.assertTrue(lagent_dropped)
        self.assertEqual(max(v for _, v in lagent_dropped), 0.0)
        self.assertIn("unacknowledged batches from before the restart", agent.log())
        print("\n%d samples taken and received, %d duplicates (bound %d), at most %d deliveries of one"
              % (distinct, duplicates, bound, max(counts.values())))


if __name__ == "__main__":
    lib.main()
