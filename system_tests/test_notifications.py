"""The notification service as a customer meets it: real mail through a real SMTP server.

Registering mails a link that verifies the address; a password reset ends every session; a
receipt arrives once however often, and in whatever order, its events are delivered; mail
written while the SMTP server is down arrives when it is back, none lost and none doubled; a
broken template override still sends the default.
"""

import random
import subprocess
import uuid

import pytest
import requests

from system_tests.bus import queue_depths, republish
from system_tests.mail import body_text, link_token
from system_tests.stack import wait_until

PASSWORD = "a-Strong-passw0rd"


def register(stack) -> dict:
    email = f"mail-{uuid.uuid4().hex[:10]}@example.com"
    requests.post(
        f"{stack.url('user')}/api/auth/register/", json={"email": email, "password": PASSWORD}, timeout=10
    ).raise_for_status()
    return {"email": email, **sign_in(stack, email, PASSWORD)}


def sign_in(stack, email: str, password: str) -> dict:
    response = requests.post(
        f"{stack.url('user')}/api/auth/token/", json={"email": email, "password": password}, timeout=10
    )
    response.raise_for_status()
    tokens = response.json()
    return {"headers": {"Authorization": f"Bearer {tokens['access']}"}, "refresh": tokens["refresh"]}


def me(stack, customer) -> dict:
    return requests.get(f"{stack.url('user')}/api/users/me/", headers=customer["headers"], timeout=10).json()


def messages(stack, customer) -> list[dict]:
    response = requests.get(f"{stack.url('notification')}/api/notifications/", headers=customer["headers"], timeout=10)
    return response.json()["results"]


def test_registering_mails_a_link_that_verifies_the_address(stack, mail_server):
    customer = register(stack)

    [welcome] = mail_server.wait_for(customer["email"], "welcome")

    assert welcome["Subject"] == "Welcome to Shop, please confirm your address"
    assert "/account/verify-email/?token=" in body_text(welcome)
    assert me(stack, customer)["email_verified"] is False
    verified = requests.post(
        f"{stack.url('user')}/api/auth/verify-email/", json={"token": link_token(welcome)}, timeout=10
    )
    assert verified.status_code == 204
    assert me(stack, customer)["email_verified"] is True
    # The customer sees the mail among their messages, sent; the link's token is no longer kept.
    wait_until(
        lambda: [m["status"] for m in messages(stack, customer)] == ["sent"], message="the message listed as sent"
    )
    [listed] = messages(stack, customer)
    assert (listed["kind"], listed["subject"]) == ("welcome", welcome["Subject"])
    assert stack.sql(
        "SELECT data->>'token' FROM notification.notifications_message WHERE user_id = %s", [me(stack, customer)["id"]]
    ) == [("[removed once sent]",)]


def test_a_password_reset_by_mail_ends_every_session(stack, mail_server):
    customer = register(stack)
    other_device = sign_in(stack, customer["email"], PASSWORD)

    asked = requests.post(
        f"{stack.url('user')}/api/auth/password-reset/", json={"email": customer["email"]}, timeout=10
    )
    assert asked.status_code == 202, asked.text
    [reset] = mail_server.wait_for(customer["email"], "password_reset")
    confirmed = requests.post(
        f"{stack.url('user')}/api/auth/password-reset/confirm/",
        json={"token": link_token(reset), "new_password": "Another-str0ng-one"},
        timeout=10,
    )

    assert confirmed.status_code == 204
    refreshed = [
        requests.post(
            f"{stack.url('user')}/api/auth/token/refresh/", json={"refresh": s["refresh"]}, timeout=10
        ).status_code
        for s in (customer, other_device)
    ]
    assert refreshed == [401, 401]
    sign_in(stack, customer["email"], "Another-str0ng-one")
    [changed] = mail_server.wait_for(customer["email"], "password_changed")
    assert changed["Subject"] == "Your Shop password was changed"


def _purge_notification_queues(stack) -> None:
    for queue in ("notification.user.events", "notification.order.events"):
        subprocess.run(["rabbitmqctl", "-q", "purge_queue", "-p", stack.vhost, queue], check=True, capture_output=True)


