"""Hostile input through the gateway: oversized, malformed or mistyped bodies, absurd paging and
SQL-looking or exotic search strings. Each is a clear 4xx (in the error format) or a 200, never a
5xx, and a refused write leaves no row behind."""

import json
import uuid

import pytest
import requests

pytestmark = pytest.mark.slow

HOSTILE_SEARCHES = [
    "' OR 1=1 --",
    "'; DROP TABLE catalog_product; --",
    "%",
    "_",
    "\\",
    "%' AND '1'='1",
    "Ünïcødé ☃ 😀🛒 ﷽ Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "\u202eevil\u200b\ufeff",
    "x" * 2000,
]


@pytest.fixture(scope="session")
def gateway_url(stack) -> str:
    return stack.start_gateway("gateway-security", rate="100000r/s", burst="100000").url


@pytest.fixture(scope="session")
def staff(shop) -> dict:
    return shop.staff


def _rows(stack, table: str) -> int:
    """Rows of ``table`` (e.g. ``catalog_product``) in whichever service schema holds it."""
    (schema,) = stack.sql("SELECT table_schema FROM information_schema.tables WHERE table_name = %s", [table])[0]
    return stack.sql(f'SELECT count(*) FROM "{schema}"."{table}"')[0][0]


def _error_codes(response) -> list[str]:
    body = response.json()
    assert body["type"] in {"client_error", "validation_error"}, body
    return [error["code"] for error in body["errors"]]


# Write endpoints, who may call them, and the table a successful call would add a row to.
WRITES = [
    ("/api/products/", "staff", "catalog_product"),
    ("/api/auth/register/", None, "accounts_user"),
    ("/api/cart/items/", "customer", "cart_cartitem"),
    ("/api/orders/", "customer", "orders_order"),
]


def _headers(role, staff, customer) -> dict:
    return {"staff": staff, "customer": customer, None: {}}[role] | {"Idempotency-Key": str(uuid.uuid4())}


@pytest.mark.parametrize(("path", "role", "table"), WRITES)
def test_oversized_body_is_413_in_the_error_format_and_writes_nothing(
    stack, gateway_url, staff, customer, path, role, table
):
    before = _rows(stack, table)
    body = json.dumps({"name": "x" * (2 * 1024 * 1024), "email": "big@example.com", "password": "a-Strong-passw0rd"})

    response = requests.post(
        gateway_url + path,
        data=body,
        timeout=30,
        headers={**_headers(role, staff, customer), "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert _error_codes(response) == ["request_too_large"]
    assert _rows(stack, table) == before


@pytest.mark.parametrize(("path", "role", "table"), WRITES)
def test_malformed_json_is_400_parse_error_and_writes_nothing(stack, gateway_url, staff, customer, path, role, table):
    before = _rows(stack, table)

    response = requests.post(
        gateway_url + path,
        data=b'{"email": "half@example.com", "password": ',
        timeout=30,
        headers={**_headers(role, staff, customer), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert _error_codes(response) == ["parse_error"]
    assert _rows(stack, table) == before


@pytest.mark.parametrize("encoding", ["text/plain", "multipart", "form"])
@pytest.mark.parametrize(("path", "role", "table"), WRITES)
def test_non_json_body_is_415_and_writes_nothing(stack, gateway_url, staff, customer, path, role, table, encoding):
    before = _rows(stack, table)
    fields = {
        "email": f"form-{uuid.uuid4().hex[:8]}@example.com",
        "password": "a-Strong-passw0rd",
        "sku": f"FORM-{uuid.uuid4().hex[:8]}",
        "name": "Form widget",
        "price": "1.00",
        "currency": "USD",
    }
    headers = _headers(role, staff, customer)
    if encoding == "text/plain":
        options = {"data": json.dumps(fields), "headers": {**headers, "Content-Type": "text/plain"}}
    elif encoding == "multipart":
        options = {"files": {name: (None, value) for name, value in fields.items()}, "headers": headers}
    else:
        options = {"data": fields, "headers": headers}

    response = requests.post(gateway_url + path, timeout=30, **options)

    assert response.status_code == 415
    assert _error_codes(response) == ["unsupported_media_type"]
    assert _rows(stack, table) == before


def test_huge_page_size_is_clamped_to_100(gateway_url):
    response = requests.get(f"{gateway_url}/api/products/", params={"page_size": "1000000000"}, timeout=30)

    assert response.status_code == 200
    page = response.json()
    assert len(page["results"]) == min(page["count"], 100)


@pytest.mark.parametrize("path", ["/api/products/", "/api/orders/", "/api/payments/", "/api/users/me/addresses/"])
def test_page_past_the_end_is_404_in_the_error_format(gateway_url, customer, path):
    response = requests.get(gateway_url + path, params={"page": "999999"}, headers=customer, timeout=30)

    assert response.status_code == 404
    assert _error_codes(response) == ["not_found"]


@pytest.mark.parametrize("search", HOSTILE_SEARCHES)
def test_hostile_search_string_finds_nothing_and_never_fails(stack, gateway_url, search):
    products = _rows(stack, "catalog_product")

    response = requests.get(f"{gateway_url}/api/products/", params={"search": search}, timeout=30)

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert _rows(stack, "catalog_product") == products


@pytest.mark.parametrize("value", ["' OR 1=1 --", "%", "Ünïcødé ☃"])
@pytest.mark.parametrize("parameter", ["category", "min_price", "max_price", "ordering"])
def test_hostile_filter_value_is_a_clear_answer(gateway_url, parameter, value):
    response = requests.get(f"{gateway_url}/api/products/", params={parameter: value}, timeout=30)

    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert response.json()["type"] == "validation_error"


@pytest.mark.parametrize("email", ["' OR 1=1 --@example.com", "admin@example.com' --", "ü@例え.テスト\u202e"])
def test_sql_looking_email_cannot_register_or_sign_in(stack, gateway_url, email):
    users = _rows(stack, "accounts_user")

    registered = requests.post(
        f"{gateway_url}/api/auth/register/", json={"email": email, "password": "a-Strong-passw0rd"}, timeout=30
    )
    signed_in = requests.post(
        f"{gateway_url}/api/auth/token/", json={"email": email, "password": "' OR 1=1 --"}, timeout=30
    )

    assert (registered.status_code, signed_in.status_code) == (400, 401)
    assert _rows(stack, "accounts_user") == users
