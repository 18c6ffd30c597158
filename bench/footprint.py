"""What `make run` costs a laptop: its processes and their resident memory, measured on a fresh
embedded run (SQLite, the filesystem broker) once every service answers. A figure for
`make bench`; the target (1.5 GiB with six services) is printed beside it, never asserted."""

import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from system_tests.stack import REPO, wait_until

PORTS = range(8000, 8007)  # the gateway and the six services (the contract's ports)
SETTLE_SECONDS = 5  # after the last port answers: imports and first requests done


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def tree_pids(parent_of: dict[int, int], root: int) -> list[int]:
    """``root`` and every process under it, from a map of each process to its parent."""
    children: dict[int, list[int]] = {}
    for pid, parent in parent_of.items():
        children.setdefault(parent, []).append(pid)
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        if pid in parent_of:
            found.append(pid)
            frontier += children.get(pid, [])
    return found


def process_tree(root: int) -> list[tuple[int, int, str]]:
    """(pid, RSS in KiB, command) of ``root`` and every process under it."""
    table = {}
    for line in subprocess.check_output(["ps", "-ww", "-eo", "pid=,ppid=,rss=,args="], text=True).splitlines():
        pid, ppid, rss, args = line.split(None, 3)
        table[int(pid)] = (int(ppid), int(rss), args)
    return [
        (pid, table[pid][1], table[pid][2]) for pid in tree_pids({pid: row[0] for pid, row in table.items()}, root)
    ]


def _kind(command: str) -> str:
    for kind in ("gunicorn", "celery", "nginx", "run-procfile"):
        if kind in command:
            return kind
    return "other"


def make_run_footprint() -> dict:
    taken = [port for port in PORTS if _port_taken(port)]
    if taken:
        return {"skipped": f"ports {taken} are in use (another `make run`?)"}
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    with tempfile.TemporaryDirectory(prefix="make-run-footprint-") as var_dir:
        env["ECOM_VAR_DIR"] = var_dir
        log = open(Path(var_dir) / "make-run.log", "w")
        process = subprocess.Popen(
            ["make", "run"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            for port in PORTS:
                wait_until(lambda p=port: _port_taken(p), timeout=240, message=f"port {port}")
            time.sleep(SETTLE_SECONDS)
            tree = process_tree(process.pid)
        finally:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=60)
    by_kind: dict[str, dict] = {}
    for _pid, rss, command in tree:
        entry = by_kind.setdefault(_kind(command), {"processes": 0, "rss_mib": 0.0})
        entry["processes"] += 1
        entry["rss_mib"] += rss / 1024
    return {
        "processes": len(tree),
        "rss_mib": round(sum(rss for _, rss, _ in tree) / 1024),
        "by_kind": {kind: {**entry, "rss_mib": round(entry["rss_mib"])} for kind, entry in sorted(by_kind.items())},
    }


if __name__ == "__main__":
    print(make_run_footprint())
