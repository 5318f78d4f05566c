"""Agents authenticate to lmaster with MUNGE (DESIGN.md "Where we go past the original").

A real lmaster with auth = munge, a real carbon-cache, and the machine's munged:
  - a real lagent with auth = munge is served: its series reach carbon;
  - a real lagent with auth = none is refused, and lmaster logs and counts it;
  - Hellos sent by hand from Python (frame layout in common/wire.h) with a replayed,
    garbage, other-host or other-uid credential are refused, each with its reason,
    while a fresh credential opens a connection that gets its batches acked.
"""

import os
import socket
import struct
import time

import fructosa_testlib as tl

HOST = tl.short_hostname()


# --- the agent protocol, by hand (common/wire.h; frames read by tl.read_frame) ----------

read_frame = tl.read_frame


def error_text(payload):
    n = struct.unpack(">H", payload[:2])[0]
    return payload[2:2 + n].decode(errors="replace")


class AuthTest(tl.FructosaTestCase):

    def start_master(self, carbon):
        master = tl.Lmaster(self, carbon, auth="munge").run().wait_listening()
        return master

    def self_metric(self, carbon, name):
        return carbon.latest("fructosa.lmaster.%s.%s" % (HOST, name))

    def test_a_munge_agent_is_served(self):
        carbon = tl.CarbonCache(self).start()
        master = self.start_master(carbon)
        agent = tl.Lagent(self, master.port, hostname="mungenode", auth="munge").run()
        carbon.wait_for_values("mungenode.VirtualMemory.percent", timeout=30, count=3)
        self.assertTrue(agent.alive())
        self.assertIn("agent mungenode (version", master.log())
        self.assertNotIn("refused", master.log())
        self.assertEqual(self.self_metric(carbon, "auth_failures"), 0)

    def test_an_agent_without_authentication_is_refused(self):
        carbon = tl.CarbonCache(self).start()
        master = self.start_master(carbon)
        agent = tl.Lagent(self, master.port, hostname="plainnode", auth="none").run()
        tl.wait_until(lambda: "auth_method 'none' is not accepted by this lmaster (it accepts: munge)"
                      in master.log(), 20, "lmaster to log the refusal")
        self.assertIn("(claims plainnode) refused", master.log())
        # Counted, and published among lmaster's own metrics.
        tl.wait_until(lambda: (self.self_metric(carbon, "auth_failures") or 0) >= 1, 20,
                      "auth_failures >= 1 in carbon")
        # The agent learns why, keeps running and retries (with backoff).
        tl.wait_until(lambda: "lmaster refused us" in agent.log(), 20, "the agent to log the refusal")
        self.assertIn("auth = none", agent.log())  # its warning at start
        self.assertTrue(agent.alive())
        self.assertEqual(carbon.series("plainnode"), [])

    def test_forged_and_replayed_credentials_are_refused(self):
        carbon = tl.CarbonCache(self).start()
        master = self.start_master(carbon)

        def attempt(host, method, credential, points=()):
            with socket.create_connection(("127.0.0.1", master.port), timeout=5) as s:
                s.sendall(tl.wire_hello(host, method, credential))
                if points:
                    s.sendall(tl.wire_batch(1, list(points)))
                return read_frame(s)

        good = tl.munge_credential("handnode")
        reply = attempt("handnode", "munge", good, [("handnode.Hand.value", time.time() - 5, 42.0)])
        self.assertIsNotNone(reply)
        self.assertEqual(reply[0], 3, "a fresh credential: the batch is acked, got %r" % (reply,))

        refusals = [
            ("replayed", ("handnode", "munge", good),
             "MUNGE credential replayed (each credential opens one connection only)"),
            ("garbage", ("handnode", "munge", "MUNGE:" + "A" * 200 + ":"),
             "MUNGE credential invalid (garbage, or made with another key)"),
            ("not base64 at all", ("handnode", "munge", "let me in"),
             "MUNGE credential invalid (garbage, or made with another key)"),
            ("another host's credential", ("othernode", "munge", tl.munge_credential("handnode")),
             "MUNGE credential names host 'handnode', but the agent claims 'othernode'"),
            ("empty", ("handnode", "munge", ""), "MUNGE credential missing"),
            ("no auth", ("handnode", "none", ""),
             "auth_method 'none' is not accepted by this lmaster (it accepts: munge)"),
        ]
        if os.geteuid() == 0:
            refusals.append(("uid 65534", ("handnode", "munge", tl.munge_credential("handnode", uid=65534)),
                             "MUNGE credential made by uid 65534, which is neither root nor in allowed uids"))
        for what, args, expected in refusals:
            with self.subTest(what):
                reply = attempt(*args, points=[("handnode.Hand.value", time.time(), 666.0)])
                self.assertIsNotNone(reply, what)
                self.assertEqual(reply[0], 4, "%s: expected an Error frame, got %r" % (what, reply))
                self.assertIn(expected, error_text(reply[1]))
                self.assertIn(expected, master.log())
        self.assertTrue(master.alive())
        tl.wait_until(lambda: self.self_metric(carbon, "auth_failures") == len(refusals), 20,
                      "auth_failures == %d in carbon" % len(refusals))
        # Only the authenticated point landed.
        values = carbon.wait_for_values("handnode.Hand.value", timeout=20)
        self.assertEqual([v for _, v in values], [42.0])


if __name__ == "__main__":
    tl.main()
