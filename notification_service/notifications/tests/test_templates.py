"""Staff's own wording: used when it renders, the default file when it does not (reported)."""

import pytest

from notifications import rendering
from notifications.kinds import SAMPLE_DATA, Kind
from notifications.models import Message, TemplateOverride
from notifications.tests.helpers import deliver, send_queued, user_event


def test_an_override_replaces_the_default(mailoutbox):
    TemplateOverride.objects.create(
        kind=Kind.PASSWORD_CHANGED,
        subject="{{ shop_name }}: new password for {{ recipient.email }}",
        text="Hi {{ greeting_name }} & welcome back <3",
        html="",
    )
    deliver(user_event("user.password_changed"))
    send_queued()

    [mail] = mailoutbox
    assert mail.subject == "Example Shop: new password for ada@example.com"
    assert mail.body == "Hi Ada Lovelace & welcome back <3\n"  # a text part is not HTML-escaped
    assert mail.alternatives == []
    assert Message.objects.get().template_error == ""


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{% if %}", "TemplateSyntaxError: Unexpected end of expression in if tag."),
        ("{% load no_such_library %}", "TemplateSyntaxError: 'no_such_library' is not a registered tag library."),
        ("{{ shop_name|date:'%' }} {% include 'no/such.txt' %}", "TemplateDoesNotExist: no/such.txt"),
    ],
)
def test_a_broken_override_still_sends_the_default_and_says_why(mailoutbox, text, error):
    TemplateOverride.objects.create(kind=Kind.PASSWORD_CHANGED, subject="Changed", text=text)
    deliver(user_event("user.password_changed"))
    send_queued()

    [mail] = mailoutbox
    assert mail.subject == "Your Example Shop password was changed"
    assert mail.body.startswith("Hello Ada Lovelace,\n\nthe password of your Example Shop account was just changed")
    message = Message.objects.get()
    assert message.status == Message.Status.SENT
    assert message.template_error.startswith(error)


def test_an_inactive_override_is_ignored(mailoutbox):
    TemplateOverride.objects.create(kind=Kind.PASSWORD_CHANGED, subject="X", text="Y", is_active=False)
    deliver(user_event("user.password_changed"))
    send_queued()

    assert mailoutbox[0].subject == "Your Example Shop password was changed"


@pytest.mark.parametrize("kind", list(Kind))
def test_every_default_renders_its_sample_event_without_blanks(kind):
    context = rendering.message_context(kind=kind, data=SAMPLE_DATA[kind], name="Ada", email="ada@example.com")

    rendered = rendering.message_render(kind, context)

    assert rendered.subject and rendered.text and rendered.html.startswith("<!doctype html>")
    assert rendered.template_error == ""
    # Every variable a default names is one its event carries: no empty "()" or dangling labels.
    assert "None" not in rendered.text
    assert "  \n" not in rendered.text
