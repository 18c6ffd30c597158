"""What one checkout costs the machine in CPU, part by part: the order API, each service's Celery
worker, PostgreSQL, RabbitMQ and the gateway, read from /proc (Linux) over a checkout run at a
rate the machine keeps up with, less what each part spends idle (beat sweeps, heartbeats).

Divided into the machine's cores, the total is the most checkouts a second this machine could
carry with every core busy: the ceiling the saga figures are measured against, and which parts
would need more machines first (docs/performance.md, "What 50 sagas a second would take")."""

import os
import time
from pathlib import Path

from bench.footprint import tree_pids

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")
# Shared servers, found by process name (this machine's PostgreSQL and RabbitMQ serve only the
# stack while the bench runs).
SERVERS = {"postgres": "PostgreSQL", "beam.smp": "RabbitMQ"}


def process_table() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, name, CPU seconds) of every process. A process's seconds include those
    of its children that have exited (``cutime``/``cstime``): a backend PostgreSQL closes, a worker
    gunicorn replaces, still counts once it is gone."""
    table = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # proc(5), counted from the state field: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime
        seconds = sum(int(value) for value in fields[11:15]) / TICKS
        table[int(entry.name)] = (int(fields[1]), name, seconds)
    return table


def tree_seconds(table: dict, root: int) -> float:
    return sum(table[pid][2] for pid in tree_pids({pid: row[0] for pid, row in table.items()}, root))


def _server_seconds(table: dict, name: str) -> float:
    """A server's processes by name, counted from its roots (the PostgreSQL postmaster)."""
    roots = [
        pid
        for pid, (parent, process_name, _) in table.items()
        if process_name == name and table.get(parent, (0, ""))[1] != name
    ]
    return sum(tree_seconds(table, root) for root in roots)


def cpu_seconds(stack) -> dict[str, float]:
    """CPU seconds used so far by each part of the stack (a process and its children)."""
    table = process_table()
    parts = {f"{service} web": tree_seconds(table, process.pid) for service, process in stack.web.items()}
    parts |= {f"{service} worker": tree_seconds(table, process.pid) for service, process in stack.workers.items()}
    parts["gateway"] = sum(tree_seconds(table, process.pid) for process in stack.gateways.values())
    for name, label in SERVERS.items():
        parts[label] = _server_seconds(table, name)
    return parts


def available() -> bool:
    return (PROC / "self/stat").exists()


def idle_rates(stack, *, seconds: float = 5.0) -> dict[str, float]:
    """CPU seconds per second each part spends with no load."""
    before = cpu_seconds(stack)
    time.sleep(seconds)
    after = cpu_seconds(stack)
    return {part: max(0.0, (after[part] - before.get(part, 0.0)) / seconds) for part in after}


def per_checkout(*, before: dict, after: dict, idle: dict, seconds: float, checkouts: int) -> dict:
    """Milliseconds of CPU per checkout by part (idle use over ``seconds`` taken off), their total,
    and the checkouts a second that total allows on this machine's cores."""
    ms = {}
    for part, used in after.items():
        spent = used - before.get(part, 0.0) - idle.get(part, 0.0) * seconds
        ms[part] = round(max(0.0, spent) * 1000 / checkouts, 1)
    total = round(sum(ms.values()), 1)
    cores = os.cpu_count() or 1
    return {
        "checkouts": checkouts,
        "seconds": round(seconds, 1),
        "ms_by_part": dict(sorted(ms.items(), key=lambda item: -item[1])),
        "total_ms": total,
        "cores": cores,
        "ceiling_per_s": round(cores * 1000 / total, 1) if total else None,
    }
