"""`make bench`: the real stack on this machine, measured. Prints one table and writes
bench/results/latest.json. Figures only: nothing here passes or fails on time (targets are
printed beside each figure). See docs/performance.md.

    .venv/bin/python -m bench.run [--seconds 10] [--rates 10,25,50] [--profile]
"""

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench import cost, scale
from bench.footprint import make_run_footprint
from bench.workload import CONNECTIONS, THREADS, checkout_at, percentile, saga_completion, wrk
from ecom_common.testing.processes import free_port
from system_tests.shop import Shop
from system_tests.stack import NGINX, RABBIT, REDIS, REPO, TUNING, _answers, new_stack, wait_until

BENCH = REPO / "bench"
RESULTS = BENCH / "results"


# ------------------------------------------------------------------------------------------ wrk
def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install wrk)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        return shutil.which("wrk")
    sys.exit("wrk is missing: install it (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk)")


# ------------------------------------------------------------------------------------------ baseline
def start_baseline(stack) -> tuple[str, list[subprocess.Popen]]:
    workdir = stack.workdir / "baseline"
    workdir.mkdir(parents=True, exist_ok=True)
    app_port, port = free_port(), free_port()
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env.update(TUNING)  # the same GUNICORN_WORKERS / GUNICORN_THREADS as the services
    env.update(
        BASELINE_DATABASE_URL=f"postgres://ecom_product:ecom_product@{stack.env('product')['DATABASE_URL'].split('@', 1)[1]}",
        BASELINE_REDIS_URL=stack.env("product")["REDIS_URL"],
        PYTHONPATH=str(BENCH / "baseline"),
    )
    log = open(workdir / "gunicorn.log", "a")
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "baseline_site:application",
            "-c",
            str(REPO / "ops/gunicorn.conf.py"),
            "-b",
            f"127.0.0.1:{app_port}",
        ],
        cwd=BENCH / "baseline",
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    conf = (BENCH / "baseline/nginx.conf.template").read_text()
    for name, value in {
        "dir": str(workdir),
        "upstream": f"127.0.0.1:{app_port}",
        "listen": f"127.0.0.1:{port}",
    }.items():
        conf = conf.replace("{{" + name + "}}", value)
    (workdir / "nginx.conf").write_text(conf)
    proxy = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e", "stderr", "-g", "daemon off;"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: _answers(f"{url}/api/products/"), timeout=30, message="the baseline to answer")
    return url, [proxy, web]


# ------------------------------------------------------------------------------------------ celery
def celery_noop(stack, *, round_trips: int = 200, burst: int = 500) -> dict:
    redis_url = f"{REDIS}/15"
    env = {
        **os.environ,
        "BENCH_BROKER_URL": f"amqp://guest:guest@{RABBIT}/{stack.vhost}",
        "BENCH_RESULT_URL": redis_url,
        "PYTHONPATH": str(REPO),
    }
    os.environ.update(BENCH_BROKER_URL=env["BENCH_BROKER_URL"], BENCH_RESULT_URL=redis_url)
    log = open(stack.workdir / "bench-noop-worker.log", "a")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bench.celery_noop",
            "worker",
            "-Q",
            "bench_noop",
            "-c",
            "2",
            "-n",
            f"noop@{stack.name}",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        from bench.celery_noop import app, noop

        app.conf.broker_url, app.conf.result_backend = env["BENCH_BROKER_URL"], redis_url
        noop.delay().get(timeout=60)  # the worker is up
        trips = []
        for _ in range(round_trips):
            sent = time.perf_counter()
            noop.delay().get(timeout=30)
            trips.append((time.perf_counter() - sent) * 1000)
        started = time.perf_counter()
        pending = [noop.delay() for _ in range(burst)]
        for result in pending:
            result.get(timeout=120)
        elapsed = time.perf_counter() - started
        return {
            "round_trip_p50_ms": percentile(trips, 50),
            "round_trip_p99_ms": percentile(trips, 99),
            "tasks_per_s": round(burst / elapsed, 1),
            "round_trips": round_trips,
            "burst": burst,
        }
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


