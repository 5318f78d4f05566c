"""Shared fixtures for FrUCToSA's integration tests (standard library only).

Every test starts private components: its own temporary directory, its own ports on
127.0.0.1, its own carbon.conf, lmaster.conf and lagent.conf. Every fixture stops
exactly the processes it started, by pid, also when the test fails (addCleanup).

Run a test file as  /usr/bin/python3 test_x.py --build-dir BUILD [unittest options].
Debian's /usr/bin/python3 is needed: carbon, whisper and graphite-web import only there.

Environment:
  FRUCTOSA_KEEP_TMP=1   keep the temporary directory of a failed test (its path is printed)
  FRUCTOSA_BUILD_DIR    build directory when --build-dir is not given (default <repo>/build)

Tests use it as `import fructosa_testlib as lib` and `lib.X`; this file only gathers
the names of the modules beside it, one purpose each:

  build_dir     REPO_ROOT, BUILD_DIR, binary(), main() (the --build-dir entry point and the
                skip policy), skip_for_missing_hardware()
  process       start/stop/run processes, Proc, wait_until, /proc look-ups by pid
  files         read_text, read_pidfile, write_ini, merge_config, count_matching_lines
  net           free_port, port_open, port_listening, short_hostname
  wire          the agent protocol's frames, built and read by hand
  fixture       FructosaTestCase (sanitizer reports, logs of a failed test), Workspace,
                SharedWorkspaceTestCase
  carbon        CarbonCache
  fake_carbon   FakeCarbon (a pickle and plaintext receiver keeping every point and its timestamp)
  graphite_web  GraphiteWeb
  render_png    PNG graphs of a job and of a node from graphite-web's renderer
  png_check     read_png, picture_problem (a PNG that is a graph, not blank)
  munge         munged_running, ensure_munged, munge_credential
  daemons       Lmaster, Lagent, Perad, SENSORS, NEW_SENSORS, ALL_SENSORS
  postgres      PostgresServer (a private PostgreSQL server for the registry's url)
  host_facts    meminfo_bytes, boot_time, online_cpus, burn_cpu
"""

import sys
import types

from . import build_dir
from .build_dir import REPO_ROOT, SKIP_EXIT_CODE, binary, main, skip_for_missing_hardware, skip_verdict
from .carbon import CarbonCache
from .fake_carbon import FakeCarbon
from .daemons import ALL_SENSORS, NEW_SENSORS, SENSORS, Lagent, Lmaster, Perad
from .files import count_matching_lines, merge_config, read_pidfile, read_text, write_ini
from .fixture import FructosaTestCase, SharedWorkspaceTestCase, Workspace
from .graphite_web import GraphiteWeb
from .png_check import PngError, picture_problem, read_png
from .postgres import PostgresServer
from . import render_png
from .host_facts import boot_time, burn_cpu, meminfo_bytes, online_cpus
from .munge import ensure_munged, munge_credential, munged_running
from .net import free_port, port_listening, port_open, short_hostname
from .process import (Proc, WaitTimeout, pid_alive, pid_comm, pids_with_arg, proc_status_kib,
                      run, start, stop, wait_until)
from .wire import read_ack, read_frame, wire_batch, wire_frame, wire_hello, wire_job_event, wire_str16

__all__ = [
    "REPO_ROOT", "BUILD_DIR", "binary", "main", "SKIP_EXIT_CODE", "skip_for_missing_hardware", "skip_verdict",
    "CarbonCache", "FakeCarbon", "SENSORS", "NEW_SENSORS", "ALL_SENSORS", "Lagent", "Lmaster", "Perad",
    "count_matching_lines", "merge_config", "read_pidfile", "read_text", "write_ini",
    "FructosaTestCase", "SharedWorkspaceTestCase", "Workspace", "GraphiteWeb", "PostgresServer", "PngError", "picture_problem", "read_png", "render_png",
    "boot_time", "burn_cpu", "meminfo_bytes", "online_cpus",
    "ensure_munged", "munge_credential", "munged_running",
    "free_port", "port_listening", "port_open", "short_hostname",
    "Proc", "WaitTimeout", "pid_alive", "pid_comm", "pids_with_arg", "proc_status_kib",
    "run", "start", "stop", "wait_until",
    "read_ack", "read_frame", "wire_batch", "wire_frame", "wire_hello", "wire_job_event", "wire_str16",
]


class _Facade(types.ModuleType):
    """BUILD_DIR lives in build_dir (binary() and main() use it there); reading or
    setting lib.BUILD_DIR (fructosa_stack, the benchmarks, the demo) reaches that one."""

    @property
    def BUILD_DIR(self):
        return build_dir.BUILD_DIR

    @BUILD_DIR.setter
    def BUILD_DIR(self, path):
        build_dir.BUILD_DIR = path


sys.modules[__name__].__class__ = _Facade
