"""The admins as a member of staff uses them: Debian's Chromium, driven by Playwright, through the
gateway (scripts/ensure-chromium installs the browser; Playwright downloads none).

Signing in once signs in to every admin, signing out of one signs out of all (single sign-on:
the identity service's sign-in page, OpenID Connect); a confirmed order cancelled from the order
admin shows as refunded in the payments admin; the order admin's dashboard counts the orders the
test placed.
"""

import re
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
STAFF = ("admin@example.com", "admin-password")


@pytest.fixture(scope="module")
def gateway(stack):
    return stack.public_gateway()  # at SHOP_URL: the sign-in's redirects stay on its origin


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


ADMINS = {
    "products": "Catalog admin",
    "orders": "Orders admin",
    "users": "Identity admin",
    "payments": "Payments admin",
    "inventory": "Inventory admin",
    "notifications": "Notifications admin",
}


def sign_in(page, gateway, slug: str) -> None:
    """Opens an admin; when the identity service's sign-in page asks, signs in there."""
    page.goto(f"{gateway.url}/admin/{slug}/")
    if page.locator("#id_password").count():
        page.fill("#id_username", STAFF[0])
        page.fill("#id_password", STAFF[1])
        page.click("input[type=submit]")
    page.wait_for_url(f"{gateway.url}/admin/{slug}/")


def test_one_sign_in_opens_every_admin_and_one_sign_out_closes_them_all(page, gateway):
    page.goto(f"{gateway.url}/admin/products/")
    assert page.locator("#id_password").count() == 1  # the identity service's sign-in page asks
    page.fill("#id_username", STAFF[0])
    page.fill("#id_password", STAFF[1])
    page.click("input[type=submit]")
    page.wait_for_url(f"{gateway.url}/admin/products/")

    headers = {}
    for slug in ADMINS:  # no password again
        page.goto(f"{gateway.url}/admin/{slug}/")
        headers[slug] = (page.url, page.locator("#site-name").inner_text())
        assert page.locator("#user-tools strong").text_content() == STAFF[0]  # greeted by e-mail, not an id

    page.goto(f"{gateway.url}/admin/orders/")
    page.click("#logout-form button")
    page.wait_for_selector("#id_password")  # signed out, at the sign-in page
    asked_again = {}
    for slug in ADMINS:
        page.goto("about:blank")  # so the last page's address cannot pass for this one's
        page.goto(f"{gateway.url}/admin/{slug}/")
        # The admin's redirects end at the identity service's sign-in page (or, signed in, at the
        # admin). Anchored on the path: an address on the way whose ?next= ends in /admin/<slug>/
        # must not end the wait before the redirects do.
        page.wait_for_url(re.compile(rf"^{re.escape(gateway.url)}/admin/(users/login/\?.*|{slug}/)$"))
        page.wait_for_load_state()
        asked_again[slug] = "/admin/users/login/" in page.url and page.locator("#id_password").count() == 1

    assert headers == {slug: (f"{gateway.url}/admin/{slug}/", title) for slug, title in ADMINS.items()}
    assert asked_again == dict.fromkeys(ADMINS, True)


def test_a_confirmed_order_cancelled_in_the_order_admin_is_refunded_in_the_payments_admin(page, gateway, shop):
    customer = shop.customer()
    order = shop.final_order(customer, shop.place(customer, shop.product(price="18.00"))["id"])
    assert order["status"] == "confirmed"

    sign_in(page, gateway, "orders")
    page.goto(f"{gateway.url}/admin/orders/orders/order/{order['id']}/change/")
    page.click("text=Cancel and refund")
    assert "voids the payment or refunds all of it: 18.00 USD" in page.inner_text("#content")
    page.click("input[value='Yes, cancel and refund']")
    assert f"Order {order['id']} cancelled: 18.00 USD will be refunded" in page.inner_text(".messagelist")

    shop.settled_payments(customer, order["id"], {"refunded"})
    sign_in(page, gateway, "payments")
    page.goto(f"{gateway.url}/admin/payments/payments/payment/?q={order['id']}")
    row = page.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "Refunded" in row.inner_text() and "18.00" in row.inner_text()


def test_the_dashboard_counts_the_orders_the_test_placed(page, gateway, shop):
    sign_in(page, gateway, "orders")
    before = int(page.inner_text("#orders-today"))
    customer = shop.customer()
    product = shop.product(price="3.00")
    for _ in range(3):
        shop.final_order(customer, shop.place(customer, product)["id"])

    page.reload()

    assert int(page.inner_text("#orders-today")) == before + 3
    assert re.fullmatch(r"\d+% \(\d+ of \d+\)", page.inner_text("#payment-success"))
    for service in ("product", "order", "user", "payment", "inventory", "notification"):
        assert page.locator(f"#service-{service} .dead-letters").count() == 1  # every service answered
