"""Staff's notifications admin: the delivery log (every message, its attempts and errors, resend),
the recipients copied from the identity service, and the templates' overrides with a preview."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from ecom_common.admin import ReadOnlyAdmin, ReadOnlyInline
from notifications import rendering, services
from notifications.kinds import LINK_KINDS, SAMPLE_DATA
from notifications.models import DeliveryAttempt, Message, Recipient, TemplateOverride


@admin.register(Recipient)
class RecipientAdmin(ReadOnlyAdmin):
    list_display = ["email", "name", "email_verified", "user_id", "updated_at"]
    list_filter = ["email_verified"]
    search_fields = ["email", "name", "user_id"]


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["at", "succeeded", "error"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "to_email", "subject", "status", "attempts", "error", "sent_at"]
    list_filter = ["status", "kind", ("template_error", admin.EmptyFieldListFilter)]
    search_fields = ["to_email", "subject", "event_id", "user_id"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "status",
        "to_email",
        "subject",
        "user_id",
        "event_type",
        "event_id",
        "attempts",
        "next_attempt_at",
        "last_error",
        "template_error",
        "created_at",
        "sent_at",
        "event_data",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    @admin.display(description="last error")
    def error(self, message: Message) -> str:
        return message.last_error[:120]

    @admin.display(description="what the event said")
    def event_data(self, message: Message) -> dict:
        # A link's token is the customer's: staff never see it, sent or not.
        if message.kind in LINK_KINDS:
            return {**message.data, "token": "[hidden]"}
        return message.data

    @admin.action(description="Send the selected messages again")
    def resend(self, request, queryset):
        resent = 0
        for message in queryset:
            try:
                services.message_resend(message=message)
            except ValidationError as error:
                self.message_user(request, f"{message}: {' '.join(error.messages)}", messages.ERROR)
                continue
            resent += 1
        self.message_user(request, f"{resent} message(s) queued to be sent again.", messages.SUCCESS)


class TemplateOverrideForm(forms.ModelForm):
    class Meta:
        model = TemplateOverride
        fields = ["kind", "subject", "text", "html", "is_active"]

    def clean(self):
        # Rendered with the kind's sample event: a template that does not compile, or fails on
        # what its event carries, is refused here (and, saved some other way, falls back when sent).
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind and not self.errors:
            candidate = TemplateOverride(**{field: cleaned.get(field, "") for field in rendering.PARTS}, kind=kind)
            try:
                rendering.render_override(candidate, _sample_context(kind))
            except Exception as exc:
                raise ValidationError(f"This template does not render: {type(exc).__name__}: {exc}") from exc
        return cleaned


def _sample_context(kind: str) -> dict:
    return rendering.message_context(kind=kind, data=SAMPLE_DATA[kind], name="Ada Lovelace", email="ada@example.com")


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(admin.ModelAdmin):
    form = TemplateOverrideForm
    list_display = ["kind", "subject", "is_active", "updated_at"]
    list_filter = ["is_active"]
    readonly_fields = ["preview", "defaults"]
    fieldsets = [
        (None, {"fields": ["kind", "is_active", "subject", "text", "html"]}),
        ("Preview, with a sample of the kind's event", {"fields": ["preview"]}),
        ("The default templates (what is sent without an override)", {"fields": ["defaults"]}),
    ]

    @admin.display(description="preview")
    def preview(self, override: TemplateOverride):
        if not override.pk:
            return "Save to see the preview."
        try:
            rendered = rendering.render_override(override, _sample_context(override.kind))
        except Exception as exc:  # noqa: BLE001 - shown, not raised
            return f"Does not render ({type(exc).__name__}: {exc}); the default is sent instead."
        return format_html(
            "<p><strong>{}</strong></p><pre>{}</pre>{}",
            rendered.subject,
            rendered.text,
            format_html(
                '<iframe sandbox srcdoc="{}" style="width:100%;height:20em;border:1px solid #ccc"></iframe>',
                rendered.html,
            )
            if rendered.html
            else "",
        )

    @admin.display(description="defaults")
    def defaults(self, override: TemplateOverride):
        if not override.kind:
            return "Choose a kind and save."
        sources = rendering.default_sources(override.kind)
        return format_html(
            "<p>subject</p><pre>{}</pre><p>text</p><pre>{}</pre><p>HTML</p><pre>{}</pre>",
            sources["subject"],
            sources["text"],
            sources["html"],
        )
