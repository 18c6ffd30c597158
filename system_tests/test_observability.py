"""Prometheus with the shipped configuration, against the running stack: every service's target
is up, and every query of every shipped Grafana dashboard returns data. Debian's prometheus
(scripts/ensure-prometheus installs it) runs as a real process; only the targets' addresses
differ from ops/observability/prometheus.yml (the stack's ports instead of compose's names)."""

import importlib.util
import json
import shutil
import subprocess

import pytest
import requests

from ecom_common.testing.processes import free_port
from system_tests.stack import REPO, SERVICES, wait_until

pytestmark = pytest.mark.slow

DASHBOARDS = REPO / "ops/observability/grafana/dashboards"


def _ops_render():
    spec = importlib.util.spec_from_file_location("ops_render", REPO / "ops/render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def prometheus(stack, tmp_path_factory):
    render = _ops_render()
    shipped = (REPO / "ops/observability/prometheus.yml").read_text()
    assert shipped == render.prometheus_config()  # the committed file is the generator's
    workdir = tmp_path_factory.mktemp("prometheus")
    config = workdir / "prometheus.yml"
    config.write_text(
        render.prometheus_config(
            targets={name: f"127.0.0.1:{stack.ports[name]}" for name in SERVICES}, scrape_interval="1s"
        )
    )
    port = free_port()
    binary = shutil.which("prometheus") or "/usr/bin/prometheus"
    log = open(workdir / "prometheus.log", "w")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{url}/-/ready"), timeout=60, message="prometheus to be ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _query(prometheus: str, expr: str) -> list:
    answer = requests.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert answer["status"] == "success", (expr, answer)
    return answer["data"]["result"]


def test_every_service_is_a_target_and_up(prometheus):
    def targets():
        active = requests.get(f"{prometheus}/api/v1/targets", timeout=10).json()["data"]["activeTargets"]
        return {target["labels"]["service"]: target["health"] for target in active}

    health = wait_until(
        lambda: (found := targets()) and all(state == "up" for state in found.values()) and found,
        timeout=60,
        message="every target to be up",
    )

    assert health == dict.fromkeys(SERVICES, "up")


def test_every_dashboard_query_returns_data(prometheus, stack, shop):
    customer, product = shop.customer(), shop.product(price="4.00")
    shop.final_order(customer, shop.place(customer, product)["id"])
    shop.final_order(customer, shop.place(customer, product, token="tok_chargeDeclined")["id"])
    for _ in range(30):  # catalog reads, hits and misses, through every web worker
        requests.get(f"{stack.url('product')}/api/products/{product}/", timeout=10).raise_for_status()
    queries = [
        (path.name, panel["title"], target["expr"])
        for path in sorted(DASHBOARDS.glob("*.json"))
        for panel in json.loads(path.read_text())["panels"]
        for target in panel["targets"]
    ]

    empty = {}
    for board, title, expr in queries:
        try:
            wait_until(lambda expr=expr: _query(prometheus, expr), timeout=30, message=expr)
        except AssertionError:
            empty[f"{board}: {title}"] = expr

    assert len(queries) >= 15
    assert empty == {}
