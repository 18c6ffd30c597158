"""The bench's bare-Django baseline (bench/baseline) reads the catalog's own tables: it must keep
answering as the schema changes, or `make bench` fails before measuring anything (it did once:
the variants moved `sku` off the product table). Timing stays in the bench; this only checks it serves."""

import os
import signal

import pytest
import requests

from bench.run import start_baseline

pytestmark = pytest.mark.slow


def test_the_bench_baseline_serves_the_catalog_it_is_compared_with(stack, shop):
    product = shop.product(price="3.00", stock=0)
    url, processes = start_baseline(stack)
    try:
        listed = requests.get(f"{url}/api/products/", timeout=10)
        detail = requests.get(f"{url}/api/products/{product}/", params={"nocache": "1"}, timeout=10).json()
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    assert listed.status_code == 200
    assert (detail["id"], detail["price"], detail["sku"]) == (product, "3.00", detail["variants"][0]["sku"])
    assert detail["sku"].startswith("SYS-")
    assert [variant["id"] for variant in detail["variants"]] == [product]  # the default variant: the product's id
