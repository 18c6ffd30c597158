"""How cost grows: catalog reads at 1k, 10k and 100k products, sagas with 1, 2 and 4 worker
processes per service (docs/performance.md, "How cost grows").

The catalog is grown in SQL, copying one product made through the API (and its variant) with new
ids, names, slugs and SKUs: 100 000 products through the API would take the bench an hour. The
copies are catalog rows only (no events), which is all a catalog read touches.
"""

import signal

import requests

from bench import workload
from ecom_common.service_registry import NAMES

# Every copy is "Scale <lamp|chair> <n>"; one in a hundred also "walnut": a search for a word that
# a few products have, as a shopper's search usually is. (%% because the statement has parameters.)
_NAME = "'Scale ' || CASE WHEN n %% 100 = 0 THEN 'walnut ' ELSE '' END || CASE WHEN n %% 3 = 0 THEN 'chair ' ELSE 'lamp ' END || n"
RARE_WORD = "walnut"


def _columns(stack, table: str) -> list[str]:
    rows = stack.sql(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'product' AND table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in rows]


def _copy_statement(stack, table: str, alias: str, sources: str, overrides: dict[str, str]) -> str:
    """INSERT INTO ``table`` every column of the source row ``alias``, but ``overrides``' expressions:
    written from the table's columns as they are, so a new column is copied without a change here."""
    columns = _columns(stack, table)
    values = [overrides.get(column, f'{alias}."{column}"') for column in columns]
    names = ", ".join(f'"{column}"' for column in columns)
    return f'INSERT INTO product."{table}" ({names}) SELECT {", ".join(values)} FROM {sources}'


def catalog_size(stack) -> int:
    return stack.sql('SELECT count(*) FROM product."catalog_product"')[0][0]


def grow_catalog(stack, *, template_product: str, to: int) -> None:
    """Copies ``template_product`` (a product with one variant) until the catalog has ``to`` products."""
    have = catalog_size(stack)
    if have >= to:
        return
    first, last = have + 1, to
    stack.execute(
        _copy_statement(
            stack,
            "catalog_product",
            "t",
            'product."catalog_product" t, generate_series(%(first)s::integer, %(last)s::integer) AS n WHERE t.id = %(template)s',
            {
                "id": "gen_random_uuid()",
                "name": _NAME,
                "slug": "'scale-' || n",
                "created_at": "now()",
                "updated_at": "now()",
            },
        ),
        {"first": first, "last": last, "template": template_product},
    )
    stack.execute(
        _copy_statement(
            stack,
            "catalog_productvariant",
            "v",
            'product."catalog_productvariant" v, product."catalog_product" p '
            "WHERE v.product_id = %(template)s AND p.slug LIKE 'scale-%%' "
            'AND NOT EXISTS (SELECT 1 FROM product."catalog_productvariant" x WHERE x.product_id = p.id)',
            {
                "id": "gen_random_uuid()",
                "product_id": "p.id",
                "sku": "'SCALE-' || p.slug",
                "created_at": "now()",
                "updated_at": "now()",
            },
        ),
        {"template": template_product},
    )
    stack.execute('ANALYZE product."catalog_product", product."catalog_productvariant"')


def catalog_reads_by_size(stack, gateway_url: str, *, staff: dict, template_product: str, sizes, seconds: int) -> list:
    """The staff list and a rare-word search at each catalog size: the uncached path (a staff view is
    neither in the catalog's Redis cache nor in the gateway's), the one whose cost grows."""
    results = []
    for size in sizes:
        print(f"catalog of {size} products: list and search ({seconds}s each)...", flush=True)
        grow_catalog(stack, template_product=template_product, to=size)
        row = {"products": catalog_size(stack)}
        for name, path in (("list", "/api/products/"), ("search", f"/api/products/?search={RARE_WORD}")):
            requests.get(gateway_url + path, headers=staff, timeout=60).raise_for_status()  # plans, connections
            row[name] = workload.wrk(gateway_url + path, seconds=seconds, headers=staff)
        results.append(row)
    return results


def sagas_by_worker_processes(stack, gateway_url: str, customers, products, *, counts, rate, seconds, drain) -> list:
    """Every service's Celery worker restarted with each count of pool processes, then checkouts
    at ``rate`` for ``seconds``: the sagas/s and completion each count sustains."""
    results = []
    for processes in counts:
        print(f"sagas with {processes} worker processes per service at {rate:g}/s...", flush=True)
        for service in NAMES:
            stack.kill_worker(service, signal.SIGTERM)  # a warm shutdown: the tasks in hand finish
            stack.start_worker(service, concurrency=processes)
        # Every worker consumes again once a few sagas finish (they cross order, inventory, payment).
        warm = workload.checkout_at(gateway_url, customers, products, rate=2, seconds=2)
        workload.saga_completion(stack, warm["order_ids"], timeout=60)
        run = workload.checkout_at(gateway_url, customers, products, rate=rate, seconds=seconds)
        run.update(workload.saga_completion(stack, run.pop("order_ids"), timeout=drain))
        results.append({"worker_processes": processes, **run})
    return results
