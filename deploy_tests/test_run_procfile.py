"""scripts/run-procfile, what `make run` starts the Procfile with: real processes, real signals."""

import os
import re
import signal
import subprocess
import sys
import time

from deploy_tests.conftest import REPO_DIR

RUNNER = REPO_DIR / "scripts/run-procfile"


def start(tmp_path, procfile: str) -> subprocess.Popen:
    (tmp_path / "Procfile").write_text(procfile)
    return subprocess.Popen(
        [sys.executable, str(RUNNER), str(tmp_path / "Procfile")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a group of its own, as a terminal's foreground job
    )


def wait_for(path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def group_gone(pgid: int, timeout: float = 5) -> bool:
    """No process of the group is left (a killed shell's last `sleep 0.1` may take that long)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def every_process_gone(runner: subprocess.Popen, output: str) -> bool:
    """The runner's group and each line's own group (its pid, printed at start) are empty."""
    groups = [runner.pid, *(int(pid) for pid in re.findall(r"started \(pid (\d+)\)", output))]
    return len(groups) > 1 and all(group_gone(pgid) for pgid in groups)


def test_every_line_runs_with_its_output_after_its_name(tmp_path):
    runner = start(
        tmp_path,
        "# a comment, then two processes\n"
        "web: echo serving on 8001; exec sleep 30\n"
        "worker: echo ready; echo second line; exit 0\n",
    )

    output, _ = runner.communicate(timeout=30)

    lines = [re.sub(r"^\d\d:\d\d:\d\d ", "", line) for line in output.splitlines()]
    assert "web    | serving on 8001" in lines
    assert "worker | ready" in lines
    assert "worker | second line" in lines
    assert not any("comment" in line for line in lines)


def test_one_process_exiting_stops_the_others_with_its_exit_code(tmp_path):
    runner = start(
        tmp_path,
        f"quick: until [ -e {tmp_path}/long-up ]; do sleep 0.05; done; exit 3\n"
        f"long: trap 'touch {tmp_path}/stopped; kill $!; exit 0' TERM; touch {tmp_path}/long-up; sleep 30 & wait\n",
    )

    output, _ = runner.communicate(timeout=30)

    assert runner.returncode == 3
    assert "quick exited with code 3: stopping the others" in output
    assert (tmp_path / "stopped").exists()
    assert every_process_gone(runner, output)


def test_ctrl_c_stops_every_process_in_order(tmp_path):
    runner = start(
        tmp_path,
        f"web: trap 'echo web stopping; kill $!; exit 0' TERM INT; touch {tmp_path}/web-up; sleep 30 & wait\n"
        f"stubborn: trap '' TERM INT; touch {tmp_path}/stubborn-up; while true; do sleep 0.1; done\n",
    )
    wait_for(tmp_path / "web-up")
    wait_for(tmp_path / "stubborn-up")

    os.killpg(runner.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
    output, _ = runner.communicate(timeout=60)

    assert runner.returncode == 0
    assert re.search(r"^\S+ web +\| web stopping$", output, re.M)
    assert "sending SIGKILL to stubborn" in output  # it ignored SIGTERM for STOP_SECONDS
    assert every_process_gone(runner, output)


def test_a_child_left_behind_holding_the_output_is_killed_and_the_runner_exits(tmp_path):
    # A program that stops on SIGTERM but leaves a child running with its stdout: as a gunicorn
    # master that exits before a stuck worker. Before, the runner waited for that pipe for ever.
    runner = start(
        tmp_path,
        f"web: (trap '' TERM INT; touch {tmp_path}/child-up; while true; do sleep 0.1; done) & "
        f"trap 'exit 0' TERM INT; sleep 30 & wait\n",
    )
    wait_for(tmp_path / "child-up")

    os.killpg(runner.pid, signal.SIGINT)
    output, _ = runner.communicate(timeout=60)

    assert runner.returncode == 0
    assert "sending SIGKILL to web" in output
    assert every_process_gone(runner, output)
