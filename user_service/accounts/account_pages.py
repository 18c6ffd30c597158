"""The pages the account mails link to, for a shop without a storefront of its own: open the link,
press the button (a mail scanner fetching the link changes nothing), and the same flows as the
API run (``account_flows``). A storefront points the mails' links at its own pages instead
(notification_service's ACCOUNT_*_URL settings) and calls the API."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import account_flows


class TokenForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class PasswordResetForm(TokenForm):
    new_password = forms.CharField(label="New password", strip=False, widget=forms.PasswordInput)
    new_password_again = forms.CharField(label="The new password again", strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password") != cleaned.get("new_password_again"):
            self.add_error("new_password_again", "The two passwords differ.")
        return cleaned


def _run(form: forms.Form, flow) -> bool:
    """Runs the flow with the form's data; its errors become the form's. ``True``: it ran."""
    try:
        flow(form.cleaned_data)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields and field != "token" else None, messages)
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def verify_email_page(request):
    form = TokenForm(request.POST or None, initial={"token": request.GET.get("token", "")})
    done = request.method == "POST" and form.is_valid() and _run(form, lambda data: account_flows.email_verify(**data))
    return render(request, "accounts/verify_email.html", {"form": form, "done": done}, status=200)


@never_cache
@sensitive_post_parameters("new_password", "new_password_again")
@require_http_methods(["GET", "POST"])
def password_reset_page(request):
    form = PasswordResetForm(request.POST or None, initial={"token": request.GET.get("token", "")})
    done = (
        request.method == "POST"
        and form.is_valid()
        and _run(
            form,
            lambda data: account_flows.password_reset_confirm(token=data["token"], new_password=data["new_password"]),
        )
    )
    return render(request, "accounts/password_reset.html", {"form": form, "done": done})
