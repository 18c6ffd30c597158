"""A message's subject and bodies, from the staff's override or else the default files.

Django templates; a text part is rendered without HTML escaping. No template can stop a send:
an override that fails to compile or to render is skipped, the default files are used, and
the error is handed back to be reported on the message (and logged).
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, engines

from notifications.kinds import Kind
from notifications.models import TemplateOverride

logger = logging.getLogger(__name__)

PARTS = ("subject", "text", "html")
# order.cancelled's reason, as the customer reads it.
CANCEL_REASONS = {
    "customer_request": "at your request",
    "out_of_stock": "an item ran out of stock",
    "payment_declined": "the payment was declined",
    "payment_timeout": "the payment did not go through in time",
}
DEFAULT_FILES = {"subject": "subject.txt", "text": "body.txt", "html": "body.html"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    template_error: str = ""  # why the override was not used


def _engine():
    return engines["django"].engine


def _render(template, context: dict, *, part: str) -> str:
    rendered = template.render(Context(context, autoescape=part == "html"))
    # A subject is one line, however the template wraps it.
    return " ".join(rendered.split()) if part == "subject" else rendered.strip() + "\n"


def _render_default(kind: str, context: dict) -> Rendered:
    parts = {}
    for part, filename in DEFAULT_FILES.items():
        template = _engine().get_template(f"notifications/{kind}/{filename}")
        parts[part] = _render(template, context, part=part)
    return Rendered(**parts)


def default_sources(kind: str) -> dict[str, str]:
    """The default files' text, for staff writing an override."""
    return {
        part: _engine().get_template(f"notifications/{kind}/{filename}").source
        for part, filename in DEFAULT_FILES.items()
    }


def render_override(override: TemplateOverride, context: dict) -> Rendered:
    """The override's parts; raises what the template raises (the admin's preview shows it)."""
    compiled = {part: _engine().from_string(getattr(override, part)) for part in PARTS}
    return Rendered(
        subject=_render(compiled["subject"], context, part="subject"),
        text=_render(compiled["text"], context, part="text"),
        html=_render(compiled["html"], context, part="html") if override.html.strip() else "",
    )


def message_render(kind: str, context: dict) -> Rendered:
    """The message of ``kind`` for ``context``: the active override's, else the default's."""
    override = TemplateOverride.objects.filter(kind=kind, is_active=True).first()
    if override is None:
        return _render_default(kind, context)
    try:
        return render_override(override, context)
    except Exception as exc:  # noqa: BLE001 - any failure of staff's template falls back
        error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:1000]
        logger.warning("template override failed; the default was used", extra={"kind": kind, "error": error})
        default = _render_default(kind, context)
        return Rendered(default.subject, default.text, default.html, template_error=error)


def message_context(*, kind: str, data: dict, name: str = "", email: str = "") -> dict:
    """What every template sees: the event's data, the recipient, the shop and the links."""
    token = data.get("token", "")
    links = {}  # and what the templates read in words
    if kind in (Kind.WELCOME, Kind.VERIFY_EMAIL):
        links["verify_url"] = settings.ACCOUNT_VERIFY_EMAIL_URL.format(shop=settings.SHOP_URL, token=token)
    if kind == Kind.PASSWORD_RESET:
        links["reset_url"] = settings.ACCOUNT_PASSWORD_RESET_URL.format(shop=settings.SHOP_URL, token=token)
    if "reason" in data:
        links["reason_text"] = CANCEL_REASONS.get(data["reason"], data["reason"] or "")
    if "order_id" in data:
        links["order_url"] = f"{settings.SHOP_URL}/api/orders/{data['order_id']}/"
    return {
        **data,
        **links,
        "recipient": {"name": name, "email": email},
        "greeting_name": name or email.split("@", maxsplit=1)[0],
        "shop_name": settings.SHOP_NAME,
        "shop_url": settings.SHOP_URL,
    }
