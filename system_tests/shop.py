"""A client of the running stack, speaking only HTTP to the services' public APIs."""

import uuid
from decimal import Decimal

import requests

from system_tests.stack import Stack, wait_until

FINAL = {"confirmed", "cancelled"}  # where checkout ends; fulfilment moves on from confirmed


def is_final(order: dict) -> bool:
    """The checkout has ended: cancelled, or confirmed with its stock committed (then it may
    ship; before, shipping is a 409 stock_not_committed)."""
    return order["status"] == "cancelled" or (order["status"] == "confirmed" and bool(order["stock_committed_at"]))


ADDRESS = {
    "full_name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}


class Shop:
    def __init__(self, stack: Stack):
        self.stack = stack
        self.staff = self.login("admin@example.com", "admin-password")

    # -- identity -------------------------------------------------------------------------
    def login(self, email: str, password: str) -> dict:
        response = requests.post(
            f"{self.stack.url('user')}/api/auth/token/", json={"email": email, "password": password}, timeout=10
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access']}"}

    def customer(self) -> dict:
        email, password = f"buyer-{uuid.uuid4().hex[:10]}@example.com", "a-Strong-passw0rd"
        requests.post(
            f"{self.stack.url('user')}/api/auth/register/", json={"email": email, "password": password}, timeout=10
        ).raise_for_status()
        return self.login(email, password)

    # -- catalog and stock (staff) ------------------------------------------------------------
    def product(self, *, price: str = "25.00", stock: int = 10) -> str:
        """A new product, known to order's catalog copy, with ``stock`` units on hand."""
        response = requests.post(
            f"{self.stack.url('product')}/api/products/",
            headers=self.staff,
            timeout=10,
            json={
                "sku": f"SYS-{uuid.uuid4().hex[:10]}",
                "name": "System test widget",
                "price": price,
                "currency": "USD",
            },
        )
        response.raise_for_status()
        product_id = response.json()["id"]
        # product.created reaches inventory (stock record) and order (its catalog copy) through the bus.
        wait_until(lambda: self.stock(product_id) is not None, message="inventory to learn the product")
        wait_until(
            lambda: self.stack.sql('SELECT 1 FROM "order".cart_catalogvariant WHERE product_id = %s', [product_id]),
            message="order to learn the product",
        )
        if stock:
            self.put_stock(product_id, stock)
        return product_id

    def put_stock(self, variant_id: str, units: int, *, warehouse: str | None = None) -> dict:
        """Adds ``units`` on hand (in ``warehouse``, by default the first active one)."""
        body = {"delta": units, "reason": "system test stock", **({"warehouse": warehouse} if warehouse else {})}
        response = requests.post(
            f"{self.stack.url('inventory')}/api/inventory/{variant_id}/adjust/",
            headers=self.staff,
            json=body,
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def warehouse(self, *, priority: int) -> str:
        """A new active warehouse's code."""
        code = f"wh-{uuid.uuid4().hex[:10]}"
        requests.post(
            f"{self.stack.url('inventory')}/api/warehouses/",
            headers=self.staff,
            json={"code": code, "name": f"System test {code}", "country": "US", "priority": priority},
            timeout=10,
        ).raise_for_status()
        return code

    def stock(self, product_id: str) -> dict | None:
        response = requests.get(f"{self.stack.url('inventory')}/api/inventory/{product_id}/", timeout=10)
        return response.json() if response.status_code == 200 else None

    def wait_stock(self, product_id: str, **expected: int) -> dict:
        """The stock once it shows ``expected`` (compensations run after the order's final status)."""
        return wait_until(
            lambda: (stock := self.stock(product_id)) and all(stock[k] == v for k, v in expected.items()) and stock,
            timeout=60,
            message=f"stock of {product_id} to become {expected}",
        )

    # -- orders and payments ----------------------------------------------------------------------
    def checkout(
        self, customer: dict, product_id: str, *, quantity: int = 1, token: str = "tok_visa", key: str | None = None
    ) -> requests.Response:
        body = {
            "items": [{"product_id": product_id, "quantity": quantity}],
            "shipping_address": ADDRESS,
            "payment_token": token,
        }
        headers = {**customer, "Idempotency-Key": key or str(uuid.uuid4())}
        return requests.post(f"{self.stack.url('order')}/api/orders/", json=body, headers=headers, timeout=30)

    def place(self, customer: dict, product_id: str, **options) -> dict:
        response = self.checkout(customer, product_id, **options)
        assert response.status_code == 201, response.text
        return response.json()

    def order(self, customer: dict, order_id: str) -> dict:
        response = requests.get(f"{self.stack.url('order')}/api/orders/{order_id}/", headers=customer, timeout=10)
        response.raise_for_status()
        return response.json()

    def final_order(self, customer: dict, order_id: str, *, timeout: float = 90) -> dict:
        return wait_until(
            lambda: is_final(o := self.order(customer, order_id)) and o,
            timeout=timeout,
            message=f"order {order_id} to reach a final status",
        )

    def cancel(self, customer: dict, order_id: str) -> requests.Response:
        return requests.post(f"{self.stack.url('order')}/api/orders/{order_id}/cancel/", headers=customer, timeout=10)

    def payments(self, customer: dict, order_id: str) -> list[dict]:
        response = requests.get(
            f"{self.stack.url('payment')}/api/payments/", params={"order_id": order_id}, headers=customer, timeout=10
        )
        response.raise_for_status()
        return response.json()["results"]

    def settled_payments(self, customer: dict, order_id: str, statuses: set[str]) -> list[dict]:
        return wait_until(
            lambda: (p := self.payments(customer, order_id)) and all(x["status"] in statuses for x in p) and p,
            timeout=60,
            message=f"payments of {order_id} to settle in {statuses}",
        )


class GatewayClient:
    """What a storefront does, through the gateway only."""

    def __init__(self, url: str):
        self.url = url

    def get(self, path: str, headers: dict | None = None, **options) -> requests.Response:
        return requests.get(self.url + path, headers=headers, timeout=30, **options)

    def post(self, path: str, body=None, headers: dict | None = None) -> requests.Response:
        return requests.post(self.url + path, json=body, headers=headers, timeout=30)

    # -- identity -------------------------------------------------------------------------------
    def login(self, email: str, password: str) -> dict:
        response = self.post("/api/auth/token/", {"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access']}"}

    def customer(self) -> dict:
        email, password = f"gw-{uuid.uuid4().hex[:10]}@example.com", "a-Strong-passw0rd"
        response = self.post("/api/auth/register/", {"email": email, "password": password})
        assert response.status_code == 201, response.text
        return self.login(email, password)

    # -- catalog and stock (staff, through the gateway too) ----------------------------------------
    def product(self, staff: dict, *, price: str = "25.00", stock: int = 10) -> dict:
        """A new product with ``stock`` units, once inventory and order know it (events)."""
        sku = f"GW-{uuid.uuid4().hex[:10]}"
        response = self.post(
            "/api/products/", {"sku": sku, "name": f"Gateway widget {sku}", "price": price, "currency": "USD"}, staff
        )
        assert response.status_code == 201, response.text
        product = response.json()
        wait_until(
            lambda: self.get(f"/api/inventory/{product['id']}/").status_code == 200,
            message="inventory to learn the product",
        )
        if stock:
            response = self.post(
                f"/api/inventory/{product['id']}/adjust/", {"delta": stock, "reason": "gateway test"}, staff
            )
            assert response.status_code == 200, response.text
        # order_service sells only what its catalog copy knows: a cart line proves it does.
        probe = self.customer()
        line = wait_until(
            lambda: (
                (r := self.post("/api/cart/items/", {"product_id": product["id"], "quantity": 1}, probe)).status_code
                == 201
                and r.json()
            ),
            message="order to learn the product",
        )
        assert (
            requests.delete(f"{self.url}/api/cart/items/{line['id']}/", headers=probe, timeout=10).status_code == 204
        )
        return product

    def stock(self, product_id: str, **expected: int) -> dict:
        return wait_until(
            lambda: (
                (s := self.get(f"/api/inventory/{product_id}/").json())
                and all(s[k] == v for k, v in expected.items())
                and s
            ),
            message=f"stock of {product_id} to become {expected}",
        )

    # -- orders and payments --------------------------------------------------------------------------
    def checkout(
        self,
        customer: dict,
        items: list | None = None,
        *,
        token: str = "tok_visa",
        key: str | None = None,
        request_id: str | None = None,
    ) -> requests.Response:
        body = {"shipping_address": ADDRESS, "payment_token": token}
        if items is not None:
            body["items"] = items
        headers = {**customer, "Idempotency-Key": key or str(uuid.uuid4())}
        if request_id:
            headers["X-Request-ID"] = request_id
        return self.post("/api/orders/", body, headers)

    def place(self, customer: dict, product_id: str, quantity: int = 1, **options) -> dict:
        response = self.checkout(customer, [{"product_id": product_id, "quantity": quantity}], **options)
        assert response.status_code == 201, response.text
        return response.json()

    def final_order(self, customer: dict, order_id: str) -> dict:
        return wait_until(
            lambda: is_final(o := self.get(f"/api/orders/{order_id}/", customer).json()) and o,
            timeout=90,
            message=f"order {order_id} to reach a final status",
        )

    def payments(self, customer: dict, order_id: str, statuses: set[str]) -> list[dict]:
        return wait_until(
            lambda: (
                (p := self.get("/api/payments/", customer, params={"order_id": order_id}).json()["results"])
                and all(x["status"] in statuses for x in p)
                and p
            ),
            message=f"payments of {order_id} to settle in {statuses}",
        )


def money(value: str) -> Decimal:
    return Decimal(value)