# ------------------------------------------------------------------------------------------ profile
def profile_product(stack, url: str, seconds: int) -> Path:
    """py-spy top-of-stack totals for one product gunicorn worker while wrk loads ``url``."""
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    workers = subprocess.run(
        ["pgrep", "-P", str(stack.web["product"].pid)], capture_output=True, text=True
    ).stdout.split()
    out = RESULTS / "profile-product.txt"
    record = subprocess.Popen(
        [
            pyspy,
            "record",
            "--pid",
            workers[0],
            "--duration",
            str(seconds),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wrk(url, seconds=seconds)
    record.wait(timeout=60)
    return out


def profile_workers(stack, seconds: float) -> list[subprocess.Popen]:
    """Starts py-spy (samples holding the GIL: CPU, not waiting) on every process of the saga's
    workers, for ``seconds``; the caller waits for the returned recorders."""
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    recorders = []
    for service in ("order", "inventory", "payment"):
        parent = str(stack.workers[service].pid)
        children = subprocess.run(["pgrep", "-P", parent], capture_output=True, text=True).stdout.split()
        for pid in [parent, *children]:
            recorders.append(
                subprocess.Popen(
                    [
                        pyspy,
                        "record",
                        "--pid",
                        pid,
                        "--duration",
                        str(int(seconds)),
                        "--format",
                        "raw",
                        "--gil",
                        "--nonblocking",
                        "--output",
                        str(RESULTS / f"profile-{service}-worker-{pid}.txt"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
    return recorders


# ------------------------------------------------------------------------------------------ main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--rates", default=os.environ.get("BENCH_RATES", "10,25,50"))
    parser.add_argument(
        "--checkout-seconds", type=float, default=float(os.environ.get("BENCH_CHECKOUT_SECONDS", "10"))
    )
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=float(os.environ.get("BENCH_DRAIN_SECONDS", "20")),
        help="how long to wait for each rate's sagas to finish before measuring",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the product service under the cached detail load, and the saga's workers "
        "under the last checkout rate",
    )
    parser.add_argument(
        "--catalog-sizes",
        default=os.environ.get("BENCH_CATALOG_SIZES", "1000,10000,100000"),
        help="catalog sizes (products) at which the uncached list and search are measured",
    )
    parser.add_argument(
        "--worker-processes",
        default=os.environ.get("BENCH_WORKER_PROCESSES", "1,2,4"),
        help="Celery pool processes per service for the sagas-by-workers runs (at the last rate)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)

    began = time.monotonic()
    print("starting the stack (every service, worker and the gateway)...", flush=True)
    stack = new_stack().start()
    extra = []
    try:
        gateway = stack.start_gateway(rate="1000000r/s", burst="1000000")
        baseline_url, extra = start_baseline(stack)
        shop = Shop(stack)
        print("seeding: products, stock and customers...", flush=True)
        stocked = [shop.product(price="9.99", stock=100000) for _ in range(4)]
        for n in range(60):  # a catalog with more than one page, some words to search for
            plain = requests.post(
                f"{stack.url('product')}/api/products/",
                headers=shop.staff,
                timeout=10,
                json={
                    "sku": f"BENCH-{n:03d}-{uuid.uuid4().hex[:6]}",
                    "name": f"Bench {'lamp' if n % 3 else 'chair'} {n:03d}",
                    "description": "A benchmark product with a longer description of its oak and brass.",
                    "price": "19.99",
                    "currency": "USD",
                },
            )
            plain.raise_for_status()
        customers = [shop.customer() for _ in range(16)]  # password hashing: ~1-2 s each here
        product = stocked[0]
        staff = {"Authorization": shop.staff["Authorization"]}

        reads = {}
        cases = [
            ("detail_cached", f"/api/products/{product}/", {}, f"/api/products/{product}/"),
            ("detail_uncached", f"/api/products/{product}/", staff, f"/api/products/{product}/?nocache=1"),
            ("list", "/api/products/", {}, "/api/products/"),
            ("search", "/api/products/?search=lamp", {}, "/api/products/?search=lamp"),
        ]
        for name, path, headers, baseline_path in cases:
            print(f"wrk {name} ({args.seconds}s x 2)...", flush=True)
            # Warm the caches with the request wrk sends: no Accept header (the gateway keys on it).
            requests.get(gateway.url + path, headers={"Accept": None, **headers}, timeout=10).raise_for_status()
            ours = wrk(gateway.url + path, seconds=args.seconds, headers=headers)
            base = wrk(baseline_url + baseline_path, seconds=args.seconds)
            reads[name] = {
                "ours": ours,
                "baseline": base,
                "ratio": round(ours["rps"] / base["rps"], 3) if base["rps"] else None,
            }

        profile = None
        if args.profile:
            print("profiling the product service (py-spy)...", flush=True)
            profile = str(profile_product(stack, gateway.url + f"/api/products/{product}/", args.seconds))

        checkout = []
        rates = [float(r) for r in args.rates.split(",")]
        checkout_cpu = None
        for rate in rates:
            # The first (lowest) rate is also the one the CPU per checkout is counted over: the
            # machine keeps up with it, so every saga finishes inside the counted window.
            counting = rate == rates[0] and cost.available()
            if counting:
                print("idle CPU of every part (5s)...", flush=True)
                idle = cost.idle_rates(stack)
                began_counting, before = time.monotonic(), cost.cpu_seconds(stack)
            print(f"checkout at {rate:g} orders/s for {args.checkout_seconds:g}s...", flush=True)
            recorders = profile_workers(stack, args.checkout_seconds) if args.profile and rate == rates[-1] else []
            run = checkout_at(gateway.url, customers, stocked, rate=rate, seconds=args.checkout_seconds)
            for recorder in recorders:
                recorder.wait(timeout=60)
            run.update(saga_completion(stack, run.pop("order_ids"), timeout=args.drain_seconds))
            if counting and run["confirmed"]:
                checkout_cpu = cost.per_checkout(
                    before=before,
                    after=cost.cpu_seconds(stack),
                    idle=idle,
                    seconds=time.monotonic() - began_counting,
                    checkouts=run["confirmed"],
                ) | {"offered_per_s": rate}
            checkout.append(run)
        knee = next(
            (c["offered_per_s"] for c in checkout if c["completion_p99_ms"] is None or c["completion_p99_ms"] > 2000),
            None,
        )

        by_size = scale.catalog_reads_by_size(
            stack,
            gateway.url,
            staff=staff,
            template_product=plain.json()["id"],
            sizes=[int(n) for n in args.catalog_sizes.split(",") if n],
            seconds=max(3, args.seconds // 2),
        )
        by_workers = scale.sagas_by_worker_processes(
            stack,
            gateway.url,
            customers,
            stocked,
            counts=[int(n) for n in args.worker_processes.split(",") if n],
            rate=rates[-1],
            seconds=args.checkout_seconds,
            drain=args.drain_seconds,
        )

        print("celery no-op round trips...", flush=True)
        broker = celery_noop(stack)
    finally:
        for process in extra:
            os.killpg(process.pid, signal.SIGTERM)
        stack.stop()
    print("make run's footprint (embedded, six services)...", flush=True)
    footprint = make_run_footprint()

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {
            "wrk": {"connections": CONNECTIONS, "threads": THREADS, "seconds": args.seconds},
            "gunicorn_workers": TUNING["GUNICORN_WORKERS"],
            "gunicorn_threads": TUNING["GUNICORN_THREADS"],
            "checkout_seconds": args.checkout_seconds,
            "drain_seconds": args.drain_seconds,
            "uncached": "staff bearer token (the catalog caches only non-staff responses); baseline ?nocache=1",
        },
        "reads": reads,
        "checkout": checkout,
        "completion_p99_over_2s_at": knee,
        "checkout_cpu": checkout_cpu,
        "catalog_by_size": by_size,
        "sagas_by_worker_processes": by_workers,
        "celery_noop": broker,
        "make_run_footprint": footprint,
        "profile": profile,
        "duration_s": round(time.monotonic() - began, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"\nwritten: {args.out}  ({result['duration_s']}s)")
    return 0


def _fmt(value, unit="") -> str:
    return "-" if value is None else f"{value:g}{unit}"


def _checkout_cpu_rows(cpu: dict | None) -> list[tuple]:
    if not cpu:
        return []
    rows = [
        (
            f"CPU per checkout + saga @{cpu['offered_per_s']:g}/s",
            f"{_fmt(cpu['total_ms'])} ms ({cpu['checkouts']} sagas, idle use taken off)",
            "",
            "",
            f"≤ {cpu['cores'] * 1000 / 50:g} ms for 50/s on {cpu['cores']} cores",
        ),
        (
            f"  ceiling on {cpu['cores']} cores",
            f"{_fmt(cpu['ceiling_per_s'])} checkouts/s, every core busy",
            "",
            "",
            "",
        ),
    ]
    rows += [(f"  {part}", f"{_fmt(ms)} ms", "", "", "") for part, ms in cpu["ms_by_part"].items() if ms >= 0.5]
    return rows


def print_table(r: dict) -> None:
    rows = [("measure", "figure", "baseline", "ours/base", "target")]
    targets = {"detail_cached": "≥0.70 x base req/s, p99 ≤ 50 ms", "list": "p99 ≤ 100 ms"}
    for name, read in r["reads"].items():
        ours, base = read["ours"], read["baseline"]
        rows.append(
            (
                f"GET {name} req/s",
                _fmt(ours["rps"]),
                _fmt(base["rps"]),
                _fmt(read["ratio"]),
                targets.get(name, "") if name != "list" else "",
            )
        )
        rows.append(
            (
                f"GET {name} p50/p99 ms",
                f"{_fmt(ours['p50_ms'])}/{_fmt(ours['p99_ms'])}",
                f"{_fmt(base['p50_ms'])}/{_fmt(base['p99_ms'])}",
                "",
                targets.get(name, "") if name == "list" else "",
            )
        )
        if ours["non_2xx"] or base["non_2xx"]:
            rows.append((f"  {name} non-2xx", str(ours["non_2xx"]), str(base["non_2xx"]), "", "(should be 0)"))
    for c in r["checkout"]:
        rate = f"{c['offered_per_s']:g}/s"
        rows.append(
            (f"POST order @{rate} accepted/s", f"{c['accepted_per_s']:g} ({c['accepted']}/{c['sent']})", "", "", "")
        )
        rows.append(
            (f"POST order @{rate} p50/p99 ms", f"{_fmt(c['p50_ms'])}/{_fmt(c['p99_ms'])}", "", "", "p99 ≤ 500 ms")
        )
        rows.append(
            (
                f"saga @{rate} done p50/p99 ms",
                f"{_fmt(c['completion_p50_ms'])}/{_fmt(c['completion_p99_ms'])}"
                + (
                    f" ({c['unfinished_after_wait']} unfinished after {r['settings']['drain_seconds']:g}s)"
                    if c["unfinished_after_wait"]
                    else ""
                ),
                "",
                "",
                "p99 ≤ 2000 ms",
            )
        )
        rows.append(
            (
                f"saga @{rate} sagas/s",
                f"{_fmt(c['sagas_per_s'])} ({c['confirmed']}/{c['of']} confirmed)",
                "",
                "",
                "≥ 50/s at p99 ≤ 2 s",
            )
        )
    rows.append(
        (
            "saga p99 > 2 s from",
            _fmt(r["completion_p99_over_2s_at"], "/s") if r["completion_p99_over_2s_at"] else "not reached",
            "",
            "",
            "",
        )
    )
    rows += _checkout_cpu_rows(r.get("checkout_cpu"))
    for row in r.get("catalog_by_size", []):
        for name in ("list", "search"):
            read = row[name]
            rows.append(
                (
                    f"GET {name} (staff, uncached) @{row['products']} products",
                    f"{_fmt(read['rps'])} req/s, {_fmt(read['p50_ms'])}/{_fmt(read['p99_ms'])} ms",
                    "",
                    "",
                    "p50/p99; how cost grows",
                )
            )
    for c in r.get("sagas_by_worker_processes", []):
        rows.append(
            (
                f"sagas @{c['offered_per_s']:g}/s, {c['worker_processes']} worker proc/service",
                f"{_fmt(c['sagas_per_s'])}/s, done p50/p99 {_fmt(c['completion_p50_ms'])}/{_fmt(c['completion_p99_ms'])} ms"
                + (f" ({c['unfinished_after_wait']} unfinished)" if c["unfinished_after_wait"] else ""),
                "",
                "",
                "≥ 50/s at p99 ≤ 2 s",
            )
        )
    b = r["celery_noop"]
    rows.append(
        (
            "celery no-op round trip p50/p99 ms",
            f"{_fmt(b['round_trip_p50_ms'])}/{_fmt(b['round_trip_p99_ms'])}",
            "",
            "",
            "(broker ceiling)",
        )
    )
    rows.append(("celery no-op tasks/s", _fmt(b["tasks_per_s"]), "", "", "(broker ceiling)"))
    f = r["make_run_footprint"]
    if "skipped" in f:
        rows.append(("make run footprint", f"skipped: {f['skipped']}", "", "", "≤ 1536 MiB RSS"))
    else:
        rows.append(
            ("make run footprint", f"{f['rss_mib']} MiB RSS, {f['processes']} processes", "", "", "≤ 1536 MiB RSS")
        )
        for kind, entry in f["by_kind"].items():
            rows.append((f"  {kind}", f"{entry['rss_mib']} MiB, {entry['processes']} processes", "", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    sys.exit(main())
