"""bench/cost.py, the CPU a checkout costs per part: real processes read from /proc, and the
arithmetic of the figure `make bench` prints."""

import os
import subprocess
import sys
import time

import pytest

from bench import cost

pytestmark = pytest.mark.skipif(not cost.available(), reason="reads /proc (Linux)")

# A child that uses 0.6 s of CPU and exits, under a parent that outlives it.
BURN = "import time\nwhile time.process_time() < 0.6: pass"
PARENT = f"import subprocess, sys, time\nsubprocess.run([sys.executable, '-c', {BURN!r}])\nprint('done', flush=True)\ntime.sleep(30)"


def test_a_process_trees_seconds_keep_what_its_exited_children_used():
    # A PostgreSQL backend that closes, a gunicorn worker that is replaced: their CPU must still
    # count, or a part's seconds go down during the run.
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline() == "done\n"  # the child has exited and been waited for

        seconds = cost.tree_seconds(cost.process_table(), parent.pid)
    finally:
        parent.kill()
        parent.wait()

    assert seconds >= 0.5


def test_per_checkout_takes_idle_use_off_and_divides_among_the_cores():
    figures = cost.per_checkout(
        before={"order web": 10.0, "PostgreSQL": 100.0, "user web": 5.0},
        after={"order web": 13.0, "PostgreSQL": 102.5, "user web": 5.2},
        idle={"order web": 0.0, "PostgreSQL": 0.05, "user web": 0.02},
        seconds=10.0,
        checkouts=100,
    )

    assert figures == {
        "checkouts": 100,
        "seconds": 10.0,
        # order web 3 s / 100; PostgreSQL (2.5 - 0.5 idle) / 100; user web all idle
        "ms_by_part": {"order web": 30.0, "PostgreSQL": 20.0, "user web": 0.0},
        "total_ms": 50.0,
        "cores": os.cpu_count(),
        "ceiling_per_s": os.cpu_count() * 1000 / 50,
    }


def test_a_running_process_tree_is_counted_while_it_runs():
    burner = subprocess.Popen([sys.executable, "-c", BURN + "\nimport time; time.sleep(30)"])
    try:
        deadline = time.monotonic() + 20
        while (seconds := cost.tree_seconds(cost.process_table(), burner.pid)) < 0.5:
            assert time.monotonic() < deadline, seconds
            time.sleep(0.1)
    finally:
        burner.kill()
        burner.wait()
