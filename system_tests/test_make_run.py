"""`make run` with no settings at all (SQLite, the filesystem broker, local-memory caches):
the demo shop takes a paid order and a declined one end to end, also through the gateway on
:8000, and Ctrl-C stops everything."""

import os
import re
import signal
import socket
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from ecom_common.demo import DEMO_PRODUCTS, demo_product_id
from system_tests.stack import REPO, wait_until
from system_tests.staff import admin_open

pytestmark = pytest.mark.slow

GATEWAY = "http://127.0.0.1:8000"
PORTS = {
    "gateway": 8000,
    "product": 8001,
    "order": 8002,
    "user": 8003,
    "payment": 8004,
    "inventory": 8005,
    "notification": 8006,
}
ADMIN_SLUGS = ("products", "orders", "users", "payments", "inventory", "notifications")
ADDRESS = {
    "full_name": "Grace Hopper",
    "line1": "1 Navy Way",
    "city": "Arlington",
    "postal_code": "22202",
    "country": "US",
}


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    taken = [port for port in PORTS.values() if _port_taken(port)]
    assert not taken, f"ports {taken} are in use: stop the other `make run` first"
    var_dir = tmp_path_factory.mktemp("make-run-var")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(ECOM_VAR_DIR=str(var_dir), ECOM_ADMIN_EMAIL="owner@example.com", ECOM_ADMIN_PASSWORD="owner-password")
    log = open(var_dir / "make-run.log", "w")
    process = subprocess.Popen(
        ["make", "run"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log_path = var_dir / "make-run.log"  # what it printed, for the tests to read
    process.var_dir = var_dir
    try:
        for port in PORTS.values():
            wait_until(lambda p=port: _ready(p), timeout=240, message=f"port {port} to be ready")
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
            process.wait(timeout=60)


def _ready(port: int) -> bool:
    probe = "/healthz" if port == PORTS["gateway"] else "/readyz"  # the gateway routes no service's probes
    try:
        return requests.get(f"http://127.0.0.1:{port}{probe}", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _customer(identity: str = "http://127.0.0.1:8003") -> dict:
    email, password = f"demo-{uuid.uuid4().hex[:8]}@example.com", "a-Strong-passw0rd"
    requests.post(
        f"{identity}/api/auth/register/", json={"email": email, "password": password}, timeout=10
    ).raise_for_status()
    token = requests.post(
        f"{identity}/api/auth/token/", json={"email": email, "password": password}, timeout=10
    ).json()["access"]
    return {"Authorization": f"Bearer {token}"}


def _checkout_and_wait(customer: dict, sku: str, token: str) -> dict:
    body = {
        "items": [{"product_id": str(demo_product_id(sku)), "quantity": 1}],
        "shipping_address": ADDRESS,
        "payment_token": token,
    }
    headers = {**customer, "Idempotency-Key": str(uuid.uuid4())}
    created = wait_until(  # the order service's catalog copy fills from product.created events
        lambda: (
            (
                r := requests.post("http://127.0.0.1:8002/api/orders/", json=body, headers=headers, timeout=10)
            ).status_code
            == 201
            and r.json()
        ),
        timeout=90,
        message="checkout to be accepted",
    )
    return wait_until(
        lambda: (
            (
                o := requests.get(
                    f"http://127.0.0.1:8002/api/orders/{created['id']}/", headers=customer, timeout=10
                ).json()
            )["status"]
            != "pending"
            and o
        ),
        timeout=120,
        message="the order to leave pending",
    )


def test_make_run_serves_the_demo_catalog_and_the_staff_account(make_run):
    products = requests.get("http://127.0.0.1:8001/api/products/", timeout=10).json()
    token = requests.post(
        "http://127.0.0.1:8003/api/auth/token/",
        json={"email": "owner@example.com", "password": "owner-password"},
        timeout=10,
    )

    assert products["count"] == len(DEMO_PRODUCTS)
    assert token.status_code == 200


def test_make_run_confirms_a_paid_order_and_cancels_a_declined_one(make_run):
    customer = _customer()

    paid = _checkout_and_wait(customer, "BK-DUNE", "tok_visa")
    declined = _checkout_and_wait(customer, "BK-DDD", "tok_chargeDeclined")

    assert (paid["status"], paid["cancel_reason"]) == ("confirmed", None)
    assert (declined["status"], declined["cancel_reason"]) == ("cancelled", "payment_declined")


def test_make_run_serves_the_catalog_through_the_gateway(make_run):
    response = requests.get(f"{GATEWAY}/api/products/", timeout=10)

    assert response.status_code == 200
    assert response.json()["count"] == len(DEMO_PRODUCTS)
    assert response.headers["X-Request-ID"]


def test_make_run_confirms_a_cart_checkout_through_the_gateway(make_run):
    customer = _customer(GATEWAY)
    line = {"product_id": str(demo_product_id("BK-PRAG-PROG")), "quantity": 2}
    wait_until(
        lambda: (
            requests.post(f"{GATEWAY}/api/cart/items/", json=line, headers=customer, timeout=10).status_code == 201
        ),
        timeout=90,
        message="the product to reach the cart",
    )

    created = requests.post(
        f"{GATEWAY}/api/orders/",
        headers={**customer, "Idempotency-Key": str(uuid.uuid4())},
        json={"shipping_address": ADDRESS, "payment_token": "tok_visa"},
        timeout=10,
    )
    final = wait_until(
        lambda: (
            (o := requests.get(f"{GATEWAY}/api/orders/{created.json()['id']}/", headers=customer, timeout=10).json())[
                "status"
            ]
            != "pending"
            and o
        ),
        timeout=120,
        message="the order to leave pending",
    )

    assert created.status_code == 201, created.text
    assert (final["status"], final["total"]) == ("confirmed", "89.90")
    assert requests.get(f"{GATEWAY}/api/cart/", headers=customer, timeout=10).json()["items"] == []


def test_make_run_prints_the_demo_voucher_and_prices_a_cart_with_it(make_run):
    # given: the demo's promotion (10% off clothing), voucher, express shipping and Californian tax
    printed = make_run.log_path.read_text()
    customer = _customer(GATEWAY)
    tee = demo_product_id("TEE-ORG-BLACK-M")
    methods = requests.get(f"{GATEWAY}/api/shipping-methods/", params={"country": "US"}, timeout=10).json()
    express = next(m for m in methods["results"] if m["name"] == "Express")
    wait_until(
        lambda: (
            requests.post(
                f"{GATEWAY}/api/cart/items/",
                json={"variant_id": str(tee), "quantity": 2},
                headers=customer,
                timeout=10,
            ).status_code
            == 201
        ),
        timeout=90,
        message="the T-shirt to reach the cart",
    )

    # when
    chosen = requests.patch(
        f"{GATEWAY}/api/cart/",
        json={"voucher_code": "welcome10", "country": "US", "region": "CA", "shipping_method_id": express["id"]},
        headers=customer,
        timeout=10,
    )

    # then: 48.00 - 4.80 - 4.32 = 38.88; + 14.90; tax 7.25% of 38.88 = 2.82 (not on shipping)
    assert "Voucher: WELCOME10 - 10% off your first order" in printed
    assert [m["name"] for m in methods["results"]] == ["Standard", "Express"]
    assert chosen.status_code == 200, chosen.text
    cart = chosen.json()
    assert [(d["code"], d["amount"]) for d in cart["discounts"]] == [(None, "4.80"), ("WELCOME10", "4.32")]
    assert (cart["shipping_total"], cart["tax_total"], cart["total"]) == ("14.90", "2.82", "56.60")


def test_registering_through_the_gateway_writes_the_welcome_mail_whose_link_verifies(make_run):
    from email import policy
    from email.parser import BytesParser

    email = f"welcome-{uuid.uuid4().hex[:8]}@example.com"
    requests.post(
        f"{GATEWAY}/api/auth/register/", json={"email": email, "password": "a-Strong-passw0rd"}, timeout=10
    ).raise_for_status()
    mail_dir = make_run.var_dir / "mail"
    assert f"Mail:  {mail_dir}/" in make_run.log_path.read_text()

    def welcome():
        for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if message["To"] == email:
                return message
        return None

    message = wait_until(welcome, timeout=60, message="the welcome mail in var/mail/")
    assert message["Subject"] == "Welcome to Shop, please confirm your address"
    [link] = [word for word in message.get_body(("plain",)).get_content().split() if "/account/verify-email/" in word]
    assert link.startswith(f"{GATEWAY}/account/verify-email/?token=")
    # The link opens a page through the gateway; its button verifies the address.
    session = requests.Session()
    page = session.get(link, timeout=10)
    assert page.status_code == 200
    csrf = session.cookies["user_csrftoken"]  # the identity service's own CSRF cookie
    token = link.split("token=", 1)[1]
    done = session.post(
        link, data={"token": token, "csrfmiddlewaretoken": csrf}, headers={"Referer": link}, timeout=10
    )
    assert "Thank you: your address is confirmed." in done.text
    access = requests.post(
        f"{GATEWAY}/api/auth/token/", json={"email": email, "password": "a-Strong-passw0rd"}, timeout=10
    ).json()["access"]
    me = requests.get(f"{GATEWAY}/api/users/me/", headers={"Authorization": f"Bearer {access}"}, timeout=10).json()
    assert me["email_verified"] is True


def test_staff_sign_in_once_through_the_gateway_and_every_admin_opens(make_run):
    admins = [f"{GATEWAY}/admin/{slug}/" for slug in ADMIN_SLUGS]
    session = admin_open(admins[0], credentials=("owner@example.com", "owner-password"))

    pages = [session.get(admin, timeout=30) for admin in admins[1:]]

    assert [(page.status_code, page.url) for page in pages] == [(200, admin) for admin in admins[1:]]


STORM_SKUS = ("ACC-USBC-65", "ACC-BUDS-2", "HOM-KETL-17", "HOM-CHEF-8", "PHN-LITE-5")


def test_an_embedded_checkout_storm_gets_no_5xx_and_every_order_ends(make_run):
    """25 checkouts from 12 threads through the gateway, on SQLite and the filesystem broker: the
    load that got 16-20 answers of 503 ("database is locked") before the embedded databases
    waited for their write lock (WAL, IMMEDIATE transactions, a busy timeout)."""
    customers = [_customer(GATEWAY) for _ in STORM_SKUS]
    _checkout_and_wait(customers[0], STORM_SKUS[0], "tok_visa")  # the order service knows the products

    def checkout(n: int) -> tuple[int, str | None]:
        body = {
            "items": [{"product_id": str(demo_product_id(STORM_SKUS[n % 5])), "quantity": 1}],
            "shipping_address": ADDRESS,
            "payment_token": "tok_visa",
        }
        headers = {**customers[n % 5], "Idempotency-Key": str(uuid.uuid4())}
        answer = requests.post(f"{GATEWAY}/api/orders/", json=body, headers=headers, timeout=60)
        return answer.status_code, answer.json().get("id") if answer.status_code == 201 else answer.text[:200]

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(checkout, range(25)))

    assert [status for status, _ in answers] == [201] * 25, answers
    statuses = {}
    for n, (_status, order_id) in enumerate(answers):
        statuses[order_id] = wait_until(
            lambda n=n, order_id=order_id: (
                (
                    order := requests.get(
                        f"http://127.0.0.1:8002/api/orders/{order_id}/", headers=customers[n % 5], timeout=10
                    ).json()
                )["status"]
                != "pending"
                and order["status"]
            ),
            timeout=180,
            message=f"order {order_id} to leave pending",
        )
    assert list(statuses.values()) == ["confirmed"] * 25


def test_make_run_is_one_web_process_and_one_worker_per_service_with_beat_in_the_worker(make_run):
    from bench.footprint import process_tree

    commands = [command for _pid, _rss, command in process_tree(make_run.pid)]
    printed = make_run.log_path.read_text()

    for name in PORTS:
        if name == "gateway":
            continue
        web = [c for c in commands if "gunicorn" in c and f"{name}_service.wsgi" in c]
        workers = [c for c in commands if "celery" in c and f"{name}_service.celery_app" in c]
        assert (len(web), len(workers)) == (2, 1), (name, web, workers)  # gunicorn's master and one worker
        assert list(make_run.var_dir.glob(f"celerybeat-{name}*"))  # the beat thread keeps its schedule (dbm files)
        assert f'"Scheduler: Sending due task outbox-sweep (ecom_common.outbox_relay)", "service": "{name}"' in printed


def test_make_run_starts_without_a_warning(make_run):
    printed = make_run.log_path.read_text()

    # What used to greet a newcomer: kombu on every connection to the embedded broker, and
    # drf-standardized-errors at every import of user_service's account APIs.
    assert "No hostname was supplied" not in printed
    assert "is not in the list of actions" not in printed
    assert "are not in the list of actions" not in printed


def test_ctrl_c_stops_every_process(make_run):
    os.killpg(make_run.pid, signal.SIGINT)
    make_run.wait(timeout=60)

    # make's group, and each Procfile line's own group (its pid, which the runner printed).
    started = re.findall(r"started \(pid (\d+)\)", make_run.log_path.read_text())
    groups = [make_run.pid, *map(int, started)]

    def every_group_gone():
        for pgid in groups:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                continue
            return False
        return True

    assert len(started) >= 13
    wait_until(every_group_gone, timeout=30, message="every process of `make run` to exit")
    assert not any(_port_taken(port) for port in PORTS.values())
