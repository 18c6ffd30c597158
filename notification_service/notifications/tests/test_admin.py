"""The delivery log, resend, and template overrides with a preview, as staff use them."""

import pytest

from notifications.kinds import Kind
from notifications.models import Message, TemplateOverride
from notifications.tests.factories import MessageFactory
from notifications.tests.helpers import deliver, send_queued, user_event

ADMIN = "/admin/notifications/notifications"


@pytest.mark.parametrize("page", ["message/", "recipient/", "templateoverride/", "templateoverride/add/"])
def test_admin_pages_load(admin_client_logged_in, page):
    MessageFactory(last_error="SMTPServerDisconnected: gone")

    assert admin_client_logged_in.get(f"{ADMIN}/{page}").status_code == 200


def test_the_delivery_log_shows_each_attempt_and_hides_a_links_token(admin_client_logged_in, settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_messages.RefusingBackend"
    deliver(user_event("user.password_reset_requested", token="secret-reset-token"))
    send_queued()
    message = Message.objects.get()

    page = admin_client_logged_in.get(f"{ADMIN}/message/{message.pk}/change/").content.decode()

    assert "ConnectionRefusedError: [Errno 111] Connection refused" in page
    assert "secret-reset-token" not in page
    assert "[hidden]" in page


def test_staff_resend_failed_messages_from_the_list(admin_client_logged_in, mailoutbox):
    failed = MessageFactory(status=Message.Status.FAILED, kind=Kind.PASSWORD_CHANGED, data={})

    response = admin_client_logged_in.post(
        f"{ADMIN}/message/", {"action": "resend", "_selected_action": [str(failed.pk)]}, follow=True
    )
    send_queued()

    assert "1 message(s) queued to be sent again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT
    assert len(mailoutbox) == 1


def test_an_override_that_does_not_render_is_refused_with_the_reason(admin_client_logged_in):
    response = admin_client_logged_in.post(
        f"{ADMIN}/templateoverride/add/",
        {"kind": Kind.ORDER_SHIPPED, "subject": "Shipped", "text": "{% for %}", "html": "", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "This template does not render: TemplateSyntaxError" in response.content.decode()
    assert not TemplateOverride.objects.exists()


def test_a_saved_override_is_previewed_with_a_sample_event(admin_client_logged_in):
    override = TemplateOverride.objects.create(
        kind=Kind.ORDER_SHIPPED,
        subject="{{ carrier }} has it",
        text="Track {{ tracking_number }}",
        html="<p>Track <b>{{ tracking_number }}</b></p>",
    )

    page = admin_client_logged_in.get(f"{ADMIN}/templateoverride/{override.pk}/change/").content.decode()

    assert "<strong>UPS has it</strong>" in page
    assert "Track 1Z999AA10123456784" in page
    assert "&lt;b&gt;1Z999AA10123456784&lt;/b&gt;" in page  # the HTML, inside the preview's frame
    assert "your order {{ order_id }} has been handed to {{ carrier }}." in page  # the default, to copy
