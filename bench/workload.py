"""The load the bench applies and what it reads back: wrk against a URL, open-loop checkouts, and
each saga's completion from the order service's status history."""

import concurrent.futures
import contextlib
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid

import requests

from system_tests.shop import ADDRESS
from system_tests.stack import wait_until

CONNECTIONS, THREADS = 32, 2


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * _UNITS[unit], 2)


def wrk(url: str, *, seconds: int, headers: dict | None = None) -> dict:
    command = [shutil.which("wrk"), "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m))\s*$", out, re.M))
    if "50" not in latency or "99" not in latency:
        print(f"unexpected wrk output for {url}:\n{out}", file=sys.stderr, flush=True)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)) if "Requests/sec" in out else 0.0,
        "p50_ms": _ms(latency["50"]) if "50" in latency else None,
        "p99_ms": _ms(latency["99"]) if "99" in latency else None,
        "requests": int(m.group(1)) if (m := re.search(r"(\d+) requests in", out)) else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else None,
    }


# ------------------------------------------------------------------------------------------ checkout
def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1)], 2)


def checkout_at(gateway_url: str, customers: list[dict], products: list[str], *, rate: float, seconds: float) -> dict:
    """Open loop: requests are sent on a fixed schedule whatever the answers' latency; latency is
    measured from the scheduled send time (no coordinated omission)."""
    session_local = threading.local()
    count = int(rate * seconds)
    results = []

    def one(i: int, scheduled: float) -> None:
        session = getattr(session_local, "session", None) or requests.Session()
        session_local.session = session
        body = {
            "items": [{"product_id": products[i % len(products)], "quantity": 1}],
            "shipping_address": ADDRESS,
            "payment_token": "tok_visa",
        }
        headers = {**customers[i % len(customers)], "Idempotency-Key": str(uuid.uuid4())}
        try:
            response = session.post(f"{gateway_url}/api/orders/", json=body, headers=headers, timeout=30)
            status, order_id = (
                response.status_code,
                (response.json().get("id") if response.status_code == 201 else None),
            )
        except requests.RequestException:
            status, order_id = 0, None
        results.append((status, (time.monotonic() - scheduled) * 1000, order_id))

    start = time.monotonic() + 0.2
    with concurrent.futures.ThreadPoolExecutor(max_workers=96) as pool:
        for i in range(count):
            scheduled = start + i / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i, scheduled)
    elapsed = time.monotonic() - start
    accepted = [r for r in results if r[0] == 201]
    latencies = [r[1] for r in accepted]
    return {
        "offered_per_s": rate,
        "sent": count,
        "accepted": len(accepted),
        "accepted_per_s": round(len(accepted) / elapsed, 1),
        "statuses": {str(s): sum(1 for r in results if r[0] == s) for s in sorted({r[0] for r in results})},
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "order_ids": [r[2] for r in accepted],
    }


def saga_completion(stack, order_ids: list[str], *, timeout: float) -> dict:
    """201 → confirmed from the order service's status history (its database, read as superuser).

    Waits at most ``timeout`` for the backlog to drain (keeps `make bench` bounded); when more than
    1% of the orders are still unfinished then, the p99 is not known, only that it exceeds the wait."""

    def finished():
        rows = stack.sql(
            'SELECT count(*) FROM "order".orders_order WHERE id = ANY(%s::uuid[]) '
            "AND status IN ('confirmed', 'cancelled')",
            [order_ids],
        )
        return rows[0][0] >= len(order_ids)

    with contextlib.suppress(AssertionError):
        wait_until(finished, timeout=timeout, interval=1, message="every benchmark order to finish its saga")
    rows = stack.sql(
        'SELECT p.order_id, p.at, c.at FROM "order".orders_orderstatuschange p '
        'JOIN "order".orders_orderstatuschange c ON c.order_id = p.order_id AND c.status = %s '
        "WHERE p.status = 'pending' AND p.order_id = ANY(%s::uuid[])",
        ["confirmed", order_ids],
    )
    durations = [(confirmed - pending).total_seconds() * 1000 for _, pending, confirmed in rows]
    unfinished = stack.sql(
        'SELECT count(*) FROM "order".orders_order WHERE id = ANY(%s::uuid[]) '
        "AND status NOT IN ('confirmed', 'cancelled')",
        [order_ids],
    )[0][0]
    span = None
    if rows:
        first, last = min(r[1] for r in rows), max(r[2] for r in rows)
        span = (last - first).total_seconds()
    return {
        "confirmed": len(rows),
        "of": len(order_ids),
        "unfinished_after_wait": unfinished,
        "completion_p50_ms": percentile(durations, 50) if unfinished <= len(order_ids) / 2 else None,
        "completion_p99_ms": percentile(durations, 99) if unfinished <= len(order_ids) / 100 else None,
        "sagas_per_s": round(len(rows) / span, 1) if span else None,
    }