def test_a_receipt_arrives_once_when_every_event_comes_twice_and_shuffled(stack, shop, mail_server):
    # The notification worker stops; what the customer and the order announce meanwhile is taken
    # off its queues and delivered again, every event twice and in a shuffled order (a receipt
    # may come before the account's event), as a redelivering, reordering broker would.
    stack.kill_worker("notification")
    customer = register(stack)
    product_id = shop.product(price="19.99")
    order = shop.final_order(customer["headers"], shop.place(customer["headers"], product_id)["id"])
    assert order["status"] == "confirmed"
    user_id = me(stack, customer)["id"]
    events = [
        row[0]
        for row in stack.sql(
            "SELECT envelope FROM \"user\".ecom_common_outboxevent WHERE envelope->'data'->>'user_id' = %s "
            'UNION ALL SELECT envelope FROM "order".ecom_common_outboxevent '
            "WHERE type = 'order.confirmed' AND envelope->'data'->>'order_id' = %s",
            [user_id, order["id"]],
        )
    ]
    assert sorted(e["type"] for e in events) == ["order.confirmed", "user.registered"]
    wait_until(lambda: _queued(stack) >= 2, message="the two events waiting in the notification queues")
    _purge_notification_queues(stack)
    deliveries = events * 2
    random.Random(order["id"]).shuffle(deliveries)
    republish(stack, deliveries)

    stack.start_worker("notification")

    [receipt] = mail_server.wait_for(customer["email"], "order_confirmed")
    assert receipt["Subject"] == "Your Shop order is confirmed"
    assert "Total:     19.99 USD" in body_text(receipt)
    mail_server.wait_for(customer["email"], "welcome")
    wait_until(lambda: _queued(stack) == 0, message="the notification queues drained")
    assert len(mail_server.to(customer["email"], "order_confirmed")) == 1
    assert len(mail_server.to(customer["email"], "welcome")) == 1
    assert stack.sql(
        "SELECT kind, status, attempts FROM notification.notifications_message WHERE user_id = %s ORDER BY kind",
        [user_id],
    ) == [("order_confirmed", "sent", 1), ("welcome", "sent", 1)]


def _queued(stack) -> int:
    depths = queue_depths(stack)
    return depths.get("notification.user.events", 0) + depths.get("notification.order.events", 0)


def test_mail_written_while_the_smtp_server_is_down_arrives_once_it_is_back(stack, mail_server):
    mail_server.stop()
    try:
        customers = [register(stack) for _ in range(3)]
        ids = [me(stack, c)["id"] for c in customers]
        wait_until(
            lambda: (
                stack.sql(
                    "SELECT count(*) FROM notification.notifications_deliveryattempt a "
                    "JOIN notification.notifications_message m ON m.id = a.message_id "
                    "WHERE NOT a.succeeded AND m.user_id = ANY(%s::uuid[])",
                    [ids],
                )[0][0]
                >= 6
            ),
            message="every welcome to have failed twice while the server is down",
        )
    finally:
        mail_server.start()

    for customer in customers:
        mail_server.wait_for(customer["email"], "welcome")
    wait_until(
        lambda: (
            stack.sql(
                "SELECT count(*) FROM notification.notifications_message WHERE status = 'sent' AND user_id = ANY(%s::uuid[])",
                [ids],
            )[0][0]
            == 3
        ),
        message="every welcome recorded as sent",
    )
    assert [len(mail_server.to(c["email"], "welcome")) for c in customers] == [1, 1, 1]
    errors = stack.sql(
        "SELECT DISTINCT split_part(a.error, ':', 1) FROM notification.notifications_deliveryattempt a "
        "JOIN notification.notifications_message m ON m.id = a.message_id WHERE m.user_id = ANY(%s::uuid[]) AND NOT a.succeeded",
        [ids],
    )
    assert errors == [("ConnectionRefusedError",)]


@pytest.fixture
def broken_override(stack):
    stack.execute(
        "INSERT INTO notification.notifications_templateoverride (kind, subject, text, html, is_active, updated_at) "
        "VALUES ('password_changed', 'Broken', '{% if %}', '', true, now())"
    )
    yield
    stack.execute("DELETE FROM notification.notifications_templateoverride WHERE kind = 'password_changed'")


def test_a_broken_template_override_still_sends_the_default(stack, mail_server, broken_override):
    customer = register(stack)

    changed = requests.post(
        f"{stack.url('user')}/api/users/me/password/",
        headers=customer["headers"],
        json={"old_password": PASSWORD, "new_password": "Another-str0ng-one"},
        timeout=10,
    )

    assert changed.status_code == 204
    [mail] = mail_server.wait_for(customer["email"], "password_changed")
    assert mail["Subject"] == "Your Shop password was changed"
    assert stack.sql(
        "SELECT status, template_error FROM notification.notifications_message WHERE user_id = %s AND kind = 'password_changed'",
        [me(stack, sign_in(stack, customer["email"], "Another-str0ng-one"))["id"]],
    ) == [("sent", "TemplateSyntaxError: Unexpected end of expression in if tag.")]
